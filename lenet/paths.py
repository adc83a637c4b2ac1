"""Where things live: the project checkout, its fixtures, and the checkpoint cache.

``PROJECT_ROOT`` is the folder above ``lenet/`` (the checkout, when installed editable); a user's
project is ``lenet.project.root()``. The built-in subject's fixtures (reference checkpoints, hand
labels) are package data; ``LENET_FIXTURES`` and ``LENET_CACHE_DIR`` move the fixtures and the cache.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The built-in subject's reference checkpoints and hand labels: package data, so an installed wheel has them.
PACKAGE_FIXTURES = Path(__file__).resolve().parent / "lenet_mnist" / "fixtures"

#: Environment variable that moves the checkpoint cache.
CACHE_ENV = "LENET_CACHE_DIR"


def fixtures_dir() -> Path:
    """The folder holding reference checkpoints, manifest and labels."""
    return Path(os.environ.get("LENET_FIXTURES", PACKAGE_FIXTURES))


def reference_dir() -> Path:
    """The folder of committed reference checkpoints (``lenet/lenet_mnist/fixtures/checkpoints``)."""
    return fixtures_dir() / "checkpoints"


def cache_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The checkpoint cache: ``explicit``, else ``$LENET_CACHE_DIR``, else ``$XDG_CACHE_HOME/lenet-claims``.

    The default follows the XDG convention (``~/.cache/lenet-claims``) so that
    retrained seeds survive a fresh clone of the project.
    """
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lenet-claims"
