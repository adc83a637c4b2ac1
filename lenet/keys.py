"""Typed keys of a claim-file table: the one declaration validation, defaults, scaffolds and docs read.

A ``Param`` declares one key (type, allowed range or choices, default, example);
a ``CheckSpec`` declares a check table: its keys and the claim keys it needs.
The claim schema's top-level keys and every check's table use the same
declaration, so one function validates both and one function documents them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Param", "CheckSpec", "EXPECT", "OUTPUT_FORMS"]

EXPECT = ("holds", "refuted", "inconclusive")
OUTPUT_FORMS = (
    "'logit:true' (each image's true class), 'logit:N' (class N), 'margin:true' (the true class's logit "
    "minus the largest other), 'prob:true' or 'accuracy'"
)


@dataclass(frozen=True)
class Param:
    """One key of a claim-file table."""

    name: str
    kind: str  # "float", "int", "str", "bool", "list[str]", "list[int]"
    doc: str
    example: object
    default: object = None  # None: required if `required`, else off
    required: bool = False
    low: float | None = None  # inclusive bounds for numbers (exclusive where `open_low`/`open_high`)
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    choices: tuple = ()
    pattern: str | None = None  # regex a string must match (e.g. outputs)
    search: bool = False  # a search range named max_... (invariance's max_shift), not a threshold to judge


@dataclass(frozen=True)
class CheckSpec:
    """A check users can name as a table in a claim file; ``[name]`` holds ``params`` and ``expect``."""

    name: str
    summary: str
    params: tuple[Param, ...]
    needs: frozenset[str]  # claim keys it needs: "units", "concept", "contrast", "layer", "record"
    min_units: int = 1  # the fewest units its target may have (a share of a set needs two)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def thresholds(self) -> tuple[Param, ...]:
        """The ``min_``/``max_`` keys a criterion is judged against (a ``population`` can pool them)."""
        return tuple(p for p in self.params if p.name.startswith(("min_", "max_")) and not p.search)
