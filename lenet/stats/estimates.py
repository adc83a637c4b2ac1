"""Statistics for checks: tests, effect sizes and confidence intervals, each checked against scipy in tests.

Every function takes numbers or 1-d numpy arrays and returns plain floats, so
checks, calibration and reports share one implementation. One-sided tests ask
"is the effect in the claimed direction?"; intervals are two-sided at
``confidence``, and thresholds are compared with their bounds (see ``decide``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from . import means

__all__ = [
    "Estimate",
    "auroc",
    "auroc_rows",
    "auroc_bounds",
    "auroc_p",
    "auroc_columns",
    "mean_difference",
    "mean",
    "permutation_test",
    "spearman",
    "SPEARMAN_MIN_UNITS",
    "proportion",
    "clopper_pearson",
    "net_loss",
    "holm",
    "percentile_rank",
    "percentile_bounds",
    "class_selectivity_index",
    "decide",
    "images_to_decide",
]


@dataclass(frozen=True)
class Estimate:
    """A statistic with its two-sided CI, one-sided p-value (direction of the claim) and sample sizes."""

    value: float
    low: float
    high: float
    p: float
    n: tuple[int, ...]
    method: str  # how the CI and p-value were computed, for reports
    why: str = ""  # set when the data cannot give an interval: the reason, for an inconclusive verdict


def _z(confidence: float) -> float:
    return float(sps.norm.ppf(0.5 + confidence / 2))


def auroc(concept: np.ndarray, contrast: np.ndarray, confidence: float = 0.99) -> Estimate:
    """AUROC = U / (m n) of concept vs contrast scores (ties count 1/2).

    CI: a score-type interval (Newcombe 2006, method 5: the Hanley-McNeil variance as a function of
    the true AUROC, with m and n replaced by (m + n) / 2), its variance floored by DeLong's and a
    continuity correction of 1 / (2 min(m, n)), half the most one image can move the AUROC. It stays
    inside [0, 1], contains the estimate at 0 and 1, and keeps each side's miss rate at most
    (1 - confidence) / 2 on Gaussian, zero-inflated (post-ReLU) and discrete scores, AUROC 0.001 to
    0.999, groups of 14 to 700 (benchmarks/intervals/RESULTS.md; edge cases in the tests). DeLong's
    logit interval, used before, missed 14-23% near 0.99 with 15 vs 60 scores.
    p: one-sided z-test of AUROC > 0.5 with the same variance at 0.5 (the untied null variance,
    which ties only lower) and the usual 1/(2 m n) continuity: the tie-corrected asymptotic
    Mann-Whitney p rejected 1.7% at alpha = 0.01 with 89% zeros in both groups.
    """
    x, y = np.asarray(concept, float), np.asarray(contrast, float)
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise ValueError(f"AUROC needs at least 2 concept and 2 contrast values; got {m} and {n}.")
    theta, var = auroc_rows(x[None], y[None])
    low, high = auroc_bounds(theta, var, m, n, _z(confidence))
    p = auroc_p(theta, var, m, n)
    method = "score test and CI (Newcombe-5 / DeLong variance, continuity 1/(2 min(m, n)))"
    return Estimate(float(theta[0]), float(low[0]), float(high[0]), float(p[0]), (m, n), method)


def _hm_var(t: np.ndarray, m: int, n: int) -> np.ndarray:
    """Hanley-McNeil variance of the AUROC at true value ``t``, with m and n replaced by (m + n) / 2."""
    a = (m + n) / 2 - 1
    return t * (1 - t) / (m * n) * (1 + a * (1 - t) / (2 - t) + a * t / (1 + t))


def auroc_rows(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AUROC (ties 1/2) and DeLong variance of each row: ``x`` ``(T, m)`` concept, ``y`` ``(T, n)``
    contrast."""
    m, n = x.shape[1], y.shape[1]
    ranks = sps.rankdata(np.concatenate([x, y], 1), axis=1)
    theta = (ranks[:, :m].sum(1) - m * (m + 1) / 2) / (m * n)
    v10 = (ranks[:, :m] - sps.rankdata(x, axis=1)) / n  # P(x_i > Y) + P(x_i = Y) / 2 (Sun & Xu 2014)
    v01 = 1 - (ranks[:, m:] - sps.rankdata(y, axis=1)) / m  # P(X > y_j) + P(X = y_j) / 2
    return theta, v10.var(1, ddof=1) / m + v01.var(1, ddof=1) / n


