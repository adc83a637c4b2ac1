"""A toy network with what makes hooking hard: BatchNorm, an in-place ReLU, functional ReLUs, a module
called twice and a residual addition. Imported by the tests of ``lenet.declared`` and, as source text,
written into temporary projects that declare it as a subject."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class Toy(nn.Module):
    def __init__(self, classes: int = 3):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.act = nn.ReLU(inplace=True)  # writes into bn's output
        self.mix = nn.Conv2d(4, 4, 3, padding=1)  # called twice
        self.fc = nn.Linear(4, 6)
        self.out = nn.Linear(6, classes)

    def forward(self, x):
        x = self.act(self.bn(self.conv(x)))
        y = F.relu(self.mix(x))
        y = self.mix(y) + x  # the second call of mix, then the residual addition
        y = F.relu(y).mean((2, 3))
        return self.out(F.relu(self.fc(y)))


def toy(seed: int | None = None) -> Toy:
    """A toy network, from ``seed`` (None: from the RNG as it is, as a subject's model factory must)."""
    if seed is not None:
        torch.manual_seed(seed)
    model = Toy().eval()
    with torch.no_grad():  # BatchNorm statistics that are not the identity
        model.bn.running_mean.uniform_(-0.5, 0.5)
        model.bn.running_var.uniform_(0.5, 2.0)
    return model


def ignores_the_seed() -> Toy:
    """A model factory that seeds the RNG itself: every "untrained network" would be the same one."""
    return toy(0)


def manual(model: Toy, x: torch.Tensor, at: str | None = None, edit=None) -> torch.Tensor:
    """The forward pass written out by hand, with ``edit`` applied to the value called ``at``:
    the ground truth the hooks are tested against."""

    def point(name, value):
        return edit(value.clone()) if name == at else value

    b = point("bn", model.bn(model.conv(x)))
    x = point("act", F.relu(b))
    m0 = point("mix#0", model.mix(x))
    y = point("relu", F.relu(m0))
    m1 = point("mix#1", model.mix(y))
    s = point("add", m1 + x)
    y = point("relu_1", F.relu(s)).mean((2, 3))
    f = point("fc", model.fc(y))
    return model.out(point("relu_2", F.relu(f)))


def images(count: int = 24, seed: int = 1) -> torch.Tensor:
    return torch.rand(count, 1, 6, 6, generator=torch.Generator().manual_seed(seed))
