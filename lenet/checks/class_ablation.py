"""The ``class-ablation`` check (Bau et al. 2020's test): does removing a unit set remove a class?

After ablating the units (or all the others), the class's test accuracy must
fall below ``max_accuracy`` (its Clopper-Pearson CI's upper bound) while every
other class stays at or above ``min_other_accuracy`` (each CI's lower bound; refuted when one class's
upper bound at 1 - alpha / (number of other classes) is below it, Bonferroni, since one class suffices);
the damage must also be selective: per-image correctness lost on the class
exceeds that on other classes (one-sided permutation test: exact, and
a test only, so the criterion reports no interval). With
``ablate = "complement"`` the claim is Bau's other half: the class is spared
(``min_accuracy``, a lower bound on its accuracy) and the damage falls on the
other classes instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..keys import CheckSpec, Param
from ..stats.verdict import Criterion, Verdict
from .common import METHOD, ablation_effects

if TYPE_CHECKING:
    from ..subject.subject import Subject
    from .target import Members, Target

__all__ = ["SPEC", "check", "judge"]

SPEC = CheckSpec(
    name="class-ablation",
    summary="ablating a unit set drops one class's accuracy below a bound while other classes stay above one",
    params=(
        Param("class", "int", "the class whose knowledge is removed", 7, required=True, low=0, high=9),
        Param(
            "ablate",
            "str",
            "which units: the claim's units ('units') or all the others in their layer ('complement')",
            "units",
            default="units",
            choices=("units", "complement"),
        ),
        METHOD,
        Param(
            "max_accuracy",
            "float",
            "upper CI bound of the class's accuracy after ablation must be below this",
            0.5,
            low=0.0,
            high=1.0,
        ),
        Param(
            "min_accuracy",
            "float",
            "lower CI bound of the class's accuracy after ablation must reach "
            "this (with ablate = 'complement': the class is spared; the damage must then fall on the other "
            "classes)",
            0.8,
            low=0.0,
            high=1.0,
        ),
        Param(
            "min_other_accuracy",
            "float",
            "lower CI bound of every other class's accuracy after ablation must reach this (refuted when one "
            "class's Bonferroni-corrected upper bound falls below it)",
            0.95,
            low=0.0,
            high=1.0,
        ),
    ),
    needs=frozenset({"units"}),
)


def check(
    subject: Subject,
    target: Target,
    concept: Members | None,
    contrast: Members | None,
    params: dict,
    seed: int,
    confidence: float,
) -> Verdict:
    """Ablate the units (or their complement) on the test split; judge per-image correctness by class."""
    from ..subject.units import UnitSet

    chosen = UnitSet(target.layer, target.units, subject.layers)
    units = chosen if params["ablate"] == "units" else chosen.complement()
    labels = subject.split("test").labels.numpy()
    reference = np.flatnonzero(labels != params["class"])  # resample from other classes' images
    effects = ablation_effects(subject, target, params["method"], reference, seed, units.indices)
    return judge(
        effects.correct_before.numpy(),
        effects.correct_after.numpy(),
        labels,
        params,
        confidence=confidence,
        seed=seed,
        units=str(units),
    )


def _outcome(est, bound: float, side: str) -> str:
    """A proportion's CI against an accuracy bound: "max" holds strictly below it, "min" at or above it."""
    if side == "max":
        return "holds" if est.high < bound else "refuted" if est.low >= bound else "inconclusive"
    return "holds" if est.low >= bound else "refuted" if est.high < bound else "inconclusive"


