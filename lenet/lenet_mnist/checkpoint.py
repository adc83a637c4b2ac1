"""Checkpoint files: a LeNet-5's weights with their provenance, saved atomically, verified on load.

A checkpoint is a ``torch.save`` of plain data (dicts, strings, numbers,
tensors), so it loads with ``torch.load(..., weights_only=True)`` and never runs
code. It carries the SHA-256 of its weights; loading recomputes it, so an
altered or truncated file is reported, never silently used.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..errors import CorruptCheckpoint
from ..files import atomic_write
from ..subject.weights import weights_sha256  # the one definition; re-exported here for the checkpoint code
from .model import LeNet5

__all__ = ["Checkpoint", "weights_sha256", "file_sha256", "save", "load"]

FORMAT = "lenet-claims/checkpoint"
VERSION = 1


@dataclass
class Checkpoint:
    """A model with what produced it: ``meta`` holds seed, config, test accuracy, versions, data sums."""

    model: LeNet5
    meta: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def weights_sha256(self) -> str:
        return self.meta["weights_sha256"]


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(path: str | os.PathLike, model: LeNet5, meta: dict) -> Checkpoint:
    """Save ``model`` with ``meta`` (plain data only) atomically; returns the checkpoint as saved."""
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    meta = {**meta, "weights_sha256": weights_sha256(state)}
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, "meta": meta, "state_dict": state}, buffer)
    atomic_write(path, buffer.getvalue())
    return Checkpoint(model, meta, Path(path))


def load(path: str | os.PathLike, expect_sha256: str | None = None) -> Checkpoint:
    """Load and verify a checkpoint. ``expect_sha256``: the weights hash it must have (e.g. from a manifest).

    Accepts our format and, for users' own models, a bare LeNet5 ``state_dict``.
    """
    path = Path(path)
    fix = (
        "Delete it (`lenet cache clear` for cached ones) and retrain with `lenet train`, or restore the file."
    )
    if not path.is_file():
        raise CorruptCheckpoint(
            f"{path}: no such checkpoint file. Check the path, or train one with `lenet train`."
        )
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # truncated zip, pickle of forbidden objects, not a torch file
        lines = [line.strip() for line in str(err).splitlines() if line.strip()] or [type(err).__name__]
        reason = next((line for line in lines if line.startswith("WeightsUnpickler error")), lines[0])[:200]
        raise CorruptCheckpoint(
            f"{path}: cannot be read as a checkpoint ({reason}); it may be truncated. {fix}"
        ) from None
    if isinstance(blob, dict) and blob.get("format") == FORMAT:
        state, meta = blob.get("state_dict"), dict(blob.get("meta") or {})
    elif isinstance(blob, dict) and all(isinstance(v, torch.Tensor) for v in blob.values()):
        state, meta = blob, {}
    else:
        raise CorruptCheckpoint(
            f"{path}: not a LeNet-5 checkpoint (expected a lenet-claims checkpoint or a state_dict). {fix}"
        )
    model = LeNet5()
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as err:
        first = str(err).splitlines()[0][:200]
        raise CorruptCheckpoint(f"{path}: weights do not fit LeNet-5 ({first}). {fix}") from None
    actual = weights_sha256(model.state_dict())
    recorded = meta.get("weights_sha256")
    for want, where in ((recorded, "recorded in the file"), (expect_sha256, "expected by the manifest")):
        if want and want != actual:
            raise CorruptCheckpoint(
                f"{path}: weights hash {actual[:16]}... differs from the hash {where} ({want[:16]}...); "
                f"the file was altered or damaged. {fix}"
            )
    meta["weights_sha256"] = actual
    model.eval()
    return Checkpoint(model, meta, path)
