"""The ``activation`` check (selective activation, sufficiency): does driving the unit move the output?

The unit is driven, on contrast test images, to a level taken from the concept
on the *discovery* split (its median, or a quantile) and the per-image change
of the named output is measured in the claimed direction. The level is fixed
before any test image is seen; the mean change on contrast images gets a
CI (``stats.means``) whose lower bound is compared with ``min_effect``, and a one-sided p read
off the same interval. A second criterion, ``selective``, asks whether the drive is *selective*:
the CI and p of (mean change on contrast images - on concept images driven to the same level;
those already sit there). With fewer than 5 changed images a criterion is inconclusive. A drive
that changes no contrast image's output tests nothing: inconclusive, with the reason. Under a null
where concept and contrast are exchangeable the two are exchangeable too, so the test's error rate is
measurable on real nulls (see calibration). ``min_layer_percentile`` compares
the mean change with driving every other unit of the layer by the same amount
in units of each unit's own spread (its discovery-split standard deviation):
an effect size, not a p-value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..keys import CheckSpec, Param
from ..stats.verdict import Criterion, Verdict
from .common import (
    NORMALISE,
    OUTPUT,
    PERCENTILE,
    effect_scale,
    no_change,
    no_op_verdict,
    percentile_criterion,
    single_unit,
)

if TYPE_CHECKING:
    from ..subject.subject import Subject
    from .target import Members, Target

__all__ = ["SPEC", "check", "judge", "level"]

SPEC = CheckSpec(
    name="activation",
    summary="sufficiency: driving the unit on contrast images to its concept level moves the output the "
    "claimed way",
    params=(
        Param(
            "value",
            "str",
            "level to drive to: 'concept-median', 'concept-quantile:Q' (Q in 0-1) or a number as a string",
            "concept-median",
            default="concept-median",
            pattern=r"^(concept-median|concept-quantile:(0(\.\d+)?|1(\.0+)?)|-?\d+(\.\d+)?)$",
        ),
        OUTPUT,
        NORMALISE,
        Param(
            "direction",
            "str",
            "the claimed direction of the output change",
            "up",
            default="up",
            choices=("up", "down"),
        ),
        Param(
            "min_effect",
            "float",
            "lower CI bound of the mean output change on contrast images (in the claimed direction) must "
            "reach this; holding also needs the drive to be selective (it moves contrast images more than "
            "concept ones, p < alpha)",
            0.2,
            required=True,
            low=0.0,
        ),
        PERCENTILE,
    ),
    needs=frozenset({"units", "concept", "contrast"}),
)


def level(concept_values: np.ndarray, spec: str) -> float:
    """The drive level from the unit's discovery-split values on the concept: 'concept-median',
    'concept-quantile:Q' or a number."""
    if spec == "concept-median":
        return float(np.median(concept_values))
    if spec.startswith("concept-quantile:"):
        return float(np.quantile(concept_values, float(spec.split(":", 1)[1])))
    return float(spec)


def check(
    subject: Subject,
    target: Target,
    concept: Members,
    contrast: Members,
    params: dict,
    seed: int,
    confidence: float,
) -> Verdict:
    """Drive the unit to its concept level (discovery split) on test images; judge the output changes."""
    from ..subject.units import UnitSet

    unit = single_unit(target, "activation")
    at = target.site
    drive = level(
        subject.values(target.layer, subject.DISCOVERY, site=at)[concept.train, unit], params["value"]
    )
    scale, scaled = effect_scale(subject, concept, params.get("normalise", "raw"), params["output"])
    concept, contrast = concept.test, contrast.test
    rows = np.concatenate([contrast, concept])
    effects = subject.intervene(
        UnitSet(target.layer, (unit,), subject.layers), "clamp", rows=rows, value=drive, site=at
    )
    change = effects.change(params["output"]) / scale
    layer_effects = layer_bounds = None
    if params.get("min_layer_percentile") is not None:
        layer_effects, layer_bounds = _drive_layer(
            subject, target.layer, unit, drive, contrast, params, at, confidence
        )
        layer_effects = layer_effects / scale
    verdict = judge(
        change[: len(contrast)],
        change[len(contrast) :],
        params,
        layer_effects=layer_effects,
        layer_bounds=layer_bounds,
        confidence=confidence,
        seed=seed,
        drive=drive,
        scaled=scaled,
    )
    if scaled:
        verdict.details["scale"] = scale
    return verdict


def _drive_layer(
    subject: Subject,
    layer: str,
    unit: int,
    drive: float,
    contrast: np.ndarray,
    params: dict,
    site: str,
    confidence: float = 0.99,
) -> tuple[np.ndarray, tuple[float, float]]:
    """Mean change when each unit of the layer is driven on contrast images by as many of its own SDs
    (never below the lowest value the unit takes at ``site``, e.g. 0 after a ReLU), and the CI over images
    of this unit's percentile among them."""
    from ..stats import estimates

    train = subject.values(layer, subject.DISCOVERY, site=site)
    spread = train.std(axis=0) + 1e-12
    shift_sd = (drive - train[:, unit].mean()) / spread[unit]
    targets = train.mean(axis=0) + shift_sd * spread  # (U,): each unit's own mean + as many of its SDs
    targets = np.maximum(targets, train.min(axis=0))
    change = -subject.sweep_damage(
        layer, "clamp", params["output"], values=targets, rows=contrast, site=site
    )  # (U, n_contrast)
    signed = (1.0 if params["direction"] == "up" else -1.0) * change
    bounds = estimates.percentile_bounds(signed[unit] - np.delete(signed, unit, axis=0), None, confidence)
    return signed.mean(axis=1), bounds


