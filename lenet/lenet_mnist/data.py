"""MNIST from a folder in torchvision layout, verified against our SHA-256 sums, held in memory.

Splits: ``train`` is the *discovery* split (choose units, draw pictures),
``test`` the *confirmation* split (check claims). The root is, in order: an
explicit argument, ``$LENET_MNIST_ROOT``, then ``./data``. Nothing is downloaded
unless a user asks for it (``lenet data --download``).
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from ..errors import ChecksumMismatch, DataNotFound

__all__ = ["Split", "MNIST_ENV", "SPLITS", "find_raw", "checksums", "load_split", "verify", "download"]

MNIST_ENV = "LENET_MNIST_ROOT"
SPLITS = {"train": "train", "test": "t10k"}  # split name -> IDX file prefix
HOW_TO_PROVIDE = (
    "Provide MNIST in torchvision layout (ROOT/MNIST/raw/train-images-idx3-ubyte, ...): "
    f"set {MNIST_ENV}=ROOT (on this project's machines: {MNIST_ENV}=../shared/mnist), "
    "pass --mnist-root ROOT (lenet commands) or --claims-mnist-root ROOT (pytest), "
    "or, when online, run `lenet data --download --mnist-root ./data`."
)


@dataclass(frozen=True)
class Split:
    """One MNIST split in memory: images ``(N, 1, 28, 28)`` float32 in [0, 1], labels ``(N,)`` int64."""

    name: str  # "train" (discovery) or "test" (confirmation)
    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


def expected_sums() -> dict[str, str]:
    """SHA-256 of each raw IDX file, as shipped in the package (copied from shared/mnist)."""
    text = resources.files("lenet.lenet_mnist").joinpath("mnist.sha256").read_text()
    rows = (line.split() for line in text.splitlines() if line and not line.startswith("#"))
    return {name: digest for digest, name in rows}


def _root(root: str | os.PathLike | None) -> tuple[Path, str]:
    """The root to search and where it came from (for the error message)."""
    if root is not None:
        return Path(root), "the given root"
    if os.environ.get(MNIST_ENV):
        return Path(os.environ[MNIST_ENV]), f"${MNIST_ENV}"
    return Path("data"), "the default ./data"


def find_raw(root: str | os.PathLike | None = None) -> Path:
    """The folder holding the raw IDX files: ``ROOT/MNIST/raw``
    (or ``ROOT`` itself if the files lie there)."""
    base, source = _root(root)
    for raw in (base / "MNIST" / "raw", base / "raw", base):
        if all((raw / name).is_file() for name in expected_sums()):
            return raw.resolve()
    raise DataNotFound(f"MNIST not found at {str(base)!r} ({source}). {HOW_TO_PROVIDE}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _verified(raw: Path) -> dict[str, str]:
    sums = {}
    for name, want in expected_sums().items():
        got = _sha256(raw / name)
        if got != want:
            raise ChecksumMismatch(
                f"{raw / name}: SHA-256 {got[:16]}... differs from the expected {want[:16]}...; "
                f"this file is not our MNIST (truncated or a different copy). Replace it with a "
                f"verified copy (e.g. ../shared/mnist) or delete it and run `lenet data --download`."
            )
        sums[name] = got
    return sums


def verify(root: str | os.PathLike | None = None) -> dict[str, str]:
    """Check every raw file against its SHA-256 (once per process); returns name -> digest."""
    return dict(_verified(find_raw(root)))


def checksums(root: str | os.PathLike | None = None) -> dict[str, str]:
    """The verified SHA-256 of each raw file: part of every checkpoint's provenance."""
    return verify(root)


def _read_idx(path: Path, magic: int) -> np.ndarray:
    data = np.fromfile(path, dtype=np.uint8)
    header = int.from_bytes(data[:4].tobytes(), "big")
    if header != magic:
        raise ChecksumMismatch(f"{path}: not an IDX file (magic {header:#x}, expected {magic:#x}).")
    dims = header & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i].tobytes(), "big") for i in range(dims)]
    return data[4 + 4 * dims :].reshape(shape)


@functools.lru_cache(maxsize=4)
def _load(raw: Path, split: str) -> Split:
    _verified(raw)
    prefix = SPLITS[split]
    images = _read_idx(raw / f"{prefix}-images-idx3-ubyte", 0x803)  # (N, 28, 28) uint8
    labels = _read_idx(raw / f"{prefix}-labels-idx1-ubyte", 0x801)  # (N,) uint8
    pixels = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # -> (N, 1, 28, 28)
    return Split(split, pixels, torch.from_numpy(labels.astype(np.int64)))


def load_split(split: str, root: str | os.PathLike | None = None) -> Split:
    """The ``train`` (discovery) or ``test`` (confirmation) split, verified and cached per process."""
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is unknown; use 'train' (discovery) or 'test' (confirmation).")
    return _load(find_raw(root), split)


def download(root: str | os.PathLike) -> Path:
    """Fetch MNIST with torchvision into ``root`` (needs internet), then verify it."""
    from torchvision.datasets import MNIST

    for train in (True, False):
        MNIST(str(root), train=train, download=True)
    verify(root)
    return find_raw(root)
