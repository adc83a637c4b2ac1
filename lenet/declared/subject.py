"""A subject a project declares: any PyTorch model and dataset, as ``lenet.subject.subject.Subject`` says.

``subject_type(declaration)`` makes the subject type of one declaration (its class methods read the
declaration: layers, concepts, seeds); ``load(seed)`` reads that seed's weights file. Layers are the
model's nameable values (``lenet.declared.graph``); values are captured in batches and reduced
(``lenet.declared.measure``). Interventions rerun the whole network with a hook at the edited value,
``together`` units per pass: correct for any graph (residual paths, reused modules, in-place
operations), not the fastest (LeNet's subject recomputes only what follows the unit).
What it does not offer (a training record, image perturbations, planted units) raises an error
naming the capability.

The key of a network covers the declaration's identity: its name, its model and data references,
the data's fingerprint and the weights' SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import torch
from filelock import FileLock

from ..errors import InvalidConfig, LenetError
from ..files import atomic_write
from ..paths import cache_dir
from ..subject.effects import Effects, output
from ..subject.subject import CONFIRMATION, DISCOVERY, Subject
from ..subject.weights import weights_sha256
from . import measure
from .concepts import Concepts
from .cut import Cut
from .declaration import Declaration, resolve
from .graph import Graph

if TYPE_CHECKING:
    from ..subject.units import UnitSet

__all__ = ["Declared", "Split", "subject_type"]

TOGETHER = 8  # units edited per forward pass in a sweep (copies of a batch)


@dataclass(frozen=True)
class Split:
    """One split in memory: images ``(N, ...)`` float32, labels ``(N,)`` int64."""

    name: str
    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


class Declared(Subject):
    """A network of a declared subject type; ``seed`` is None for a checkpoint file or a derived network."""

    DECLARATION: ClassVar[Declaration]
    fast = True  # interventions recompute only what follows the edited value, where the graph allows

    def __init__(self, model: torch.nn.Module, seed: int | None, origin: str):
        self.model = model.eval()
        self.seed, self.origin = seed, origin
        self.weights = weights_sha256(model.state_dict())
        self.graph = Graph(self.model, self.sample(), self.DECLARATION.layers)
        self._cache: dict = {}

    # identity ---------------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        where = f"seed {self.seed}" if self.seed is not None else self.origin
        return f"{self.DECLARATION.name} {where}"

    @property
    def key(self) -> str:
        """The network's identity: its weights within its family (architecture, data, how values are read)."""
        return hashlib.sha256(f"{self.family}|{self.weights}".encode()).hexdigest()

    @property
    def family(self) -> str:
        """What networks of this subject share: the declaration's name, references, reducer and layers, the
        data's fingerprint, and the architecture (the traced forward code, the untrained seed-0 weights)."""
        return type(self).family_key()

    # layers -----------------------------------------------------------------------------------------

    @property
    def layers(self):
        return self.graph.layers

    def reduce(self, values: torch.Tensor) -> torch.Tensor:
        return measure.reduce(values, self.DECLARATION.reducer)

    # data -------------------------------------------------------------------------------------------

    @property
    def classes(self) -> tuple[str, ...]:
        return self.class_names()

    def split(self, name: str) -> Split:
        return self.splits()[name]

    def members(self, concept: str, split: str) -> np.ndarray:
        data = self.split(split)
        return self.concept_table().members(concept, split, data.images, data.labels)

    # measurement ------------------------------------------------------------------------------------

    def values(self, layer: str, split: str, *, site: str) -> np.ndarray:
        key = ("values", layer, split, site)
        if key not in self._cache:
            self._cache[key] = self.image_values(self.split(split).images, layer, site=site)
        return self._cache[key]

    def image_values(
        self, images: torch.Tensor, layer: str, *, site: str, batch: int | None = None
    ) -> np.ndarray:
        node = self.graph.node(layer, site)
        return measure.capture(self.graph, images, [node], self.DECLARATION.reducer, self._batch(batch))[node]

    def all_values(self, images: torch.Tensor, *, site: str) -> dict[str, np.ndarray]:
        names = [n for n in self.layers if site == "post" or n in self.graph.aliases]
        nodes = {n: self.graph.node(n, site) for n in names}
        found = measure.capture(
            self.graph, images, sorted(set(nodes.values())), self.DECLARATION.reducer, self._batch()
        )
        return {n: found[node] for n, node in nodes.items()}

    def outputs(self, split: str) -> np.ndarray:
        return self._logits(split).numpy()

    def _logits(self, split: str) -> torch.Tensor:
        key = ("outputs", split)
        if key not in self._cache:
            self._cache[key] = measure.outputs(self.graph, self.split(split).images, self._batch())
        return self._cache[key]

    def _cut(self, node: str) -> Cut | None:
        """The fast path at ``node`` (None: rerun the whole network; always None when ``fast`` is off)."""
        if not self.fast:
            return None
        key = ("cut", node)
        if key not in self._cache:
            self._cache[key] = Cut.at(self.graph, node)
        return self._cache[key]

    def _batch(self, batch: int | None = None) -> int:
        """Images per forward pass: never more than the declaration's ``batch`` (its memory bound)."""
        return min(batch or self.DECLARATION.batch, self.DECLARATION.batch)

    def _edit(self, node: str, units, method: str, value=None, sources=None) -> measure.Edit:
        means = None
        if method == "mean":
            key = ("mean", node)
            if key not in self._cache:
                self._cache[key] = measure.mean_maps(
                    self.graph, self.split(DISCOVERY).images, node, self._batch()
                )
            means = self._cache[key]
        if method == "clamp" and value is not None:
            value = np.broadcast_to(np.asarray(value, dtype=np.float64), (len(units),))
            value = tuple(float(v) for v in value)
        return measure.Edit(tuple(units), method, means, value, sources)

    def intervene(
        self,
        units: UnitSet,
        method: str = "zero",
        split: str = CONFIRMATION,
        *,
        site: str,
        rows: np.ndarray | None = None,
        sources: np.ndarray | None = None,
        value: float | None = None,
        batch: int | None = None,
    ) -> Effects:
        """Edit ``units`` at ``site`` on ``rows`` of ``split`` (all if None); ``sources`` index the split,
        one per row; ``mean``: over the discovery split."""
        data = self.split(split)
        rows = np.arange(len(data)) if rows is None else np.asarray(rows)
        node = self.graph.node(units.layer, site)
        if sources is not None and len(sources) != len(rows):
            raise InvalidConfig("resample needs one source image per image edited (see draw_sources).")
        edit = self._edit(node, list(units), method, value, None if sources is None else np.arange(len(rows)))
        source_images = None if sources is None else (lambda index: data.images[np.asarray(sources)[index]])
        after = measure.edited_outputs(
            self.graph, data.images[rows], node, [edit], self._batch(batch), source_images, self._cut(node)
        )
        return Effects(self._logits(split)[rows], after[0], data.labels[rows])

    def sweep_damage(
        self,
        layer: str,
        method: str,
        output_name: str,
        split: str = CONFIRMATION,
        *,
        site: str,
        rows: np.ndarray | None = None,
        sources: np.ndarray | None = None,
        values: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per-unit, per-image damage ``(U, N)`` of editing each unit of ``layer`` alone."""
        data = self.split(split)
        rows = np.arange(len(data)) if rows is None else np.asarray(rows)
        before = output(self._logits(split)[rows], data.labels[rows], output_name)
        after = self._sweep(
            data.images[rows], data.labels[rows], layer, method, site, output_name, sources, values, data
        )
        return (before[None, :] - after).numpy()

    def image_sweep_damage(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        layer: str,
        method: str,
        output_name: str,
        *,
        site: str,
    ) -> np.ndarray:
        before = output(measure.outputs(self.graph, images, self._batch()), labels, output_name)
        return (before[None, :] - self._sweep(images, labels, layer, method, site, output_name)).numpy()

    def _sweep(self, images, labels, layer, method, site, output_name, sources=None, values=None, data=None):
        """Each unit of ``layer`` edited alone: the named output after, ``(U, N)``."""
        node = self.graph.node(layer, site)
        count = self.layers[layer].units
        if method == "clamp" and (values is None or len(values) != count):
            raise InvalidConfig(f"a clamp sweep needs one value per unit of {layer} ({count}).")
        source_images = None
        if sources is not None:
            sources = np.asarray(sources)

            def source_images(index):
                return data.images[sources[index]]

        edits = [
            self._edit(
                node,
                [u],
                method,
                None if values is None else float(values[u]),
                None if sources is None else np.arange(len(images)),
            )
            for u in range(count)
        ]
        after = measure.edited_outputs(
            self.graph, images, node, edits, self._batch(), source_images, self._cut(node), TOGETHER
        )
        return torch.stack([output(a, labels, output_name) for a in after])

    # other networks of the same architecture ---------------------------------------------------------

    def fresh(self, seed: int) -> Declared:
        return type(self).untrained(seed)

    def derived(self, model, **meta) -> Declared:
        return type(self)(model, None, meta.get("origin", "a derived network"))

    # type level -------------------------------------------------------------------------------------

    @classmethod
    def family_key(cls) -> str:
        return _family(cls)

    @classmethod
    def build(cls) -> torch.nn.Module:
        """A new network from the model factory (the global RNG is left as it was)."""
        with torch.random.fork_rng(devices=[]):
            model = _call(cls, "model")
        if not isinstance(model, torch.nn.Module):
            raise InvalidConfig(
                f"{cls.DECLARATION.where} model: {cls.DECLARATION.model}() returned {type(model).__name__}, "
                "not a torch.nn.Module."
            )
        return model

    @classmethod
    def untrained(cls, seed: int) -> Declared:
        """An untrained network initialised from ``seed``; a factory that ignores the seed is an error."""
        _check_factory(cls)
        return _untrained(cls, seed)

    @classmethod
    def splits(cls) -> dict[str, Split]:
        return _splits(cls)

    @classmethod
    def fingerprint(cls) -> str:
        return _fingerprint(cls)

    @classmethod
    def sample(cls) -> torch.Tensor:
        """The images the layers are found with: three, so a (2, 2) value is not taken for a batch of 2."""
        return cls.splits()[DISCOVERY].images[:3]

    @classmethod
    def class_names(cls) -> tuple[str, ...]:
        return _classes(cls)

    @classmethod
    def concept_table(cls) -> Concepts:
        return _concepts(cls)

    @classmethod
    def layer_table(cls):
        return cls.untrained(0).layers

    @classmethod
    def check_site(cls, layer: str, site: str) -> None:
        cls.untrained(0).graph.node(layer, site)

    @classmethod
    def concepts(cls) -> list[str]:
        return cls.concept_table().known()

    @classmethod
    def check_concept(cls, name: str) -> None:
        cls.concept_table().check(name)

    @classmethod
    def data_checksums(cls) -> dict:
        return {"fingerprint": cls.fingerprint()}

    @classmethod
    def available(cls, seed: int) -> bool:
        return seed in cls.DECLARATION.weights or (
            bool(cls.DECLARATION.trainer) and cls._trained_file(seed).is_file()
        )

    @classmethod
    def reference_seeds(cls) -> list[int]:
        return sorted(cls.DECLARATION.weights)

    @classmethod
    def prepare(cls, seed: int) -> str:
        """Seed ``seed``'s weights made available: ``"reference"`` (a declared file), ``"cache"`` or
        ``"trained"`` (now, by the declared trainer, saying so first)."""
        declared = cls.DECLARATION
        if seed in declared.weights:
            return "reference"
        if not declared.trainer:
            cls._weights_file(seed)  # the error saying what to add
        path = cls._trained_file(seed)
        with FileLock(str(path) + ".lock"):
            if path.is_file():
                return "cache"
            estimate = (
                f"about {declared.train_seconds:g} s (train_seconds in the declaration)"
                if declared.train_seconds
                else "no estimate (add train_seconds to the declaration)"
            )
            print(
                f"lenet: training seed {seed} of subject {declared.name} with {declared.trainer} into "
                f"{path}: {estimate}.",
                file=sys.stderr,
                flush=True,
            )
            start = time.perf_counter()
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                made = _call(cls, "trainer", seed)
            state = made.state_dict() if isinstance(made, torch.nn.Module) else made
            if not isinstance(state, dict):
                raise InvalidConfig(
                    f"{declared.where} trainer: {declared.trainer}({seed}) returned {type(made).__name__}; "
                    "return the trained nn.Module or its state dict."
                )
            buffer = io.BytesIO()
            torch.save(state, buffer)
            atomic_write(path, buffer.getvalue())
            print(
                f"lenet: seed {seed} of {declared.name} trained in {time.perf_counter() - start:.1f} s.",
                file=sys.stderr,
                flush=True,
            )
        return "trained"

    @classmethod
    def _trained_file(cls, seed: int) -> Path:
        """Where the declared trainer's network for ``seed`` is cached: keyed by the family (architecture,
        data) and the trainer (its reference and, where Python can read it, its source code)."""
        import inspect

        trainer = resolve(cls.DECLARATION, "trainer")
        try:
            source = inspect.getsource(trainer)
        except (OSError, TypeError):
            source = ""
        text = f"{cls.family_key()}|{cls.DECLARATION.trainer}|{source}"
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        return cache_dir() / "declared" / f"{cls.DECLARATION.name}-{digest}" / f"seed-{seed}.pt"

    @classmethod
    def _weights_file(cls, seed: int) -> Path:
        """The seed's weights file: declared, else trained by the declared trainer (saying so first)."""
        declared = cls.DECLARATION
        if seed in declared.weights:
            return declared.weights[seed]
        if declared.trainer:
            cls.prepare(seed)
            return cls._trained_file(seed)
        raise LenetError(
            f"subject {declared.name} has no weights for seed {seed} (declared seeds: "
            f"{', '.join(map(str, sorted(declared.weights))) or 'none'}) and no trainer; add "
            f'weights.{seed} = "FILE" or trainer = "package.module:function" to {declared.where}.'
        )

    @classmethod
    def load(cls, seed: int = 0, checkpoint: str | None = None) -> Declared:
        return _load(cls, seed, checkpoint)


