"""The one exception hierarchy: every error meant for a user says what went wrong and what to do.

User-facing errors also subclass the matching builtin, so callers that catch
``ValueError`` or ``FileNotFoundError`` keep working.
"""

from __future__ import annotations

__all__ = [
    "LenetError",
    "DataNotFound",
    "ChecksumMismatch",
    "CorruptCheckpoint",
    "UnknownUnit",
    "InvalidConfig",
    "CacheError",
    "MissingRecord",
    "UnknownConcept",
    "InvalidConcept",
    "InvalidClaim",
    "MatchError",
    "ShardError",
]


class LenetError(Exception):
    """Base class of every error lenet-claims raises on purpose."""


class DataNotFound(LenetError, FileNotFoundError):
    """MNIST is not where we looked; the message says how to provide it."""


class ChecksumMismatch(LenetError, ValueError):
    """A data or checkpoint file differs from the SHA-256 it must have."""


class CorruptCheckpoint(LenetError, ValueError):
    """A checkpoint file cannot be read, or its weights do not match their recorded hash."""


class UnknownUnit(LenetError, KeyError):
    """A layer name or unit index that does not exist; the message lists the valid ones."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InvalidConfig(LenetError, ValueError):
    """A training configuration or option value that cannot be used."""


class CacheError(LenetError, RuntimeError):
    """The checkpoint cache cannot be used (unwritable location, broken entry)."""


class MissingRecord(LenetError, FileNotFoundError):
    """A check needs a training record that the claim's checkpoint does not have."""


class UnknownConcept(LenetError, KeyError):
    """A concept name that no built-in, index file or ``lenet_concepts.py`` defines;
    the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InvalidConcept(LenetError, ValueError):
    """A concept name, index file or predicate that cannot be used;
    the message says which and how to fix it."""


class InvalidClaim(LenetError, ValueError):
    """A claim file that cannot be used; one line per problem: ``file:line: key=value problem. fix.``"""

    def __init__(self, path: str, problems: list[tuple[int, str]]) -> None:
        self.path = path
        self.problems = problems  # (line, "key=value problem. fix.") pairs, in file order
        super().__init__("\n".join(f"{path}:{line}: {text}" for line, text in problems))

    def __reduce__(self):  # pickles (pytest-xdist, multiprocessing) with its fields, not its message
        return (type(self), (self.path, self.problems))


class MatchError(LenetError, ValueError):
    """Unit values that cannot be matched across networks
    (different images or unit counts); the message says which."""


class ShardError(LenetError, ValueError):
    """``--claims-json`` documents that cannot be merged into one run
    (missing or conflicting shards); the message says which."""
