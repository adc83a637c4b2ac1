"""Intervals for means of per-image effects (lenet/stats/means.py): their coverage, each side, on sparse to
dense bounded effects with known means, and the size of their p-values under nulls.

The acceptance rule (issue 16): each side of a 99% interval misses at most 0.5%, measured over 4,000 trials;
pass when misses <= 31, the 99th percentile of Binomial(4000, 0.005), so that a true rate of 1% is caught
with probability >= 0.9. p-values: at most 31 rejections at p < 0.01 in 2,000 null trials. Trials with
fewer than K informative values are inconclusive, so they are not counted as covering or missing. The
whole grid (153 one-sample and 68 difference cells) is benchmarks/intervals/coverage.py.
"""

import numpy as np
import pytest
from scipy import stats as sps

from lenet.stats import estimates, means


@pytest.fixture
def rng():
    return np.random.default_rng(16)


TRIALS, NULL_TRIALS, MOST = 4000, 2000, 31
CONFIDENCE = 0.99


def _gauss_mean(mu=0.1, sd=0.3):
    """E[clip(N(mu, sd), -1, 1)]."""
    a, b = (-1 - mu) / sd, (1 - mu) / sd
    return (
        mu * (sps.norm.cdf(b) - sps.norm.cdf(a))
        + sd * (sps.norm.pdf(a) - sps.norm.pdf(b))
        - sps.norm.cdf(a)
        + sps.norm.sf(b)
    )


def _lnorm_mean(c=0.05):
    """E[min(c LogNormal(0, 1), 1)]."""
    u = np.log(1 / c)
    return c * np.exp(0.5) * sps.norm.cdf(u - 1) + sps.norm.sf(u)


FAMILIES = {  # name: (sampler of a non-zero effect, its expectation); every effect lies in [-1, 1]
    "beta": (lambda g, s: g.beta(0.5, 2, s), 0.2),  # skewed
    "nbeta": (lambda g, s: -g.beta(0.5, 2, s), -0.2),
    "beta10": (lambda g, s: 0.1 * g.beta(0.5, 2, s), 0.02),  # a tenth of "beta"
    "fixed": (lambda g, s: np.ones(s), 1.0),
    "unif": (lambda g, s: g.random(s), 0.5),
    "signed": (lambda g, s: g.beta(0.5, 2, s) * np.where(g.random(s) < 0.75, 1, -1), 0.1),
    "gauss": (lambda g, s: np.clip(g.normal(0.1, 0.3, s), -1, 1), _gauss_mean()),
    "exp": (lambda g, s: np.minimum(g.exponential(0.15, s), 1), 0.15 * (1 - np.exp(-1 / 0.15))),
    "lnorm": (lambda g, s: np.minimum(0.05 * g.lognormal(0, 1, s), 1), _lnorm_mean()),
    "null_sym": (lambda g, s: g.beta(0.5, 2, s) * np.where(g.random(s) < 0.5, 1, -1), 0.0),
    "null_skew": (lambda g, s: 0.2 - g.beta(0.5, 2, s), 0.0),
}


def draw(g, trials, n, nonzero, family):
    """``trials`` samples of n effects, each non-zero with probability nonzero / n (an int: expected count),
    ``nonzero`` (a float) or 1 ("all"); returns the samples and their true mean."""
    sample, expectation = FAMILIES[family]
    rate = 1.0 if nonzero == "all" else (nonzero if isinstance(nonzero, float) else nonzero / n)
    return sample(g, (trials, n)) * (g.random((trials, n)) < rate), rate * expectation


def misses(low, high, truth, judged):
    return int(((low > truth) & judged).sum()), int(((high < truth) & judged).sum())


