"""Command-line options and values shared by the ``lenet``
commands and the pytest plugin: locations and seed lists.

Shared by the generic commands (``lenet.cli``), the built-in subject's (``lenet.lenet_mnist.commands``)
and the plugin's ``--claims-seeds`` / ``--claims-shard``, so it imports nothing but the standard library.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from .errors import InvalidConfig

__all__ = ["add_mnist_root", "add_cache_dir", "add_site", "apply_locations", "parse_seeds", "parse_shard"]


def add_mnist_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mnist-root",
        metavar="DIR",
        help="MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)",
    )


def add_cache_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="checkpoint cache (default: $LENET_CACHE_DIR, else ~/.cache/lenet-claims)",
    )


def add_site(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        choices=("post", "pre"),
        default="post",
        help="where units are read: post (after the layer's nonlinearity: what the next layer reads; "
        "default) or pre (before it)",
    )


def apply_locations(args: argparse.Namespace) -> None:
    """Export --mnist-root and --cache-dir
    (absolute) as $LENET_MNIST_ROOT and $LENET_CACHE_DIR, which the library reads."""
    for option, variable in (("mnist_root", "LENET_MNIST_ROOT"), ("cache_dir", "LENET_CACHE_DIR")):
        if getattr(args, option, None):
            os.environ[variable] = str(Path(getattr(args, option)).resolve())


SEED_PART = re.compile(r"^\s*(\d+)(?:\s*-\s*(\d+))?\s*$")  # one part of a seed list: 3 or 0-4


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


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; anything else is an InvalidConfig saying how to write it."""
    index, slash, count = str(text).strip().partition("/")
    if slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return int(index), int(count)
    raise InvalidConfig(
        f"shard={text!r} is not a shard; write K/N with 1 <= K "
        "<= N, e.g. --claims-shard 2/4 for the second of four."
    )
