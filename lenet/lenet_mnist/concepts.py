"""Concepts: named sets of images ("seven/crossed") that claims are about, resolved to indices on both splits.

Names users type in claim files, in one registry:

- built-in: ``digit/0`` .. ``digit/9`` (MNIST's labels) and the styles
  ``seven/crossed``, ``seven/hooked``, ``seven/plain`` (neither),
  ``two/looped``, ``two/plain``, each defined by a detector in
  ``lenet.lenet_mnist.detectors`` (image processing, tuned on hand labels, never on a
  unit's activations) and run the same way on the train and test splits;
- index files: ``fixtures/concepts/NAME.train.txt`` and ``NAME.test.txt`` under
  the project root, one image index per line (``#`` comments allowed);
- predicates: functions registered in ``lenet_concepts.py`` at the project root::

      from lenet.lenet_mnist.concepts import register

      @register("seven/slanted", description="sevens leaning right")
      def slanted(images, labels):  # (N, 28, 28) float32 in [0, 1], (N,) int64
          return labels == 7  # (N,) bool

The project root is ``lenet.project.root()``: ``$LENET_PROJECT_ROOT``, else pytest's
rootdir, else the nearest folder upwards holding ``claims/`` or a ``pyproject.toml``.
``project_concepts`` loads both kinds of user concepts; the CLI and the pytest plugin
go through ``concept``/``known``, which call it, so every tool sees the same concepts.
Resolved index sets are cached per process.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats as sps

from ..errors import InvalidConcept, UnknownConcept
from . import data, detectors
from . import labels as hand_labels

__all__ = [
    "Concept",
    "PROJECT_ENV",
    "MODULE_NAME",
    "MIN_SIZE",
    "concept",
    "known",
    "register",
    "project_root",
    "project_concepts",
    "min_concept_size",
]

PROJECT_ENV = "LENET_PROJECT_ROOT"  # lenet.project.ENV
MODULE_NAME = "lenet_concepts.py"
SPLIT_NAMES = tuple(data.SPLITS)  # ("train", "test")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
Predicate = Callable[[np.ndarray, np.ndarray], np.ndarray]


def min_concept_size(alpha: float = 0.01, power: float = 0.8, auroc: float = 0.75) -> int:
    """The smallest concept for which a selectivity claim can be decided: 14 images with the defaults.

    Rule: the smallest n for which a one-sided Mann-Whitney test at ``alpha``
    rejects "no selectivity" with probability ``power`` when the true AUROC is
    ``auroc`` (a unit that fires more on 3 of 4 concept/contrast pairs), even
    against an unlimited contrast set. Under the null, AUROC has variance
    (n + m + 1) / (12 n m) -> 1 / (12 n) as the contrast size m grows, so
    n >= ((z_alpha + z_power) / (auroc - 0.5))^2 / 12. A smaller concept
    cannot hold such a claim whatever the contrast; the tests check the rule
    by simulation.
    """
    z = sps.norm.ppf(1 - alpha) + sps.norm.ppf(power)
    return math.ceil((z / (auroc - 0.5)) ** 2 / 12)


MIN_SIZE = min_concept_size()


@dataclass(frozen=True)
class Concept:
    """A named set of images, defined by a predicate or by index files; ``indices(split)`` resolves it."""

    name: str
    description: str
    origin: str  # where it is defined: "built-in", a file path, or lenet_concepts.py
    select: Predicate | None = None  # (images (N, 28, 28), labels (N,)) -> (N,) bool
    files: tuple[tuple[str, Path], ...] = ()  # (split, index file) for index-file concepts
    validation: tuple[str, str] | None = None  # (label file stem, positive label) for quality

    def indices(self, split: str, root: str | os.PathLike | None = None) -> np.ndarray:
        """Sorted member indices ``(K,)`` int64 on ``split`` ("train" or "test"); cached per process."""
        source = data.load_split(split, root)  # validates the split name
        if self.select is None:
            return _read_index_file(self, split, len(source))
        return _resolved(self, split, data.find_raw(root)).copy()

    def size(self, split: str, root: str | os.PathLike | None = None) -> int:
        """Number of member images on ``split``."""
        return len(self.indices(split, root))

    def quality(
        self, part: str = "report", confidence: float = 0.95, root: str | os.PathLike | None = None
    ) -> hand_labels.Quality | None:
        """Precision and recall against the hand labels (None where the concept has none)."""
        if self.validation is None:
            return None
        labelset = hand_labels.load_labels(self.validation[0])
        members = self.indices(labelset.split, root)
        return hand_labels.measure(members, labelset, self.validation[1], part, confidence)


@functools.lru_cache(maxsize=256)
def _resolved(item: Concept, split: str, raw: Path) -> np.ndarray:
    source = data.load_split(split, raw)
    images = source.images.numpy()[:, 0]  # (N, 1, 28, 28) -> (N, 28, 28), shares memory with the cached split
    labels = source.labels.numpy()
    images.setflags(write=False)  # a predicate must not edit the split every other tool uses
    labels.setflags(write=False)
    mask = np.asarray(item.select(images, labels))
    if mask.shape != (len(source),) or mask.dtype != bool:
        raise InvalidConcept(
            f"concept {item.name!r} ({item.origin}): its predicate returned {mask.dtype} of shape "
            f"{mask.shape}; it must return a boolean mask of shape ({len(source)},), one entry per image."
        )
    indices = np.flatnonzero(mask).astype(np.int64)
    indices.setflags(write=False)
    return indices


def _read_index_file(item: Concept, split: str, count: int) -> np.ndarray:
    files = dict(item.files)
    if split not in files:
        other, path = next(iter(files.items()))
        wanted = str(path)[: -len(f".{other}.txt")] + f".{split}.txt"
        raise InvalidConcept(
            f"concept {item.name!r} has no index file for split {split!r} (only {path}); "
            f"create {wanted} with one image index per line."
        )
    path, values = files[split], []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not re.fullmatch(r"\d+", text) or int(text) >= count:
            raise InvalidConcept(
                f"{path}:{number}: {text!r} is not an image index of the {split} split; "
                f"write one integer in [0, {count - 1}] per line."
            )
        values.append(int(text))
    if len(set(values)) != len(values):
        raise InvalidConcept(f"{path}: some index appears twice; list each image once.")
    return np.array(sorted(values), dtype=np.int64)


def _digit(digit: int, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return labels == digit


def _not_digit(digit: int, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return labels != digit


def _styled(digit: int, require: tuple, exclude: tuple, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Images of ``digit`` on which every detector in ``require`` fires and none in ``exclude`` does."""
    rows = np.flatnonzero(labels == digit)
    keep = np.ones(len(rows), dtype=bool)
    for detector in require:
        keep &= detector(images[rows])
    for detector in exclude:
        keep &= ~detector(images[rows])
    mask = np.zeros(len(labels), dtype=bool)
    mask[rows[keep]] = True
    return mask


