"""Criteria and verdicts: a criterion from an estimate carries its numbers and estimates.decide's outcome."""

import pytest

from lenet.stats import estimates
from lenet.stats.verdict import Criterion, Verdict

ESTIMATES = [
    estimates.Estimate(0.8, 0.76, 0.84, 0.001, (50, 50), "test"),  # clears 0.75
    estimates.Estimate(0.8, 0.70, 0.90, 0.001, (50, 50), "test"),  # straddles 0.75
    estimates.Estimate(0.6, 0.55, 0.65, 0.2, (50, 50), "test"),
]  # below 0.75, no effect


@pytest.mark.parametrize("estimate", ESTIMATES)
@pytest.mark.parametrize("threshold, bound", [(0.75, "min"), (None, "min"), (0.75, "max"), (0.5, "max")])
def test_from_estimate_takes_the_numbers_and_decides_like_stats(estimate, threshold, bound):
    criterion = Criterion.from_estimate(
        "min_auroc", "AUROC", estimate, threshold=threshold, bound=bound, alpha=0.01, note="a note"
    )
    assert criterion == Criterion(
        name="min_auroc",
        statistic="AUROC",
        value=estimate.value,
        low=estimate.low,
        high=estimate.high,
        threshold=threshold,
        bound=bound,
        outcome=estimates.decide(estimate, threshold, bound, 0.01),
        p=estimate.p,
        note="a note",
    )


def test_a_max_bound_without_threshold_is_refused_as_decide_refuses_it():
    with pytest.raises(ValueError, match="needs a threshold"):
        Criterion.from_estimate("max_rho", "rho", ESTIMATES[0], threshold=None, bound="max", alpha=0.01)


def test_a_verdict_holds_when_every_criterion_holds():
    holds, straddles = (
        Criterion.from_estimate("min_auroc", "AUROC", e, threshold=0.75, alpha=0.01) for e in ESTIMATES[:2]
    )
    assert Verdict("selectivity", [holds], {}, 0.99, 0, "rule").outcome == "holds"
    assert Verdict("selectivity", [holds, straddles], {}, 0.99, 0, "rule").outcome == "inconclusive"
