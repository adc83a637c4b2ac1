"""The package layout's import contracts (``[tool.importlinter]`` in pyproject.toml), checked by the test command itself.

Layers in the order of the data flow, the built-in LeNet-MNIST subject behind the
subject registry, and no import cycles among the modules of a package: import-linter
checks them (``lint-imports``), so ``pytest`` and CI agree. What it cannot see,
imports at import time, tests/test_plugin.py checks by importing the plugin.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lenet

ROOT = Path(lenet.__file__).resolve().parent.parent


def _lint_imports() -> str:
    """The ``lint-imports`` next to this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.is_file() else shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is not installed; `pip install -e '.[test]'` installs import-linter.")
    return found


def test_import_contracts_hold():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [_lint_imports(), str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (
        f"an import contract is broken (pyproject.toml [tool.importlinter]):\n{done.stdout}{done.stderr}"
    )
