"""Arguments and parsing shared by several ``lenet`` commands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

__all__ = ["add_mnist_root", "add_cache_dir", "apply_locations"]


def add_mnist_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mnist-root", metavar="DIR", help="MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)")


def add_cache_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", metavar="DIR", help="checkpoint cache (default: $LENET_CACHE_DIR, else ~/.cache/lenet-claims)")


def apply_locations(args: argparse.Namespace) -> None:
    """Export --mnist-root and --cache-dir (absolute) as $LENET_MNIST_ROOT and $LENET_CACHE_DIR, which the library reads."""
    for option, variable in (("mnist_root", "LENET_MNIST_ROOT"), ("cache_dir", "LENET_CACHE_DIR")):
        if getattr(args, option, None):
            os.environ[variable] = str(Path(getattr(args, option)).resolve())
