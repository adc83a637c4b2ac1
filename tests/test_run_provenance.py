"""lenet.run.provenance: a run's versions, MNIST checksums and git commit; each checked network's hash."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import lenet
from lenet.paths import reference_dir
from lenet.run import provenance


def test_run_provenance_names_versions_data_git_options_and_arguments(monkeypatch):
    monkeypatch.setenv("LENET_MNIST_ROOT", "/nonexistent")
    made = provenance.of_run({"claims_json": "x.json"}, ["claims/"])
    assert list(made) == ["lenet_claims", "versions", "data_sha256", "git", "options", "args"]
    assert "error" in made["data_sha256"] and "LENET_MNIST_ROOT" in made["data_sha256"]["error"]
    assert (made["options"], made["args"]) == ({"claims_json": "x.json"}, ["claims/"])


def test_git_reports_the_checkout_commit():
    root = Path(lenet.__file__).resolve().parents[1]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True)
    found = provenance.git()
    assert set(found) == {"commit", "dirty"}
    assert found["commit"] == (head.stdout.strip() if head.returncode == 0 else None)


def test_checkpoint_hash_prefers_the_verdict_then_the_file_then_the_manifest(tmp_path):
    assert provenance.checkpoint_hash(0, None, {"weights_sha256": "ab" * 32}) == "ab" * 32
    path = tmp_path / "net.pt"
    path.write_bytes(b"weights")
    assert provenance.checkpoint_hash(0, str(path), {}) == hashlib.sha256(b"weights").hexdigest()
    assert provenance.checkpoint_hash(0, str(tmp_path / "missing.pt"), {}) is None
    manifest = json.loads((reference_dir() / "manifest.json").read_text())
    assert provenance.checkpoint_hash(0, None, {}) == manifest["seeds"]["0"]["weights_sha256"]
