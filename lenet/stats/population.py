"""The mean effect across training runs: per-seed effects pooled by a random-effects model.

Each seed's network is one draw from the population of training runs; its effect is measured with error
(its CI). The random-effects model takes seed ``i``'s effect as ``mu + u_i + e_i`` (``u_i`` the between-seed
spread, ``e_i`` the measurement error): ``mu`` is the mean effect of a training run, ``tau`` the between-seed
standard deviation (DerSimonian-Laird, reported). The interval is Hartung-Knapp's with equal weights: the
seeds' mean with a t interval on k - 1 degrees of freedom from their observed spread, which holds both
sources of variation. Why not the inverse-variance weights: with 5-10 seeds, DerSimonian-Laird's interval
(tau taken as known) is too narrow, and weighted Hartung-Knapp, floored at it, still erred at 0.95% per side
of a 99% interval (nominal 0.5%) with 10 seeds whose errors differ tenfold and tau equal to the typical error
(400,000 simulated trials); the equal-weight interval stayed at or below 0.51% in every case tried (5 and 10
seeds, tau 0-3 errors, errors alike or tenfold apart; tests/test_stats_population.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .estimates import Estimate

__all__ = ["Pooled", "random_effects", "pooled_arrays", "standard_errors"]


@dataclass(frozen=True)
class Pooled:
    """The pooled mean effect (``estimate``: value, two-sided CI, one-sided p of "mean <= 0"), the
    between-seed standard deviation ``tau`` and the seeds it rests on."""

    estimate: Estimate
    tau: float
    seeds: int
    q: float  # Cochran's Q of the per-seed effects (heterogeneity beyond measurement error)

    def describe(self) -> str:
        e = self.estimate
        return (
            f"mean over {self.seeds} training runs {e.value:.4g} [{e.low:.4g}, {e.high:.4g}], "
            f"between-seed SD {self.tau:.3g} (random effects, Hartung-Knapp interval)"
        )


def standard_errors(low: np.ndarray, high: np.ndarray, confidence: float) -> np.ndarray:
    """Per-seed standard errors from two-sided ``confidence`` intervals: width / (2 z). Asymmetric
    (bootstrap) intervals give their average half-width: the pooling treats each seed's error as normal."""
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return (np.asarray(high, dtype=np.float64) - np.asarray(low, dtype=np.float64)) / (2 * z)


def pooled_arrays(values, ses, confidence: float = 0.99) -> dict[str, np.ndarray]:
    """``random_effects`` over the last axis of ``values`` and ``ses`` (many sets of seeds at once, as the
    calibration draws them): arrays ``mean``, ``low``, ``high``, ``p``, ``tau``, ``q``."""
    from scipy import stats

    y = np.asarray(values, dtype=np.float64)
    k = y.shape[-1]
    w = 1 / np.maximum(np.asarray(ses, dtype=np.float64), 1e-12) ** 2  # an exact seed: a finite weight
    fixed = (w * y).sum(-1, keepdims=True) / w.sum(-1, keepdims=True)
    q = (w * (y - fixed) ** 2).sum(-1)
    tau2 = np.maximum(0.0, (q - (k - 1)) / (w.sum(-1) - (w**2).sum(-1) / w.sum(-1)))
    mu = y.mean(-1)
    sd = y.std(-1, ddof=1) / np.sqrt(k)  # Hartung-Knapp's variance with equal weights
    t = float(stats.t.ppf(0.5 + confidence / 2, k - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(sd > 0, stats.t.sf(mu / np.where(sd > 0, sd, 1), k - 1), np.where(mu > 0, 0.0, 1.0))
    return {"mean": mu, "low": mu - t * sd, "high": mu + t * sd, "p": p, "tau": np.sqrt(tau2), "q": q}


def random_effects(values, ses, confidence: float = 0.99) -> Pooled:
    """Pool per-seed effects ``values`` (standard errors ``ses``): the mean effect of a training run with
    its equal-weight Hartung-Knapp interval at ``confidence`` (two-sided) and one-sided p of "mean <= 0"
    (every seed the same number: 0 if positive, else 1), and the between-seed SD ``tau``
    (DerSimonian-Laird). Fewer than two seeds cannot show a spread: the estimate then has no interval
    (``why`` says so) and decides nothing."""
    y = np.asarray(values, dtype=np.float64)
    se = np.asarray(ses, dtype=np.float64)
    k = len(y)
    if k < 2 or not np.all(np.isfinite(y)) or not np.all(np.isfinite(se)):
        value = float(y.mean()) if k and np.all(np.isfinite(y)) else float("nan")
        why = (
            f"a population estimate needs at least 2 seeds with an effect and its CI ({k} here)"
            if k < 2
            else "a seed's effect or CI is not finite"
        )
        estimate = Estimate(value, float("nan"), float("nan"), 1.0, (k,), "random effects", why)
        return Pooled(estimate, float("nan"), k, float("nan"))
    found = {key: float(value) for key, value in pooled_arrays(y, se, confidence).items()}
    method = f"random effects, Hartung-Knapp (equal weights) t({k - 1})"
    estimate = Estimate(found["mean"], found["low"], found["high"], found["p"], (k,), method)
    return Pooled(estimate, found["tau"], k, found["q"])
