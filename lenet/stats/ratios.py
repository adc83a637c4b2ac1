"""The share of a unit set's effect that a part of it carries: an interval for the ratio of two mean
differences measured on the same images.

Per image, ``part`` is the damage of ablating the part (e.g. a set's top unit) alone and ``whole`` that of
ablating the whole set; each is a concept-minus-contrast mean difference, a = mean(part | concept) -
mean(part | contrast) and b = the same of ``whole``, and the share is a / b. The two are measured on the
same images, so they are correlated. The interval is Fieller's construction with the framework's interval
for sparse, skewed per-image effects in place of the normal one: the shares s at which the interval of the
concept-minus-contrast mean of the per-image values part - s whole (``means.bounds``, the interval the
``ablation`` check judges) contains 0. So "share <= s0" is decided exactly as an ablation effect of
part - s0 whole below 0, and the covariance of part and whole is kept by construction. Fieller's normal
interval, tried first, held 40 of 4,000 times at the threshold (limit 31) on zero-inflated exponential
damage (``lenet calibrate --cells concentration``). Bounded only when the whole's own difference is clearly
above 0; the share of a whole that may be 0 is undefined, and the estimate then has no interval (``why``
says so). Deterministic: bisection, no resampling.
"""

from __future__ import annotations

import numpy as np

from . import means
from .estimates import Estimate

__all__ = ["share"]

METHOD = (
    "the shares s at which the sparse-t/Hall MOVER interval of mean(part - s whole), concept - contrast, "
    "contains 0"
)
ROUNDS, POINTS = (
    8,
    16,
)  # each round puts 16 points inside each end's bracket (17 parts): 8 rounds, 17^-8 of it


def _bounds(s: np.ndarray, groups: tuple, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """The interval of the concept-minus-contrast mean of part - s whole, for each share in ``s``."""
    pc, px, wc, wx = groups
    _, low, high, _ = means.bounds(
        pc[None] - s[:, None] * wc[None], px[None] - s[:, None] * wx[None], confidence, with_p=False
    )
    return low, high


def _ends(value: float, groups: tuple, confidence: float) -> tuple[float, float]:
    """The interval's ends: the smallest share whose lower bound is at or below 0 and the largest whose upper
    bound is at or above 0. Each is bracketed by steps of doubling size from ``value`` (where the mean is
    0), then narrowed on a grid, and reported at the bracket's outer side (so the interval errs wide, by at
    most 17^-8 of the bracket). An end no step up to 2^40 times the share brackets is open (-inf, inf): the
    mean's upper bound is open when a group has fewer than ``means.MIN_INFORMATIVE`` informative values.
    The search assumes the accepted shares form one interval: for a whole clearly above 0 the mean of
    part - s whole falls with s by b per unit, far faster than its bounds' width changes
    (tests/test_stats_ratios.py compares it with a dense scan on sparse and dense damage)."""
    steps = max(abs(value), 0.1) * 2.0 ** np.arange(41)
    low, high = _bounds(np.r_[value - steps, value + steps], groups, confidence)
    out_left, out_right = np.flatnonzero(low[: len(steps)] > 0), np.flatnonzero(high[len(steps) :] < 0)
    left = [value - steps[out_left[0]], value] if len(out_left) else None  # [outside, inside]
    right = [value, value + steps[out_right[0]]] if len(out_right) else None  # [inside, outside]
    grid = np.linspace(0, 1, POINTS + 2)[1:-1]
    for _ in range(ROUNDS if left or right else 0):
        shares = [a + grid * (b - a) for a, b in (span for span in (left, right) if span)]
        low, high = _bounds(np.concatenate(shares), groups, confidence)
        if left:
            ls, inside = shares[0], low[:POINTS] <= 0
            first = int(np.argmax(inside)) if inside.any() else POINTS  # the first share inside
            left = [ls[first - 1] if first else left[0], ls[first] if first < POINTS else left[1]]
        if right:
            rs, inside = shares[-1], high[-POINTS:] >= 0
            last = POINTS - 1 - int(np.argmax(inside[::-1])) if inside.any() else -1  # the last share inside
            right = [rs[last] if last >= 0 else right[0], rs[last + 1] if last + 1 < POINTS else right[1]]
    return (float(left[0]) if left else -np.inf, float(right[1]) if right else np.inf)


def share(
    part_concept: np.ndarray,
    part_contrast: np.ndarray,
    whole_concept: np.ndarray,
    whole_contrast: np.ndarray,
    confidence: float = 0.99,
    *,
    with_p: bool = True,
) -> Estimate:
    """The part's share of the whole's concept-minus-contrast mean difference, with its two-sided
    ``confidence`` interval; p is one-sided, of "the part's own difference a <= 0". ``part_concept[i]``
    and ``whole_concept[i]`` are one image's two values (the same for the contrast). ``with_p=False``
    skips p (NaN): a max_share bound is decided by the interval alone."""
    from .estimates import mean_difference

    pc, px = np.asarray(part_concept, float), np.asarray(part_contrast, float)
    wc, wx = np.asarray(whole_concept, float), np.asarray(whole_contrast, float)
    if len(pc) != len(wc) or len(px) != len(wx):
        raise ValueError(
            f"the part and the whole must be measured on the same images; got {len(pc)} and {len(wc)} "
            f"concept values, {len(px)} and {len(wx)} contrast values."
        )
    m, n = len(pc), len(px)
    a, b = float(pc.mean() - px.mean()), float(wc.mean() - wx.mean())
    value = a / b if b != 0 else float("nan")

    def undecided(why: str) -> Estimate:
        return Estimate(value, -np.inf, np.inf, 1.0, (m, n), f"{METHOD}: no CI (inconclusive)", why)

    if min(m, n) < 3:
        return undecided(f"fewer than 3 images in a group ({m}, {n}): no interval can be read off")
    for name, groups in (("the part", (pc, px)), ("the whole set", (wc, wx))):
        if not means.enough_informative(*groups):
            counts = " and ".join(str(int(means.informative_count(g))) for g in groups)
            return undecided(
                f"too few images carry {name}'s effect ({counts} of {m} and {n} differ from the most common "
                f"value; a group needs at least {means.MIN_INFORMATIVE}): no interval keeps its coverage"
            )
    whole_low = float(means.bounds(wc[None], wx[None], confidence, with_p=False)[1][0])
    if not whole_low > 0:
        return undecided(
            f"the whole set's own difference {b:.4g} (CI lower bound {whole_low:.4g}) is not clearly "
            "above 0: the set need not hurt the concept more than the contrast, so there is no damage "
            "of the concept's to share"
        )
    low, high = _ends(value, (pc, px, wc, wx), confidence)
    p = mean_difference(pc, px, confidence).p if with_p else float("nan")
    why = ""
    if not np.isfinite(low) and not np.isfinite(high):
        why = "the interval is open on both sides: too few images carry the effect in a group"
    return Estimate(value, low, high, p, (m, n), METHOD, why)
