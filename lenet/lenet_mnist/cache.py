"""The checkpoint cache: trained seeds beyond the references, trained once, shared by processes.

An entry is a folder ``<cache>/checkpoints/seed-N-<key>/`` keyed by everything
that changes the weights (config, seed, data checksums, library versions,
machine kind, device). Files are written atomically and ``entry.json`` (with
each file's SHA-256) last, so an entry is complete exactly when it exists. A
file lock makes concurrent pytest-xdist workers train a seed once: the first
trains, the others wait and load. A damaged file is reported, never used and
never silently replaced. Location: ``paths.cache_dir`` (``$LENET_CACHE_DIR``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from ..errors import CacheError, CorruptCheckpoint
from ..paths import cache_dir
from ..versions import versions
from . import checkpoint as ckpt
from . import data, reference
from .recorder import GradientExamples, TrainingRecord
from .train import TrainConfig, train

__all__ = ["checkpoint", "training_record", "gradient_examples", "entry", "find", "entries", "clear", "Entry"]


@dataclass
class Entry:
    """One cache entry: its folder and the metadata in its ``entry.json``."""

    folder: Path
    meta: dict

    @property
    def seed(self) -> int:
        return self.meta["seed"]

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())


def _key(seed: int, config: TrainConfig, mnist_root, device: str) -> str:
    material = {
        "seed": seed,
        "config": config.as_dict(),
        "data": data.checksums(mnist_root),
        "versions": versions(),
        "device": device,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:16]


def _root(cache) -> Path:
    root = cache_dir(cache) / "checkpoints"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CacheError(
            f"Cannot create the cache at {root} ({err.strerror}); set LENET_CACHE_DIR to a writable folder."
        ) from None
    return root


def _verify(folder: Path, meta: dict, name: str) -> Path:
    path = folder / name
    want = meta["files"].get(name)
    got = ckpt.file_sha256(path) if path.is_file() else None
    if got != want:
        problem = "is missing" if got is None else f"has SHA-256 {got[:16]}... instead of {want[:16]}..."
        raise CorruptCheckpoint(
            f"{path}: cached file {problem} (truncated or altered). Remove the entry with "
            f"`lenet cache clear --seed {meta['seed']}` (or delete {folder}) and rerun to retrain it."
        )
    return path


def _train_into(
    folder: Path, seed: int, config: TrainConfig, mnist_root, device: str, examples: bool, progress: bool
) -> dict:
    result = train(seed, config, mnist_root, device=device, examples=examples, progress=progress)
    folder.mkdir(parents=True, exist_ok=True)
    saved = ckpt.save(folder / "model.pt", result.model, result.provenance())
    result.record.save(folder / "record.npz")
    files = ["model.pt", "record.npz"]
    if result.examples is not None:
        result.examples.save(folder / "examples.npz")
        files.append("examples.npz")
    meta = {
        **saved.meta,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "files": {n: ckpt.file_sha256(folder / n) for n in files},
    }
    ckpt.atomic_write(folder / "entry.json", (json.dumps(meta, indent=2) + "\n").encode())
    return meta


def _folder(seed: int, config: TrainConfig, mnist_root, cache, device: str) -> Path:
    """Where the entry of (seed, config) lives, complete or not; creates the cache folder."""
    return _root(cache) / f"seed-{seed}-{_key(seed, config, mnist_root, device)}"


def find(seed: int, config: TrainConfig, mnist_root=None, cache=None, device: str = "cpu") -> Entry | None:
    """The complete cache entry of (seed, config), or None; never trains (``entry`` does)."""
    folder = _folder(seed, config, mnist_root, cache, device)
    meta_path = folder / "entry.json"
    return Entry(folder, json.loads(meta_path.read_text())) if meta_path.is_file() else None


def entry(
    seed: int,
    config: TrainConfig,
    mnist_root=None,
    cache=None,
    device: str = "cpu",
    examples: bool = False,
    progress: bool = True,
    retrain: bool = False,
) -> tuple[Entry, bool]:
    """The complete cache entry of (seed, config), trained under the lock when missing; ``(entry, trained)``.

    ``examples`` also wants the gradient-example frames (an entry without them is
    trained again); ``retrain`` replaces a complete entry with a fresh training.
    """
    folder = _folder(seed, config, mnist_root, cache, device)
    with FileLock(str(folder) + ".lock"):
        if retrain:
            shutil.rmtree(folder, ignore_errors=True)
        meta_path = folder / "entry.json"
        meta = json.loads(meta_path.read_text()) if meta_path.is_file() else None
        if meta is not None and (not examples or "examples.npz" in meta["files"]):
            return Entry(folder, meta), False
        if meta is None and folder.exists():
            print(
                f"lenet: {folder} is incomplete (a run stopped "
                f"while writing it); training seed {seed} again.",
                file=sys.stderr,
            )
        elif progress:  # never silently: say what is trained, where, and about how long it takes
            print(
                f"lenet: training seed {seed} into the cache ({folder}): {config.epochs} epochs, about "
                f"{max(1, round(10 * config.epochs * (config.subset or 60_000) / 60_000))} s on 2 idle cores "
                "(BENCHMARKS.md); progress below.",
                file=sys.stderr,
            )
        return Entry(folder, _train_into(folder, seed, config, mnist_root, device, examples, progress)), True


def checkpoint(
    seed: int,
    config: TrainConfig | None = None,
    mnist_root=None,
    cache=None,
    device: str = "cpu",
    progress: bool = True,
) -> ckpt.Checkpoint:
    """The checkpoint of ``seed``: the committed reference if there is one, else the cache, else trained now.

    ``meta["source"]`` says which ("reference", "cache" or "trained").
    """
    config = config or TrainConfig()
    if device == "cpu" and reference.entry(seed, config) is not None:
        return reference.load(seed)
    found, trained = entry(seed, config, mnist_root, cache, device, progress=progress)
    loaded = ckpt.load(
        _verify(found.folder, found.meta, "model.pt"), expect_sha256=found.meta["weights_sha256"]
    )
    loaded.meta["source"] = "trained" if trained else "cache"
    return loaded


def training_record(
    seed: int, config: TrainConfig | None = None, mnist_root=None, cache=None, progress: bool = True
) -> TrainingRecord:
    """The training record of ``seed``: committed for reference seeds, else from (or into) the cache."""
    config = config or TrainConfig()
    if reference.entry(seed, config) is not None:
        return reference.load_record(seed)
    found, _ = entry(seed, config, mnist_root, cache, progress=progress)
    return TrainingRecord.load(_verify(found.folder, found.meta, "record.npz"))


def gradient_examples(
    seed: int, config: TrainConfig | None = None, mnist_root=None, cache=None, progress: bool = True
) -> GradientExamples:
    """Gradient-example frames of ``seed``, regenerated by a visible retraining when not cached.

    The retrained weights are compared with the checkpoint they stand for (the
    reference, if ``seed`` has one). Where they differ (another machine kind or
    library versions), the frames are labelled as coming from that retrained run.
    """
    config = config or TrainConfig()
    found, trained = entry(seed, config, mnist_root, cache, examples=True, progress=progress)
    examples = GradientExamples.load(_verify(found.folder, found.meta, "examples.npz"))
    ref = reference.entry(seed, config)
    if ref is not None and ref["weights_sha256"] != found.meta["weights_sha256"]:
        examples.source = (
            f"retrained run (torch {found.meta['versions']['torch']} on "
            f"{found.meta['versions']['machine']}); its weights differ from reference seed "
            f"{seed} (made with torch {ref['versions']['torch']} on {ref['versions']['machine']})"
        )
        if trained:
            print(
                f"lenet: note: {examples.source}. The gradient "
                "examples show that run, not the reference checkpoint.",
                file=sys.stderr,
            )
    return examples


def entries(cache=None) -> list[Entry]:
    """Complete entries in the cache, by seed."""
    root = cache_dir(cache) / "checkpoints"
    found = []
    for meta_path in sorted(root.glob("seed-*/entry.json")) if root.is_dir() else []:
        found.append(Entry(meta_path.parent, json.loads(meta_path.read_text())))
    return sorted(found, key=lambda e: (e.seed, e.folder.name))


def clear(cache=None, seed: int | None = None) -> list[Path]:
    """Remove every cache entry (or those of ``seed``), complete or not; returns the folders removed."""
    root = cache_dir(cache) / "checkpoints"
    pattern = f"seed-{seed}-*" if seed is not None else "seed-*"
    removed = []
    for folder in sorted(root.glob(pattern)) if root.is_dir() else []:
        if folder.is_dir():
            with FileLock(str(folder) + ".lock"):
                shutil.rmtree(folder)
            removed.append(folder)
        else:  # lock files
            folder.unlink(missing_ok=True)
    return removed