MEAN_CELLS = [  # (family, n, expected non-zero effects)
    ("beta", 30, 3),  # the review's sparse cells: 3 non-zero of 30-60
    ("beta", 60, 3),
    ("beta", 60, 5),
    ("beta", 14, "all"),  # small, dense, skewed: where the skew correction matters
    ("nbeta", 14, "all"),
    ("signed", 30, 10),
    ("fixed", 14, 10),
    ("unif", 130, 10),
    ("gauss", 60, "all"),
    ("exp", 130, 0.3),
    ("lnorm", 30, 0.3),
]


@pytest.mark.parametrize("family,n,nonzero", MEAN_CELLS, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in MEAN_CELLS])
def test_the_mean_interval_keeps_each_side_at_its_rate(family, n, nonzero):
    g = np.random.default_rng([16, n, len(family), MEAN_CELLS.index((family, n, nonzero))])
    x, truth = draw(g, TRIALS, n, nonzero, family)
    _, low, high, _ = means.bounds(x, None, CONFIDENCE)
    judged = means.informative_count(x) >= means.MIN_INFORMATIVE
    above, below = misses(low, high, truth, judged)
    assert above <= MOST and below <= MOST, f"lower bound above the truth {above}, upper below {below}"


DIFFERENCE_CELLS = [  # ((m, family, non-zero), (n, family, non-zero)): concept vs contrast effects
    ((30, "beta", 3), (700, "beta", 0.05)),
    ((30, "beta", 5), (1000, "beta", 3)),
    ((130, "beta", 5), (700, "beta", 0.05)),
    ((14, "beta", "all"), (700, "beta", 0.05)),
    ((30, "lnorm", 0.3), (700, "lnorm", 0.1)),
    ((60, "beta", 5), (60, "beta", 5)),
    ((30, "gauss", "all"), (700, "gauss", "all")),
    # a short group (1-4 damaged images) beside a judged one gets the conservative count-based bound
    ((130, "beta", "all"), (700, "beta", 3)),
    ((14, "beta", 6), (700, "beta", 2)),
    ((30, "nbeta", "all"), (700, "beta", 2)),
    # a short concept group beside contrast effects ten times smaller: the pooled scale would put its upper
    # bound too low (196 false refutations of 4,000, `lenet calibrate`), so only both groups refute
    ((30, "beta", 6), (700, "beta10", 0.03)),
]


@pytest.mark.parametrize("concept,contrast", DIFFERENCE_CELLS, ids=[str(c) for c in DIFFERENCE_CELLS])
def test_the_mean_difference_interval_keeps_each_side_at_its_rate(concept, contrast):
    g = np.random.default_rng([16, concept[0], contrast[0], len(str(concept + contrast))])
    (m, family_x, nonzero_x), (n, family_y, nonzero_y) = concept, contrast
    x, tx = draw(g, TRIALS, m, nonzero_x, family_x)
    y, ty = draw(g, TRIALS, n, nonzero_y, family_y)
    _, low, high, _ = means.bounds(x, y, CONFIDENCE)
    judged = means.count_ok([means.informative_count(x), means.informative_count(y)])
    above, below = misses(low, high, tx - ty, judged)
    assert above <= MOST and below <= MOST, f"lower bound above the truth {above}, upper below {below}"


def _one_sample_null(g, family, n):
    return draw(g, NULL_TRIALS, n, "all", family)[0], None


def _exchangeable_null(g, family, m, n, rate):
    return draw(g, NULL_TRIALS, m, rate, family)[0], draw(g, NULL_TRIALS, n, rate, family)[0]


NULLS = {  # name: draw(g) -> (x, y or None), with mean(x) - mean(y) = 0
    "symmetric signed, n = 60": lambda g: _one_sample_null(g, "null_sym", 60),
    "skewed, n = 14": lambda g: _one_sample_null(g, "null_skew", 14),
    "sparse exchangeable, 30 vs 700": lambda g: _exchangeable_null(g, "beta", 30, 700, 0.1),
    "dense exchangeable, 14 vs 1000": lambda g: _exchangeable_null(g, "gauss", 14, 1000, "all"),
    # equal means, different shapes: Bernoulli(0.1) vs U(0, 0.2); a permutation test would test the shapes
    "equal means, different shapes, 30 vs 700": lambda g: (
        (g.random((NULL_TRIALS, 30)) < 0.1) * 1.0,
        g.random((NULL_TRIALS, 700)) * 0.2,
    ),
}


