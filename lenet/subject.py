"""The network under study: the one door through which checks, concepts, selection, discovery, matching,
seeds and the report reach a network, its data and its training record.

A subject offers:

- identity: ``name`` (for people), ``key`` (the weights' SHA-256; every cache is keyed by it);
- layers: ``layers`` / ``layer(name)`` (unit count, kind, shape) and one rule for a unit's value per
  image, ``reduce`` (a conv channel's map is reduced to its spatial mean);
- data: the ``DISCOVERY`` (train) and ``CONFIRMATION`` (test) splits (images, labels), ``classes``,
  and ``members(concept, split)`` (a named concept's images on a split);
- measurement: ``values`` (every unit per image of a split, cached), ``image_values`` (for images
  that are not a split), ``intervene`` and ``sweep_damage`` (the fast downstream-only path);
- ``fresh(seed)``: an untrained copy of the same architecture (random-feature baselines, matching nulls);
- optional capabilities: ``record()`` (training record), ``perturb`` (image perturbations),
  ``planted(...)`` (a copy with a planted detector, for calibration); training a seed is
  ``Subject.load(seed)``'s business (reference checkpoints, then the cache, then training).

Today the only subject is LeNet-5 on MNIST: a reference seed (committed), another seed (trained into the
cache on demand, with progress shown), or a user's own checkpoint file (no training record unless it
came from ``lenet train``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import MissingRecord

if TYPE_CHECKING:
    import torch

    from .checkpoint import Checkpoint
    from .data import Split
    from .interventions import Effects
    from .model import Layer, LeNet5
    from .perturb import Perturbation
    from .planting import Plant
    from .recorder import TrainingRecord
    from .units import UnitSet

__all__ = ["Subject", "DISCOVERY", "CONFIRMATION"]

DISCOVERY = "train"  # choose units, draw pictures, set levels: never used to confirm
CONFIRMATION = "test"  # check claims


@dataclass(eq=False)
class Subject:
    """A LeNet-5 on MNIST under study. ``seed`` is None for a checkpoint file or a derived network."""

    checkpoint: Checkpoint
    seed: int | None

    DISCOVERY = DISCOVERY
    CONFIRMATION = CONFIRMATION

    # identity ---------------------------------------------------------------------------------------

    @property
    def model(self) -> LeNet5:
        return self.checkpoint.model

    @property
    def name(self) -> str:
        if self.seed is not None:
            return f"seed {self.seed}"
        return str(self.checkpoint.path) if self.checkpoint.path is not None else f"network {self.key[:12]}"

    @property
    def key(self) -> str:
        """Identifies the weights: caches of activations, baselines and matching nulls are keyed by it."""
        return self.checkpoint.weights_sha256

    # layers -----------------------------------------------------------------------------------------

    @property
    def layers(self) -> dict[str, Layer]:
        """Every layer users can name, in forward order: ``conv-0`` ... ``linear-2`` (the logits)."""
        from .model import LAYERS

        return LAYERS

    def layer(self, name: str) -> Layer:
        """The layer called ``name``; an unknown name raises an error listing the valid ones."""
        from .model import layer

        return layer(name)

    @staticmethod
    def reduce(values: torch.Tensor) -> torch.Tensor:
        """One number per image and unit from a layer's output: ``(N, U[, H, W]) -> (N, U)``."""
        from .activations import per_unit

        return per_unit(values)

    # data -------------------------------------------------------------------------------------------

    @property
    def classes(self) -> tuple[str, ...]:
        """The class names, indexed by label: MNIST's digits ``"0"`` ... ``"9"``."""
        return tuple(str(digit) for digit in range(10))

    def split(self, name: str) -> Split:
        """The ``train`` (discovery) or ``test`` (confirmation) split: images ``(N, 1, 28, 28)``, labels ``(N,)``."""
        from . import data

        return data.load_split(name)

    def members(self, concept: str, split: str) -> np.ndarray:
        """Sorted indices ``(K,)`` of the named concept's images on ``split``; unknown names list the known ones."""
        from . import concepts

        return concepts.concept(concept).indices(split)

    # measurement ------------------------------------------------------------------------------------

    def values(self, layer: str, split: str) -> np.ndarray:
        """Every unit's value per image of a split, ``(N, units)`` float32 (cached for the process)."""
        return _values(self, layer, split)

    def image_values(self, images: torch.Tensor, layer: str, batch: int = 2000) -> np.ndarray:
        """Every unit's value for images that are not a split (uncached): ``(N, 1, 28, 28) -> (N, units)``."""
        from .activations import image_values

        return image_values(self.model, images, layer, batch=batch)

    def all_values(self, images: torch.Tensor) -> dict[str, np.ndarray]:
        """Every layer's unit values for ``images`` in one forward pass: layer -> ``(N, units)`` (uncached)."""
        import torch

        with torch.no_grad():
            return {name: self.reduce(pre).numpy() for name, pre in self.model.eval().preactivations(images).items()}

    def intervene(self, units: UnitSet, method: str = "zero", split: str = CONFIRMATION, **options) -> Effects:
        """Edit ``units`` on ``split`` (``interventions.intervene``; ``mean`` is over the discovery split)."""
        from .interventions import intervene

        return intervene(self.model, self.split(split), units, method, key=self.key, mean_over=self.split(DISCOVERY),
                         **options)

    def sweep_damage(self, layer: str, method: str, output: str, split: str = CONFIRMATION, **options) -> np.ndarray:
        """Per-unit, per-image damage ``(U, N)`` of editing each unit of ``layer`` alone on ``split``."""
        from .interventions import sweep_damage

        return sweep_damage(self.model, self.split(split), layer, method, output, key=self.key,
                            mean_over=self.split(DISCOVERY), **options)

    # other networks of the same architecture ---------------------------------------------------------

    def fresh(self, seed: int) -> Subject:
        """An untrained network of the same architecture, initialised from ``seed`` (global RNG untouched)."""
        return _fresh(seed)

    def derived(self, model: LeNet5, **meta) -> Subject:
        """Another network on the same data (e.g. with a planted unit); ``meta`` is kept with its checkpoint."""
        from .checkpoint import Checkpoint, weights_sha256

        return Subject(Checkpoint(model.eval(), {"weights_sha256": weights_sha256(model.state_dict()), **meta}), None)

    def planted(self, plant: Plant, concept: np.ndarray, contrast: np.ndarray) -> Subject:
        """A copy with a planted detector unit (``planting.Plant``); ``concept``/``contrast`` index the discovery split."""
        from .planting import planted_model

        model = planted_model(self.model, self.split(DISCOVERY).images, plant, concept, contrast)
        return self.derived(model, planted=vars(plant))

    # optional capabilities --------------------------------------------------------------------------

    @property
    def recorded_layers(self) -> tuple[str, ...]:
        """The layers a training record covers (per-class gradients and activations)."""
        from .recorder import RECORDED_LAYERS

        return RECORDED_LAYERS

    def record(self) -> TrainingRecord:
        """The training record, or an error saying how to get one."""
        from . import cache

        if self.seed is None:
            where = self.checkpoint.path or "this network"
            raise MissingRecord(
                f"{where} has no training record, and this check needs one (per-class gradients recorded "
                f"while training). Train the network with `lenet train --seed N` and name `seed = N` in the claim instead "
                f"of a checkpoint file; its record is kept with it."
            )
        return cache.training_record(self.seed)

    @staticmethod
    def perturb(images: torch.Tensor, perturbation: Perturbation) -> torch.Tensor:
        """Images with a small named perturbation applied (shift, rotation, stroke): same shape."""
        from .perturb import apply

        return apply(images, perturbation)

    @classmethod
    @functools.lru_cache(maxsize=16)
    def load(cls, seed: int = 0, checkpoint: str | None = None) -> Subject:
        """The subject for a seed (reference, cached, or trained now) or for a checkpoint file."""
        from . import cache
        from .checkpoint import load

        if checkpoint is not None:
            return cls(load(Path(checkpoint)), None)
        return cls(cache.checkpoint(seed), seed)


@functools.lru_cache(maxsize=32)
def _values(subject: Subject, layer: str, split: str) -> np.ndarray:
    from .activations import unit_values

    return unit_values(subject.model, subject.split(split), layer, key=subject.key)


@functools.lru_cache(maxsize=8)
def _fresh(seed: int) -> Subject:
    from .checkpoint import Checkpoint, weights_sha256
    from .model import untrained

    model = untrained(seed)
    return Subject(Checkpoint(model, {"weights_sha256": weights_sha256(model.state_dict()), "untrained_seed": seed}), None)
