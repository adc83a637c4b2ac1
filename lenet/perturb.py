"""Small, named perturbations of digit images: shift, rotation, stroke thickening or thinning.

Used by the invariance check, whose hypothesis search shrinks towards the
identity, so every perturbation is parameterised to be the identity at zero.
Images are ``(N, 1, 28, 28)`` in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

__all__ = ["Perturbation", "apply"]


@dataclass(frozen=True)
class Perturbation:
    """Shift by (dx, dy) pixels, rotate by ``degrees`` (counter-clockwise), thicken (stroke > 0) or thin (< 0).

    ``stroke`` counts 3x3 grey dilations (erosions when negative); a fraction
    blends the last step in, so stroke changes are continuous and shrink to 0.
    """

    dx: int = 0
    dy: int = 0
    degrees: float = 0.0
    stroke: float = 0.0

    def __str__(self) -> str:
        parts = [f"shift ({self.dx:+d}, {self.dy:+d}) px" if self.dx or self.dy else "",
                 f"rotate {self.degrees:+.1f} deg" if self.degrees else "",
                 f"{'thicken' if self.stroke > 0 else 'thin'} stroke x{abs(self.stroke):.2f}" if self.stroke else ""]
        return ", ".join(p for p in parts if p) or "no perturbation"

    @property
    def size(self) -> float:
        """A rough magnitude, for reports: pixels of shift + degrees/10 + stroke steps."""
        return abs(self.dx) + abs(self.dy) + abs(self.degrees) / 10 + abs(self.stroke)


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
    """``images`` perturbed by ``p`` (stroke first, then rotation, then shift); the identity when ``p`` is zero."""
    if p.dx > 4 or p.dy > 4 or p.dx < -4 or p.dy < -4:
        raise ValueError(f"shift ({p.dx}, {p.dy}) exceeds 4 px; use a smaller max_shift.")
    out = _stroke(images, p.stroke) if p.stroke else images
    out = _rotate(out, p.degrees) if p.degrees else out
    return _shift(out, p.dx, p.dy) if (p.dx or p.dy) else out