@pytest.mark.parametrize("name", list(NULLS))
def test_p_values_under_a_null_pass_at_most_at_their_rate(name):
    x, y = NULLS[name](np.random.default_rng([16, len(name)]))
    _, _, _, p = means.bounds(x, y, CONFIDENCE)
    counts = [means.informative_count(x)] + ([] if y is None else [means.informative_count(y)])
    rejected = int(((p < 0.01) & means.count_ok(counts)).sum())
    assert rejected <= MOST, f"{rejected} of {NULL_TRIALS} null trials gave p < 0.01"


def test_p_is_the_level_at_which_the_lower_bound_reaches_zero(rng):
    x = rng.beta(0.5, 2, 60) * (rng.random(60) < 0.3)
    est = estimates.mean(x)
    at = estimates.mean(x, confidence=1 - 2 * est.p)
    assert abs(at.low) < 1e-6 * max(1.0, abs(est.value)), at
    assert (est.p < 0.005) == (est.low > 0)


def test_the_interval_scales_with_the_effects_and_p_does_not(rng):
    x, y = rng.exponential(1, 40) * (rng.random(40) < 0.4), rng.exponential(1, 300) * (rng.random(300) < 0.1)
    small, large = estimates.mean_difference(x, y), estimates.mean_difference(40 * x, 40 * y)
    assert np.allclose([large.low, large.high], [40 * small.low, 40 * small.high])
    assert np.isclose(large.p, small.p)


def test_informative_values_are_those_that_differ_from_the_most_common_one():
    assert means.informative_count(np.r_[np.zeros(27), [0.3, 0.5, 0.1]]) == 3
    assert means.informative_count(np.r_[np.ones(13), 0.0]) == 1  # mostly identical, not mostly zero
    assert means.informative_count(np.arange(10.0)) == 10  # all distinct
    assert means.informative_count(np.full(5, 2.0)) == 0  # constant
    assert list(means.informative_count(np.array([[0, 0, 1.0], [1, 2, 3.0]]))) == [1, 3]


def test_too_few_images_carrying_the_effect_give_no_interval_and_say_why():
    concept = np.r_[np.zeros(27), [0.4, 0.6, 0.5]]  # 3 of 30 non-zero: below K = 5
    est = estimates.mean_difference(concept, np.zeros(700))
    assert (est.low, est.high, est.p) == (-np.inf, np.inf, 1.0)
    assert "too few images carry the effect" in est.why and "concept 3 of 30" in est.why
    assert estimates.decide(est, 0.01) == "inconclusive"
    # both groups short: their effect scale is not pinned down
    assert not means.enough_informative(np.r_[np.zeros(27), [1, 2, 1.0]], np.r_[np.zeros(697), [1, 1, 1.0]])
    assert means.enough_informative(np.r_[np.zeros(20), np.ones(10)], np.zeros(700))


def test_a_few_damaged_contrast_images_do_not_undo_a_clear_effect(rng):
    """Every concept image damaged, 3 of 700 contrast images moved a little: judged (a conservative bound
    for the short group), as with no contrast image moved, not inconclusive."""
    concept = rng.normal(2.0, 0.3, 130)
    noisy = np.r_[np.zeros(697), [0.1, 0.3, 0.5]]
    for contrast in (np.zeros(700), noisy):
        est = estimates.mean_difference(concept, contrast)
        assert not est.why and est.low > 1.5 and estimates.decide(est, 1.0) == "holds"


def test_every_identical_effect_gets_no_interval_and_p_of_one():
    for est in (estimates.mean(np.full(30, 0.2)), estimates.mean_difference(np.ones(30), np.zeros(40))):
        assert (est.low, est.high, est.p) == (-np.inf, np.inf, 1.0) and est.why


