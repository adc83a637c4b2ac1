"""The ``training`` check: what gradient a unit received for a class while training, and how it fired.

Facts about one recorded training run (the subject's), with no CI: the rule is
stated and the outcome is holds or refuted. Across runs they are checked by
seeds. The original analysis's anomaly: a strong push for a class (e.g. 8)
while the unit's mean activation for that class stays weak or negative.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidConfig
from ..recorder import RECORDED_LAYERS
from ..subject import Subject
from ..verdict import Criterion, Verdict

__all__ = ["training"]


def _last_epoch(record, values: np.ndarray) -> np.ndarray:
    """Mean over the frames of the final epoch: ``(frames, 10) -> (10,)``."""
    final = record.epoch > (np.ceil(record.epoch[-1]) - 1)
    return values[final].mean(axis=0)


def training(subject: Subject, layer: str, unit: int, params: dict, seed: int = 0, confidence: float = 0.99) -> Verdict:
    """Check the sign consistency of a unit's per-class training gradient, and optionally its activation pattern.

    params: ``class``, ``gradient`` ("positive"/"negative"), ``min_consistency``,
    optional ``max_activation`` and ``top_class``.
    """
    if layer not in RECORDED_LAYERS:
        raise InvalidConfig(f"unit {layer}:{unit}: training dynamics are recorded for {', '.join(RECORDED_LAYERS)} only; "
                            f"choose a unit there or drop the [training] table.")
    record = subject.record()
    klass, sign = params["class"], 1.0 if params["gradient"] == "positive" else -1.0
    grads = record.gradient[layer][:, :, unit]  # (frames, 10)
    acts = record.activation[layer][:, :, unit]
    consistency = float((np.sign(grads[:, klass]) == sign).mean())
    final_act = _last_epoch(record, acts)
    mean_grad = grads.mean(axis=0)
    criteria = [Criterion(
        "min_consistency", f"fraction of {record.frames} frames with {params['gradient']} gradient for class {klass}",
        consistency, None, None, params["min_consistency"], "min",
        "holds" if consistency >= params["min_consistency"] else "refuted",
        note="facts of one training run: no CI",
    )]
    if params.get("max_activation") is not None:
        value = float(final_act[klass])
        criteria.append(Criterion("max_activation", f"final-epoch mean activation for class {klass}", value, None, None,
                                  params["max_activation"], "max", "holds" if value <= params["max_activation"] else "refuted"))
    if params.get("top_class") is not None:
        top = int(final_act.argmax())
        criteria.append(Criterion("top_class", f"class with the highest final-epoch mean activation (claimed {params['top_class']})",
                                  float(top), None, None, None, "min", "holds" if top == params["top_class"] else "refuted",
                                  note=f"it is class {top}"))
    rank = int((np.abs(mean_grad) > abs(mean_grad[klass])).sum()) + 1
    return Verdict(
        "training", criteria, {"frames": record.frames}, confidence, seed,
        "every stated rule holds on the recorded training run",
        details={
            "mean_gradient": mean_grad.tolist(), "final_activation": final_act.tolist(),
            "gradient_rank_of_class": rank, "layer": layer, "unit": unit, "subject": subject.name,
        },
    )
