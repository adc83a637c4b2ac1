"""The share of a paired mean difference (lenet.stats.ratios): its interval is where the ablation check's
interval of mean(part - s whole) reaches 0, keeps its coverage per side on paired data, and has no interval
when the whole may be 0. The rates at 4,000 trials are calibration cells (`lenet calibrate --cells
concentration`)."""

import numpy as np
import pytest

from lenet.calibration.rule import limit
from lenet.stats import estimates, means, ratios


def paired(rng, n, share, whole, noise, corr):
    """Per-image (part, whole) damage for ``n`` images: the whole's mean ``whole``, the part's ``share`` of
    it, each with unit-``noise`` normal errors correlated ``corr``."""
    errors = rng.multivariate_normal([0, 0], [[1, corr], [corr, 1]], size=n) * noise
    return share * whole + errors[:, 0], whole + errors[:, 1]


def test_each_end_of_the_interval_is_where_the_interval_of_part_minus_s_whole_reaches_zero():
    rng = np.random.default_rng(1)
    pc, wc = paired(rng, 120, 0.3, 1.0, 1.0, 0.6)
    px, wx = paired(rng, 700, 0.3, 0.0, 0.5, 0.6)
    est = ratios.share(pc, px, wc, wx, 0.99)
    for s, side in ((est.low, 1), (est.high, 2)):
        bounds = means.bounds((pc - s * wc)[None], (px - s * wx)[None], 0.99, with_p=False)
        assert bounds[side][0] == pytest.approx(0, abs=1e-8)  # the lower end: its lower bound; else upper
    a, b = pc.mean() - px.mean(), wc.mean() - wx.mean()
    assert est.value == pytest.approx(a / b) and est.low < est.value < est.high
    assert est.p == estimates.mean_difference(pc, px, 0.99).p  # of the part's own difference
    assert np.isnan(ratios.share(pc, px, wc, wx, 0.99, with_p=False).p)


def test_the_interval_misses_each_side_at_most_at_its_stated_rate_on_a_weak_whole():
    rng = np.random.default_rng(5)
    trials, below, above = 1000, 0, 0
    for _ in range(trials):  # the whole about 4 standard errors above 0: the interval is most asymmetric
        pc, wc = paired(rng, 60, 0.5, 0.6, 1.0, 0.9)
        px, wx = paired(rng, 300, 0.5, 0.0, 1.0, 0.9)
        est = ratios.share(pc, px, wc, wx, 0.99, with_p=False)
        below += not est.why and est.high < 0.5
        above += not est.why and est.low > 0.5
    assert below <= limit(trials, 0.005) and above <= limit(trials, 0.005), (below, above)


def test_a_whole_that_may_be_zero_has_no_interval_and_says_why():
    rng = np.random.default_rng(3)
    pc, wc = paired(rng, 50, 0.5, 0.05, 1.0, 0.5)
    px, wx = paired(rng, 50, 0.5, 0.0, 1.0, 0.5)
    est = ratios.share(pc, px, wc, wx, 0.99)
    assert est.low == -np.inf and est.high == np.inf and est.p == 1.0
    assert "not clearly above 0" in est.why


def test_a_part_that_moves_too_few_images_has_no_interval():
    rng = np.random.default_rng(4)
    wc, wx = rng.normal(1, 1, 80), rng.normal(0, 1, 300)
    pc, px = np.zeros(80), np.zeros(300)
    pc[:3] = 2.0  # three images carry the part's effect
    est = ratios.share(pc, px, wc, wx, 0.99)
    assert est.why.startswith("too few images carry the part's effect")


def test_the_part_and_the_whole_must_be_measured_on_the_same_images():
    with pytest.raises(ValueError, match="same images"):
        ratios.share(np.ones(5), np.ones(6), np.ones(4), np.ones(6))
