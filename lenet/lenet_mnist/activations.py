"""Activation capture over a split: every layer's pre-activations, batched and cached for the process.

Pre-activations are captured without hooks (``LeNet5.preactivations`` returns
them), so nothing global is left behind on error. The cache is keyed by
(weights hash, split, layer) and holds a capture up to ``CACHE_LIMIT`` bytes
(conv-0 on the training split, 1.1 GB, is recomputed instead), and all of them
up to ``CACHE_TOTAL``, least recently used dropped first. One pass caches the
requested layer and every layer after it: an intervention needs the edited
layer, the next one and the logits. A unit's one
number per image is its pre-activation, or the spatial mean of its map for a
conv channel.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import torch

from ..subject.values import per_unit
from .checkpoint import weights_sha256
from .data import Split
from .model import LAYERS, LeNet5
from .model import layer as layer_info

__all__ = ["capture", "unit_values", "image_values", "CACHE_LIMIT", "CACHE_TOTAL"]

CACHE_LIMIT = 512 * 2**20  # bytes per cached capture
_CACHE: OrderedDict[tuple, torch.Tensor] = OrderedDict()
CACHE_TOTAL = 2 * 2**30  # bytes for all cached captures together


def _key(model: LeNet5, key: str | None) -> str:
    return key or weights_sha256(model.state_dict())


@torch.no_grad()
def capture(
    model: LeNet5, split: Split, layer: str, key: str | None = None, batch: int = 2000
) -> torch.Tensor:
    """Pre-activations of ``layer`` for every image of ``split``: ``(N, *layer.shape)`` float32."""
    shape = layer_info(layer).shape
    cache_key = (_key(model, key), split.name, len(split), layer)
    if cache_key in _CACHE:
        _CACHE.move_to_end(cache_key)
        return _CACHE[cache_key]
    model.eval()
    # one pass yields every layer: keep the requested one and every other layer small enough to cache
    after = list(LAYERS)[list(LAYERS).index(layer_info(layer).name) :]  # an intervention needs these
    fits = [name for name in after if len(split) * math.prod(LAYERS[name].shape) * 4 <= CACHE_LIMIT]
    wanted = sorted({layer, *fits}, key=list(LAYERS).index)
    parts: dict[str, list[torch.Tensor]] = {name: [] for name in wanted}
    for i in range(0, len(split), batch):
        pre = model.preactivations(split.images[i : i + batch])
        for name in wanted:
            parts[name].append(pre[name])
    for name in wanted:
        value = torch.cat(parts.pop(name))
        if name == layer:
            out = value
        if name in fits:
            _CACHE[(cache_key[0], split.name, len(split), name)] = value
    while sum(value.numel() * 4 for value in _CACHE.values()) > CACHE_TOTAL:
        _CACHE.popitem(last=False)  # least recently used first
    assert out.shape[1:] == shape
    return out


def unit_values(model: LeNet5, split: Split, layer: str, key: str | None = None) -> np.ndarray:
    """One number per image and unit, ``(N, units)`` float32:
    the pre-activation (conv: the map's spatial mean)."""
    return per_unit(capture(model, split, layer, key)).numpy()


@torch.no_grad()
def image_values(model: LeNet5, images: torch.Tensor, layer: str, batch: int = 2000) -> np.ndarray:
    """``unit_values`` for images that are not a split (uncached): ``(N, 1, 28, 28) -> (N, units)``."""
    model.eval()
    return torch.cat(
        [per_unit(model.preactivations(images[i : i + batch])[layer]) for i in range(0, len(images), batch)]
    ).numpy()