def _ratio(theta: np.ndarray, var_delong: np.ndarray, m: int, n: int) -> np.ndarray:
    clipped = np.clip(theta, 0.5 / (m * n), 1 - 0.5 / (m * n))
    return np.asarray(var_delong, float) / (clipped * (1 - clipped))


def auroc_bounds(
    theta: np.ndarray, var_delong: np.ndarray, m: int, n: int, z: float, iters: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """The score interval of each row: the thetas with |theta_hat - theta| - cc <= z sd(theta), by bisection.

    sd(theta)^2 is the larger of Newcombe's variance at theta and DeLong's rescaled by
    theta (1 - theta) / (theta_hat (1 - theta_hat)): the larger keeps it honest when one group
    carries the variance (ties, zero-inflated scores). Each side's criterion is monotone.
    """
    theta = np.asarray(theta, float)
    ratio, cc = _ratio(theta, var_delong, m, n), 0.5 / min(m, n)

    def half(t):
        return cc + z * np.sqrt(np.maximum(_hm_var(t, m, n), ratio * t * (1 - t)))

    lo_a, lo_b = np.zeros_like(theta), theta.copy()  # the lower bound lies in [0, theta_hat]
    hi_a, hi_b = theta.copy(), np.ones_like(theta)  # the upper bound in [theta_hat, 1]
    for _ in range(iters):
        mid = (lo_a + lo_b) / 2
        inside = theta - mid <= half(mid)
        lo_a, lo_b = np.where(inside, lo_a, mid), np.where(inside, mid, lo_b)
        mid = (hi_a + hi_b) / 2
        inside = mid - theta <= half(mid)
        hi_a, hi_b = np.where(inside, mid, hi_a), np.where(inside, hi_b, mid)
    low = np.where(theta <= half(np.zeros_like(theta)), 0.0, lo_b)
    high = np.where(1 - theta <= half(np.ones_like(theta)), 1.0, hi_a)
    return low, high


def auroc_p(theta: np.ndarray, var_delong: np.ndarray, m: int, n: int) -> np.ndarray:
    """One-sided p of AUROC > 0.5 per row: z-test with the interval's variance at 0.5 and 1/(2 m n)
    continuity.

    At 0.5 the Hanley-McNeil variance is (m + n + 1) / (12 m n), the exact null variance of U / (m n)
    without ties; ties only lower it, so with ties the test is conservative.
    """
    theta = np.asarray(theta, float)
    sd = np.sqrt(np.maximum(_hm_var(np.full_like(theta, 0.5), m, n), _ratio(theta, var_delong, m, n) * 0.25))
    return sps.norm.sf((theta - 0.5 - 0.5 / (m * n)) / sd)


def auroc_columns(concept: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """AUROC of every column at once: ``(m, U)`` concept and ``(n, U)`` contrast values -> ``(U,)``.

    For scans and baselines, where thousands of units need the point estimate only.
    """
    m, n = len(concept), len(contrast)
    ranks = sps.rankdata(np.concatenate([concept, contrast]), axis=0)  # (m + n, U), midranks
    return (ranks[:m].sum(axis=0) - m * (m + 1) / 2) / (m * n)


def mean_difference(concept: np.ndarray, contrast: np.ndarray, confidence: float = 0.99) -> Estimate:
    """Mean(concept) - mean(contrast) of per-image effects; one-sided p (difference > 0) from its interval.

    CI: MOVER of each group's sparse-t/Hall interval (``means.bounds``); p is the level at which the lower
    bound reaches 0, so the p-value is about the mean difference the interval describes. Unless one group
    has ``means.MIN_INFORMATIVE`` informative (non-modal) values: no interval, inconclusive, and ``why``
    says so (the other group may have fewer: it gets a conservative bound). Closed form: no resampling,
    so reruns are identical.
    """
    x, y = np.asarray(concept, float), np.asarray(contrast, float)
    if not len(x) or not len(y):
        raise ValueError(f"a mean difference needs values in both groups; got {len(x)} and {len(y)}.")
    return _judged((x, y), confidence, "MOVER of sparse-t/Hall CIs; one-sided p from the same interval")


def mean(values: np.ndarray, confidence: float = 0.99) -> Estimate:
    """Mean of per-image changes; one-sided p (mean > 0) from the same interval.

    CI: Student t with the variance inflated for unseen non-zero effects and df = k - 1 (k informative
    values), joined with Hall's skew-corrected interval (``means.bounds``); p is the level at which the
    lower bound reaches 0. Fewer than ``means.MIN_INFORMATIVE`` informative values: inconclusive.
    """
    x = np.asarray(values, float)
    if not len(x):
        raise ValueError("a mean needs at least one value.")
    return _judged((x,), confidence, "sparse-t/Hall CI; one-sided p from the same interval")


def _judged(groups: tuple, confidence: float, method: str) -> Estimate:
    """The estimate of a mean (one group) or mean difference (two), or no interval when too few values
    differ from the rest."""
    x, y = groups[0], groups[1] if len(groups) > 1 else None
    sizes = tuple(len(g) for g in groups)
    counts = [means.informative_count(g) for g in groups]
    value = float(x.mean() - (y.mean() if y is not None else 0.0))
    names = ("concept", "contrast") if len(groups) > 1 else ("",)

    def undecided(method: str, why: str) -> Estimate:
        return Estimate(value, -np.inf, np.inf, 1.0, sizes, f"{method}: no CI (inconclusive)", why)

    if min(sizes) < 3:
        why = f"fewer than 3 values in a group ({', '.join(map(str, sizes))}): no interval can be read off"
        return undecided("too few values", why)
    if not any(counts):
        levels = " vs ".join(f"{name} all {g[0]:.4g}".strip() for name, g in zip(names, groups, strict=True))
        why = f"every effect is the same within each group ({levels}): no variance to read an interval from"
        return undecided("constant", why)
    if not means.enough_informative(*groups):
        named = ", ".join(
            f"{name} {c} of {len(g)}".strip() for name, c, g in zip(names, counts, groups, strict=True)
        )
        why = (
            f"too few images carry the effect ({named} differ from the most common value; "
            f"{'a' if len(groups) == 1 else 'some'} group needs at least {means.MIN_INFORMATIVE}): no "
            "interval keeps its coverage there"
        )
        return undecided(f"fewer than {means.MIN_INFORMATIVE} informative values", why)
    est, low, high, p = means.bounds(x[None], None if y is None else y[None], confidence)
    return Estimate(value, float(low[0]), float(high[0]), float(p[0]), sizes, method)


def permutation_test(
    concept: np.ndarray, contrast: np.ndarray, permutations: int = 4999, seed: int = 0
) -> float:
    """One-sided p of mean(concept) - mean(contrast) this large if the labels were exchangeable.

    ``permutations`` random relabellings drawn from ``seed``, p = (1 + #as large) / (1 + permutations):
    exact at every sample size, even when both groups are constant. It tests equal distributions, so it
    comes with no interval (for a test-only criterion such as class-ablation's ``selective``).
    """
    x, y = np.asarray(concept, float), np.asarray(contrast, float)
    value, rng = float(x.mean() - y.mean()), np.random.default_rng(seed)
    pooled, m = np.concatenate([x, y]), len(x)  # relabellings drawn in memory-bounded chunks
    total, count, done = pooled.sum(), 0, 0
    while done < permutations:
        chunk = min(permutations - done, max(1, 2_000_000 // len(pooled)))
        picks = np.argpartition(rng.random((chunk, len(pooled))), m - 1, axis=1)[
            :, :m
        ]  # (chunk, m) random subsets
        sums = pooled[picks].sum(axis=1)
        diffs = sums / m - (total - sums) / len(y)
        count += int((diffs >= value - 1e-12 * max(1.0, abs(value))).sum())
        done += chunk
    return (1 + count) / (1 + permutations)


SPEARMAN_MIN_UNITS = 16
"""Below 16 units the Fisher-z interval of Spearman's rho misses too often where ranks are discrete and
perfect concordance is common (n = 6, rho 0.6-0.95: 73-911 misses of 4,000, limit 31; n = 10, rho 0.95:
48): such a correlation is inconclusive."""


def spearman(
    a: np.ndarray, b: np.ndarray, confidence: float = 0.99, alternative: str = "greater"
) -> Estimate:
    """Spearman correlation between two per-unit scores across a layer's units.

    CI: Fisher's z with Bonett & Wright's (2000) variance (1 + r^2 / 2) / (n - 3) and a t quantile with
    n - 3 degrees of freedom; closed form. Measured at 0.99 on Gaussian copulas, rho 0-0.95, 16 to 120
    units: each side at most 28 misses of 4,000 (the percentile bootstrap used before missed about 2% on
    one side at rho = 0 with 120 units). Fewer than ``SPEARMAN_MIN_UNITS`` units: no interval, with the
    reason. p: scipy's test with the given ``alternative`` ("greater" or "less": the direction the claim
    asserts).
    """
    x, y = np.asarray(a, float), np.asarray(b, float)
    if len(x) != len(y) or len(x) < 4:
        raise ValueError(
            f"Spearman needs two equally long score lists of at least 4 units; got {len(x)} and {len(y)}."
        )
    n = len(x)
    if np.ptp(x) == 0 or np.ptp(y) == 0:  # a constant score list has no ranks to correlate
        why = "one of the scores is the same for every unit: no correlation to measure"
        return Estimate(0.0, -1.0, 1.0, 1.0, (n,), "constant scores: no CI (inconclusive)", why)
    test = sps.spearmanr(x, y, alternative=alternative)
    value, p = float(test.statistic), float(test.pvalue)
    if n < SPEARMAN_MIN_UNITS:
        why = (
            f"{n} units: below {SPEARMAN_MIN_UNITS} the interval does not keep its coverage (discrete "
            "ranks); correlate across a larger layer"
        )
        return Estimate(value, -1.0, 1.0, p, (n,), "too few units: no CI (inconclusive)", why)
    z, half = np.arctanh(np.clip(value, -1 + 1e-12, 1 - 1e-12)), np.sqrt((1 + value**2 / 2) / (n - 3))
    q = float(sps.t.ppf(0.5 + confidence / 2, n - 3))
    low, high = float(np.tanh(z - q * half)), float(np.tanh(z + q * half))
    return Estimate(
        value, low, high, p, (n,), f"Spearman ({alternative}); Fisher-z CI (Bonett-Wright, t_{n - 3})"
    )


def net_loss(lost: int, gained: int, trials: int, confidence: float = 0.99) -> Estimate:
    """The fraction of images made wrong minus made right (e.g. accuracy lost on other classes), with exact
    bounds.

    Upper bound: Clopper-Pearson's on the lost fraction (the net loss is never larger); lower bound:
    the lost fraction's lower bound minus the gained fraction's upper bound, each at half the side's
    rate. Both sides are conservative, and nothing is lost when no image changed (unlike a mean's CI,
    which has no interval for constant data). p: sign test of lost > gained among the changed images.
    """
    if trials == 0:
        raise ValueError("a net loss needs at least one image.")
    alpha = 1 - confidence
    high = clopper_pearson(lost, trials, 1 - alpha)[1]
    low = clopper_pearson(lost, trials, 1 - alpha / 2)[0] - clopper_pearson(gained, trials, 1 - alpha / 2)[1]
    changed = lost + gained
    p = float(sps.binomtest(lost, changed, 0.5, alternative="greater").pvalue) if changed else 1.0
    method = "exact: Clopper-Pearson bounds of the lost and gained fractions; sign test"
    return Estimate((lost - gained) / trials, max(low, -1.0), high, p, (trials,), method)


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided confidence interval for a binomial proportion (e.g. precision, k of n seeds).

    With no trials the interval is the whole of [0, 1]: nothing is known.
    """
    if trials == 0:
        return 0.0, 1.0
    alpha = 1.0 - confidence
    low = 0.0 if successes == 0 else float(sps.beta.ppf(alpha / 2, successes, trials - successes + 1))
    high = (
        1.0 if successes == trials else float(sps.beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    )
    return low, high


def proportion(
    successes: int, trials: int, confidence: float = 0.99, null: float = 0.5, alternative: str = "less"
) -> Estimate:
    """A proportion (e.g. accuracy after ablation) with its
    Clopper-Pearson CI and an exact binomial test against ``null``."""
    low, high = clopper_pearson(successes, trials, confidence)
    p = float(sps.binomtest(successes, trials, null, alternative=alternative).pvalue) if trials else 1.0
    return Estimate(
        successes / trials if trials else float("nan"),
        low,
        high,
        p,
        (trials,),
        "exact binomial; Clopper-Pearson CI",
    )


def holm(pvalues: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (same order as given), for the p-values of one run."""
    p = np.asarray(pvalues, float)
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p)))))
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out.tolist()


