"""The ``concentration`` check: how much of a unit set's concept-specific ablation damage its first unit
carries alone.

Per test image, the damage of ablating the set's first unit (for a ``select`` rule, the top-ranked) and
that of ablating the whole set, both with the claim's method on the same images (``resample`` draws the
same replacement images for both). Each gives a concept-minus-contrast mean difference; the statistic is
their ratio, the *share*, with the interval of ``stats.ratios`` (Fieller's construction on the ablation
check's sparse-effect interval), which keeps the two measurements' covariance. ``max_share`` claims the
evidence is spread over the set (the first unit carries at most that share), ``min_share`` that it is
concentrated in the first unit. The share of a whole whose own difference is not clearly above 0 is
undefined: inconclusive, and the verdict says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import InvalidConfig
from ..keys import CheckSpec, Param
from ..stats.verdict import Criterion, Verdict
from .common import METHOD, OUTPUT, ablation_effects, no_change, no_op_criterion

if TYPE_CHECKING:
    from ..subject.subject import Subject
    from .target import Members, Target

__all__ = ["SPEC", "check", "judge"]

SPEC = CheckSpec(
    name="concentration",
    summary=(
        "how much of a unit set's concept-specific ablation damage its first unit carries alone (2 or more "
        "units; the first as written, or a select rule's top-ranked)"
    ),
    params=(
        METHOD,
        OUTPUT,
        Param(
            "max_share",
            "float",
            "upper CI bound of the share must stay at or below this: the concept's evidence is spread over "
            "the set. share = (concept - contrast mean damage of ablating the first unit alone) / (the same "
            "of ablating the whole set), both on the same test images",
            0.5,
            low=0.0,
            high=1.0,
        ),
        Param(
            "min_share",
            "float",
            "lower CI bound of the share must reach this (with one-sided p < alpha that the first unit's "
            "own difference is above 0): the evidence is concentrated in the first unit",
            0.8,
            low=0.0,
            high=1.0,
        ),
    ),
    needs=frozenset({"units", "concept", "contrast"}),
    min_units=2,
)


def check(
    subject: Subject,
    target: Target,
    concept: Members,
    contrast: Members,
    params: dict,
    seed: int,
    confidence: float,
) -> Verdict:
    """Ablate the first unit alone and the whole set on the test split; judge the first unit's share."""
    if len(target.units) < 2:
        named = ", ".join(target.names()) or target.layer
        raise InvalidConfig(
            f"[concentration] compares a unit set's first unit with the whole set; this claim names "
            f'{len(target.units)} unit ({named}). Write `units = "{target.layer}:a,b,..."` with at least two '
            "units (the first is the one whose share is measured), or a `select` rule with top >= 2."
        )
    concept, contrast = concept.test, contrast.test
    method, output = params["method"], params["output"]
    part = ablation_effects(subject, target, method, contrast, seed, target.units[:1]).damage(output)
    whole = ablation_effects(subject, target, method, contrast, seed).damage(output)
    verdict = judge(
        part[concept],
        part[contrast],
        whole[concept],
        whole[contrast],
        params,
        confidence=confidence,
        seed=seed,
    )
    verdict.details["first_unit"] = f"{target.layer}:{target.units[0]}"
    verdict.details["set_size"] = len(target.units)
    return verdict


def judge(
    part_concept: np.ndarray,
    part_contrast: np.ndarray,
    whole_concept: np.ndarray,
    whole_contrast: np.ndarray,
    params: dict,
    *,
    confidence: float = 0.99,
    seed: int = 0,
) -> Verdict:
    """The verdict from per-image damage arrays: ``part_*`` of ablating the first unit alone, ``whole_*`` of
    ablating the set, index for index the same images."""
    from ..stats import estimates, ratios

    alpha = 1 - confidence
    statistic = (
        f"share of the set's concept - contrast damage to {params['output']} carried by its first unit "
        f"({params['method']} ablation)"
    )
    n = {"concept": len(part_concept), "contrast": len(part_contrast)}
    details: dict = {"method": params["method"], "output": params["output"]}
    if all(no_change(x) for x in (part_concept, part_contrast, whole_concept, whole_contrast)):
        why = (
            f"the {params['method']} ablation changed {params['output']} on none of the "
            f"{n['concept'] + n['contrast']} measured images"
        )
        fix = (
            'use method = "resample" or "mean", or check that the units fire on these images '
            "(`lenet inspect`)"
        )
        criteria = [
            no_op_criterion(key, statistic, params[key], why)
            for key in ("max_share", "min_share")
            if params.get(key) is not None
        ]
        rule = "an intervention that changes no output tests nothing: inconclusive"
        verdict = Verdict("concentration", criteria, n, confidence, seed, rule, {**details, "no_op": True})
        verdict.to_decide = fix
        return verdict
    est = ratios.share(
        part_concept,
        part_contrast,
        whole_concept,
        whole_contrast,
        confidence,
        with_p=params.get("min_share") is not None,
    )
    for name, concept, contrast in (
        ("first_unit", part_concept, part_contrast),
        ("whole_set", whole_concept, whole_contrast),
    ):
        details[f"{name}_effect"] = float(np.mean(concept) - np.mean(contrast))
    criteria = []
    for key, bound in (("max_share", "max"), ("min_share", "min")):
        if params.get(key) is None:
            continue
        if est.why:  # no interval: undecided, and a seed's pooled estimate leaves it out (no CI)
            criteria.append(
                Criterion(
                    key, statistic, est.value, None, None, params[key], bound, "inconclusive", note=est.why
                )
            )
        else:
            criteria.append(
                Criterion.from_estimate(key, statistic, est, threshold=params[key], bound=bound, alpha=alpha)
            )
    rule = (
        "max_share: CI upper bound <= max_share; min_share: CI lower bound >= min_share and one-sided p < "
        "alpha that the first unit's own difference is above 0"
    )
    verdict = Verdict("concentration", criteria, n, confidence, seed, rule, details)
    if est.why:
        verdict.to_decide = est.why
    elif verdict.outcome == "inconclusive":
        for c in criteria:
            need = c.outcome == "inconclusive" and estimates.images_to_decide(est, c.threshold)
            if need:
                verdict.to_decide = f"about {need} images per group, if the share stays near {est.value:.3g}"
                break
    return verdict