def _summary(function: Callable) -> str:
    """The first line of a docstring, without the shape note: a concept's description."""
    lines = (function.__doc__ or "").strip().splitlines()
    return lines[0].split(" ``(N,)``")[0] if lines else ""


def _builtins() -> dict[str, Concept]:
    d = detectors
    styles = {
        # name: (digit, require, exclude, description, validation)
        "seven/crossed": (7, (d.crossed_seven,), (), _summary(d.crossed_seven), ("sevens-test", "crossed")),
        "seven/hooked": (7, (d.hooked_seven,), (), _summary(d.hooked_seven), ("sevens-test", "hooked")),
        "seven/plain": (
            7,
            (),
            (d.crossed_seven, d.hooked_seven),
            "Sevens neither crossed nor hooked",
            ("sevens-test", "plain"),
        ),
        "two/looped": (2, (d.looped_two,), (), _summary(d.looped_two), ("twos-test", "looped")),
        "two/plain": (
            2,
            (),
            (d.looped_two,),
            "Twos without a loop at the bottom-left",
            ("twos-test", "plain"),
        ),
    }
    out = {
        f"digit/{k}": Concept(
            f"digit/{k}", f"Every image labelled {k} in MNIST", "built-in", functools.partial(_digit, k)
        )
        for k in range(10)
    }
    out.update(
        {
            f"digit/not-{k}": Concept(
                f"digit/not-{k}",
                f"Every image not labelled {k} (the contrast for 'most associated with {k}')",
                "built-in",
                functools.partial(_not_digit, k),
            )
            for k in range(10)
        }
    )
    for name, (digit, require, exclude, text, validation) in styles.items():
        out[name] = Concept(
            name,
            text,
            "built-in (lenet/lenet_mnist/detectors.py)",
            functools.partial(_styled, digit, require, exclude),
            validation=validation,
        )
    return out


BUILTINS = _builtins()
_PROGRAMMATIC: dict[str, Concept] = {}  # register() called outside a lenet_concepts.py (e.g. a notebook)
_loading: dict[str, Concept] | None = None  # collects register() calls while a lenet_concepts.py is imported


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidConcept(
            f"concept name {name!r} is not allowed: use letters, digits, '_', '-', '.' in parts "
            "separated by '/', e.g. 'seven/slanted' (no absolute paths, no '..', no leading '.')."
        )
    return name