def judge(
    changes: np.ndarray,
    concept_changes: np.ndarray,
    params: dict,
    *,
    layer_effects: np.ndarray | None = None,
    layer_bounds: tuple[float, float] | None = None,
    confidence: float = 0.99,
    seed: int = 0,
    drive: float | None = None,
    scaled: str = "",
) -> Verdict:
    """The verdict from per-image output changes (after - before) when driven: on contrast images
    (``changes``) and on concept images (``concept_changes``), signed by ``direction``."""
    from ..stats import estimates

    alpha = 1 - confidence
    sign = 1.0 if params["direction"] == "up" else -1.0
    statistic = (
        f"mean change of {params['output']} ({params['direction']}) on contrast images driven to "
        f"{params['value']}{scaled}"
    )
    if no_change(changes):
        return _no_op(statistic, params, len(changes), len(concept_changes), confidence, seed, drive)
    est = estimates.mean(sign * changes, confidence)
    selective = estimates.mean_difference(sign * changes, sign * concept_changes, confidence)
    # each criterion's CI and p-value describe the same quantity
    criteria = [
        Criterion.from_estimate("min_effect", statistic, est, threshold=params["min_effect"], alpha=alpha),
        Criterion.from_estimate(
            "selective",
            f"mean change on contrast - on concept images driven to {params['value']}{scaled}",
            selective,
            threshold=None,
            alpha=alpha,
            note="the drive moves contrast images more than concept ones, which already sit near the level",
        ),
    ]
    details: dict = {
        "output": params["output"],
        "direction": params["direction"],
        "value": params["value"],
        "drive_level": drive,
        "selectivity_of_drive": [selective.value, selective.low, selective.high, selective.p],
    }
    if params.get("min_layer_percentile") is not None and layer_effects is not None:
        criteria.append(
            percentile_criterion(
                f"percentile among {len(layer_effects)} units of the layer "
                "driven by the same number of standard deviations",
                est.value,
                layer_effects,
                params["min_layer_percentile"],
                layer_bounds,
                details,
            )
        )
    rule = (
        f"CI lower bound of the mean change on contrast images >= min_effect (one-sided p < {alpha:g}), and "
        f"the change larger on contrast than on concept images (one-sided p < {alpha:g}); each p from its "
        "own interval"
    )
    n = {"contrast": len(changes), "concept": len(concept_changes)}
    verdict = Verdict("activation", criteria, n, confidence, seed, rule, details)
    if est.why or selective.why:
        verdict.to_decide = (
            "more images whose output the drive changes (more contrast images, or a level the unit "
            'passes on for more of them, e.g. value = "concept-quantile:0.9")'
        )
    elif criteria[0].outcome == "inconclusive" and params["min_effect"] is not None:
        need = estimates.images_to_decide(est, params["min_effect"])
        if need:
            verdict.to_decide = f"about {need} contrast images, if the change stays near {est.value:.3g}"
    return verdict


def _no_op(
    statistic: str,
    params: dict,
    contrast: int,
    concept: int,
    confidence: float,
    seed: int,
    drive: float | None,
) -> Verdict:
    """Driving the unit changed no contrast image's output: nothing was tested, so the verdict is
    inconclusive."""
    level = f"{params['value']} ({drive:.4g})" if drive is not None else params["value"]
    why = (
        f"driving the unit to {level} changed {params['output']} on none of the {contrast} contrast "
        "images: that level is where the unit already acts on them (e.g. at or below its off point)"
    )
    fix = (
        'drive to a level the unit passes on for the concept, e.g. value = "concept-quantile:0.9" '
        "(`lenet inspect` shows where it fires)"
    )
    n = {"contrast": contrast, "concept": concept}
    details = {key: params[key] for key in ("output", "direction", "value")} | {"drive_level": drive}
    return no_op_verdict(
        "activation", statistic, params["min_effect"], why, fix, n, confidence, seed, details
    )
