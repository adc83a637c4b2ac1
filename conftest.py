"""Root conftest: makes the lenet-claims plugin available in a checkout where the package is not installed."""

from importlib import metadata

if not any(ep.value == "lenet.plugin" for ep in metadata.entry_points(group="pytest11")):
    pytest_plugins = ["lenet.plugin"]