def percentile_bounds(
    differences: np.ndarray,
    contrast_differences: np.ndarray | None = None,
    confidence: float = 0.99,
    includes_self: bool = True,
) -> tuple[float, float]:
    """A CI over images for a unit's percentile among its layer's ``J + 1`` units (``percentile_rank``).

    ``differences`` ``(J, m)``: per image, the unit's effect minus each other unit's (for an effect that is a
    concept-minus-contrast difference, the concept images' here and the contrast images' in
    ``contrast_differences`` ``(J, n)``). Each comparison gets the sparse-effect interval at confidence
    1 - (1 - confidence) / J (Bonferroni, so all J hold together): the rank's lower bound counts the units
    the unit confidently beats, the upper bound leaves out those that confidently beat it. A comparison
    with too few informative images is undecided, which only widens the interval. ``includes_self=False``:
    the population is the J comparisons alone (random unit sets), as ``percentile_rank`` then counts it.
    """
    d = np.atleast_2d(np.asarray(differences, float))
    if not d.shape[0]:
        return 50.0, 50.0
    level = 1 - (1 - confidence) / d.shape[0]
    y = None if contrast_differences is None else np.atleast_2d(np.asarray(contrast_differences, float))
    _, low, high, _ = means.bounds(d, y, level, with_p=False)
    counts = [means.informative_count(d)] + ([] if y is None else [means.informative_count(y)])
    judged = means.count_ok(counts)
    beats, beaten = int(((low > 0) & judged).sum()), int(((high < 0) & judged).sum())
    if not includes_self:
        return 100.0 * beats / d.shape[0], 100.0 * (d.shape[0] - beaten) / d.shape[0]
    units = d.shape[0] + 1
    return 100.0 * (beats + 0.5) / units, 100.0 * (units - beaten - 0.5) / units


