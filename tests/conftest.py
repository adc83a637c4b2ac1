"""Shared fixtures: the verified MNIST root comes from the plugin
(``mnist_root``); tiny configs train in seconds."""

from __future__ import annotations

import pytest

from lenet.lenet_mnist.train import TrainConfig

try:  # pytest-playwright wraps every test call in playwright's soft-assertion scope, one global that cannot
    # nest, so claim runs started inside a test (pytester, in process) failed "nested soft assertion
    # scopes are not supported"; no test here uses soft assertions (expect.soft), so the scope is off
    import pytest_playwright.pytest_playwright as _playwright_plugin

    _playwright_plugin._soft_scope = None
except ImportError:  # the browser tests then fail at their own import, saying what is missing
    pass

pytest_plugins = ["pytester"]

# A fraction of an epoch on a subset: enough to exercise training, recording and caching in ~2 s.
TINY = TrainConfig(epochs=1, subset=1024, batch_size=128, frames_per_epoch=4)


@pytest.fixture(scope="session")
def mnist_root() -> str:
    """The verified MNIST root ($LENET_MNIST_ROOT or --claims-mnist-root);
    fails, never skips, with how to provide it."""
    from lenet.errors import DataNotFound
    from lenet.lenet_mnist import data

    try:
        raw = data.find_raw()
    except DataNotFound as err:
        pytest.fail(str(err), pytrace=False)
    data.verify(raw)
    return str(raw)


@pytest.fixture
def tiny_config() -> TrainConfig:
    return TINY


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private, empty checkpoint cache for one test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("LENET_CACHE_DIR", str(folder))
    return folder
