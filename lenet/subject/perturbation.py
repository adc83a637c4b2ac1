"""A small, named perturbation of images: a shift, a rotation, a stroke thickened or thinned.

The invariance check searches over these (its hypothesis search shrinks
towards the identity, so every field is the identity at zero); a subject that
offers perturbations applies them with ``subject.perturb`` (the built-in
subject's is ``lenet.lenet_mnist.perturb``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Perturbation"]


@dataclass(frozen=True)
class Perturbation:
    """Shift by (dx, dy) pixels, rotate by ``degrees``
    (counter-clockwise), thicken (stroke > 0) or thin (< 0).

    ``stroke`` counts 3x3 grey dilations (erosions when negative); a fraction
    blends the last step in, so stroke changes are continuous and shrink to 0.
    """

    dx: int = 0
    dy: int = 0
    degrees: float = 0.0
    stroke: float = 0.0

    def __str__(self) -> str:
        parts = [
            f"shift ({self.dx:+d}, {self.dy:+d}) px" if self.dx or self.dy else "",
            f"rotate {self.degrees:+.1f} deg" if self.degrees else "",
            f"{'thicken' if self.stroke > 0 else 'thin'} stroke x{abs(self.stroke):.2f}"
            if self.stroke
            else "",
        ]
        return ", ".join(p for p in parts if p) or "no perturbation"

    @property
    def size(self) -> float:
        """A rough magnitude, for reports: pixels of shift + degrees/10 + stroke steps."""
        return abs(self.dx) + abs(self.dy) + abs(self.degrees) / 10 + abs(self.stroke)
