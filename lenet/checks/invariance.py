"""The ``invariance`` check: does a unit's selectivity survive small shifts, rotations and stroke changes?

hypothesis searches the box of perturbations allowed by the claim (the same
perturbation applied to every image) for one that drops the unit's AUROC
(concept vs contrast, point estimate on a fixed, seeded subsample of test
images) below ``min_auroc``, and shrinks a failure to the smallest such
perturbation. The search draws from the check's seed, so reruns
agree. Holds when no breaking perturbation is found within ``examples`` tries.
"""

from __future__ import annotations

import random

import numpy as np
import torch
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from .. import stats
from ..model import LeNet5, layer as layer_info
from ..perturb import Perturbation, apply
from ..verdict import Criterion, Verdict

__all__ = ["invariance", "perturbations"]


def perturbations(params: dict) -> st.SearchStrategy[Perturbation]:
    """Perturbations inside the claim's bounds; hypothesis shrinks each field towards 0 (the identity)."""
    shift = st.integers(-params["max_shift"], params["max_shift"])
    degrees = st.floats(-params["max_rotation"], params["max_rotation"], allow_nan=False)
    stroke = st.floats(-params["max_stroke"], params["max_stroke"], allow_nan=False)
    return st.builds(Perturbation, dx=shift, dy=shift, degrees=degrees, stroke=stroke)


@torch.no_grad()
def _values(model: LeNet5, images: torch.Tensor, layer: str, unit: int) -> np.ndarray:
    """One number per image: the unit's pre-activation (spatial mean of the map for a conv channel)."""
    pre = model.preactivations(images)[layer][:, unit]
    return (pre.flatten(1).mean(1) if layer_info(layer).kind == "conv" else pre).numpy()


def _subsample(indices: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(indices, size=min(count, len(indices)), replace=False))


def invariance(model: LeNet5, images: torch.Tensor, layer: str, unit: int, concept: np.ndarray, contrast: np.ndarray,
               params: dict, seed: int = 0, confidence: float = 0.99) -> Verdict:
    """Search for the smallest perturbation that breaks selectivity. ``images``: the test split ``(N, 1, 28, 28)``;
    ``concept``/``contrast``: index arrays into it."""
    rng = np.random.default_rng(seed)
    pos, neg = images[_subsample(concept, params["images"], rng)], images[_subsample(contrast, params["images"], rng)]
    both = torch.cat([pos, neg])

    def auroc_under(p: Perturbation) -> float:
        values = _values(model, apply(both, p), layer, unit)
        return stats.auroc(values[: len(pos)], values[len(pos):]).value

    threshold = params["min_auroc"]
    search = settings(max_examples=params["examples"], database=None, deadline=None, suppress_health_check=list(HealthCheck))
    unperturbed = auroc_under(Perturbation())
    try:
        found = find(perturbations(params), lambda p: auroc_under(p) < threshold, settings=search, random=random.Random(seed))
    except NoSuchExample:
        found = None
    details = {"unperturbed_auroc": unperturbed, "images": (len(pos), len(neg)),
               "bounds": {k: params[k] for k in ("max_shift", "max_rotation", "max_stroke")}, "examples": params["examples"]}
    if found is None:
        criterion = Criterion("min_auroc", f"lowest AUROC found over {params['examples']} perturbations >= threshold",
                              unperturbed, None, None, threshold, "min", "holds", note="no breaking perturbation found")
    else:
        broken = auroc_under(found)
        details.update(counterexample=str(found), counterexample_params=vars(found), counterexample_auroc=broken)
        criterion = Criterion("min_auroc", f"AUROC under the smallest breaking perturbation ({found})", broken, None, None,
                              threshold, "min", "refuted", note=f"unperturbed AUROC {unperturbed:.3f}")
    return Verdict("invariance", [criterion], {"concept": len(pos), "contrast": len(neg)}, confidence, seed,
                   f"holds when hypothesis finds no perturbation within the bounds that drops the AUROC below {threshold:g}",
                   details=details)
