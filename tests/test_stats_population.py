"""lenet.stats.population: the random-effects (equal-weight Hartung-Knapp) interval keeps its coverage
with 5-10 seeds (each side errs at most at its nominal 0.5% for a 0.99 interval, by the calibration's
acceptance rule), at no spread and at spreads several times the seeds' own errors, with errors alike and
tenfold apart; and what it cannot do (one seed) it says."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lenet.calibration.rule import limit
from lenet.stats.population import pooled_arrays, random_effects, standard_errors

TRIALS = 100_000  # per cell: a rate 1.1x nominal is caught about half the time, 2x always


@pytest.mark.parametrize("seeds", [5, 10])
@pytest.mark.parametrize("tau", [0.0, 1.0, 3.0])
@pytest.mark.parametrize("errors", [(0.5, 1.5), (0.2, 2.0)])
def test_each_side_of_the_interval_errs_at_most_at_its_nominal_rate(seeds, tau, errors):
    """The mean effect of a training run is 2; seed effects spread by tau around it, each measured with
    its own error (uniform in ``errors``)."""
    rng = np.random.default_rng([seeds, int(tau * 10), int(errors[0] * 10)])
    se = rng.uniform(*errors, (TRIALS, seeds))
    effects = rng.normal(2.0, tau, (TRIALS, seeds)) + rng.normal(0, se)
    found = pooled_arrays(effects, se, 0.99)
    above, below = int((found["low"] > 2.0).sum()), int((found["high"] < 2.0).sum())
    assert above <= limit(TRIALS, 0.005) and below <= limit(TRIALS, 0.005), (above, below)


def test_a_null_mean_passes_its_p_value_at_most_at_alpha():
    rng = np.random.default_rng(1)
    se = rng.uniform(0.5, 1.5, (TRIALS, 10))
    found = pooled_arrays(rng.normal(0, 1.0, (TRIALS, 10)) + rng.normal(0, se), se, 0.99)
    assert int((found["p"] < 0.01).sum()) <= limit(TRIALS, 0.01)


def test_one_set_of_seeds_is_one_row_of_the_arrays():
    rng = np.random.default_rng(2)
    y, se = rng.normal(size=(3, 7)), rng.uniform(0.5, 1, (3, 7))
    arrays = pooled_arrays(y, se, 0.95)
    for row in range(3):
        one = random_effects(y[row], se[row], 0.95)
        assert (one.estimate.value, one.estimate.low, one.estimate.p, one.tau) == pytest.approx(
            (arrays["mean"][row], arrays["low"][row], arrays["p"][row], arrays["tau"][row])
        )


def test_it_agrees_with_the_textbook_formulas():
    y, se = np.array([0.2, 0.5, 0.9, 0.4, 1.4]), np.array([0.1, 0.2, 0.15, 0.3, 0.2])
    w = 1 / se**2
    fixed = (w * y).sum() / w.sum()
    q = (w * (y - fixed) ** 2).sum()
    tau2 = max(0, (q - 4) / (w.sum() - (w**2).sum() / w.sum()))  # DerSimonian-Laird
    half = stats.t.ppf(0.975, 4) * y.std(ddof=1) / np.sqrt(5)  # Hartung-Knapp with equal weights
    found = random_effects(y, se, 0.95)
    assert found.estimate.value == pytest.approx(y.mean())
    assert (found.estimate.low, found.estimate.high) == pytest.approx((y.mean() - half, y.mean() + half))
    assert found.tau == pytest.approx(np.sqrt(tau2)) and found.q == pytest.approx(q) and found.seeds == 5
    assert found.estimate.p == pytest.approx(stats.t.sf(y.mean() / (y.std(ddof=1) / np.sqrt(5)), 4))
    assert "between-seed SD" in found.describe()


def test_one_seed_gives_no_interval_and_says_why():
    found = random_effects([0.4], [0.1], 0.99).estimate
    assert np.isnan(found.low) and found.p == 1.0 and "at least 2 seeds" in found.why


def test_standard_errors_are_the_half_width_over_z():
    z = stats.norm.ppf(0.995)
    assert standard_errors([1.0, 0.0], [3.0, 1.0], 0.99) == pytest.approx([1 / z, 0.5 / z])
