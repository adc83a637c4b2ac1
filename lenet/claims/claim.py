"""A validated claim file as Python values: ``Claim`` with its ``CheckTable``s and optional ``SeedsTable``.

Everything a check needs is here with defaults filled in, plus the line of
every key (``lines``), so later errors can point into the file too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Claim", "CheckTable", "SeedsTable"]


@dataclass(frozen=True)
class CheckTable:
    """One check table, e.g. ``[ablation]``: one pytest item."""

    name: str  # the check, a key of lenet.checks.CHECKS
    params: dict  # every declared parameter: given values, else defaults (None = off)
    expect: str  # "holds" | "refuted" | "inconclusive": this table's, else the claim's
    line: int  # line of the table header


@dataclass(frozen=True)
class SeedsTable:
    """``[seeds]``: the claim checked on other training seeds (the ``::seeds`` item)."""

    seeds: tuple[int, ...]
    min_holding: int
    line: int
    expect: str = "holds"  # expected outcome of the seeds verdict: the table's, else the claim's
    expensive: bool = (
        False  # run expensive checks (lenet.run.seeds.EXPENSIVE) on every seed, not only the claim's own
    )
    population: str | None = None  # "CHECK.KEY": decide by the pooled mean effect of that criterion
    reselect: str | None = None  # the score whose top-N rule found the named units: re-applied per seed


@dataclass(frozen=True)
class Claim:
    """One hypothesis from one claim file, validated."""

    path: Path  # absolute path of the file
    # stable id: the path relative to the rootdir, posix (e.g. "claims/linear-0-58-crossed-seven.toml")
    id: str
    sentence: str  # the `claim` key: the hypothesis in words
    format: int
    selector: str  # which selector key the file used: "unit", "units", "select" or "layer"
    units: str | None  # canonical unit address for unit/units, e.g. "linear-0:58,28,8"; None otherwise
    select: dict | None  # {"layer", "top", "by"} for `select`, else None
    layer: str | None  # the layer of whichever selector was used
    subject: str  # the subject's name: "lenet-mnist" (built in) or one the project declares
    seed: int  # the seed whose network (and unit indices) the claim names
    site: str  # where units are read and edited: "post" or "pre" (format 1: always "pre")
    checkpoint: str | None  # absolute path of the claim's own checkpoint file, or None
    concept: str | None
    contrast: str | None
    tags: tuple[str, ...]
    confidence: float
    expect: str  # the claim's default expectation for its checks
    discovered: str | None
    checks: dict[str, CheckTable]  # in file order
    seeds: SeedsTable | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # "ablation.min_effect" -> line

    def line(self, key: str) -> int:
        """Line of a dotted key (``"ablation.min_effect"``), else of its table, else 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1