def test_closed_form_reruns_identically(rng):
    x, y = rng.normal(1, 1, 30), rng.normal(0, 1, 100)
    assert estimates.mean_difference(x, y) == estimates.mean_difference(x.copy(), y.copy())


def test_net_loss_bounds_are_exact_and_hold_when_nothing_changed():
    none = estimates.net_loss(0, 0, 8000)
    assert none.value == 0 and none.low < 0 < none.high < 0.001  # all unchanged: decided, not inconclusive
    assert estimates.decide(none, 0.01, "max") == "holds"
    many = estimates.net_loss(400, 0, 8000)
    assert many.low > 0.04 and estimates.decide(many, 0.01, "max") == "refuted"


def test_net_loss_covers_its_truth_on_each_side():
    g = np.random.default_rng(16)
    trials, n, p_lost, p_gained = TRIALS, 2000, 0.004, 0.002
    changes = g.multinomial(n, [p_lost, p_gained, 1 - p_lost - p_gained], trials)
    found = (estimates.net_loss(int(a), int(b), n) for a, b, _ in changes)
    bounds = np.array([(e.low, e.high) for e in found])
    truth = p_lost - p_gained
    assert (bounds[:, 0] > truth).sum() <= MOST and (bounds[:, 1] < truth).sum() <= MOST


def test_fewer_than_three_values_give_no_interval_rather_than_an_error():
    est = estimates.mean_difference(np.array([1.0, 2.0]), np.zeros(50))
    assert (est.low, est.high, est.p) == (-np.inf, np.inf, 1.0) and "fewer than 3 values" in est.why


def test_two_constant_groups_are_named_with_their_levels():
    est = estimates.mean_difference(np.ones(30), np.zeros(40))
    assert "concept all 1 vs contrast all 0" in est.why


# --- the layer rank with a CI over images ---------------------------------------------------------------


def test_a_clear_leader_gets_a_rank_interval_at_the_top_and_a_clear_laggard_at_the_bottom(rng):
    means_by_unit = np.linspace(0, 1, 40)  # unit 39 has the largest mean effect, unit 0 the smallest
    effects = means_by_unit[:, None] + rng.normal(0, 0.05, (40, 200))  # (units, images)
    top = estimates.percentile_bounds(effects[39] - effects[:39])
    bottom = estimates.percentile_bounds(effects[0] - effects[1:])
    assert top[0] > 95 and top[1] == pytest.approx(100 * 39.5 / 40)  # beats nearly all, beaten by none
    assert bottom[0] == pytest.approx(100 * 0.5 / 40) and bottom[1] < 10


def test_the_rank_interval_covers_the_true_rank_on_each_side():
    """Units whose true mean effects are known; 4,000 trials of 100 images; the true percentile (from the
    true means, ties none) must fall below the lower bound / above the upper bound at most 31 times each."""
    g = np.random.default_rng(16)
    true = np.r_[np.linspace(0.0, 0.5, 15), 0.30]  # the last unit sits among the others
    truth = 100 * ((true[:-1] < true[-1]).sum() + 0.5) / len(true)
    above = below = 0
    for _ in range(TRIALS // 200):  # 200 trials at a time, all comparisons in one call each
        effects = true[None, :, None] + g.normal(0, 0.4, (200, len(true), 100))
        for trial in effects:
            low, high = estimates.percentile_bounds(trial[-1] - trial[:-1])
            above += low > truth
            below += high < truth
    assert above <= MOST and below <= MOST, (above, below)


def test_a_rank_among_comparisons_alone_counts_them_alone(rng):
    effects = np.linspace(0, 1, 21)[:, None] + rng.normal(0, 0.02, (21, 300))
    low, high = estimates.percentile_bounds(effects[20] - effects[:20], includes_self=False)
    assert (low, high) == (100.0, 100.0)  # confidently beats every one of the 20 comparisons
