"""The ``ablation`` check (necessity): does removing the unit hurt the concept more than the contrast?

Per test image, *damage* = output before - output after ablating the unit (or
unit set) with the claim's method. The statistic is mean concept damage - mean
contrast damage: one-sided permutation test over images (so the p-value is not
floored by the layer's size) and a bootstrap-t CI, compared with ``min_effect``.
``min_layer_percentile`` ranks the same number against every unit of the layer
ablated alone (for a set: against random sets of its size); it is an effect
size, reported, not a p-value. ``max_collateral`` bounds the accuracy drop on
images of other classes. The report flags when another method would flip the
verdict.
"""

from __future__ import annotations

import numpy as np

from .. import stats
from ..verdict import Criterion, Verdict

__all__ = ["judge", "PERMUTATIONS"]

PERMUTATIONS = 4999


def judge(concept_damage: np.ndarray, contrast_damage: np.ndarray, params: dict, *, layer_effects: np.ndarray | None = None,
          collateral: np.ndarray | None = None, confidence: float = 0.99, seed: int = 0, label: str = "unit",
          permutations: int = PERMUTATIONS) -> Verdict:
    """The verdict from per-image damage arrays.

    ``layer_effects``: the same concept-minus-contrast number for each unit of the
    layer (or each random set), for ``min_layer_percentile``. ``collateral``:
    per-image correctness lost (1) or gained (-1) on other classes' images.
    """
    alpha = 1 - confidence
    est = stats.mean_difference(concept_damage, contrast_damage, confidence, permutations, seed)
    criteria = [Criterion("min_effect", f"mean damage to {params['output']}, concept - contrast ({params['method']} ablation)",
                          est.value, est.low, est.high, params["min_effect"], "min",
                          stats.decide(est, params["min_effect"], "min", alpha), p=est.p)]
    details: dict = {"method": params["method"], "output": params["output"]}
    if params.get("min_layer_percentile") is not None and layer_effects is not None:
        rank = stats.percentile_rank(est.value, layer_effects)
        details.update(layer_percentile=rank, layer_size=len(layer_effects))
        criteria.append(Criterion("min_layer_percentile", f"percentile of the {label}'s effect among {len(layer_effects)} "
                                  "comparison ablations of its layer", rank, None, None, params["min_layer_percentile"], "min",
                                  "holds" if rank >= params["min_layer_percentile"] else "refuted", note="effect size, not a p-value"))
    if params.get("max_collateral") is not None and collateral is not None:
        drop = stats.mean(collateral, confidence, seed)
        details.update(collateral=drop.value)
        criteria.append(Criterion("max_collateral", "accuracy drop on other classes' images", drop.value, drop.low, drop.high,
                                  params["max_collateral"], "max", stats.decide(drop, params["max_collateral"], "max", alpha)))
    verdict = Verdict("ablation", criteria, {"concept": len(concept_damage), "contrast": len(contrast_damage)}, confidence, seed,
                      f"CI lower bound of the damage difference >= min_effect with permutation p < {alpha:g}"
                      + (", layer percentile >= min_layer_percentile" if params.get("min_layer_percentile") is not None else ""),
                      details)
    if criteria[0].outcome == "inconclusive" and params["min_effect"] is not None:
        need = stats.images_to_decide(est, params["min_effect"])
        verdict.to_decide = f"about {need} images per group, if the effect stays near {est.value:.3g}" if need else None
    return verdict
