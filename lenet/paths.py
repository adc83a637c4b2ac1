"""Where things live: the project checkout, its fixtures, and the checkpoint cache.

The package is installed editable from a checkout, so the project root is the
folder above ``lenet/``; ``LENET_FIXTURES`` and ``LENET_CACHE_DIR`` move the
fixtures and the cache.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Environment variable that moves the checkpoint cache.
CACHE_ENV = "LENET_CACHE_DIR"


def fixtures_dir() -> Path:
    """The folder holding reference checkpoints, manifest and labels."""
    return Path(os.environ.get("LENET_FIXTURES", PROJECT_ROOT / "fixtures"))


def reference_dir() -> Path:
    """The folder of committed reference checkpoints (``fixtures/checkpoints``)."""
    return fixtures_dir() / "checkpoints"


def cache_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The checkpoint cache: ``explicit``, else ``$LENET_CACHE_DIR``, else ``$XDG_CACHE_HOME/lenet-claims``.

    The default follows the XDG convention (``~/.cache/lenet-claims``) so that
    retrained seeds survive a fresh clone of the project.
    """
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lenet-claims"
