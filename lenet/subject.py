"""The network a claim is about: a checkpoint with its training record and data splits, loaded once per process.

A subject is a reference seed (committed), another seed (trained into the
cache on demand, with progress shown), or a user's own checkpoint file (which
has no training record unless it came from ``lenet train``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import cache, data
from .checkpoint import Checkpoint, load
from .errors import MissingRecord
from .model import LeNet5
from .recorder import TrainingRecord

__all__ = ["Subject"]


@dataclass(eq=False)
class Subject:
    """A trained LeNet-5 under study. ``seed`` is None for a user's checkpoint file."""

    checkpoint: Checkpoint
    seed: int | None

    @property
    def model(self) -> LeNet5:
        return self.checkpoint.model

    @property
    def name(self) -> str:
        return f"seed {self.seed}" if self.seed is not None else str(self.checkpoint.path)

    @property
    def key(self) -> str:
        """Identifies the weights: per-process caches of activations are keyed by it."""
        return self.checkpoint.weights_sha256

    def split(self, name: str) -> data.Split:
        """The ``train`` (discovery) or ``test`` (confirmation) split."""
        return data.load_split(name)

    def values(self, layer: str, split: str) -> np.ndarray:
        """Every unit's value per image of a split, ``(N, units)`` float32 (conv: spatial mean of the map)."""
        return _values(self, layer, split)

    def record(self) -> TrainingRecord:
        """The training record, or an error saying how to get one."""
        if self.seed is None:
            raise MissingRecord(
                f"{self.checkpoint.path} has no training record, and this check needs one (per-class gradients recorded "
                f"while training). Train the network with `lenet train --seed N` and name `seed = N` in the claim instead "
                f"of a checkpoint file; its record is kept with it."
            )
        return cache.training_record(self.seed)

    @classmethod
    @functools.lru_cache(maxsize=16)
    def load(cls, seed: int = 0, checkpoint: str | None = None) -> "Subject":
        """The subject for a seed (reference, cached, or trained now) or for a checkpoint file."""
        if checkpoint is not None:
            return cls(load(Path(checkpoint)), None)
        return cls(cache.checkpoint(seed), seed)


@functools.lru_cache(maxsize=32)
def _values(subject: Subject, layer: str, split: str) -> np.ndarray:
    from .activations import unit_values

    return unit_values(subject.model, subject.split(split), layer, key=subject.key)
