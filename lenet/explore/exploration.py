"""The network as the explorer sees it: its discovery split only, standing in for both splits.

A check confirms on the confirmation split. The explorer answers questions on the discovery split instead,
so that exploring never spends the images a claim will be confirmed on: ``Exploration`` wraps a subject and
answers every request for either split from the base's discovery split, and it is the only subject the
explorer's answers see. Untrained copies (the random-feature baseline) are wrapped too, so no path through
a check reaches a confirmation image. Its ``key`` differs from the base's, so nothing an exploration
computes is cached as if it were a confirmation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InvalidConfig
from ..subject.subject import CONFIRMATION, DISCOVERY, Subject

if TYPE_CHECKING:
    import numpy as np

    from ..subject.units import UnitSet

__all__ = ["Exploration", "ConfirmationRefused", "refuse_confirmation"]


class ConfirmationRefused(InvalidConfig):
    """A request named the confirmation split: the explorer reads the discovery split only."""


def refuse_confirmation(split: str | None) -> None:
    """Refuse a request that names any split but the discovery one, saying why and what to do instead."""
    if split in (None, "", DISCOVERY, "discovery"):
        return
    if split in (CONFIRMATION, "confirmation"):
        raise ConfirmationRefused(
            f"split={split!r}: the explorer reads the discovery ({DISCOVERY}) split only, so that a claim's "
            "confirmation images stay unseen; save the question as a claim and run `pytest claims/` to "
            "confirm it."
        )
    raise InvalidConfig(f"split={split!r} is not a split; the explorer reads split={DISCOVERY!r} only.")


class Exploration(Subject):
    """``base`` with its discovery split answering for both splits (see the module docstring)."""

    def __init__(self, base: Subject):
        self.base = base
        self.OFFERS = base.OFFERS  # the base's capabilities (training record, perturbations, trainer)

    def _split(self, name: str) -> str:
        if name not in (DISCOVERY, CONFIRMATION):
            raise InvalidConfig(f"unknown split {name!r}; splits are {DISCOVERY!r} and {CONFIRMATION!r}.")
        return DISCOVERY

    # identity: the base network's weights, under a key of its own
    @property
    def name(self) -> str:
        return f"{self.base.name} (discovery split only: exploration)"

    @property
    def key(self) -> str:
        return f"{self.base.key}-exploration"

    @property
    def family(self) -> str:
        return self.base.family

    @property
    def layers(self):
        return self.base.layers

    @property
    def classes(self):
        return self.base.classes

    def split(self, name: str):
        return self.base.split(self._split(name))

    def members(self, concept: str, split: str) -> np.ndarray:
        return self.base.members(concept, self._split(split))

    def values(self, layer: str, split: str, *, site: str) -> np.ndarray:
        return self.base.values(layer, self._split(split), site=site)

    def outputs(self, split: str) -> np.ndarray:
        return self.base.outputs(self._split(split))

    def image_values(self, images, layer: str, *, site: str, batch: int = 2000) -> np.ndarray:
        return self.base.image_values(images, layer, site=site, batch=batch)

    def all_values(self, images, *, site: str):
        return self.base.all_values(images, site=site)

    def intervene(
        self, units: UnitSet, method: str = "zero", split: str = CONFIRMATION, *, site: str, **options
    ):
        return self.base.intervene(units, method, self._split(split), site=site, **options)

    def sweep_damage(
        self, layer: str, method: str, output: str, split: str = CONFIRMATION, *, site: str, **options
    ):
        return self.base.sweep_damage(layer, method, output, self._split(split), site=site, **options)

    def image_sweep_damage(self, images, labels, layer, method, output, *, site):
        return self.base.image_sweep_damage(images, labels, layer, method, output, site=site)

    def fresh(self, seed: int) -> Subject:
        return Exploration(self.base.fresh(seed))

    @property
    def recorded_layers(self):
        return self.base.recorded_layers

    def record(self):
        return self.base.record()

    def perturb(self, images, perturbation):
        return self.base.perturb(images, perturbation)

    def layer_table(self):
        return self.base.layer_table()

    def check_site(self, layer: str, site: str) -> None:
        return self.base.check_site(layer, site)

    def concepts(self):
        return self.base.concepts()

    def check_concept(self, name: str) -> None:
        return self.base.check_concept(name)
