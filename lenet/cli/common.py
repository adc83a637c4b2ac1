"""Arguments and parsing shared by several ``lenet`` commands."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from ..errors import InvalidConfig

__all__ = ["parse_seeds", "add_mnist_root", "add_cache_dir", "apply_locations"]


SEED_PART = re.compile(r"^\s*(\d+)(?:\s*-\s*(\d+))?\s*$")


def parse_seeds(text: str) -> list[int]:
    """Seeds from ``"3"``, ``"0-4"`` or ``"0,2,5-7"``, in order, without repeats."""
    seeds: list[int] = []
    for part in text.split(","):
        match = SEED_PART.match(part)
        if not match or (match[2] and int(match[2]) < int(match[1])):
            raise InvalidConfig(f"seeds={text!r} is not a seed list; write e.g. 3, 0-4 or 0,2,5-7.")
        high = int(match[2] or match[1])
        seeds.extend(s for s in range(int(match[1]), high + 1) if s not in seeds)
    return seeds


def add_mnist_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mnist-root", metavar="DIR", help="MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)")


def add_cache_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", metavar="DIR", help="checkpoint cache (default: $LENET_CACHE_DIR, else ~/.cache/lenet-claims)")


def apply_locations(args: argparse.Namespace) -> None:
    """Export --mnist-root and --cache-dir (absolute) as $LENET_MNIST_ROOT and $LENET_CACHE_DIR, which the library reads."""
    for option, variable in (("mnist_root", "LENET_MNIST_ROOT"), ("cache_dir", "LENET_CACHE_DIR")):
        if getattr(args, option, None):
            os.environ[variable] = str(Path(getattr(args, option)).resolve())
