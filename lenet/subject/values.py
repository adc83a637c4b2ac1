"""A unit's one number per image, and what pictures read from those numbers.

``per_unit`` is the one rule for reducing a layer's output to a value per image
and unit (a conv channel's map by its spatial mean); ``weighted_mean_images``
and ``top_images`` turn a unit's values into what ``lenet inspect`` and the
report draw. Arrays in, arrays out: no network is run here.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["per_unit", "weighted_mean_images", "top_images"]


def per_unit(pre: torch.Tensor) -> torch.Tensor:
    """A layer's pre-activation as one number per image and unit,
    ``(N, U[, H, W]) -> (N, U)``: conv channels by their spatial mean."""
    return pre.flatten(2).mean(2) if pre.dim() > 2 else pre


def weighted_mean_images(values: np.ndarray, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Rectified-activation-weighted mean image per class:
    ``(N,)``, ``(N, 28, 28)``, ``(N,)`` -> ``(10, 28, 28)``.

    Weights are max(value, 0), so images on which the unit does not fire add
    nothing (the original analysis's picture of "the average 7 that drives this
    unit"); a class on which the unit never fires gives a blank image.
    """
    weights = np.maximum(values, 0).astype(np.float64)
    out = np.zeros((10, *images.shape[1:]))
    for c in range(10):
        rows = labels == c
        total = weights[rows].sum()
        if total > 0:
            out[c] = np.tensordot(weights[rows], images[rows], axes=1) / total
    return out.astype(np.float32)


def top_images(values: np.ndarray, k: int = 10, lowest: bool = False) -> np.ndarray:
    """Indices of the ``k`` highest values (``lowest``: most negative), best first."""
    key = np.asarray(values if lowest else -values)
    if k < len(key):  # only the values up to the k-th smallest are sorted (the same order as a full sort)
        candidates = np.flatnonzero(key <= np.partition(key, k - 1)[k - 1]) if k > 0 else np.array([], int)
        if len(candidates) >= k:  # else NaNs among the first k: the full sort places them
            return candidates[np.argsort(key[candidates], kind="stable")][:k]
    return np.argsort(key, kind="stable")[:k]
