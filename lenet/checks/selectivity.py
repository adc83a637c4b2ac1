"""The ``selectivity`` check: does the unit fire more on the concept than on the contrast?

AUROC = U / (n1 n2) of the unit's activation on concept vs contrast test
images; one-sided Mann-Whitney p-value; DeLong CI on the logit scale. Holds
when the test rejects "no selectivity" at alpha = 1 - confidence and the CI's
lower bound clears ``min_auroc`` and, with ``baseline`` on, the random-feature
baseline (99th percentile of untrained networks' units; of their best unit when
the claim selected its unit). For a unit set, every unit must hold. The class
selectivity index (Morcos et al. 2018) is reported descriptively.
"""

from __future__ import annotations

import numpy as np

from .. import stats
from ..subject import Subject
from ..verdict import Criterion, Verdict
from .baseline import baseline as random_baseline

__all__ = ["selectivity"]


def _baseline_criterion(unit: str, est: stats.Estimate, bar: float, selected: bool) -> Criterion:
    outcome = "holds" if est.low >= bar else "refuted" if est.high < bar else "inconclusive"
    which = "best unit per untrained network" if selected else "untrained networks' units"
    return Criterion(f"baseline[{unit}]", f"AUROC CI vs 99th percentile of {which}", est.value, est.low, est.high, bar, "min", outcome)


def selectivity(subject: Subject, layer: str, units: list[int], concept: np.ndarray, contrast: np.ndarray, params: dict,
                seed: int = 0, confidence: float = 0.99, selected: bool = False) -> Verdict:
    """Check selectivity of each unit in ``units`` of ``layer`` for test-split ``concept`` vs ``contrast`` indices."""
    values = subject.values(layer, "test")  # (N, U)
    alpha = 1 - confidence
    criteria, details = [], {"class_selectivity_index": {}, "auroc": {}}
    bar = None
    if params.get("baseline", True):
        base = random_baseline(layer, subject.split("test").images, concept, contrast, selected=selected)
        bar = base.bar(selected)
        details["baseline"] = {"p99": bar, "networks": int(base.aurocs.shape[0]), "kind": "best unit" if selected else "all units"}
    labels = subject.split("test").labels.numpy()
    for unit in units:
        name = f"{layer}:{unit}"
        est = stats.auroc(values[concept, unit], values[contrast, unit], confidence)
        criteria.append(Criterion(f"min_auroc[{name}]" if len(units) > 1 else "min_auroc", "AUROC(concept vs contrast)",
                                  est.value, est.low, est.high, params["min_auroc"], "min",
                                  stats.decide(est, params["min_auroc"], "min", alpha), p=est.p))
        if bar is not None:
            criteria.append(_baseline_criterion(name, est, bar, selected))
        rectified = np.maximum(values[:, unit], 0)
        details["class_selectivity_index"][name] = stats.class_selectivity_index([rectified[labels == c].mean() for c in range(10)])
        details["auroc"][name] = [est.value, est.low, est.high, est.p]
    verdict = Verdict("selectivity", criteria, {"concept": len(concept), "contrast": len(contrast)}, confidence, seed,
                      f"AUROC CI lower bound >= min_auroc (and the baseline), Mann-Whitney p < {alpha:g}", details)
    if verdict.outcome == "inconclusive":
        est = stats.Estimate(*details["auroc"][f"{layer}:{units[0]}"][:3], 0.0, (len(concept), len(contrast)), "")
        need = stats.images_to_decide(est, max(params["min_auroc"], bar or 0.0))
        verdict.to_decide = f"about {need} images per group, if the AUROC stays near {est.value:.3f}" if need else None
    return verdict