def percentile_rank(value: float, population: np.ndarray) -> float:
    """Percent of ``population`` strictly below ``value`` plus half of the ties
    (0-100): a unit's standing in its layer."""
    pop = np.asarray(population, float)
    return float(100.0 * ((pop < value).sum() + 0.5 * (pop == value).sum()) / len(pop))


def class_selectivity_index(class_means: np.ndarray) -> float:
    """Morcos et al. 2018: (mu_max - mu_rest) /
    (mu_max + mu_rest) of a unit's mean *rectified* activation per class."""
    means = np.asarray(class_means, float)
    top = int(means.argmax())
    rest = np.delete(means, top).mean()
    total = means[top] + rest
    return float((means[top] - rest) / total) if total > 0 else 0.0


def decide(estimate: Estimate, threshold: float | None, bound: str = "min", alpha: float = 0.01) -> str:
    """Outcome of a claim about ``estimate``: "holds", "refuted" or "inconclusive".

    ``bound="min"`` (a ``min_*`` key): holds when the one-sided test rejects
    "no effect" at ``alpha`` and the CI's lower bound clears ``threshold``;
    refuted when the CI's upper bound falls below it. ``bound="max"`` is the
    mirror image (holds when the upper bound is below; refuted when the lower
    bound is above), so a claim of *no* effect can hold; its p-value is not
    required there, since absence of effect is shown by the interval.
    ``threshold=None`` turns the effect threshold off: only the p-value decides.
    """
    if bound == "min":
        if threshold is None:
            return "holds" if estimate.p < alpha else "inconclusive"
        if estimate.p < alpha and estimate.low >= threshold:
            return "holds"
        return "refuted" if estimate.high < threshold else "inconclusive"
    if bound == "max":
        if threshold is None:
            raise ValueError("a max_* bound needs a threshold: 'no larger than what?'")
        if estimate.high <= threshold:
            return "holds"
        return "refuted" if estimate.low > threshold else "inconclusive"
    raise ValueError(f"bound={bound!r} must be 'min' or 'max'.")


def images_to_decide(estimate: Estimate, threshold: float) -> int | None:
    """Roughly how many images (per group) would make an inconclusive CI clear ``threshold``.

    Assumes the estimate stays put and the CI's side facing the threshold
    shrinks as 1/sqrt(n); None when the estimate sits on the threshold (no
    sample size decides it).
    """
    gap = estimate.value - threshold
    half = estimate.value - estimate.low if gap > 0 else estimate.high - estimate.value
    if gap == 0 or half <= 0 or not np.isfinite(half):  # no interval (e.g. constant data): no sample size
        return None
    current = min(estimate.n)
    return max(current + 1, int(np.ceil(current * (half / abs(gap)) ** 2 - 1e-9)))  # 1e-9: float fuzz
