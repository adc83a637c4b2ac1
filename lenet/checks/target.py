"""What a claim's checks are about on one subject: the layer and units
(``Target``) and the concept's images (``Members``).

``lenet.run.dispatch`` resolves them from a claim; every check receives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Target", "Members"]


@dataclass(frozen=True)
class Target:
    """What a claim's checks are about on one subject: a layer, its units, and how they were chosen."""

    layer: str
    units: tuple[int, ...]
    selected: bool = False  # chosen by a `select` rule on the discovery split
    scores: tuple[float, ...] = ()  # the selection scores of every unit of the layer, when selected
    site: str = "post"  # where the units are read and edited (lenet.subject.site): the claim's `site`
    by: str | None = None  # the selection score when selected: "selectivity" or "ablation"

    def names(self) -> list[str]:
        return [f"{self.layer}:{u}" for u in self.units]


@dataclass(frozen=True)
class Members:
    """A named concept's images on both splits: ``train`` (discovery) and ``test`` (confirmation) indices."""

    name: str
    train: np.ndarray
    test: np.ndarray
