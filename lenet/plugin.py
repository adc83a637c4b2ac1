"""pytest glue for lenet-claims: options (the ``claims`` group) and fixtures. No torch at import time.

Options have ini equivalents (``claims_mnist_root``, ``claims_cache_dir``); a
given option is exported as the matching environment variable, so library code,
subprocesses and pytest-xdist workers all see the same locations.
"""

from __future__ import annotations

import os

import pytest

OPTIONS = {
    # option dest: (flag, ini name, environment variable, help)
    "claims_mnist_root": ("--claims-mnist-root", "claims_mnist_root", "LENET_MNIST_ROOT",
                          "MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)"),
    "claims_cache_dir": ("--claims-cache-dir", "claims_cache_dir", "LENET_CACHE_DIR",
                         "checkpoint cache (default: $LENET_CACHE_DIR, else ~/.cache/lenet-claims)"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("claims", "lenet-claims: interpretability claims")
    for dest, (flag, ini, env, help_text) in OPTIONS.items():
        group.addoption(flag, dest=dest, metavar="DIR", help=help_text)
        parser.addini(ini, help=f"{help_text}; the {flag} option wins")


def pytest_configure(config: pytest.Config) -> None:
    for dest, (flag, ini, env, _) in OPTIONS.items():
        if config.getoption(dest):
            os.environ[env] = str((config.invocation_params.dir / config.getoption(dest)).resolve())
        elif config.getini(ini):
            os.environ[env] = str((config.rootpath / config.getini(ini)).resolve())
        elif os.environ.get(env):  # absolute, so subprocesses started elsewhere see the same place
            os.environ[env] = str((config.invocation_params.dir / os.environ[env]).resolve())


@pytest.fixture(scope="session")
def mnist_root() -> str:
    """The verified MNIST root for this session; fails (never skips) with how to provide it."""
    from lenet import data
    from lenet.errors import DataNotFound

    try:
        raw = data.find_raw()
    except DataNotFound as err:
        pytest.fail(str(err), pytrace=False)
    data.verify(raw)
    return str(raw)
