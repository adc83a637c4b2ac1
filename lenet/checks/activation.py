"""The ``activation`` check (selective activation, sufficiency): does driving the unit move the output?

The unit is driven, on contrast test images, to a level taken from the concept
on the *discovery* split (its median, or a quantile) and the per-image change
of the named output is measured in the claimed direction. The level is fixed
before any test image is seen; the mean change on contrast images gets a
bootstrap-t CI whose lower bound is compared with ``min_effect``. The p-value asks whether the
drive is *selective*: a one-sided permutation test that it moves the output
more on contrast images than on concept images driven to the same level (those
already sit there). Under a null where concept and contrast are exchangeable
the two are exchangeable too, so the test's error rate is measurable on real
nulls (see calibration). ``min_layer_percentile`` compares
the mean change with driving every other unit of the layer by the same amount
in units of each unit's own spread (its discovery-split standard deviation):
an effect size, not a p-value.
"""

from __future__ import annotations

import numpy as np

from .. import stats
from ..verdict import Criterion, Verdict

__all__ = ["judge", "level"]


def level(concept_values: np.ndarray, spec: str) -> float:
    """The drive level from the unit's discovery-split values on the concept: 'concept-median', 'concept-quantile:Q' or a number."""
    if spec == "concept-median":
        return float(np.median(concept_values))
    if spec.startswith("concept-quantile:"):
        return float(np.quantile(concept_values, float(spec.split(":", 1)[1])))
    return float(spec)


def judge(changes: np.ndarray, concept_changes: np.ndarray, params: dict, *, layer_effects: np.ndarray | None = None,
          confidence: float = 0.99, seed: int = 0, drive: float | None = None, permutations: int = 4999) -> Verdict:
    """The verdict from per-image output changes (after - before) when driven: on contrast images (``changes``)
    and on concept images (``concept_changes``), signed by ``direction``."""
    alpha = 1 - confidence
    sign = 1.0 if params["direction"] == "up" else -1.0
    est = stats.mean(sign * changes, confidence, seed)
    selective = stats.mean_difference(sign * changes, sign * concept_changes, confidence, permutations, seed)
    p = selective.p
    est = stats.Estimate(est.value, est.low, est.high, p, est.n, est.method)
    criteria = [Criterion("min_effect", f"mean change of {params['output']} ({params['direction']}) on contrast images driven to "
                          f"{params['value']}", est.value, est.low, est.high, params["min_effect"], "min",
                          stats.decide(est, params["min_effect"], "min", alpha), p=p)]
    details: dict = {"output": params["output"], "direction": params["direction"], "value": params["value"], "drive_level": drive,
                     "selectivity_of_drive": [selective.value, selective.low, selective.high, selective.p]}
    if params.get("min_layer_percentile") is not None and layer_effects is not None:
        rank = stats.percentile_rank(est.value, layer_effects)
        details.update(layer_percentile=rank, layer_size=len(layer_effects))
        criteria.append(Criterion("min_layer_percentile", f"percentile among {len(layer_effects)} units of the layer driven "
                                  "by the same number of standard deviations", rank, None, None, params["min_layer_percentile"],
                                  "min", "holds" if rank >= params["min_layer_percentile"] else "refuted",
                                  note="effect size, not a p-value"))
    verdict = Verdict("activation", criteria, {"contrast": len(changes), "concept": len(concept_changes)}, confidence, seed,
                      "CI lower bound of the mean change on contrast images >= min_effect, and the change larger on contrast "
                      f"than on concept images (permutation p < {alpha:g})", details)
    if criteria[0].outcome == "inconclusive" and params["min_effect"] is not None:
        need = stats.images_to_decide(est, params["min_effect"])
        verdict.to_decide = f"about {need} contrast images, if the change stays near {est.value:.3g}" if need else None
    return verdict
