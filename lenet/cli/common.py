"""Arguments and parsing shared by several ``lenet`` commands."""

from __future__ import annotations

import argparse

from ..errors import InvalidConfig

__all__ = ["parse_seeds", "add_mnist_root", "add_cache_dir"]


def parse_seeds(text: str) -> list[int]:
    """Seeds from ``"3"``, ``"0-4"`` or ``"0,2,5-7"``, in order, without repeats."""
    seeds: list[int] = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            span = range(int(low), int(high) + 1) if high else [int(low)]
            seeds.extend(s for s in span if s not in seeds)
    except ValueError:
        raise InvalidConfig(f"seeds={text!r} is not a seed list; write e.g. 3, 0-4 or 0,2,5-7.") from None
    if not seeds or min(seeds) < 0:
        raise InvalidConfig(f"seeds={text!r} names no seed >= 0; write e.g. 3, 0-4 or 0,2,5-7.")
    return seeds


def add_mnist_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mnist-root", metavar="DIR", help="MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)")


def add_cache_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", metavar="DIR", help="checkpoint cache (default: $LENET_CACHE_DIR, else ~/.cache/lenet-claims)")
