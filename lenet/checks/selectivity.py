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

__all__ = ["judge", "selectivity"]


def judge(concept_values: dict[str, np.ndarray], contrast_values: dict[str, np.ndarray], params: dict, *,
          bar: float | None = None, selected: bool = False, confidence: float = 0.99, seed: int = 0) -> Verdict:
    """The verdict from each unit's values on concept and contrast images (unit name -> ``(n,)`` arrays).

    ``bar``: the random-feature baseline's AUROC to clear (None: no baseline).
    """
    alpha = 1 - confidence
    criteria, details = [], {"auroc": {}}
    for name in concept_values:
        est = stats.auroc(concept_values[name], contrast_values[name], confidence)
        key = f"min_auroc[{name}]" if len(concept_values) > 1 else "min_auroc"
        criteria.append(Criterion(key, "AUROC(concept vs contrast)", est.value, est.low, est.high, params["min_auroc"], "min",
                                  stats.decide(est, params["min_auroc"], "min", alpha), p=est.p))
        if bar is not None:
            outcome = "holds" if est.low >= bar else "refuted" if est.high < bar else "inconclusive"
            which = "each untrained network's best unit" if selected else "untrained networks' units"
            criteria.append(Criterion(f"baseline[{name}]" if len(concept_values) > 1 else "baseline",
                                      f"AUROC CI vs the 99th percentile of {which}", est.value, est.low, est.high, bar, "min", outcome))
        details["auroc"][name] = est
    n = {"concept": len(next(iter(concept_values.values()))), "contrast": len(next(iter(contrast_values.values())))}
    verdict = Verdict("selectivity", criteria, n, confidence, seed,
                      f"AUROC CI lower bound >= min_auroc{' and the baseline' if bar is not None else ''}, "
                      f"Mann-Whitney p < {alpha:g}", {"auroc": {k: [e.value, e.low, e.high, e.p] for k, e in details["auroc"].items()}})
    if verdict.outcome == "inconclusive" and params["min_auroc"] is not None:
        est = next(iter(details["auroc"].values()))
        need = stats.images_to_decide(est, max(params["min_auroc"], bar or 0.0))
        verdict.to_decide = f"about {need} images per group, if the AUROC stays near {est.value:.3f}" if need else None
    return verdict


def selectivity(subject: Subject, layer: str, units: list[int], concept: np.ndarray, contrast: np.ndarray, params: dict,
                seed: int = 0, confidence: float = 0.99, selected: bool = False) -> Verdict:
    """Check each unit of ``units`` in ``layer`` on the test split; ``concept``/``contrast`` are test-split indices."""
    values = subject.values(layer, "test")  # (N, U)
    bar, base = None, None
    if params.get("baseline", True):
        base = random_baseline(subject, layer, "test", concept, contrast, selected=selected)
        bar = base.bar(selected)
    names = {f"{layer}:{u}": u for u in units}
    verdict = judge({k: values[concept, u] for k, u in names.items()}, {k: values[contrast, u] for k, u in names.items()},
                    params, bar=bar, selected=selected, confidence=confidence, seed=seed)
    labels = subject.split("test").labels.numpy()
    verdict.details["class_selectivity_index"] = {
        k: stats.class_selectivity_index([np.maximum(values[labels == c, u], 0).mean() for c in range(10)]) for k, u in names.items()
    }
    if base is not None:
        verdict.details["baseline"] = {"p99": bar, "networks": int(base.aurocs.shape[0]), "kind": "best unit" if selected else "all units"}
    return verdict
