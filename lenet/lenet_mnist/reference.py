"""Reference checkpoints committed under ``lenet/lenet_mnist/fixtures/checkpoints`` (package data, so
an installed wheel has them): seeds 0-19 with records and a manifest (0-4 from the start, 5-9 added
for the ten-seed population estimates of issue 19, 10-19 for its confirmatory claim on seeds no analysis
had seen).

They load as they are whatever the library versions (hashes are checked
against ``manifest.json``). Retraining reproduces them bit for bit only on the
same machine kind and library versions the manifest names.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ChecksumMismatch, CorruptCheckpoint
from ..paths import reference_dir
from . import checkpoint as ckpt
from .recorder import TrainingRecord
from .train import TrainConfig, TrainResult

__all__ = ["manifest", "seeds", "load", "load_record", "write"]

MANIFEST = "manifest.json"


def manifest(folder: Path | None = None) -> dict:
    """The manifest: ``{"seeds": {"0": {...}, ...}}``; empty when no reference checkpoints exist."""
    path = (folder or reference_dir()) / MANIFEST
    if not path.is_file():
        return {"seeds": {}}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise CorruptCheckpoint(
            f"{path}: not valid JSON ({err}); restore it from git (`git checkout -- {path}`)."
        ) from None


def seeds(folder: Path | None = None) -> list[int]:
    """The seeds that have a committed reference checkpoint."""
    return sorted(int(s) for s in manifest(folder)["seeds"])


def entry(seed: int, config: TrainConfig | None = None, folder: Path | None = None) -> dict | None:
    """The manifest entry of ``seed`` if it was trained with ``config`` (default config if None)."""
    found = manifest(folder)["seeds"].get(str(seed))
    if found is None or TrainConfig.from_dict(found["config"]) != (config or TrainConfig()):
        return None
    return found


def _verified(folder: Path, name: str, want: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise CorruptCheckpoint(
            f"{path}: listed in {MANIFEST} but missing; restore it with `git checkout -- {path}`."
        )
    got = ckpt.file_sha256(path)
    if got != want:
        raise ChecksumMismatch(
            f"{path}: SHA-256 {got[:16]}... differs from {MANIFEST} "
            f"({want[:16]}...); the file was altered. Restore it with `git checkout "
            f"-- {path}`, or regenerate with `lenet train --seed N --out {folder}`."
        )
    return path


def load(seed: int, folder: Path | None = None) -> ckpt.Checkpoint:
    """The reference checkpoint of ``seed``, verified against the manifest."""
    folder = folder or reference_dir()
    found = manifest(folder)["seeds"].get(str(seed))
    if found is None:
        raise CorruptCheckpoint(
            f"No reference checkpoint for seed {seed} in {folder}; reference seeds are {seeds(folder)}."
        )
    path = _verified(folder, found["checkpoint"], found["checkpoint_sha256"])
    loaded = ckpt.load(path, expect_sha256=found["weights_sha256"])
    loaded.meta["source"] = "reference"
    return loaded


def load_record(seed: int, folder: Path | None = None) -> TrainingRecord:
    """The committed training record (per-class activation and gradient scalars) of ``seed``."""
    folder = folder or reference_dir()
    found = manifest(folder)["seeds"][str(seed)]
    return TrainingRecord.load(_verified(folder, found["record"], found["record_sha256"]))


def write(result: TrainResult, meta: dict, folder: Path) -> dict:
    """Save a trained seed as a reference: checkpoint, record, and its manifest entry."""
    seed = meta["seed"]
    folder.mkdir(parents=True, exist_ok=True)
    saved = ckpt.save(folder / f"seed-{seed}.pt", result.model, meta)
    result.record.save(folder / f"seed-{seed}.record.npz")
    found = {
        **saved.meta,
        "checkpoint": f"seed-{seed}.pt",
        "checkpoint_sha256": ckpt.file_sha256(folder / f"seed-{seed}.pt"),
        "record": f"seed-{seed}.record.npz",
        "record_sha256": ckpt.file_sha256(folder / f"seed-{seed}.record.npz"),
    }
    current = manifest(folder)
    current["seeds"][str(seed)] = found
    current["seeds"] = dict(sorted(current["seeds"].items(), key=lambda kv: int(kv[0])))
    ckpt.atomic_write(folder / MANIFEST, (json.dumps(current, indent=2) + "\n").encode())
    return found
