"""Train one seed of the example network: ``python -m resnet_mnist.train --seed N`` (about 10 s on 2 cores).

One epoch of Adam over the 60,000 training images, batch 128, from ``torch.manual_seed(seed)``;
writes ``weights/seed-N.pt`` (a state dict) and prints its test accuracy. lenet-claims calls
``trained(seed)`` itself for a seed without a weights file (into its cache, saying so first).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch.nn import functional as F

from .data import splits
from .model import build

HERE = Path(__file__).resolve().parent.parent


def train(seed: int, images: int = 60_000, epochs: int = 1) -> tuple[torch.nn.Module, float]:
    torch.manual_seed(seed)
    model = build()
    data = splits()
    x, y = data["train"][0][:images], data["train"][1][:images]
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(x), generator=order).split(128):
            optimiser.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        test_x, test_y = data["test"]
        accuracy = float((model(test_x).argmax(1) == test_y).float().mean())
    return model, accuracy


def trained(seed: int) -> torch.nn.Module:
    """The trainer lenet-claims calls for a seed without a weights file (``trainer`` in pyproject.toml)."""
    model, accuracy = train(seed)
    print(f"resnet-mnist seed {seed}: test accuracy {accuracy:.4f}")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    model, accuracy = train(args.seed)
    path = HERE / "weights" / f"seed-{args.seed}.pt"
    path.parent.mkdir(exist_ok=True)
    torch.save(model.state_dict(), path)
    print(f"seed {args.seed}: test accuracy {accuracy:.4f}, weights in {path}")


if __name__ == "__main__":
    main()
