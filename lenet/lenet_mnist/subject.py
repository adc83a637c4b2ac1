"""The built-in subject: LeNet-5 on MNIST (``lenet-mnist``), as ``lenet.subject.subject.Subject`` describes.

A reference seed (committed), another seed (trained into the cache on demand,
with progress shown), or a user's own checkpoint file (no training record unless
it came from ``lenet train``). It offers every capability: a training record,
the fast downstream-only intervention path (rank-1 sweeps for linear-0 and
linear-1), image perturbations, planted units, MNIST style concepts, and its
own ``lenet`` commands (``lenet.lenet_mnist.commands``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import MissingRecord
from ..subject.subject import CONFIRMATION, DISCOVERY, Subject

if TYPE_CHECKING:
    import torch

    from ..subject.effects import Effects
    from ..subject.layers import Layer
    from ..subject.perturbation import Perturbation
    from ..subject.plant import Plant
    from ..subject.units import UnitSet
    from .checkpoint import Checkpoint
    from .data import Split
    from .model import LeNet5
    from .recorder import TrainingRecord

__all__ = ["LenetMnist"]

#: The built-in subject's own `lenet` commands, in no particular order (lenet.cli orders --help).
COMMANDS = {
    name: f"lenet.lenet_mnist.commands.{name}"
    for name in ("train", "cache", "data", "concepts", "inspect", "movie")
}


@dataclass(eq=False)
class LenetMnist(Subject):
    """A LeNet-5 on MNIST under study. ``seed`` is None for a checkpoint file or a derived network."""

    checkpoint: Checkpoint
    seed: int | None

    COMMANDS = COMMANDS
    OFFERS = frozenset({"record", "perturbations", "trainer"})

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

    # layers: ``layers``, ``layer`` and ``reduce`` are the protocol's, over ``layer_table()`` (below) ----

    # data -------------------------------------------------------------------------------------------

    @property
    def classes(self) -> tuple[str, ...]:
        """The class names, indexed by label: MNIST's digits ``"0"`` ... ``"9"``."""
        return tuple(str(digit) for digit in range(10))

    def split(self, name: str) -> Split:
        """The ``train`` (discovery) or ``test`` (confirmation) split:
        images ``(N, 1, 28, 28)``, labels ``(N,)``."""
        from . import data

        return data.load_split(name)

    def members(self, concept: str, split: str) -> np.ndarray:
        """Sorted indices ``(K,)`` of the named concept's images on ``split``;
        unknown names list the known ones."""
        from . import concepts

        return concepts.concept(concept).indices(split)

    # measurement ------------------------------------------------------------------------------------

    def values(self, layer: str, split: str, *, site: str) -> np.ndarray:
        """Every unit's value at ``site`` per image of a split, ``(N, units)`` float32 (cached for the
        process)."""
        from ..subject.site import check_site

        return _values(self, layer, split, check_site(site))

    def outputs(self, split: str) -> np.ndarray:
        """The logits per image of a split, ``(N, 10)``: ``linear-2``, the same at both sites."""
        return self.values("linear-2", split, site="pre")

    def image_values(self, images: torch.Tensor, layer: str, *, site: str, batch: int = 2000) -> np.ndarray:
        """Every unit's value at ``site`` for images that are not a split (uncached): ``(N, 1, 28, 28) -> (N,
        units)``."""
        from .activations import image_values

        return image_values(self.model, images, layer, batch=batch, site=site)

    def all_values(self, images: torch.Tensor, *, site: str) -> dict[str, np.ndarray]:
        """Every layer's unit values at ``site`` for ``images`` in one forward pass: layer -> ``(N,
        units)``."""
        import torch

        from .model import at_site

        with torch.no_grad():
            return {
                name: self.reduce(at_site(name, pre, site)).numpy()
                for name, pre in self.model.eval().preactivations(images).items()
            }

    def intervene(
        self, units: UnitSet, method: str = "zero", split: str = CONFIRMATION, *, site: str, **options
    ) -> Effects:
        """Edit ``units`` at ``site`` on ``split`` (``interventions.intervene``; ``mean``: over the discovery
        split)."""
        from ..subject.site import check_site
        from .interventions import intervene

        return intervene(
            self.model,
            self.split(split),
            units,
            method,
            key=self.key,
            mean_over=self.split(DISCOVERY),
            site=check_site(site),
            **options,
        )

    def sweep_damage(
        self, layer: str, method: str, output: str, split: str = CONFIRMATION, *, site: str, **options
    ) -> np.ndarray:
        """Per-unit, per-image damage ``(U, N)`` of editing each unit of ``layer`` alone at ``site`` on
        ``split``."""
        from ..subject.site import check_site
        from .interventions import sweep_damage

        return sweep_damage(
            self.model,
            self.split(split),
            layer,
            method,
            output,
            key=self.key,
            mean_over=self.split(DISCOVERY),
            site=check_site(site),
            **options,
        )

    def image_sweep_damage(
        self, images: torch.Tensor, labels: torch.Tensor, layer: str, method: str, output: str, *, site: str
    ) -> np.ndarray:
        """``sweep_damage`` on ``images`` ``(N, 1, 28, 28)`` with ``labels`` ``(N,)`` instead of a split."""
        from ..subject.site import check_site
        from .data import Split
        from .interventions import sweep_damage

        mean_over = self.split(DISCOVERY) if method == "mean" else None
        return sweep_damage(
            self.model,
            Split("images", images, labels),
            layer,
            method,
            output,
            mean_over=mean_over,
            site=check_site(site),
        )

    # other networks of the same architecture ---------------------------------------------------------

    def fresh(self, seed: int) -> LenetMnist:
        """An untrained network of the same architecture, initialised from ``seed`` (global RNG untouched)."""
        return _fresh(seed)

    def derived(self, model: LeNet5, **meta) -> LenetMnist:
        """Another network on the same data (e.g. with a planted unit);
        ``meta`` is kept with its checkpoint."""
        from .checkpoint import Checkpoint, weights_sha256

        return LenetMnist(
            Checkpoint(model.eval(), {"weights_sha256": weights_sha256(model.state_dict()), **meta}), None
        )

    def planted(self, plant: Plant, concept: np.ndarray, contrast: np.ndarray) -> LenetMnist:
        """A copy with a planted detector unit (``planting.Plant``);
        ``concept``/``contrast`` index the discovery split."""
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
                f"{where} has no training record, and this check needs one (per-class gradients "
                "recorded while training). Train the network with `lenet train --seed N` and name "
                "`seed = N` in the claim instead of a checkpoint file; its record is kept with it."
            )
        return cache.training_record(self.seed)

    @staticmethod
    def perturb(images: torch.Tensor, perturbation: Perturbation) -> torch.Tensor:
        """Images with a small named perturbation applied (shift, rotation, stroke): same shape."""
        from .perturb import apply

        return apply(images, perturbation)

    # type level: before any network is loaded ------------------------------------------------------

    @classmethod
    def layer_table(cls) -> dict[str, Layer]:
        """Every layer users can name, in forward order: ``conv-0`` ... ``linear-2`` (the logits)."""
        from .model import LAYERS

        return LAYERS

    @classmethod
    def concepts(cls) -> list[str]:
        """Every concept name: built-ins in their fixed order, then the project's, sorted."""
        from . import concepts

        return concepts.known()

    @classmethod
    def check_concept(cls, name: str) -> None:
        """An ``UnknownConcept`` listing the known names,
        or an ``InvalidConcept``, unless ``name`` is a concept."""
        from . import concepts

        concepts.concept(name)

    @classmethod
    def data_checksums(cls) -> dict:
        """The verified SHA-256 of each MNIST file (a ``LenetError`` when MNIST is missing or altered)."""
        from . import data

        return data.checksums()

    @classmethod
    def reference_seeds(cls) -> list[int]:
        """The seeds with a committed reference checkpoint."""
        from . import reference

        return reference.seeds()

    @classmethod
    def available(cls, seed: int) -> bool:
        """A committed reference, or a complete cache entry (of the default training recipe)."""
        from . import cache, reference
        from .train import TrainConfig

        return reference.entry(seed, TrainConfig()) is not None or cache.find(seed, TrainConfig()) is not None

    @classmethod
    def prepare(cls, seed: int) -> str:
        """Seed ``seed``'s checkpoint made available: ``"reference"``, ``"cache"`` or ``"trained"`` (now)."""
        from . import cache

        return cache.checkpoint(seed).meta.get("source")

    @classmethod
    def retrain(
        cls, seed: int, config=None, mnist_root=None, cache_root=None, progress: bool = True
    ) -> tuple[str, dict, str]:
        """Train ``seed`` again from scratch into the cache,
        replacing its entry: ``(weights_sha256, versions, checkpoint file)``."""
        from . import cache
        from .train import TrainConfig

        entry, _ = cache.entry(
            seed, config or TrainConfig(), mnist_root, cache_root, progress=progress, retrain=True
        )
        return entry.meta["weights_sha256"], entry.meta["versions"], str(entry.folder / "model.pt")

    @classmethod
    def reference(cls, seed: int, config=None, references=None) -> dict | None:
        """The committed reference's manifest entry of ``seed`` trained with ``config``
        (default config), or None."""
        from . import reference

        return reference.entry(seed, config, references)

    @classmethod
    @functools.lru_cache(maxsize=16)
    def load(cls, seed: int = 0, checkpoint: str | None = None) -> LenetMnist:
        """The subject for a seed (reference, cached, or trained now) or for a checkpoint file."""
        from . import cache
        from .checkpoint import load

        if checkpoint is not None:
            return cls(load(Path(checkpoint)), None)
        return cls(cache.checkpoint(seed), seed)


@functools.lru_cache(maxsize=32)
def _values(subject: LenetMnist, layer: str, split: str, site: str) -> np.ndarray:
    from .activations import unit_values

    return unit_values(subject.model, subject.split(split), layer, key=subject.key, site=site)


@functools.lru_cache(maxsize=8)
def _fresh(seed: int) -> LenetMnist:
    from .checkpoint import Checkpoint, weights_sha256
    from .model import untrained

    model = untrained(seed)
    return LenetMnist(
        Checkpoint(model, {"weights_sha256": weights_sha256(model.state_dict()), "untrained_seed": seed}),
        None,
    )
