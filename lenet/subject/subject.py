"""What every subject offers: the one door through which checks, selection, discovery, matching, seeds,
calibration and the report reach a network, its data and its training record.

A subject is a network under study with its data. ``lenet.subjects`` names the
subject types (the built-in one is ``lenet.lenet_mnist.subject.LenetMnist``) and
loads them; code above it sees only this interface:

- identity: ``name`` (for people), ``key`` (the weights' SHA-256; every cache is keyed by it);
- layers: ``layers`` / ``layer(name)`` (unit count, kind, shape) and one rule for a unit's value per
  image, ``reduce`` (a conv channel's map is reduced to its spatial mean);
- data: the ``DISCOVERY`` (train) and ``CONFIRMATION`` (test) splits (images, labels), ``classes``,
  and ``members(concept, split)`` (a named concept's images on a split);
- measurement: ``values`` (every unit per image of a split, cached), ``image_values`` and
  ``all_values`` (for images that are not a split), ``intervene`` and ``sweep_damage``; each names
  its ``site`` (``lenet.subject.site``: ``pre`` or ``post`` the layer's nonlinearity), never a default;
- other networks: ``fresh(seed)`` (an untrained copy of the same architecture: random-feature
  baselines, matching nulls), ``derived(model)``, ``planted(...)`` (a copy with a planted detector);
- optional capabilities: ``record()`` and ``recorded_layers`` (training record), ``perturb``
  (image perturbations);
- type-level, before any network is loaded (class methods): ``load(seed, checkpoint)``,
  ``layer_table()`` (the layers claim files are validated against), ``concepts()`` / ``check_concept(name)``,
  ``data_checksums()`` (for a run's provenance), ``reference_seeds()``, ``prepare(seed)``,
  ``retrain(seed)`` and ``reference(seed)`` (trained seeds), ``COMMANDS`` (its ``lenet`` commands).

Everything here either raises ``NotImplementedError`` naming the capability or is the generic
implementation (``layer``, ``reduce``, the split names). The trap: a subject caches by ``key``, so
two subjects with the same weights share cached values; give a changed network a new key
(``derived`` does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from .layers import Layer, find

if TYPE_CHECKING:
    import numpy as np
    import torch

    from .effects import Effects
    from .perturbation import Perturbation
    from .plant import Plant
    from .units import UnitSet

__all__ = ["Subject", "DISCOVERY", "CONFIRMATION"]

DISCOVERY = "train"  # choose units, draw pictures, set levels: never used to confirm
CONFIRMATION = "test"  # check claims


class Subject:
    """A network under study with its data;
    subclasses implement what they offer (see the module docstring)."""

    DISCOVERY: ClassVar[str] = DISCOVERY
    CONFIRMATION: ClassVar[str] = CONFIRMATION
    COMMANDS: ClassVar[dict[str, str]] = {}  # `lenet` command name -> module (HELP, add_arguments, run)
    #: optional capabilities: ``record`` and ``perturbations`` (a check's ``SPEC.needs``), ``trainer`` (seeds
    #: beyond ``reference_seeds()`` can be trained)
    OFFERS: ClassVar[frozenset[str]] = frozenset()

    def _missing(self, what: str):
        return NotImplementedError(f"{type(self).__name__} does not offer {what}.")

    # identity ---------------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        raise self._missing("a name")

    @property
    def key(self) -> str:
        """Identifies the weights: caches of activations, baselines and matching nulls are keyed by it."""
        raise self._missing("a key")

    @property
    def family(self) -> str:
        """Identifies the architecture and its initialisation: what caches about untrained networks of "the
        same architecture" (random-feature baselines) are keyed by. A fixed architecture: its type's name."""
        return type(self).__name__

    # layers -----------------------------------------------------------------------------------------

    @property
    def layers(self) -> Mapping[str, Layer]:
        """Every layer users can name, in forward order."""
        return self.layer_table()

    def layer(self, name: str) -> Layer:
        """The layer called ``name``; an unknown name raises an error listing the valid ones."""
        return find(self.layers, name)

    @staticmethod
    def reduce(values: torch.Tensor) -> torch.Tensor:
        """One number per image and unit from a layer's output: ``(N, U[, H, W]) -> (N, U)``."""
        from .values import per_unit

        return per_unit(values)

    # data -------------------------------------------------------------------------------------------

    @property
    def classes(self) -> tuple[str, ...]:
        """The class names, indexed by label."""
        raise self._missing("class names")

    def split(self, name: str):
        """The ``train`` (discovery) or ``test`` (confirmation) split: ``images`` and ``labels``."""
        raise self._missing("data splits")

    def members(self, concept: str, split: str) -> np.ndarray:
        """Sorted indices ``(K,)`` of the named concept's images on ``split``."""
        raise self._missing("named concepts")

    # measurement ------------------------------------------------------------------------------------

    def values(self, layer: str, split: str, *, site: str) -> np.ndarray:
        """Every unit's value at ``site`` (``lenet.subject.site``) per image of a split, ``(N, units)``
        float32."""
        raise self._missing("unit values")

    def image_values(self, images: torch.Tensor, layer: str, *, site: str, batch: int = 2000) -> np.ndarray:
        """Every unit's value at ``site`` for images that are not a split: ``(N, ...) -> (N, units)``."""
        raise self._missing("unit values of other images")

    def outputs(self, split: str) -> np.ndarray:
        """The network's outputs (logits) per image of a split, ``(N, classes)``: what ``output`` names and
        the ``concept-margin`` normalisation read."""
        raise self._missing("network outputs")

    def all_values(self, images: torch.Tensor, *, site: str) -> dict[str, np.ndarray]:
        """Every layer's unit values at ``site`` for ``images``: layer -> ``(N, units)``."""
        raise self._missing("unit values of every layer")

    def intervene(
        self, units: UnitSet, method: str = "zero", split: str = CONFIRMATION, *, site: str, **options
    ) -> Effects:
        """Edit ``units``' values at ``site`` on ``split`` with one of ``effects.METHODS``; logits before and
        after."""
        raise self._missing("interventions")

    def sweep_damage(
        self, layer: str, method: str, output: str, split: str = CONFIRMATION, *, site: str, **options
    ) -> np.ndarray:
        """Per-unit, per-image damage ``(U, N)`` of editing each unit of ``layer`` alone at ``site`` on
        ``split``."""
        raise self._missing("intervention sweeps")

    def image_sweep_damage(
        self, images: torch.Tensor, labels: torch.Tensor, layer: str, method: str, output: str, *, site: str
    ) -> np.ndarray:
        """``sweep_damage`` for images that are not a split (uncached), e.g. a baseline's few hundred
        images in each of many untrained networks: ``(U, N)``."""
        raise self._missing("intervention sweeps on other images")

    # other networks of the same architecture ---------------------------------------------------------

    def fresh(self, seed: int) -> Subject:
        """An untrained network of the same architecture, initialised from ``seed``."""
        raise self._missing("untrained copies")

    def derived(self, model, **meta) -> Subject:
        """Another network on the same data; ``meta`` is kept with it."""
        raise self._missing("derived networks")

    def planted(self, plant: Plant, concept: np.ndarray, contrast: np.ndarray) -> Subject:
        """A copy with a planted detector unit; ``concept``/``contrast`` index the discovery split."""
        raise self._missing("planted units")

    # optional capabilities --------------------------------------------------------------------------

    @property
    def recorded_layers(self) -> tuple[str, ...]:
        """The layers a training record covers; none unless the subject records training."""
        return ()

    def record(self):
        """The training record, or an error saying how to get one."""
        raise self._missing("a training record")

    @staticmethod
    def perturb(images: torch.Tensor, perturbation: Perturbation) -> torch.Tensor:
        """Images with a small named perturbation applied: same shape."""
        raise NotImplementedError("this subject does not offer image perturbations.")

    # type level: before any network is loaded --------------------------------------------------------

    @classmethod
    def load(cls, seed: int = 0, checkpoint: str | None = None) -> Subject:
        """The subject for a training seed or a checkpoint file."""
        raise NotImplementedError(f"{cls.__name__} cannot be loaded by seed or checkpoint.")

    @classmethod
    def layer_table(cls) -> Mapping[str, Layer]:
        """The layers of this subject type, in forward order: what claim files are validated against."""
        raise NotImplementedError(
            f"{cls.__name__} has no fixed layer table; load a network and read its layers."
        )

    @classmethod
    def check_site(cls, layer: str, site: str) -> None:
        """Raise a ``LenetError`` saying why, unless ``layer`` can be read at ``site`` (every layer of a fixed
        table has both sites)."""

    @classmethod
    def concepts(cls) -> list[str]:
        """Every concept name ``members`` knows."""
        return []

    @classmethod
    def check_concept(cls, name: str) -> None:
        """Raise a ``LenetError`` (listing the known names) unless ``name`` is a valid concept."""
        raise NotImplementedError(f"{cls.__name__} has no named concepts.")

    @classmethod
    def data_checksums(cls) -> dict:
        """The data's checksums, for a run's provenance."""
        return {}

    @classmethod
    def reference_seeds(cls) -> list[int]:
        """The training seeds whose networks are committed (need no training)."""
        return []

    @classmethod
    def available(cls, seed: int) -> bool:
        """Whether seed ``seed``'s network is here already (committed or cached): loading it trains
        nothing."""
        return seed in cls.reference_seeds()

    @classmethod
    def prepare(cls, seed: int) -> str:
        """Make seed ``seed``'s network available (train it if needed); where it came from."""
        raise NotImplementedError(f"{cls.__name__} cannot train seeds.")

    @classmethod
    def retrain(
        cls, seed: int, config=None, mnist_root=None, cache_root=None, progress: bool = True
    ) -> tuple[str, dict, str]:
        """Train ``seed`` again from scratch: ``(weights_sha256, versions, checkpoint file)`` of the
        result."""
        raise NotImplementedError(f"{cls.__name__} cannot train seeds.")

    @classmethod
    def reference(cls, seed: int, config=None, references=None) -> dict | None:
        """The committed reference of ``seed`` (``weights_sha256``, ``versions``), None if there is none."""
        return None
