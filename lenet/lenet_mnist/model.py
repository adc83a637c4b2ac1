"""LeNet-5 with stable, user-facing layer names.

Layers: ``conv-0`` (6 channels), ``conv-1`` (16), ``linear-0`` (120 units),
``linear-1`` (84), ``linear-2`` (10 logits). A unit is read at a *site*
(``lenet.subject.site``): ``pre``, its layer's output before the ReLU (it can be
negative), or ``post``, after it (what the next layer reads; the logits have no
ReLU, so there both are the same). For a conv layer
a unit is a channel: interventions act on its whole map, and its one number per
image (for statistics) is the spatial mean of that map.

Images enter as ``(N, 1, 28, 28)`` floats in [0, 1]; the model normalises them
itself, so pictures and perturbations can work in pixel space.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ..subject.layers import Layer, find

__all__ = ["LeNet5", "LAYERS", "layer", "rectified", "at_site", "untrained", "MNIST_MEAN", "MNIST_STD"]

MNIST_MEAN = 0.1307  # pixel mean of the MNIST training images, in [0, 1]
MNIST_STD = 0.3081

LAYERS: dict[str, Layer] = {
    "conv-0": Layer("conv-0", "conv0", "conv", 6, (6, 28, 28)),
    "conv-1": Layer("conv-1", "conv1", "conv", 16, (16, 10, 10)),
    "linear-0": Layer("linear-0", "linear0", "linear", 120, (120,)),
    "linear-1": Layer("linear-1", "linear1", "linear", 84, (84,)),
    "linear-2": Layer("linear-2", "linear2", "linear", 10, (10,)),
}
LAYER_NAMES = tuple(LAYERS)


def layer(name: str) -> Layer:
    """The layer called ``name``; an unknown name raises an error listing the valid ones."""
    return find(LAYERS, name)


def rectified(name: str, site: str) -> bool:
    """Whether layer ``name``'s values at ``site`` passed through a ReLU: ``post``, for all but the logits."""
    from ..subject.site import check_site

    return check_site(site) == "post" and layer(name).name != LAYER_NAMES[-1]


def at_site(name: str, pre: torch.Tensor, site: str) -> torch.Tensor:
    """Layer ``name``'s values at ``site`` from its pre-activation: ``post`` is the ReLU (the logits: as they
    are)."""
    return F.relu(pre) if rectified(name, site) else pre


class LeNet5(nn.Module):
    """LeNet-5 (ReLU, max-pooling): conv 5x5 (pad 2) -> pool -> conv 5x5 -> pool -> 120 -> 84 -> 10."""

    def __init__(self) -> None:
        super().__init__()
        self.conv0 = nn.Conv2d(1, 6, kernel_size=5, padding=2)
        self.conv1 = nn.Conv2d(6, 16, kernel_size=5)
        self.linear0 = nn.Linear(16 * 5 * 5, 120)
        self.linear1 = nn.Linear(120, 84)
        self.linear2 = nn.Linear(84, 10)

    def module(self, name: str) -> nn.Module:
        """The torch module of the user-facing layer ``name``."""
        return getattr(self, layer(name).attr)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits ``(N, 10)`` for images ``(N, 1, 28, 28)`` in [0, 1]."""
        return self.forward_from("input", images)

    def _stage(self, index: int, x: torch.Tensor) -> torch.Tensor:
        """Pre-activation of layer ``index`` from the pre-activation of the layer before it."""
        if index == 0:
            return self.conv0((x - MNIST_MEAN) / MNIST_STD)  # (N, 1, 28, 28) -> (N, 6, 28, 28)
        if index == 1:
            return self.conv1(F.max_pool2d(F.relu(x), 2))  # -> (N, 6, 14, 14) -> (N, 16, 10, 10)
        if index == 2:
            return self.linear0(F.max_pool2d(F.relu(x), 2).flatten(1))  # -> (N, 400) -> (N, 120)
        return getattr(self, LAYERS[LAYER_NAMES[index]].attr)(F.relu(x))  # linear-1, linear-2

    def forward_from(self, name: str, value: torch.Tensor) -> torch.Tensor:
        """Logits computed from ``value``, the pre-activation of layer ``name`` (or ``"input"`` images).

        Downstream-only interventions use this: edit one layer's pre-activation
        and recompute only what follows it. A post-ReLU ``value`` (no negative entries)
        gives the same logits, since the ReLU leaves it unchanged.
        """
        start = 0 if name == "input" else LAYER_NAMES.index(layer(name).name) + 1
        for index in range(start, len(LAYER_NAMES)):
            value = self._stage(index, value)
        return value

    def preactivations(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every layer's pre-activation for ``images``, keyed by layer name (``linear-2`` = logits)."""
        out: dict[str, torch.Tensor] = {}
        value = images
        for index, name in enumerate(LAYER_NAMES):
            value = out[name] = self._stage(index, value)
        return out


def untrained(seed: int) -> LeNet5:
    """A freshly initialised LeNet-5 (eval mode) from ``seed``; torch's global random state is left as it was.

    The untrained networks behind the random-feature baseline and the matching null are these.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return LeNet5().eval()