def _read_weights(cls: type[Declared], path: Path, origin: str) -> Declared:
    if not path.is_file():
        how = (
            f"train it with the declared trainer ({cls.DECLARATION.trainer}) by removing the weights entry, "
            if cls.DECLARATION.trainer
            else "save it with torch.save(model.state_dict(), path), "
        )
        raise LenetError(
            f"{cls.DECLARATION.where}: weights file {path} does not exist; {how}or fix the path."
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise LenetError(
            f"{path}: not a readable state dict ({type(err).__name__}: {err}); write it with "
            "torch.save(model.state_dict(), path)."
        ) from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    model = cls.build()
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as err:
        detail = " ".join(str(err).split())
        detail = detail if len(detail) <= 600 else detail[:600] + " ..."
        raise LenetError(
            f"{path}: these weights do not fit {cls.DECLARATION.model}() ({detail}); save the state dict of "
            "the same architecture."
        ) from None
    return cls(model, None, origin)


@functools.lru_cache(maxsize=16)
def _load(cls: type[Declared], seed: int, checkpoint: str | None) -> Declared:
    if checkpoint is not None:
        return _read_weights(cls, Path(checkpoint), str(checkpoint))
    subject = _read_weights(cls, cls._weights_file(seed), f"seed {seed}")
    subject.seed = seed
    return subject


@functools.lru_cache(maxsize=8)
def _untrained(cls: type[Declared], seed: int) -> Declared:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = cls.build()
    return cls(model, None, f"untrained seed {seed}")


@functools.lru_cache(maxsize=8)
def _check_factory(cls: type[Declared]) -> None:
    """Untrained networks from two seeds must differ: baselines and matching nulls are many such networks."""
    states = []
    for seed in (0, 1):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            states.append(weights_sha256(cls.build().state_dict()))
    if states[0] == states[1] and len(cls.build().state_dict()):  # (a network without parameters is fine)
        raise InvalidConfig(
            f"{cls.DECLARATION.where} model: {cls.DECLARATION.model}() builds the same network whatever "
            "the seed; it seeds the random number generator itself. Leave seeding to lenet-claims "
            "(untrained networks are built after torch.manual_seed(seed)), or the random-feature "
            "baselines compare with one network."
        )


def _call(cls: type[Declared], key: str, *args):
    """Call the project's function that ``key`` names; its failure is an error naming the key, not a traceback
    from inside lenet-claims."""
    declared = cls.DECLARATION
    function = resolve(declared, key)
    try:
        return function(*args)
    except LenetError:
        raise
    except Exception as err:
        raise InvalidConfig(
            f"{declared.where} {key}: {getattr(declared, key)}({', '.join(map(repr, args))}) failed with "
            f"{type(err).__name__}: {err}"
        ) from err


@functools.lru_cache(maxsize=4)
def _data(cls: type[Declared]) -> dict:
    """What the data factory returns (called once per process)."""
    return _call(cls, "data")


@functools.lru_cache(maxsize=4)
def _splits(cls: type[Declared]) -> dict[str, Split]:
    declared = cls.DECLARATION
    found = _data(cls)
    if not isinstance(found, dict) or not {DISCOVERY, CONFIRMATION} <= set(found):
        raise InvalidConfig(
            f"{declared.where} data: {declared.data}() must return a dict with {DISCOVERY!r} and "
            f"{CONFIRMATION!r}, each (images, labels); it returned {type(found).__name__}."
        )
    splits = {}
    for name in (DISCOVERY, CONFIRMATION):
        try:
            images, labels = found[name]
            images = torch.as_tensor(images, dtype=torch.float32)
            labels = torch.as_tensor(labels, dtype=torch.int64)
        except (TypeError, ValueError) as err:
            raise InvalidConfig(
                f"{declared.where} data: split {name!r} must be (images, labels) tensors ({err})."
            ) from None
        if labels.dim() != 1 or len(labels) != len(images) or len(labels) < 2:
            raise InvalidConfig(
                f"{declared.where} data: split {name!r} has {len(images)} images and labels of shape "
                f"{tuple(labels.shape)}; give one label per image (at least 2 images)."
            )
        splits[name] = Split(name, images, labels)
    return splits


@functools.lru_cache(maxsize=4)
def _fingerprint(cls: type[Declared]) -> str:
    digest = hashlib.sha256()
    for name, split in sorted(cls.splits().items()):
        digest.update(name.encode())
        digest.update(split.images.contiguous().numpy().tobytes())
        digest.update(split.labels.contiguous().numpy().tobytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _classes(cls: type[Declared]) -> tuple[str, ...]:
    declared = cls.DECLARATION
    if declared.classes is not None:
        return declared.classes
    given = _data(cls).get("classes")
    if given is not None:
        if not (isinstance(given, (list, tuple)) and all(isinstance(c, str) for c in given)):
            raise InvalidConfig(
                f'{declared.where} data: the "classes" {declared.data}() returns must be a list of names '
                "indexed by label."
            )
        return tuple(given)
    labels = torch.cat([s.labels for s in cls.splits().values()])
    return tuple(str(i) for i in range(int(labels.max()) + 1))


@functools.lru_cache(maxsize=8)
def _family(cls: type[Declared]) -> str:
    declared = cls.DECLARATION
    untrained = cls.untrained(0)
    code = untrained.graph.traced.code if untrained.graph.traced is not None else repr(untrained.model)
    layers = sorted((k, sorted(v.items())) for k, v in declared.layers.items())
    parts = (declared.name, declared.model, declared.data, declared.reducer, repr(layers), cls.fingerprint())
    text = "|".join((*parts, code, untrained.weights))
    return f"{type(untrained).__name__}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


@functools.lru_cache(maxsize=4)
def _concepts(cls: type[Declared]) -> Concepts:
    declared = cls.DECLARATION
    predicates = resolve(declared, "concepts") if declared.concepts else None
    if predicates is not None and not isinstance(predicates, dict):
        raise InvalidConfig(
            f"{declared.where} concepts: {declared.concepts} must be a dict of name -> function."
        )
    return Concepts(declared.where, declared.root, cls.class_names(), predicates)


_TYPES: dict[tuple, type[Declared]] = {}


def subject_type(declared: Declaration) -> type[Declared]:
    """The subject type of one declaration (the same type while the declaration is unchanged)."""
    key = (declared.name, declared.file, repr(declared))
    if key not in _TYPES:
        offers = frozenset({"trainer"}) if declared.trainer else frozenset()
        _TYPES[key] = type(
            f"Declared[{declared.name}]", (Declared,), {"DECLARATION": declared, "OFFERS": offers}
        )
    return _TYPES[key]
