"""Selection rules: "the top k units of a layer by a named score for a concept",
chosen on discovery data only.

Scores are computed on the training split (discovery), never on the test split
(confirmation), so choosing units spends no confirmation data; the checks then
confirm the chosen units on the test split. The complement ("all the others")
comes with every selection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidConfig
from ..stats import estimates
from ..subject.subject import Subject

__all__ = ["Selection", "select", "SCORES"]

SCORES = ("selectivity", "ablation")


@dataclass(frozen=True)
class Selection:
    """The chosen units of a layer, their complement, and every unit's score on the discovery split."""

    layer: str
    units: tuple[int, ...]  # best first
    complement: tuple[int, ...]
    scores: np.ndarray  # (units of the layer,)
    by: str


def _selectivity_scores(
    subject: Subject, layer: str, concept: np.ndarray, contrast: np.ndarray, site: str
) -> np.ndarray:
    values = subject.values(layer, subject.DISCOVERY, site=site)
    return estimates.auroc_columns(values[concept], values[contrast])


def _ablation_scores(
    subject: Subject, layer: str, concept: np.ndarray, contrast: np.ndarray, site: str
) -> np.ndarray:
    damage = subject.sweep_damage(layer, "zero", "logit:true", split=subject.DISCOVERY, site=site)  # (U, N)
    return damage[:, concept].mean(axis=1) - damage[:, contrast].mean(axis=1)


def select(
    subject: Subject, layer: str, top: int, by: str, concept: np.ndarray, contrast: np.ndarray, *, site: str
) -> Selection:
    """The ``top`` units of ``layer`` by score ``by`` at ``site``; ``concept``/``contrast`` index the
    *training* split."""
    units = subject.layer(layer).units
    if not 1 <= top < units:
        raise InvalidConfig(
            f"select top={top} must be between 1 and {units - 1} for {layer} ({units} units)."
        )
    if by not in SCORES:
        raise InvalidConfig(f"select by={by!r} is unknown; use one of {', '.join(SCORES)}.")
    scores = (_selectivity_scores if by == "selectivity" else _ablation_scores)(
        subject, layer, concept, contrast, site
    )
    order = np.argsort(-scores, kind="stable")
    chosen = tuple(int(u) for u in order[:top])
    return Selection(layer, chosen, tuple(sorted(set(range(units)) - set(chosen))), scores, by)
