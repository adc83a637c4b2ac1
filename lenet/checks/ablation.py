"""The ``ablation`` check (necessity): does removing the unit hurt the concept more than the contrast?

Per test image, *damage* = output before - output after ablating the unit (or
unit set) with the claim's method. The statistic is mean concept damage - mean
contrast damage, with an interval that keeps its coverage when few images carry the
damage (``stats.means``) and the p-value read off that interval, compared with
``min_effect``; unless one group has at least 5 damaged images it is inconclusive.
``min_layer_percentile`` ranks the same number against every unit of the layer
ablated alone (for a set: against random sets of its size), with a CI over
images (``stats.estimates.percentile_bounds``). ``max_collateral`` bounds the accuracy drop on
images of other classes. The report flags when another method would flip the
verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..keys import CheckSpec, Param
from ..stats.verdict import Criterion, Verdict
from .common import (
    METHOD,
    NORMALISE,
    OUTPUT,
    PERCENTILE,
    ablation_effects,
    effect_scale,
    no_change,
    no_op_verdict,
    percentile_criterion,
)

if TYPE_CHECKING:
    from ..subject.subject import Subject
    from .target import Members, Target

__all__ = ["SPEC", "check", "judge"]

SPEC = CheckSpec(
    name="ablation",
    summary="necessity: removing the unit hurts the concept more than the contrast",
    params=(
        METHOD,
        OUTPUT,
        NORMALISE,
        Param(
            "min_effect",
            "float",
            "lower CI bound of (mean concept damage - mean contrast damage) must "
            "reach this; damage = output before - after ablation (divided by the concept's median margin "
            "with normalise = 'concept-margin')",
            0.5,
            required=True,
            low=0.0,
        ),
        PERCENTILE,
        Param(
            "max_collateral",
            "float",
            "upper CI bound of the accuracy drop on images of other classes must stay below this",
            0.01,
            low=0.0,
            high=1.0,
        ),
    ),
    needs=frozenset({"units", "concept", "contrast"}),
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
    """Ablate the target's units on the test split; judge the concept-minus-contrast damage."""
    scale, scaled = effect_scale(subject, concept, params.get("normalise", "raw"), params["output"])
    concept, contrast = concept.test, contrast.test
    method, output = params["method"], params["output"]
    effects = ablation_effects(subject, target, method, contrast, seed)
    raw = effects.damage(output)
    damage = raw / scale
    layer_effects = layer_bounds = None
    if params.get("min_layer_percentile") is not None:
        layer_effects, layer_bounds = _layer_effects(
            subject, target, method, output, concept, contrast, seed, confidence, raw
        )
        layer_effects = layer_effects / scale
    collateral = None
    if params.get("max_collateral") is not None:
        labels = effects.labels.numpy()
        others = ~np.isin(labels, np.unique(labels[concept]))  # images of classes the concept does not touch
        before, after = effects.correct_before.numpy()[others], effects.correct_after.numpy()[others]
        collateral = before.astype(float) - after
    verdict = judge(
        damage[concept],
        damage[contrast],
        params,
        layer_effects=layer_effects,
        collateral=collateral,
        layer_bounds=layer_bounds,
        confidence=confidence,
        seed=seed,
        label="unit" if len(target.units) == 1 else "unit set",
        scaled=scaled,
    )
    if scaled:
        verdict.details["scale"] = scale
    verdict.details["other_methods"] = _other_methods(
        subject, target, concept, contrast, params, seed, confidence, scale
    )
    return verdict


def _layer_effects(
    subject: Subject,
    target: Target,
    method: str,
    output: str,
    concept: np.ndarray,
    contrast: np.ndarray,
    seed: int,
    confidence: float,
    own: np.ndarray,
) -> tuple[np.ndarray, tuple[float, float]]:
    """The concept-minus-contrast damage of every comparison ablation (each unit alone, or random sets of
    the target's size), and the CI over images of the target's percentile among them; ``own``: the
    target's per-image damage ``(N,)`` (a unit set's is compared with each random set's)."""
    from ..stats import estimates
    from ..subject.effects import draw_sources

    images = len(subject.split(subject.CONFIRMATION))
    sources = draw_sources(contrast, images, seed) if method == "resample" else None
    if len(target.units) == 1:
        damage = subject.sweep_damage(
            target.layer, method, output, sources=sources, site=target.site
        )  # (U, N)
        unit = target.units[0]
        others = np.delete(damage, unit, axis=0)
        diffs = damage[unit] - others  # (U - 1, N): per image, this unit's damage minus each other's
        bounds = estimates.percentile_bounds(diffs[:, concept], diffs[:, contrast], confidence)
        return damage[:, concept].mean(axis=1) - damage[:, contrast].mean(axis=1), bounds
    rng, size = np.random.default_rng(seed), len(target.units)
    units = subject.layer(target.layer).units
    diffs, paired = [], []
    for _ in range(100):  # random sets of the same size: the comparison for a unit set
        chosen = rng.choice(units, size, replace=False)
        damage = ablation_effects(subject, target, method, contrast, seed, chosen).damage(output)
        diffs.append(damage[concept].mean() - damage[contrast].mean())
        paired.append(own - damage)
    paired = np.array(paired)  # (100, N): per image, the set's damage minus each random set's
    bounds = estimates.percentile_bounds(
        paired[:, concept], paired[:, contrast], confidence, includes_self=False
    )
    return np.array(diffs), bounds