def _accuracy_criteria(
    correct: np.ndarray, labels: np.ndarray, klass: int, params: dict, confidence: float
) -> tuple[list, dict]:
    from ..stats import estimates

    criteria, per_class = [], {}
    for c in (int(c) for c in np.unique(labels)):  # every class present, in order
        rows = labels == c
        if rows.any():
            per_class[c] = estimates.proportion(int(correct[rows].sum()), int(rows.sum()), confidence)
    for key, side in (("max_accuracy", "max"), ("min_accuracy", "min")):
        if params.get(key) is not None:
            est = per_class[klass]
            criteria.append(
                Criterion(
                    name=key,
                    statistic=f"accuracy on class {klass} after ablation",
                    value=est.value,
                    low=est.low,
                    high=est.high,
                    threshold=params[key],
                    bound=side,
                    outcome=_outcome(est, params[key], side),
                )
            )
    if params.get("min_other_accuracy") is not None:
        bound = params["min_other_accuracy"]
        others = [c for c in per_class if c != klass]
        worst = min(others, key=lambda c: per_class[c].low)
        est = per_class[worst]
        # holding needs every other class's lower bound at the bound (each false hold needs its own class to
        # err, so no correction); refuting needs only one class below it, so each class's upper bound is
        # taken at 1 - alpha / (number of classes) (Bonferroni): with nine classes on the bound, plain
        # bounds refuted 4.5% of the time where 0.5% is promised (lenet calibrate)
        level = 1 - (1 - confidence) / len(others)
        below = [
            c
            for c in others
            if estimates.proportion(int(correct[labels == c].sum()), int((labels == c).sum()), level).high
            < bound
        ]
        outcome = (
            "refuted"
            if below
            else "holds"
            if all(per_class[c].low >= bound for c in others)
            else "inconclusive"
        )
        criteria.append(
            Criterion(
                name="min_other_accuracy",
                statistic=f"accuracy on the worst other class ({worst}) after ablation",
                value=est.value,
                low=est.low,
                high=est.high,
                threshold=bound,
                bound="min",
                outcome=outcome,
                note=f"refuted only when a class's upper bound at {level:.4g} (Bonferroni over {len(others)} "
                "classes) falls below",
            )
        )
    return criteria, {c: [e.value, e.low, e.high] for c, e in per_class.items()}


def judge(
    correct_before: np.ndarray,
    correct_after: np.ndarray,
    labels: np.ndarray,
    params: dict,
    *,
    confidence: float = 0.99,
    seed: int = 0,
    units: str = "",
    permutations: int = 4999,
) -> Verdict:
    """The verdict from per-image correctness before and after ablating a unit set ``(N,)`` and the labels
    ``(N,)``."""
    from ..stats import estimates

    klass = params["class"]
    lost = correct_before.astype(float) - correct_after.astype(float)  # 1: broken by the ablation, -1: fixed
    target = labels == klass
    alpha = 1 - confidence
    spares = params.get("ablate") == "complement"  # Bau's other half: removing the others spares the class
    hit, spared = (~target, target) if spares else (target, ~target)
    p = estimates.permutation_test(lost[hit], lost[spared], permutations, seed)
    where = ("other classes", f"class {klass}") if spares else (f"class {klass}", "other classes")
    criteria = [
        Criterion(
            name="spares" if spares else "selective",
            statistic=f"accuracy lost on {where[0]} minus on {where[1]}",
            value=float(lost[hit].mean() - lost[spared].mean()),
            low=None,
            high=None,
            threshold=None,
            bound="min",
            outcome="holds" if p < alpha else "inconclusive",
            p=p,
            note=f"exact permutation test ({permutations} relabellings): a test, so no interval",
        )
    ]
    more, per_class = _accuracy_criteria(correct_after, labels, klass, params, confidence)
    before = {int(c): float(correct_before[labels == c].mean()) for c in np.unique(labels)}
    n = {"class": int(target.sum()), "other": int((~target).sum())}
    rule = (
        "class accuracy CI below max_accuracy, every other class's CI above min_other_accuracy, and the "
        f"damage selective (permutation p < {alpha:g})"
    )
    return Verdict(
        "class-ablation",
        criteria + more,
        n,
        confidence,
        seed,
        rule,
        {
            "accuracy_after": per_class,
            "accuracy_before": before,
            "units": units,
            "ablate": params.get("ablate", "units"),
        },
    )
