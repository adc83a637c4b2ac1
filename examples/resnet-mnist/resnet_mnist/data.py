"""MNIST for the example, read from ``$LENET_MNIST_ROOT`` (torchvision layout; nothing is downloaded)."""

from __future__ import annotations

import os

import torch


def _split(root: str, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    from torchvision.datasets import MNIST

    data = MNIST(root, train=train, download=False)
    return data.data.unsqueeze(1).float() / 255.0, data.targets.long()


def splits() -> dict:
    """Discovery (train) and confirmation (test) splits: images (N, 1, 28, 28) in [0, 1], labels (N,)."""
    root = os.environ.get("LENET_MNIST_ROOT")
    if not root:
        raise RuntimeError(
            "the example reads MNIST from $LENET_MNIST_ROOT (torchvision layout: ROOT/MNIST/raw/...); set it."
        )
    return {"train": _split(root, True), "test": _split(root, False), "classes": [str(d) for d in range(10)]}
