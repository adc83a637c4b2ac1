"""lenet-claims as a user installs it: the wheel, a fresh virtualenv outside the checkout, the example
project's claims (a declared subject) and a claim about the built-in subject that must need no training.

How torch gets there: the new virtualenv's own site-packages holds only lenet-claims (installed from the
wheel with ``--no-deps``); a ``.pth`` line appends this environment's site-packages after it, so torch,
numpy and pytest are the ones already installed (a second torch would be 5.5 GB and a minute of pip).
``lenet`` itself is imported from the new virtualenv (asserted), never from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_CLAIM = """\
format = 2
claim = "Unit linear-0:111 of the reference LeNet-5 tells ones from sevens"
unit = "linear-0:111"
concept = "digit/1"
contrast = "digit/7"

[selectivity]   # the shipped claim claims/one-vs-seven-detector.toml selects this unit: 0.993 [0.986, 0.997]
min_auroc = 0.9
"""


# every requirement the installed wheel declares (extras aside) is installed at an allowed version
REQUIREMENTS_MET = """
import importlib.metadata as metadata, sys
from packaging.requirements import Requirement
bad = []
for text in metadata.distribution("lenet-claims").requires or []:
    need = Requirement(text)
    if need.marker is not None and not need.marker.evaluate({"extra": ""}):
        continue
    try:
        found = metadata.version(need.name)
    except metadata.PackageNotFoundError:
        bad.append(f"{need}: not installed")
        continue
    if not need.specifier.contains(found, prereleases=True):
        bad.append(f"{need}: {found} installed")
sys.exit("unmet: " + "; ".join(bad) if bad else 0)
"""


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtualenv outside the checkout with the wheel of this checkout installed: its python."""
    where = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ROOT,
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            where / "dist",
        ]
    )
    (wheel,) = (where / "dist").glob("lenet_claims-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for seed in range(5):  # the reference checkpoints travel with the package, so seeds 0-4 need no training
        assert f"lenet/lenet_mnist/fixtures/checkpoints/seed-{seed}.pt" in names
    assert "lenet/lenet_mnist/fixtures/checkpoints/manifest.json" in names
    _run([sys.executable, "-m", "venv", where / "venv"])
    python = where / "venv" / "bin" / "python"
    site = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    )
    (site / "zz_lenet_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel])
    _run(
        [python, "-c", REQUIREMENTS_MET]
    )  # the wheel's declared dependencies are met by what the .pth brings
    found = _run([python, "-c", "import lenet; print(lenet.__file__)"], cwd=where).stdout.strip()
    assert Path(found).is_relative_to(where / "venv"), found
    return python


@pytest.mark.slow
def test_the_installed_wheel_runs_the_example_project_and_a_builtin_claim_without_training(
    installed, tmp_path, mnist_root
):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "resnet-mnist", project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "claims" / "builtin-one-vs-seven.toml").write_text(BUILTIN_CLAIM)
    cache = tmp_path / "cache"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LENET_PROJECT_ROOT", "LENET_FIXTURES", "PYTHONPATH", "LENET_CLAIMS_RUN_JSON")
    }
    env.update(
        LENET_CACHE_DIR=str(cache), LENET_MNIST_ROOT=str(Path(os.environ["LENET_MNIST_ROOT"]).resolve())
    )
    out = tmp_path / "run.json"
    done = subprocess.run(
        [
            str(installed),
            "-m",
            "pytest",
            "claims/",
            "-q",
            "-p",
            "no:cacheprovider",
            "--claims-json",
            str(out),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    rows = json.loads(out.read_text())["results"]
    assert {row["subject"] for row in rows} == {"resnet-mnist", "lenet-mnist"}
    assert len(rows) == 9  # the example's 4 claims (8 items) and the built-in claim
    for row in rows:  # each item has the outcome its file records (xfail rows are expected outcomes too)
        assert row["outcome"] == row["expect"], (row["nodeid"], row["headline"])
    assert not any(cache.rglob("*.pt")), "a network was trained into the cache"
    assert "training" not in done.stderr.lower(), done.stderr[-2000:]
