"""The acceptance rule a measured error rate must pass, and the counts it is applied to.

A false outcome may happen at most at its nominal rate: a *false hold* under a null at 1% (alpha of a
0.99 claim; at the threshold itself, where only the interval's lower side can err, 0.5%), a *false
refutation* at the threshold at 0.5% (one side of a 99% interval). Over n trials a rate passes when its
count is at most the 99th percentile of Binomial(n, nominal): 31 of 2,000 at 1% and 31 of 4,000 at
0.5%, so a true rate of twice the nominal is caught with probability at least 0.9 (the rule of
"Verdicts that mean what they say", docs/statistics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NULL_TRIALS", "BOUNDARY_TRIALS", "POWER_TRIALS", "Count", "limit"]

NULL_TRIALS = 2000  # a null cell: the claim is false, thresholds off, only the p-value decides (nominal 1%)
BOUNDARY_TRIALS = 4000  # the true effect sits on the threshold: each CI side may err at 0.5%
POWER_TRIALS = 400  # each point of a power curve: its 95% interval is at most +-0.05 wide


def limit(trials: int, nominal: float) -> int:
    """The most false outcomes ``trials`` may show at rate ``nominal``: the binomial's 99th percentile."""
    from scipy import stats

    return int(stats.binom.ppf(0.99, trials, nominal))


@dataclass(frozen=True)
class Count:
    """How often one outcome happened in one cell: ``events`` of ``trials``, against ``nominal`` (None: a
    power point, reported, not judged)."""

    events: int
    trials: int
    nominal: float | None

    @property
    def rate(self) -> float:
        return self.events / self.trials if self.trials else float("nan")

    @property
    def limit(self) -> int | None:
        return None if self.nominal is None else limit(self.trials, self.nominal)

    @property
    def passes(self) -> bool:
        return self.nominal is None or self.events <= self.limit

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        from ..stats.estimates import clopper_pearson

        return clopper_pearson(self.events, self.trials, confidence)

    def describe(self) -> str:
        low, high = self.interval()
        judged = (
            "" if self.nominal is None else f" (limit {self.limit}: {'passes' if self.passes else 'FAILS'})"
        )
        return f"{self.events}/{self.trials} = {self.rate:.4f} [95% CI {low:.4f}, {high:.4f}]{judged}"
