"""A subject as a project declares it: the table under ``[tool.lenet.subjects.NAME]``, checked.

Keys (docs/subjects.md is the guide):

- ``model``: ``package.module:function`` returning the untrained network (an ``nn.Module``);
- ``data``: ``package.module:function`` returning ``{"train": (images, labels), "test": (images,
  labels)}`` and optionally ``"classes"`` (names, indexed by label);
- ``weights``: ``{ 0 = "weights/seed-0.pt", ... }``: a state dict per training seed, relative to the
  project root (loaded with ``weights_only=True``);
- optional: ``trainer`` (``package.module:function``, ``function(seed) -> nn.Module or state dict``: trains
  the seeds without a weights file into the cache, saying so first) with ``train_seconds`` (its
  estimate per seed, printed before training),
  ``classes``, ``concepts`` (``package.module:NAME``, a dict of concept name -> predicate over
  ``(images, labels)``), ``layers`` (``{ NAME = { post = "node", pre = "node" } }``: named layers
  whose two sites are different values), ``reducer`` (``mean`` or ``max`` over a channel's map),
  ``batch`` (images per forward pass: the bound on what a capture holds at once), ``device`` (``cpu``,
  the only one this version runs on).

Every error names the file, the key and the fix.
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidConfig

__all__ = ["Declaration", "declaration", "resolve"]

_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_KEYS = (
    "model", "data", "weights", "trainer", "train_seconds", "classes", "concepts", "layers", "reducer",
    "batch", "device",
)  # fmt: skip
REDUCERS = ("mean", "max")


@dataclass(frozen=True)
class Declaration:
    """One declared subject, its paths absolute."""

    name: str
    file: Path  # the project file that declares it
    root: Path  # the project root: relative paths and imports start here
    model: str  # "package.module:function"
    data: str  # "package.module:function"
    weights: dict[int, Path] = field(default_factory=dict)
    trainer: str | None = None  # "package.module:function"
    train_seconds: float | None = None  # the trainer's time per seed, as the project estimates it
    classes: tuple[str, ...] | None = None
    concepts: str | None = None
    layers: dict[str, dict[str, str]] = field(default_factory=dict)  # NAME -> {"post": node, "pre": node}
    reducer: str = "mean"
    batch: int = 1000
    device: str = "cpu"

    @property
    def where(self) -> str:
        """``pyproject.toml [tool.lenet.subjects.NAME]``: where errors point."""
        section = "subjects" if self.file.name == "lenet.toml" else "tool.lenet.subjects"
        return f"{self.file} [{section}.{self.name}]"


def _problem(file: Path, name: str, key: str, text: str) -> InvalidConfig:
    section = "subjects" if file.name == "lenet.toml" else "tool.lenet.subjects"
    return InvalidConfig(f"{file} [{section}.{name}] {key}: {text}")


def declaration(name: str, file: Path, table: dict, root: Path) -> Declaration:
    """The checked declaration of subject ``name`` from its ``table`` in ``file``."""
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise _problem(file, name, unknown[0], f"unknown key; the keys are {', '.join(_KEYS)}.")
    for key in ("model", "data"):
        if key not in table:
            raise _problem(
                file,
                name,
                key,
                f'missing; write e.g. {key} = "my_package.{key}:build" (see docs/subjects.md).',
            )
    refs = {}
    for key in ("model", "data", "concepts", "trainer"):
        value = table.get(key)
        if value is not None and not (isinstance(value, str) and _REFERENCE.match(value)):
            raise _problem(
                file, name, key, f'{value!r} is not "package.module:name"; write e.g. "my_net.model:build".'
            )
        refs[key] = value
    weights = table.get("weights", {})
    if not isinstance(weights, dict):
        raise _problem(
            file, name, "weights", 'must be a table of seed -> file, e.g. weights = { 0 = "w/seed-0.pt" }.'
        )
    paths = {}
    for seed, path in weights.items():
        if not str(seed).isdigit() or not isinstance(path, str):
            raise _problem(
                file,
                name,
                f"weights.{seed}",
                'write seed = "path", e.g. 0 = "weights/seed-0.pt" (seeds are integers).',
            )
        paths[int(seed)] = (root / path).resolve()
    classes = table.get("classes")
    if classes is not None and not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
        raise _problem(
            file, name, "classes", 'must be a list of names indexed by label, e.g. ["cat", "dog"].'
        )
    layers = table.get("layers", {})
    if not isinstance(layers, dict) or not all(
        isinstance(v, dict)
        and set(v) <= {"post", "pre"}
        and "post" in v
        and all(isinstance(n, str) for n in v.values())
        for v in layers.values()
    ):
        raise _problem(
            file,
            name,
            "layers",
            'must map a name to its sites, e.g. block1 = { post = "block1.relu#1", pre = "add" }.',
        )
    reducer = table.get("reducer", "mean")
    if reducer not in REDUCERS:
        raise _problem(file, name, "reducer", f"{reducer!r} is unknown; use one of {', '.join(REDUCERS)}.")
    batch = table.get("batch", 1000)
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise _problem(
            file, name, "batch", f"{batch!r} must be a whole number of images >= 1, e.g. batch = 500."
        )
    if "device" in table and not isinstance(table["device"], str):
        raise _problem(file, name, "device", "must be a string.")
    seconds = table.get("train_seconds")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0
    ):
        raise _problem(file, name, "train_seconds", f"{seconds!r} must be a number of seconds > 0, e.g. 30.")
    if table.get("device", "cpu") != "cpu":
        raise _problem(
            file,
            name,
            "device",
            f"{table['device']!r}: declared subjects run on the CPU only in this version; "
            'remove the key or write device = "cpu".',
        )
    return Declaration(
        name,
        file,
        root,
        refs["model"],
        refs["data"],
        paths,
        refs["trainer"],
        None if seconds is None else float(seconds),
        tuple(classes) if classes is not None else None,
        refs["concepts"],
        {k: dict(v) for k, v in layers.items()},
        reducer,
        batch,
        table.get("device", "cpu"),
    )


def resolve(declared: Declaration, key: str):
    """What key ``model``, ``data``, ``concepts`` or ``trainer`` names, imported with the project root on the
    path."""
    reference = getattr(declared, key)
    module_name, _, attribute = reference.partition(":")
    if str(declared.root) not in sys.path:
        sys.path.insert(0, str(declared.root))
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise InvalidConfig(
            f"{declared.where} {key}: cannot import {module_name!r} ({err}). The project root "
            f"{declared.root} is on the import path; make the module importable from there, or install it."
        ) from None
    except Exception as err:
        raise InvalidConfig(
            f"{declared.where} {key}: importing {module_name!r} failed with {type(err).__name__}: {err}. "
            "Fix the module."
        ) from err
    if not hasattr(module, attribute):
        raise InvalidConfig(f"{declared.where} {key}: {module_name} has no {attribute!r}; fix the name.")
    return getattr(module, attribute)
