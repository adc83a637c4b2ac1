"""What an intervention did, per image: the logits before and after, and the named outputs read from them.

Every subject's ``intervene`` returns ``Effects``; checks read them through
``output`` names (``logit:true``, ``logit:N``, ``margin:true``, ``prob:true``, ``accuracy``).
``METHODS`` are the edits a subject offers (``zero``, ``mean``, ``resample``,
``clamp``); ``draw_sources`` draws the seeded source images of ``resample``.
How a subject applies an edit is its own business (the built-in subject's is
``lenet.lenet_mnist.interventions``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InvalidConfig

__all__ = ["Effects", "METHODS", "output", "margins", "draw_sources"]

METHODS = ("zero", "mean", "resample", "clamp")
_OUTPUT = re.compile(r"^(logit:(true|\d+)|margin:true|prob:true|accuracy)$")


def output(logits: torch.Tensor, labels: torch.Tensor, name: str) -> torch.Tensor:
    """Per-image value of a named output: 'logit:true', 'logit:N', 'margin:true' (the true class's logit
    minus the largest other: > 0 exactly when the image is classified right), 'prob:true' or 'accuracy'
    (1.0 if correct)."""
    if not _OUTPUT.match(name) or (name[6:].isdigit() and int(name[6:]) >= logits.shape[-1]):
        raise InvalidConfig(
            f"output={name!r} is unknown; use 'logit:true', 'logit:N' (N = 0-{logits.shape[-1] - 1}), "
            "'margin:true', 'prob:true' or 'accuracy'."
        )
    rows = torch.arange(len(labels))
    if name == "logit:true":
        return logits[..., rows, labels]
    if name == "margin:true":
        return margins(logits, labels)
    if name.startswith("logit:"):
        return logits[..., int(name.split(":")[1])]
    if name == "prob:true":
        return logits.softmax(-1)[..., rows, labels]
    return (logits.argmax(-1) == labels).float()


@dataclass
class Effects:
    """Logits before and after an intervention, per image: ``(N, 10)`` each, with the labels ``(N,)``."""

    before: torch.Tensor
    after: torch.Tensor
    labels: torch.Tensor

    @property
    def delta_logits(self) -> torch.Tensor:
        return self.after - self.before

    @property
    def delta_true_prob(self) -> torch.Tensor:
        return output(self.after, self.labels, "prob:true") - output(self.before, self.labels, "prob:true")

    @property
    def correct_before(self) -> torch.Tensor:
        return self.before.argmax(-1) == self.labels

    @property
    def correct_after(self) -> torch.Tensor:
        return self.after.argmax(-1) == self.labels

    def damage(self, name: str) -> np.ndarray:
        """Output before minus after, per image: how much the intervention took away."""
        return (output(self.before, self.labels, name) - output(self.after, self.labels, name)).numpy()

    def change(self, name: str) -> np.ndarray:
        """Output after minus before, per image."""
        return -self.damage(name)


def margins(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per image, the true class's logit minus the largest other logit (``(..., N, C)`` -> ``(..., N)``)."""
    rows = torch.arange(len(labels))
    true = logits[..., rows, labels]
    others = logits.clone()
    others[..., rows, labels] = -torch.inf
    return true - others.max(-1).values


def draw_sources(reference: np.ndarray, count: int, seed: int) -> np.ndarray:
    """For each of ``count`` images, the index of a reference image to take a unit's value from (seeded)."""
    return np.random.default_rng(seed).choice(np.asarray(reference), size=count, replace=True)
