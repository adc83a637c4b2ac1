"""Named image sets of a declared subject: its classes, the project's index files and its predicates.

- ``class/NAME`` and ``class/not-NAME``: the images whose label is (is not) the class called NAME;
  NAME may also be the class's index;
- ``fixtures/concepts/NAME.train.txt`` and ``NAME.test.txt`` under the project root: image indices
  of each split, one per line;
- the declaration's ``concepts = "package.module:NAME"``: a dict of concept name -> function
  ``(images, labels) -> bool mask (N,)``, evaluated on each split.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from ..errors import InvalidConcept, UnknownConcept

__all__ = ["Concepts"]

_NAME = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
SPLITS = ("train", "test")


class Concepts:
    """The concepts of one declared subject, over its splits ``{"train": (images, labels), "test": ...}``."""

    def __init__(self, where: str, root: Path, classes: tuple[str, ...], predicates: dict | None):
        self.where, self.root, self.classes = where, root, classes
        self.predicates = dict(predicates or {})
        for name, function in self.predicates.items():
            if not (isinstance(name, str) and _NAME.match(name)) or not callable(function):
                raise InvalidConcept(
                    f"{where} concepts: {name!r} must map a name (letters, digits, '/', '-', '_', '.') "
                    "to a function (images, labels) -> bool mask."
                )

    @property
    def folder(self) -> Path:
        return self.root / "fixtures" / "concepts"

    def _files(self) -> dict[str, dict[str, Path]]:
        found: dict[str, dict[str, Path]] = {}
        if self.folder.is_dir():
            for path in sorted(self.folder.rglob("*.txt")):
                stem, _, split = path.relative_to(self.folder).as_posix()[: -len(".txt")].rpartition(".")
                if split in SPLITS:
                    found.setdefault(stem, {})[split] = path
        return found

    def known(self) -> list[str]:
        """Every concept name: the classes, then index files, then predicates."""
        names = [f"class/{c}" for c in self.classes] + [f"class/not-{c}" for c in self.classes]
        for name in [*self._files(), *self.predicates]:
            if name in names:
                raise InvalidConcept(f"concept {name!r} is defined twice ({self.where}); rename one.")
            names.append(name)
        return names

    def _class(self, name: str) -> int | None:
        if name in self.classes:
            return self.classes.index(name)
        if name.isdigit() and int(name) < len(self.classes):
            return int(name)
        return None

    def check(self, name: str) -> None:
        """An ``UnknownConcept`` listing the known names unless ``name`` is one."""
        body = name.removeprefix("class/")
        if name.startswith("class/") and self._class(body.removeprefix("not-")) is not None:
            return
        if name not in self.known():
            raise UnknownConcept(
                f"Unknown concept {name!r}; concepts are {', '.join(self.known())}. Define new ones in "
                f'{self.folder}/NAME.{{train,test}}.txt or in the subject\'s concepts = "module:NAME" table.'
            )

    def members(self, name: str, split: str, images: torch.Tensor, labels: torch.Tensor) -> np.ndarray:
        """Sorted indices of the concept's images on ``split``."""
        self.check(name)
        labels_np = labels.numpy()
        if name.startswith("class/"):
            body = name.removeprefix("class/")
            negate = body.startswith("not-") and self._class(body) is None
            index = self._class(body.removeprefix("not-") if negate else body)
            mask = labels_np == index
            return np.flatnonzero(~mask if negate else mask)
        files = self._files()
        if name in files:
            if split not in files[name]:
                raise InvalidConcept(f"concept {name!r} has no {self.folder}/{name}.{split}.txt; add it.")
            path = files[name][split]
            try:
                found = np.array(sorted({int(line) for line in path.read_text().split()}), dtype=np.int64)
            except ValueError:
                raise InvalidConcept(f"{path}: every line must be an image index (a whole number).") from None
            if len(found) and (found[0] < 0 or found[-1] >= len(labels_np)):
                raise InvalidConcept(
                    f"{path}: indices must lie in 0-{len(labels_np) - 1} (the {split} split)."
                )
            return found
        try:
            mask = self.predicates[name](images, labels)
        except Exception as err:
            raise InvalidConcept(
                f"{self.where} concept {name!r}: its function failed on the {split} split with "
                f"{type(err).__name__}: {err}"
            ) from err
        mask = np.asarray(mask.numpy() if isinstance(mask, torch.Tensor) else mask)
        if mask.shape != labels_np.shape or mask.dtype != bool:
            raise InvalidConcept(
                f"{self.where} concept {name!r}: its function returned {mask.dtype} {mask.shape}; it must "
                f"return a bool mask of shape ({len(labels_np)},) for the {split} split."
            )
        return np.flatnonzero(mask)
