"""What a check concludes: a Verdict made of Criteria, each a statistic with its CI, threshold and outcome.

Three outcomes, the same for every check: *holds*, *refuted*, *inconclusive*.
A check holds when every criterion holds, is refuted when any criterion is
refuted, and is inconclusive otherwise (then ``to_decide`` says roughly what
more data would decide it).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

__all__ = ["OUTCOMES", "Criterion", "Verdict", "combine", "check_seed"]

OUTCOMES = ("holds", "refuted", "inconclusive")


@dataclass(frozen=True)
class Criterion:
    """One statistic compared with one threshold: e.g. the AUROC's lower bound against ``min_auroc``."""

    name: str  # the claim-file key it answers, e.g. "min_auroc", or a built-in rule such as "baseline"
    statistic: str  # what was measured, e.g. "AUROC(concept vs contrast)"
    value: float
    low: float | None  # CI bounds (None for criteria without a CI)
    high: float | None
    threshold: float | None
    bound: str  # "min": must clear the threshold from above; "max": stay below it
    outcome: str
    p: float | None = None  # one-sided p-value of "no effect", where the criterion has a test
    note: str = ""  # e.g. the decision rule for criteria without a CI

    @classmethod
    def from_estimate(
        cls,
        name: str,
        statistic: str,
        estimate,
        *,
        threshold: float | None,
        bound: str = "min",
        alpha: float,
        note: str = "",
    ) -> Criterion:
        """``estimate`` (a ``stats.Estimate``: value, CI, p) against ``threshold``, by ``stats.decide``."""
        from .estimates import decide

        return cls(
            name=name,
            statistic=statistic,
            value=estimate.value,
            low=estimate.low,
            high=estimate.high,
            threshold=threshold,
            bound=bound,
            outcome=decide(estimate, threshold, bound, alpha),
            p=estimate.p,
            note="; ".join(part for part in (note, getattr(estimate, "why", "")) if part),
        )

    def describe(self) -> str:
        ci = f" CI [{self.low:.4g}, {self.high:.4g}]" if self.low is not None else ""
        p = f" p={self.p:.3g}" if self.p is not None and self.p == self.p else ""  # NaN: not computed
        op = ">=" if self.bound == "min" else "<="
        limit = f"; needs {op} {self.threshold:g}" if self.threshold is not None else ""
        note = f" ({self.note})" if self.note else ""
        return f"{self.name}: {self.statistic} = {self.value:.4g}{ci}{p}{limit} -> {self.outcome}{note}"


def combine(outcomes: list[str]) -> str:
    """All hold -> holds; any refuted -> refuted; otherwise inconclusive."""
    if any(o == "refuted" for o in outcomes):
        return "refuted"
    return "holds" if outcomes and all(o == "holds" for o in outcomes) else "inconclusive"


@dataclass
class Verdict:
    """The result of one check of one claim, with everything a report needs."""

    check: str  # e.g. "selectivity"
    criteria: list[Criterion]
    n: dict[str, int]  # sample sizes, e.g. {"concept": 130, "contrast": 700}
    confidence: float
    seed: int  # the seed of every random draw the check made
    rule: str  # the decision rule in one sentence
    details: dict = field(
        default_factory=dict
    )  # baseline, percentile ranks, counterexample, per-method flips...
    to_decide: str | None = None  # for inconclusive verdicts: what would decide it

    @property
    def outcome(self) -> str:
        return combine([c.outcome for c in self.criteria])

    @property
    def primary(self) -> Criterion:
        return self.criteria[0]

    def describe(self) -> str:
        lines = [f"{self.check}: {self.outcome.upper()} ({self.rule})"]
        lines += [f"  {c.describe()}" for c in self.criteria]
        lines.append(
            "  n: "
            + ", ".join(f"{k}={v}" for k, v in self.n.items())
            + f"; confidence {self.confidence:g}; seed {self.seed}"
        )
        if self.to_decide and self.outcome == "inconclusive":
            lines.append(f"  to decide: {self.to_decide}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {**asdict(self), "outcome": self.outcome}


def check_seed(claim_id: str, check: str) -> int:
    """The seed of a check's random draws, from the claim and check ids: reruns give identical numbers."""
    return int.from_bytes(hashlib.sha256(f"{claim_id}::{check}".encode()).digest()[:4], "big")
