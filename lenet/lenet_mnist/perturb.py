"""Small, named perturbations of digit images: shift, rotation, stroke thickening or thinning.

Used by the invariance check, whose hypothesis search shrinks towards the
identity, so every perturbation is parameterised to be the identity at zero.
Images are ``(N, 1, 28, 28)`` in [0, 1].
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from ..subject.perturbation import Perturbation

__all__ = ["apply"]


def _shift(images: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    padded = F.pad(images, (4, 4, 4, 4))  # (N, 1, 36, 36): shifts up to 4 px fill with background
    return padded[:, :, 4 - dy : 32 - dy, 4 - dx : 32 - dx]


def _rotate(images: torch.Tensor, degrees: float) -> torch.Tensor:
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    theta = torch.tensor([[cos, -sin, 0.0], [sin, cos, 0.0]], dtype=images.dtype).expand(len(images), 2, 3)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _stroke(images: torch.Tensor, steps: float) -> torch.Tensor:
    whole, fraction = divmod(abs(steps), 1.0)
    step = (lambda x: F.max_pool2d(x, 3, 1, 1)) if steps > 0 else (lambda x: -F.max_pool2d(-x, 3, 1, 1))
    for _ in range(int(whole)):
        images = step(images)
    return images + fraction * (step(images) - images) if fraction else images


def apply(images: torch.Tensor, p: Perturbation) -> torch.Tensor:
    """``images`` perturbed by ``p`` (stroke first, then rotation,
    then shift); the identity when ``p`` is zero."""
    if p.dx > 4 or p.dy > 4 or p.dx < -4 or p.dy < -4:
        raise ValueError(f"shift ({p.dx}, {p.dy}) exceeds 4 px; use a smaller max_shift.")
    out = _stroke(images, p.stroke) if p.stroke else images
    out = _rotate(out, p.degrees) if p.degrees else out
    return _shift(out, p.dx, p.dy) if (p.dx or p.dy) else out
