"""The random-feature baseline: how selective are units of *untrained* networks for the same concept?

Random projections of pixels are already somewhat selective (crossed sevens
carry more ink than plain ones), so a selectivity claim must beat them: the
AUROC of every unit of the same layer, over many untrained LeNet-5s
(initialisations from seeds 10000, 10001, ...), on the same concept and contrast
images. A claim about a named unit must clear the 99th percentile of all those
AUROCs; a claim that *selected* its unit as the layer's best must clear the 99th
percentile of each untrained network's best unit. Results are cached on disk.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import torch
from filelock import FileLock

from ..paths import cache_dir
from ..stats import estimates

__all__ = ["Baseline", "baseline", "networks_for", "FIRST_SEED"]

FIRST_SEED = 10_000  # untrained networks use seeds FIRST_SEED, FIRST_SEED + 1, ...


def networks_for(selected: bool) -> int:
    """Untrained networks needed: 20 give >= 120 pooled unit AUROCs per layer (2,400 for linear-0) for a
    named unit's bar; the per-network maximum (selected units) needs one value per network, so 200."""
    return 200 if selected else 20


@dataclass(frozen=True)
class Baseline:
    """AUROCs of untrained networks' units: ``aurocs`` is ``(networks, units)``."""

    layer: str
    aurocs: np.ndarray

    @property
    def unit_p99(self) -> float:
        """99th percentile over every unit of every untrained network: the bar for a named unit."""
        return float(np.quantile(self.aurocs, 0.99))

    @property
    def best_p99(self) -> float:
        """99th percentile of each network's best unit: the bar for a unit selected as the layer's best."""
        return float(np.quantile(self.aurocs.max(axis=1), 0.99))

    def bar(self, selected: bool) -> float:
        return self.best_p99 if selected else self.unit_p99


@torch.no_grad()
def _untrained_aurocs(
    subject, layer: str, images: torch.Tensor, concept_rows: int, networks: int
) -> np.ndarray:
    out = []
    for i in range(networks):
        values = subject.fresh(FIRST_SEED + i).image_values(images, layer, batch=len(images))  # (N, U)
        out.append(estimates.auroc_columns(values[:concept_rows], values[concept_rows:]))
    return np.stack(out)


def baseline(
    subject, layer: str, split: str, concept: np.ndarray, contrast: np.ndarray, selected: bool = False
) -> Baseline:
    """The baseline for ``layer`` on ``split``'s images ``concept`` vs ``contrast``,
    from the disk cache or computed now.

    Untrained networks are ``subject.fresh(seed)``. ``selected``: the claim chose its unit as the layer's
    best, so its bar is the per-network maximum.
    """
    images = subject.split(split).images
    networks = networks_for(selected)
    digest = hashlib.sha256(
        json.dumps([layer, networks, FIRST_SEED, concept.tolist(), contrast.tolist()]).encode()
    )
    digest.update(images[: min(len(images), 64)].numpy().tobytes())  # ties the key to the data, cheaply
    folder = cache_dir() / "baselines"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{layer}-{digest.hexdigest()[:16]}.npy"
    with FileLock(str(path) + ".lock"):
        if path.is_file():
            return Baseline(layer, np.load(path, allow_pickle=False))
        aurocs = _untrained_aurocs(
            subject, layer, torch.cat([images[concept], images[contrast]]), len(concept), networks
        )
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, aurocs)
        tmp.replace(path)
    return Baseline(layer, aurocs)
