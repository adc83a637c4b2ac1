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


def _scan(pc, px, wc, wx, grid):
    """The shares of ``grid`` whose interval of mean(part - s whole) contains 0: the definition, by scan."""
    _, low, high, _ = means.bounds(
        pc[None] - grid[:, None] * wc[None], px[None] - grid[:, None] * wx[None], 0.99, with_p=False
    )
    return grid[(low <= 0) & (high >= 0)]


@pytest.mark.parametrize("sparse", [False, True])
def test_the_search_finds_the_ends_a_dense_scan_finds(sparse):
    rng = np.random.default_rng(11 + sparse)
    for _ in range(5):
        if sparse:  # zero-inflated damage: the first unit moves a quarter of concept images
            pc = np.where(rng.random(60) < 0.25, rng.exponential(1.0, 60), 0.0)
            wc = pc + np.where(rng.random(60) < 0.5, rng.exponential(1.0, 60), 0.0)
            px = np.where(rng.random(300) < 0.05, rng.exponential(1.0, 300), 0.0)
            wx = px + np.where(rng.random(300) < 0.1, rng.exponential(1.0, 300), 0.0)
        else:
            pc, wc = paired(rng, 60, 0.4, 0.8, 1.0, 0.7)
            px, wx = paired(rng, 300, 0.4, 0.0, 1.0, 0.7)
        est = ratios.share(pc, px, wc, wx, 0.99, with_p=False)
        if est.why:  # a whole not clearly above 0 (1 of the 5 sparse draws): no interval to compare
            continue
        grid = np.linspace(est.low - 1, est.high + 1, 20001)
        found = _scan(pc, px, wc, wx, grid)
        step = grid[1] - grid[0]
        # one interval, and the search's ends (a hair outside) match the scan's to its step
        assert len(found) == round((found[-1] - found[0]) / step) + 1
        assert est.low <= found[0] < est.low + step and est.high - step < found[-1] <= est.high


def test_a_contrast_with_too_few_damaged_images_leaves_the_upper_end_open():
    rng = np.random.default_rng(2)
    pc = rng.normal(0.3, 1, 100)
    wc = rng.normal(1, 1, 100) + 0.6 * (pc - 0.3)
    px, wx = np.zeros(500), np.zeros(500)
    wx[:3] = 0.5  # three contrast images damaged by the whole, none by the part
    est = ratios.share(pc, px, wc, wx, 0.99)
    assert np.isfinite(est.low) and est.high == np.inf and not est.why  # decides on its finite side only
    assert 0 < est.low < est.value
