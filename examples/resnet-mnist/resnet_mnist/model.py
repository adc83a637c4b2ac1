"""The example network: unlike LeNet-5 where it matters to lenet-claims.

BatchNorm after each convolution; functional ReLUs (``F.relu``: no module to hook, named by their
torch.fx nodes ``relu``, ``relu_1``); one residual block whose ``nn.ReLU`` module is called twice
(``block.relu#0`` inside the block, ``block.relu#1`` after the residual addition ``add``).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class Block(nn.Module):
    """conv-bn-relu-conv-bn, plus the input, then the same ReLU module again."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + x)


class ResNetMnist(nn.Module):
    """stem (8 channels, 28x28) -> pool -> block (8, 14x14) -> pool -> head conv (32, 7x7) -> max -> fc 32
    -> 10 logits."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(8)
        self.block = Block(8)
        self.head = nn.Conv2d(8, 32, 3, padding=1)
        self.fc = nn.Linear(32, 32)
        self.out = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem_bn(self.stem(x)))
        x = self.block(F.max_pool2d(x, 2))
        x = F.relu(self.head(F.max_pool2d(x, 2)))
        x = F.relu(self.fc(F.max_pool2d(x, 7).flatten(1)))
        return self.out(x)


def build() -> ResNetMnist:
    """The untrained network (lenet-claims seeds the RNG before calling it)."""
    return ResNetMnist()
