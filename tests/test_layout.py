"""The package layout's import contracts and the code's lint and format, checked by the test command itself.

Import contracts (``[tool.importlinter]`` in pyproject.toml): layers in the order of the data flow, the
built-in LeNet-MNIST subject behind the subject registry, and no import cycles among the modules of a
package. import-linter checks them (``lint-imports``), so ``pytest`` and CI agree. What it cannot see,
imports at import time, tests/test_plugin.py checks by importing the plugin.

Lint and format (``[tool.ruff]`` in pyproject.toml): ``ruff check`` and ``ruff format --check`` on the
whole project. ruff is pinned exactly in the ``test`` extra, since its formatter changes between
versions; ``ruff check --fix .`` and ``ruff format .`` fix what they find.
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


def _ruff() -> str:
    """The ``ruff`` next to this Python (the venv's, as the test extra pins it), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.is_file() else shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed; `pip install -e '.[test]'` installs the pinned version.")
    return found


def _run_ruff(*args: str) -> tuple[subprocess.CompletedProcess, str]:
    """``ruff ARGS .`` in the project root (configured by its pyproject.toml), uncached; and its version."""
    ruff = _ruff()
    version = subprocess.run([ruff, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    command = [ruff, *args, "--no-cache", "."]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return done, version


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


def test_ruff_check_is_clean():
    done, version = _run_ruff("check", "--output-format", "concise")
    assert done.returncode == 0, (
        f"`ruff check` finds problems ({version}; pyproject.toml [tool.ruff.lint]); `ruff check --fix .` "
        f"fixes the safe ones, fix the rest by hand:\n{done.stdout}{done.stderr}"
    )


def test_ruff_format_is_clean():
    done, version = _run_ruff("format", "--check")
    assert done.returncode == 0, (
        f"files are not formatted as `ruff format` would ({version}; the test extra pins the version): "
        f"run `ruff format .`:\n{done.stdout}{done.stderr}"
    )
