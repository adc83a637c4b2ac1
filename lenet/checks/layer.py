"""Layer-level checks: ``class-ablation`` (does removing a unit set remove a class?) and ``correlation``.

class-ablation (Bau et al. 2020's test): after ablating the units (or all the
others), the class's test accuracy must fall below ``max_accuracy`` (its
Clopper-Pearson CI's upper bound) while every other class stays at or above
``min_other_accuracy`` (each CI's lower bound); the damage must also be
selective: per-image correctness lost on the class exceeds that on other
classes (one-sided permutation test). With ``ablate = "complement"`` the
claim is Bau's other half: the class is spared (``min_accuracy``, a lower
bound on its accuracy) and the damage falls on the other classes instead.

correlation (Morcos et al. 2018's test): Spearman's rho across the layer's
units between two per-unit scores, with a bootstrap CI over units, bounded
from below (``min_rho``) or above (``max_rho``: "about zero or below").
"""

from __future__ import annotations

import numpy as np

from .. import stats
from ..verdict import Criterion, Verdict, combine

__all__ = ["judge_class_ablation", "judge_correlation"]


def _accuracy_criteria(correct: np.ndarray, labels: np.ndarray, klass: int, params: dict, confidence: float) -> tuple[list, dict]:
    criteria, per_class = [], {}
    for c in range(10):
        rows = labels == c
        if rows.any():
            per_class[c] = stats.proportion(int(correct[rows].sum()), int(rows.sum()), confidence)
    if params.get("max_accuracy") is not None:
        est, bound = per_class[klass], params["max_accuracy"]
        outcome = "holds" if est.high < bound else "refuted" if est.low >= bound else "inconclusive"
        criteria.append(Criterion("max_accuracy", f"accuracy on class {klass} after ablation", est.value, est.low, est.high,
                                  bound, "max", outcome))
    if params.get("min_accuracy") is not None:
        est, bound = per_class[klass], params["min_accuracy"]
        outcome = "holds" if est.low >= bound else "refuted" if est.high < bound else "inconclusive"
        criteria.append(Criterion("min_accuracy", f"accuracy on class {klass} after ablation", est.value, est.low, est.high,
                                  bound, "min", outcome))
    if params.get("min_other_accuracy") is not None:
        bound = params["min_other_accuracy"]
        others = [c for c in per_class if c != klass]
        outcomes = ["holds" if per_class[c].low >= bound else "refuted" if per_class[c].high < bound else "inconclusive" for c in others]
        worst = min(others, key=lambda c: per_class[c].low)
        est = per_class[worst]
        criteria.append(Criterion("min_other_accuracy", f"accuracy on the worst other class ({worst}) after ablation",
                                  est.value, est.low, est.high, bound, "min", combine(outcomes)))
    return criteria, {c: [e.value, e.low, e.high] for c, e in per_class.items()}


def judge_class_ablation(correct_before: np.ndarray, correct_after: np.ndarray, labels: np.ndarray, params: dict, *,
                         confidence: float = 0.99, seed: int = 0, units: str = "", permutations: int = 4999) -> Verdict:
    """The verdict from per-image correctness before and after ablating a unit set ``(N,)`` and the labels ``(N,)``."""
    klass = params["class"]
    lost = correct_before.astype(float) - correct_after.astype(float)  # 1: broken by the ablation, -1: fixed
    target = labels == klass
    alpha = 1 - confidence
    if params.get("ablate") == "complement":  # Bau's other half: removing all the others spares the class
        est = stats.mean_difference(lost[~target], lost[target], confidence, permutations, seed)
        criteria = [Criterion("spares", f"accuracy lost on other classes minus on class {klass}", est.value, est.low, est.high,
                              None, "min", stats.decide(est, None, "min", alpha), p=est.p)]
    else:
        est = stats.mean_difference(lost[target], lost[~target], confidence, permutations, seed)
        criteria = [Criterion("selective", f"accuracy lost on class {klass} minus on other classes", est.value, est.low, est.high,
                              None, "min", stats.decide(est, None, "min", alpha), p=est.p)]
    more, per_class = _accuracy_criteria(correct_after, labels, klass, params, confidence)
    before = {c: float(correct_before[labels == c].mean()) for c in range(10) if (labels == c).any()}
    return Verdict("class-ablation", criteria + more, {"class": int(target.sum()), "other": int((~target).sum())}, confidence,
                   seed, "class accuracy CI below max_accuracy, every other class's CI above min_other_accuracy, and the damage "
                   f"selective (permutation p < {alpha:g})",
                   {"accuracy_after": per_class, "accuracy_before": before, "units": units, "ablate": params.get("ablate", "units")})


def judge_correlation(x: np.ndarray, y: np.ndarray, params: dict, *, confidence: float = 0.99, seed: int = 0,
                      resamples: int = 4999) -> Verdict:
    """The verdict from two per-unit scores ``(U,)``: rho's CI against ``min_rho`` and/or ``max_rho``."""
    alpha = 1 - confidence
    lower, upper = params.get("min_rho"), params.get("max_rho")
    est = stats.spearman(x, y, confidence, resamples, seed, alternative="less" if upper is not None and lower is None else "greater")
    criteria = []
    if lower is not None or upper is None:
        criteria.append(Criterion("min_rho", f"Spearman rho({params['x']}, {params['y']}) across units", est.value, est.low,
                                  est.high, lower, "min", stats.decide(est, lower, "min", alpha), p=est.p))
    if upper is not None:
        criteria.append(Criterion("max_rho", f"Spearman rho({params['x']}, {params['y']}) across units", est.value, est.low,
                                  est.high, upper, "max", stats.decide(est, upper, "max", alpha), p=est.p))
    return Verdict("correlation", criteria, {"units": len(x)}, confidence, seed,
                   "rho's bootstrap CI clears min_rho from above / stays below max_rho",
                   {"x": np.asarray(x).tolist(), "y": np.asarray(y).tolist()})
