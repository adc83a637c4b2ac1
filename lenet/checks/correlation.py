"""The ``correlation`` check (Morcos et al. 2018's test): do two per-unit scores of a layer go together?

Spearman's rho across the layer's units between two per-unit scores (on the
test split), with a Fisher-z CI over units (inconclusive below 16 units), bounded from below (``min_rho``)
or above (``max_rho``: "about zero or below").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import InvalidConfig
from ..keys import CheckSpec, Param
from ..stats.verdict import Criterion, Verdict

if TYPE_CHECKING:
    from ..subject.subject import Subject
    from .target import Members, Target

__all__ = ["SPEC", "check", "judge", "score"]

SPEC = CheckSpec(
    name="correlation",
    summary="Spearman correlation across a layer's units between two per-unit scores, with a Fisher-z CI",
    params=(
        Param(
            "x",
            "str",
            "first per-unit score: 'class-selectivity', 'selectivity:CONCEPT', 'ablation:CLASS'",
            "class-selectivity",
            required=True,
        ),
        Param("y", "str", "second per-unit score, same forms", "ablation:7", required=True),
        Param("min_rho", "float", "lower CI bound must reach this", 0.3, low=-1.0, high=1.0),
        Param(
            "max_rho",
            "float",
            "upper CI bound must stay at or below this ('about zero or below': e.g. 0.1)",
            0.1,
            low=-1.0,
            high=1.0,
        ),
    ),
    needs=frozenset({"layer"}),
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
    """Both scores of every unit of the target's layer, judged."""
    layer = target.layer
    return judge(
        score(subject, layer, params["x"], target.site),
        score(subject, layer, params["y"], target.site),
        params,
        confidence=confidence,
        seed=seed,
    )


def score(subject: Subject, layer: str, spec: str, site: str) -> np.ndarray:
    """A per-unit score ``(U,)`` of the layer at ``site`` on the test split: 'class-selectivity',
    'selectivity:CONCEPT', 'ablation[:CLASS]'."""
    from ..stats import estimates

    test = subject.CONFIRMATION
    values, labels = subject.values(layer, test, site=site), subject.split(test).labels.numpy()
    if spec == "class-selectivity":
        means = np.stack(
            [np.maximum(values[labels == c], 0).mean(axis=0) for c in range(len(subject.classes))]
        )
        return np.array([estimates.class_selectivity_index(means[:, u]) for u in range(values.shape[1])])
    if spec.startswith("selectivity:"):
        members = subject.members(spec.split(":", 1)[1], test)
        rest = np.setdiff1d(np.arange(len(labels)), members)
        return estimates.auroc_columns(values[members], values[rest])
    if spec == "ablation" or spec.startswith("ablation:"):
        damage = subject.sweep_damage(layer, "zero", "accuracy", site=site)  # (U, N)
        rows = labels == int(spec.split(":")[1]) if ":" in spec else np.ones(len(labels), bool)
        return damage[:, rows].mean(axis=1)
    raise InvalidConfig(
        f"score {spec!r} is unknown; use 'class-selectivity', 'selectivity:CONCEPT', "
        "'ablation' or 'ablation:CLASS'."
    )


def judge(
    x: np.ndarray,
    y: np.ndarray,
    params: dict,
    *,
    confidence: float = 0.99,
    seed: int = 0,
) -> Verdict:
    """The verdict from two per-unit scores ``(U,)``: rho's CI against ``min_rho`` and/or ``max_rho``."""
    from ..stats import estimates

    alpha = 1 - confidence
    lower, upper = params.get("min_rho"), params.get("max_rho")
    alternative = "less" if upper is not None and lower is None else "greater"
    est = estimates.spearman(x, y, confidence, alternative=alternative)
    statistic = f"Spearman rho({params['x']}, {params['y']}) across units"
    criteria = []
    if lower is not None or upper is None:
        criteria.append(Criterion.from_estimate("min_rho", statistic, est, threshold=lower, alpha=alpha))
    if upper is not None:
        criteria.append(
            Criterion.from_estimate("max_rho", statistic, est, threshold=upper, bound="max", alpha=alpha)
        )
    return Verdict(
        "correlation",
        criteria,
        {"units": len(x)},
        confidence,
        seed,
        "rho's Fisher-z CI clears min_rho from above / stays below max_rho",
        {"x": np.asarray(x).tolist(), "y": np.asarray(y).tolist()},
    )
