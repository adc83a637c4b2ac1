"""Where a run's numbers came from: library versions, MNIST checksums, git commit, checked networks' hashes.

The one module of the results that reads the machine (files, a ``git`` subprocess);
rows and documents only carry what it returns. Schema: docs/claims-json.md.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

__all__ = ["of_run", "git", "checkpoint_hash"]


def _sha256(path: str) -> str | None:
    """The file's SHA-256, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def checkpoint_hash(seed: int, checkpoint: str | None, details: dict) -> str | None:
    """SHA-256 identifying the checked network: the verdict's, else the checkpoint file's, else the reference

    The reference's is read from the manifest of ``paths.reference_dir()``; None when nothing says.
    """
    if details.get("weights_sha256"):
        return str(details["weights_sha256"])
    if checkpoint:
        return _sha256(checkpoint)
    from ..paths import reference_dir

    try:
        entry = json.loads((reference_dir() / "manifest.json").read_text())["seeds"].get(str(seed))
    except (OSError, ValueError, KeyError):
        return None
    return entry.get("weights_sha256") if entry else None


def git() -> dict:
    """``{"commit", "dirty"}`` of the lenet-claims checkout; None for what git cannot tell (no checkout)."""
    root = Path(__file__).resolve().parents[2]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)

    try:
        commit, dirty = run("rev-parse", "HEAD"), run("status", "--porcelain")
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if commit.returncode:
        return {"commit": None, "dirty": None}
    changed = bool(dirty.stdout.strip()) if dirty.returncode == 0 else None
    return {"commit": commit.stdout.strip(), "dirty": changed}


def of_run(options: dict, args: list[str]) -> dict:
    """The ``provenance`` of a run: library versions, MNIST checksums, git commit, options and arguments."""
    from importlib import metadata

    from .. import subjects
    from ..errors import LenetError
    from ..versions import versions

    try:
        checksums = subjects.get().data_checksums()
    except LenetError as err:
        checksums = {"error": str(err)}
    try:
        version = metadata.version("lenet-claims")
    except metadata.PackageNotFoundError:
        version = None
    return {
        "lenet_claims": version,
        "versions": versions(),
        "data_sha256": checksums,
        "git": git(),
        "options": options,
        "args": args,
    }
