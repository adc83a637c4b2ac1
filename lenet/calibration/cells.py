"""What calibration measures: a *cell* is one situation with a known truth, run for many trials.

Each cell names the criterion it calibrates, its level (``judge``: the check's judge on resampled per-image
values; ``pipeline``: a claim run end to end through ``run.dispatch.run_on`` on resampled test images;
``power``: a planted or real effect at a set ratio of true effect to threshold), its kind (``null``: the
claim is false, thresholds off, only the p-value decides; ``boundary``: the true effect sits on the
threshold, the least favourable case for both errors; ``power``) and how to draw one trial. ``prepare``
builds what the trials share once per process (pools of per-image values and effects, cached on disk per
network by ``pools``) and returns the trial: a function of a random generator giving the outcome the
cell counts ("holds", "refuted" or "inconclusive").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .rule import BOUNDARY_TRIALS, NULL_TRIALS, POWER_TRIALS

__all__ = ["Cell", "Trial", "KINDS", "trials_for"]

KINDS = ("null", "boundary", "power")
Trial = Callable[[np.random.Generator], str]


def trials_for(kind: str) -> int:
    return {"null": NULL_TRIALS, "boundary": BOUNDARY_TRIALS, "power": POWER_TRIALS}[kind]


@dataclass(frozen=True)
class Cell:
    """One calibration situation: ``criterion`` (e.g. "ablation min_effect"), ``what`` (its data, in words),
    ``level``, ``kind``, ``ratio`` (power cells: true effect / threshold) and ``prepare`` (context ->
    trial)."""

    criterion: str
    what: str
    level: str  # "judge" | "pipeline" | "power"
    kind: str  # "null" | "boundary" | "power"
    prepare: Callable[[object], Trial]
    ratio: float | None = None
    quick: bool = False  # one of the cells `lenet calibrate --quick` (and CI) runs at full n
    curve: str | None = None  # power cells: the curve this point belongs to
    # boundary cells: a hold is false for an effect just below the threshold; False where the claim is true
    # with room (e.g. 4 of 5 seeds truly hold, 4 needed: holding is right), so only refutations are judged
    hold_is_false: bool = True

    @property
    def trials(self) -> int:
        return trials_for(self.kind)

    @property
    def id(self) -> str:
        """A stable name for results on disk: level, criterion, data and ratio."""
        ratio = "" if self.ratio is None else f" x{self.ratio:g}"
        text = f"{self.level} {self.kind} {self.criterion} {self.what}{ratio}".lower()
        return "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in text).strip("-")[:150]


class Context:
    """The network under calibration and what many cells read from it (computed on first use)."""

    LAYER = "linear-0"
    SITE = "post"
    CONCEPT, CONTRAST = "seven/crossed", "seven/plain"

    def __init__(self, subject):
        self.subject = subject
        self._memo: dict = {}

    def memo(self, name: str, compute):
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    @property
    def labels(self) -> np.ndarray:
        return self.memo("labels", lambda: self.subject.split(self.subject.CONFIRMATION).labels.numpy())

    @property
    def train_labels(self) -> np.ndarray:
        return self.memo("train_labels", lambda: self.subject.split(self.subject.DISCOVERY).labels.numpy())

    def concept(self, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
        """Crossed and plain sevens on ``split``: a concept that really differs from its contrast."""
        return self.subject.members(self.CONCEPT, split), self.subject.members(self.CONTRAST, split)

    def values(self, split: str = "test") -> np.ndarray:
        return self.subject.values(self.LAYER, split, site=self.SITE)

    def best_unit(self) -> int:
        """The layer's most selective unit for crossed vs plain on the discovery split (as a claim would
        pick it: never on the test split the trials draw from)."""
        from ..stats import estimates

        def find() -> int:
            values, (crossed, plain) = self.values("train"), self.concept("train")
            return int(np.argmax(estimates.auroc_columns(values[crossed], values[plain])))

        return self.memo("best-unit", find)

    def damage(self, method: str = "zero", output: str = "logit:true") -> np.ndarray:
        """Per-unit, per-image damage ``(U, N)`` of ablating each unit of the layer on the test split."""
        from .pools import cached

        return self.memo(
            f"damage-{method}-{output}",
            lambda: cached(
                self.subject.key,
                "sweep",
                [self.LAYER, self.SITE, method, output],
                lambda: self.subject.sweep_damage(self.LAYER, method, output, site=self.SITE),
            ),
        )


def criterion_outcome(verdict, name: str) -> str:
    """The outcome of criterion ``name``; a verdict without it (a no-op: nothing tested) is inconclusive."""
    return next((c.outcome for c in verdict.criteria if c.name == name), verdict.outcome)
