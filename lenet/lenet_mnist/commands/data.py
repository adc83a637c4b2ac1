"""Locate MNIST and verify it against our SHA-256 sums (or download it with torchvision, when online).

The root is --mnist-root, else $LENET_MNIST_ROOT, else ./data, in torchvision
layout: ROOT/MNIST/raw/train-images-idx3-ubyte and the three other IDX files.
"""

from __future__ import annotations

import argparse

from ...options import add_mnist_root

HELP = "locate and verify MNIST (or --download it when online)"
EXAMPLES = """examples:
  lenet data --mnist-root ../shared/mnist
  lenet data --download --mnist-root ./data     # needs internet
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--download",
        action="store_true",
        help="fetch MNIST with torchvision into --mnist-root (default ./data)",
    )
    add_mnist_root(parser)


def run(args: argparse.Namespace) -> int:
    from .. import data

    if args.download:
        data.download(args.mnist_root or "data")
    raw = data.find_raw(args.mnist_root)
    for name, digest in data.verify(args.mnist_root).items():
        print(f"ok  {digest[:16]}...  {raw / name}")
    for split in data.SPLITS:
        print(f"{split}: {len(data.load_split(split, args.mnist_root))} images")
    return 0