def register(name: str, description: str = "") -> Callable[[Predicate], Predicate]:
    """Decorator: define concept ``name`` by a predicate ``(images (N, 28, 28), labels (N,)) -> (N,) bool``.

    Use it in the project's ``lenet_concepts.py`` so every tool sees the concept;
    the predicate runs on each whole split and must not look at network activations.
    """
    _check_name(name)

    def decorate(function: Predicate) -> Predicate:
        if not callable(function):
            raise InvalidConcept(f"concept {name!r}: register() decorates a function; got {function!r}.")
        target = _loading if _loading is not None else _PROGRAMMATIC
        origin = MODULE_NAME if _loading is not None else f"register() in {function.__module__}"
        if name in BUILTINS or name in target:
            raise InvalidConcept(
                f"concept {name!r} is defined twice ({origin}); give one of them another name."
            )
        text = description or _summary(function) or f"images selected by {function.__name__}"
        target[name] = Concept(name, text, origin, function)
        return function

    return decorate


def project_root(project: str | os.PathLike | None = None) -> Path:
    """Where user concepts live: ``project``, else the project root (``lenet.project.root``)."""
    from .. import project as projects

    return projects.root(project)


def _concepts_dir(project: str | os.PathLike | None) -> Path:
    return project_root(project) / "fixtures" / "concepts"


def _file_concepts(project: Path) -> dict[str, Concept]:
    """Concepts from ``fixtures/concepts/NAME.{train,test}.txt``; files outside that folder are refused."""
    folder = project / "fixtures" / "concepts"
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.rglob("*.txt")) if folder.is_dir() else []:
        stem, _, split = path.relative_to(folder).as_posix()[: -len(".txt")].rpartition(".")
        if split not in SPLIT_NAMES:
            continue  # e.g. a README.txt
        if folder.resolve() not in path.resolve().parents:
            raise InvalidConcept(
                f"{path} points outside {folder}; concept files must lie inside the project."
            )
        found.setdefault(_check_name(stem), {})[split] = path
    return {
        name: Concept(
            name,
            f"Images listed in {folder.relative_to(project)}/{name}.*.txt",
            str(next(iter(files.values()))),
            files=tuple(sorted(files.items())),
        )
        for name, files in found.items()
    }


@functools.lru_cache(maxsize=8)
def _module_concepts(path: Path, stamp: int) -> dict[str, Concept]:
    """Import one ``lenet_concepts.py``
    (again when its modification time ``stamp`` changes) and collect its concepts."""
    global _loading
    spec = importlib.util.spec_from_file_location(f"lenet_concepts_{abs(hash((path, stamp)))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = (
        module  # a unique name per file version, so dataclasses and pickling inside it work
    )
    _loading = {}
    try:
        spec.loader.exec_module(module)
    except InvalidConcept as err:
        raise InvalidConcept(f"{path}: {err}") from None
    except Exception as err:
        raise InvalidConcept(
            f"{path}: importing it failed with {type(err).__name__}: {err}. Fix the module (or move it away)."
        ) from err
    finally:
        collected, _loading = _loading, None
    return collected


def project_concepts(project: str | os.PathLike | None = None) -> dict[str, Concept]:
    """Every user concept of the project: index files and ``lenet_concepts.py``, checked for clashes."""
    root = project_root(project)
    from_files = _file_concepts(root)
    module = root / MODULE_NAME
    from_module = _module_concepts(module, module.stat().st_mtime_ns) if module.is_file() else {}
    out = dict(_PROGRAMMATIC)
    for source in (from_files, from_module):
        for name, item in source.items():
            if name in BUILTINS or name in out:
                first = BUILTINS.get(name) or out[name]
                raise InvalidConcept(
                    f"concept {name!r} is defined twice: {first.origin} and {item.origin}; rename one."
                )
            out[name] = item
    return out


def _registry(project: str | os.PathLike | None) -> dict[str, Concept]:
    return {**BUILTINS, **dict(sorted(project_concepts(project).items()))}


def known(project: str | os.PathLike | None = None) -> list[str]:
    """Every concept name: built-ins in their fixed order, then the project's, sorted."""
    return list(_registry(project))


def concept(name: str, project: str | os.PathLike | None = None) -> Concept:
    """The concept called ``name`` (e.g. ``"seven/crossed"``); the error lists the known names."""
    _check_name(name)
    registry = _registry(project)
    if name not in registry:
        raise UnknownConcept(
            f"Unknown concept {name!r}; concepts are {', '.join(registry)}. "
            f"Define new ones in {_concepts_dir(project)}/NAME.{{train,test}}.txt "
            f"or with @register in {project_root(project) / MODULE_NAME}."
        )
    return registry[name]