def _other_methods(
    subject: Subject,
    target: Target,
    concept: np.ndarray,
    contrast: np.ndarray,
    params: dict,
    seed: int,
    confidence: float,
    scale: float = 1.0,
) -> dict:
    """Would another ablation method flip the verdict on the effect criterion? {method: outcome}."""
    from ..stats import estimates

    flips = {}
    for method in ("zero", "mean", "resample"):
        if method == params["method"]:
            continue
        damage = ablation_effects(subject, target, method, contrast, seed).damage(params["output"]) / scale
        est = estimates.mean_difference(damage[concept], damage[contrast], confidence)
        flips[method] = estimates.decide(est, params["min_effect"], "min", 1 - confidence)
    return flips


def judge(
    concept_damage: np.ndarray,
    contrast_damage: np.ndarray,
    params: dict,
    *,
    layer_effects: np.ndarray | None = None,
    collateral: np.ndarray | None = None,
    layer_bounds: tuple[float, float] | None = None,
    confidence: float = 0.99,
    seed: int = 0,
    label: str = "unit",
    scaled: str = "",
) -> Verdict:
    """The verdict from per-image damage arrays.

    ``layer_effects``: the same concept-minus-contrast number for each unit of the
    layer (or each random set), for ``min_layer_percentile``; ``layer_bounds``: the CI over images of
    the unit's percentile among them (``estimates.percentile_bounds``), without which the point rank
    never refutes. ``collateral``:
    per-image correctness lost (1) or gained (-1) on other classes' images.
    """
    from ..stats import estimates

    alpha = 1 - confidence
    statistic = f"mean damage to {params['output']}, concept - contrast ({params['method']} ablation){scaled}"
    if no_change(concept_damage) and no_change(contrast_damage):
        return _no_op(statistic, params, len(concept_damage), len(contrast_damage), confidence, seed)
    est = estimates.mean_difference(concept_damage, contrast_damage, confidence)
    criteria = [
        Criterion.from_estimate("min_effect", statistic, est, threshold=params["min_effect"], alpha=alpha)
    ]
    details: dict = {"method": params["method"], "output": params["output"]}
    if params.get("min_layer_percentile") is not None and layer_effects is not None:
        criteria.append(
            percentile_criterion(
                f"percentile of the {label}'s effect among {len(layer_effects)} "
                "comparison ablations of its layer",
                est.value,
                layer_effects,
                params["min_layer_percentile"],
                layer_bounds,
                details,
            )
        )
    if params.get("max_collateral") is not None and collateral is not None:
        drop = estimates.net_loss(
            int((collateral > 0).sum()), int((collateral < 0).sum()), len(collateral), confidence
        )
        details.update(collateral=drop.value)
        bound = params["max_collateral"]
        # an upper bound is decided by the CI alone, and this criterion never reported the mean's p-value
        criteria.append(
            Criterion(
                name="max_collateral",
                statistic="accuracy drop on other classes' images",
                value=drop.value,
                low=drop.low,
                high=drop.high,
                threshold=bound,
                bound="max",
                outcome=estimates.decide(drop, bound, "max", alpha),
            )
        )
    rule = (
        f"CI lower bound of the damage difference >= min_effect with one-sided p < {alpha:g} "
        "(from that interval)"
    )
    if params.get("min_layer_percentile") is not None:
        rule += ", layer percentile >= min_layer_percentile"
    n = {"concept": len(concept_damage), "contrast": len(contrast_damage)}
    verdict = Verdict("ablation", criteria, n, confidence, seed, rule, details)
    if est.why:
        other = "" if params["method"] == "resample" else ', or method = "resample", which moves more images'
        verdict.to_decide = f"more images on which the ablation changes the output ({est.why}){other}"
    elif criteria[0].outcome == "inconclusive" and params["min_effect"] is not None:
        need = estimates.images_to_decide(est, params["min_effect"])
        if need:
            verdict.to_decide = f"about {need} images per group, if the effect stays near {est.value:.3g}"
    return verdict


def _no_op(
    statistic: str, params: dict, concept: int, contrast: int, confidence: float, seed: int
) -> Verdict:
    """The ablation changed no measured image's output: nothing was tested, so the verdict is inconclusive."""
    why = (
        f"the {params['method']} ablation changed {params['output']} on none of the {concept + contrast} "
        "measured images: the unit already takes its replacement value on every one of them"
    )
    fix = (
        'use an ablation that changes the unit\'s value on these images (method = "resample" or '
        '"mean"), or check that the unit fires on them at this site (`lenet inspect`)'
    )
    n = {"concept": concept, "contrast": contrast}
    details = {"method": params["method"], "output": params["output"]}
    return no_op_verdict("ablation", statistic, params["min_effect"], why, fix, n, confidence, seed, details)
