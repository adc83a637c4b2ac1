"""The ``training`` check: what gradient a unit received for a class while training, and how it fired.

Facts about one recorded training run (the subject's), with no CI: the rule is
stated and the outcome is holds or refuted. Across runs they are checked by
seeds. The original analysis's anomaly: a strong push for a class (e.g. 8)
while the unit's mean activation for that class stays weak or negative.

The record holds values at site ``pre`` (mean pre-activations and the gradient with
respect to them), whatever the claim's site; the criteria say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import InvalidConfig
from ..keys import CheckSpec, Param
from ..stats.verdict import Criterion, Verdict
from .common import single_unit

if TYPE_CHECKING:
    from ..subject.subject import Subject
    from .target import Members, Target

__all__ = ["SPEC", "check", "judge"]

SPEC = CheckSpec(
    name="training",
    summary="training dynamics of one run: the sign of the gradient a unit got for a class, and its "
    "activation",
    params=(
        Param("class", "int", "the digit class", 8, required=True, low=0, high=9),
        Param(
            "gradient",
            "str",
            "claimed sign of the mean training gradient for the class (positive = pushed up)",
            "positive",
            required=True,
            choices=("positive", "negative"),
        ),
        Param(
            "min_consistency",
            "float",
            "fraction of recorded frames whose gradient has that sign",
            0.8,
            default=0.8,
            low=0.5,
            high=1.0,
        ),
        Param(
            "max_activation",
            "float",
            "the unit's final mean activation for the class must be at most this (weak); the record's "
            "mean pre-activation, whatever the claim's site",
            0.0,
        ),
        Param(
            "top_class",
            "int",
            "the class with the unit's highest final mean activation must be this one",
            1,
            low=0,
            high=9,
        ),
    ),
    needs=frozenset({"units", "record"}),
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
    """The unit's per-class gradients and activations in the subject's training record, judged."""
    unit = single_unit(target, "training")
    layer = target.layer
    if layer not in subject.recorded_layers:
        raise InvalidConfig(
            f"unit {layer}:{unit}: training dynamics are recorded for "
            f"{', '.join(subject.recorded_layers)} only; choose a unit there or drop the [training] "
            "table."
        )
    record = subject.record()
    gradients = record.gradient[layer][:, :, unit]  # (frames, 10)
    activations = record.activation[layer][:, :, unit]
    site = record.SITE
    verdict = judge(
        gradients, activations, record.epoch, params, confidence=confidence, seed=seed, record_site=site
    )
    verdict.details.update(layer=layer, unit=unit, subject=subject.name, record_site=site)
    return verdict


def _last_epoch(epochs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mean over the frames of the final epoch: ``(frames, 10) -> (10,)``."""
    final = epochs > (np.ceil(epochs[-1]) - 1)
    return values[final].mean(axis=0)


def judge(
    gradients: np.ndarray,
    activations: np.ndarray,
    epochs: np.ndarray,
    params: dict,
    *,
    confidence: float = 0.99,
    seed: int = 0,
    record_site: str = "pre",
) -> Verdict:
    """The verdict from one unit's recorded per-class gradients and activations ``(frames, 10)`` and
    each frame's fractional epoch ``(frames,)``; ``record_site``: where the record read them.

    params: ``class``, ``gradient`` ("positive"/"negative"), ``min_consistency``,
    optional ``max_activation`` and ``top_class``.
    """
    frames = len(gradients)
    klass, sign = params["class"], 1.0 if params["gradient"] == "positive" else -1.0
    consistency = float((np.sign(gradients[:, klass]) == sign).mean())
    final_act = _last_epoch(epochs, activations)
    mean_grad = gradients.mean(axis=0)
    criteria = [
        Criterion(
            name="min_consistency",
            statistic=f"fraction of {frames} frames with {params['gradient']} gradient for class {klass}",
            value=consistency,
            low=None,
            high=None,
            threshold=params["min_consistency"],
            bound="min",
            outcome="holds" if consistency >= params["min_consistency"] else "refuted",
            note=f"exact facts of one recorded training run (gradient with respect to the value at site "
            f"{record_site}): no CI",
        )
    ]
    if params.get("max_activation") is not None:
        value = float(final_act[klass])
        criteria.append(
            Criterion(
                name="max_activation",
                statistic=f"final-epoch mean activation (site {record_site}) for class {klass}",
                value=value,
                low=None,
                high=None,
                threshold=params["max_activation"],
                bound="max",
                outcome="holds" if value <= params["max_activation"] else "refuted",
            )
        )
    if params.get("top_class") is not None:
        top = int(final_act.argmax())
        criteria.append(
            Criterion(
                name="top_class",
                statistic=f"class with the highest final-epoch mean activation (site {record_site}; "
                f"claimed {params['top_class']})",
                value=float(top),
                low=None,
                high=None,
                threshold=None,
                bound="min",
                outcome="holds" if top == params["top_class"] else "refuted",
                note=f"it is class {top}",
            )
        )
    rank = int((np.abs(mean_grad) > abs(mean_grad[klass])).sum()) + 1
    return Verdict(
        "training",
        criteria,
        {"frames": frames},
        confidence,
        seed,
        "every stated rule holds on the recorded training run",
        details={
            "mean_gradient": mean_grad.tolist(),
            "final_activation": final_act.tolist(),
            "gradient_rank_of_class": rank,
        },
    )
