"""Planted units, for calibrating power: a copy of a LeNet-5 with a linear-0 unit wired to detect a concept.

LeNet-specific (it edits ``linear0``/``linear1``/``linear2``): reached through ``Subject.planted``.
"""

from __future__ import annotations

import numpy as np

from ..subject.plant import Plant

__all__ = ["planted_model"]


def _linear0_inputs(model, images):
    """The 400 features linear-0 reads: ``(N, 1, 28, 28) -> (N, 400)``."""
    import torch
    from torch.nn import functional as F

    with torch.no_grad():
        conv1 = model.preactivations(images)["conv-1"]
        return F.max_pool2d(F.relu(conv1), 2).flatten(1)


def planted_model(model, images, plant: Plant, concept: np.ndarray, contrast: np.ndarray):
    """A copy of ``model`` with a planted detector;
    ``concept``/``contrast`` index ``images`` (the training split).

    The unit's weights become the difference of the mean linear-0 input on
    concept and contrast images (a linear discriminant), with the bias at the
    midpoint, so it fires on the concept; a linear-1 unit relays it to the logit (``route="relay"``), or
    it writes into the linear-1 units that already feed the logit, mixed with the other units' inputs
    (``route="shared"``).
    """
    import copy

    import torch

    model = copy.deepcopy(model)
    h1, h0 = _linear0_inputs(model, images[concept]).mean(0), _linear0_inputs(model, images[contrast]).mean(0)
    direction = (h1 - h0) / (h1 - h0).norm()
    scale = (
        plant.strength * 4.0 / float(direction @ (h1 - h0))
    )  # concept mean at +2, contrast mean at -2 (times strength)
    if plant.route not in ("relay", "shared"):
        raise ValueError(f"Plant.route {plant.route!r} must be 'relay' or 'shared'.")
    with torch.no_grad():
        model.linear0.weight[plant.unit] = direction * scale
        model.linear0.bias[plant.unit] = -float(direction @ (h1 + h0) / 2) * scale
        if plant.route == "shared":  # into the linear-1 units that already raise the logit, spread by weight
            feeds = model.linear2.weight[plant.logit].clamp(min=0)
            model.linear1.weight[:, plant.unit] = plant.gain * feeds / feeds.norm()
            return model.eval()
        model.linear1.weight[plant.relay] = 0.0
        model.linear1.weight[plant.relay, plant.unit] = plant.gain
        model.linear1.bias[plant.relay] = 0.0
        model.linear2.weight[:, plant.relay] = 0.0
        model.linear2.weight[plant.logit, plant.relay] = plant.gain
    return model.eval()
