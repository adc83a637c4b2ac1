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

__all__ = ["Baseline", "baseline", "rule_baseline", "rank_bars", "networks_for", "FIRST_SEED"]

FIRST_SEED = 10_000  # untrained networks use seeds FIRST_SEED, FIRST_SEED + 1, ...
_FORMAT = 2  # bump when the bar's computation changes, so old cache files are not reused (2: sites)


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
    subject, layer: str, images: torch.Tensor, concept_rows: int, networks: int, site: str
) -> np.ndarray:
    out = []
    for i in range(networks):
        fresh = subject.fresh(FIRST_SEED + i)
        values = fresh.image_values(images, layer, site=site, batch=len(images))  # (N, U)
        out.append(estimates.auroc_columns(values[:concept_rows], values[concept_rows:]))
    return np.stack(out)


def baseline(
    subject,
    layer: str,
    split: str,
    concept: np.ndarray,
    contrast: np.ndarray,
    selected: bool = False,
    *,
    site: str,
) -> Baseline:
    """The baseline for ``layer`` at ``site`` on ``split``'s images ``concept`` vs ``contrast``, from the disk
    cache or computed now.

    Untrained networks are ``subject.fresh(seed)``. ``selected``: the claim chose its unit as the layer's
    best, so its bar is the per-network maximum.
    """
    images = subject.split(split).images
    networks = networks_for(selected)
    # the subject type, site and computation's version are in the key, so no other kind of bar is ever served
    identity = [_FORMAT, subject.family, site, layer, networks, FIRST_SEED]

    def compute() -> np.ndarray:
        both = torch.cat([images[concept], images[contrast]])
        return _untrained_aurocs(subject, layer, both, len(concept), networks, site)

    key = [*identity, concept.tolist(), contrast.tolist()]
    return Baseline(layer, _cached(f"{layer}-{site}", key, images, compute))


def _cached(name: str, key: list, images: torch.Tensor, compute) -> np.ndarray:
    """``compute()``'s array, from ``baselines/NAME-DIGEST.npy`` in the disk cache (file lock, atomic
    replace) or computed now; the digest is of ``key`` and the first images, which tie it to the data."""
    digest = hashlib.sha256(json.dumps(key).encode())
    digest.update(images[: min(len(images), 64)].numpy().tobytes())
    folder = cache_dir() / "baselines"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{digest.hexdigest()[:16]}.npy"
    with FileLock(str(path) + ".lock"):
        if path.is_file():
            return np.load(path, allow_pickle=False)
        found = compute()
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, found)
        tmp.replace(path)
    return found


SELECTION_IMAGES = 500  # per group: the discovery images each untrained network's own selection sees (seeded)


def _subsample(rows: np.ndarray, seed: int) -> np.ndarray:
    if len(rows) <= SELECTION_IMAGES:
        return np.asarray(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, SELECTION_IMAGES, replace=False))


def rule_baseline(
    subject,
    layer: str,
    top: int,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    site: str,
    by: str = "selectivity",
) -> np.ndarray:
    """The confirmation AUROCs of the units a ``select`` rule picks in untrained networks, ``(networks,
    top)``: the null each rank's bar (``rank_bars``) and baseline p-value come from.

    The claim's own rule is replayed inside each of ``networks_for(True)`` untrained networks: its units
    ranked by the rule's score ``by`` (AUROC, or zero-ablation damage to the true logit, concept minus
    contrast, as ``select`` scores them) on (at most ``SELECTION_IMAGES`` per group of) the discovery images
    ``train`` (concept, contrast rows), the same site and top-k, then the unit at each rank measured on the
    confirmation images ``test``. A claim's rank-r unit faces the untrained rank-r units, rather than
    each network's best unit by its confirmation AUROC (a stricter bar than the rule ever applied).
    Cached on disk like ``baseline``.
    """
    networks = networks_for(True)
    train = tuple(_subsample(rows, i) for i, rows in enumerate(train))
    identity = [_FORMAT, "rule", subject.family, site, layer, top, networks, FIRST_SEED]
    if by != "selectivity":  # (selectivity rules keep the key they had, so their cached bars stay valid)
        identity.append(by)
    key = [*identity, *(r.tolist() for r in (*train, *test))]
    return _cached(  # (networks, top)
        f"{layer}-{site}-rule",
        key,
        subject.split(subject.CONFIRMATION).images,
        lambda: _ranked_aurocs(subject, layer, top, train, test, networks, site, by),
    )


@torch.no_grad()
def _ranked_aurocs(subject, layer, top, train, test, networks, site, by="selectivity") -> np.ndarray:
    """Per untrained network: the confirmation AUROC of its units ranked 1..top by the rule's discovery
    score."""
    discovery = subject.split(subject.DISCOVERY)
    confirmation = subject.split(subject.CONFIRMATION).images
    chosen_from = torch.cat([discovery.images[train[0]], discovery.images[train[1]]])
    labels = discovery.labels[np.concatenate(train)]
    judged_on = torch.cat([confirmation[test[0]], confirmation[test[1]]])
    out = []
    for i in range(networks):
        fresh = subject.fresh(FIRST_SEED + i)
        if by == "ablation":
            damage = fresh.image_sweep_damage(
                chosen_from, labels, layer, "zero", "logit:true", site=site
            )  # (U, len(rows)): the rule's score on the same discovery images
            scores = damage[:, : len(train[0])].mean(axis=1) - damage[:, len(train[0]) :].mean(axis=1)
        else:
            a = fresh.image_values(chosen_from, layer, site=site, batch=len(chosen_from))
            scores = estimates.auroc_columns(a[: len(train[0])], a[len(train[0]) :])
        order = np.argsort(-scores, kind="stable")[:top]
        b = fresh.image_values(judged_on, layer, site=site, batch=len(judged_on))[:, order]
        out.append(estimates.auroc_columns(b[: len(test[0])], b[len(test[0]) :]))
    return np.stack(out)


def rank_bars(ranked: np.ndarray) -> np.ndarray:
    """The 99th percentile of each rank's confirmation AUROC over the untrained networks, ``(top,)``."""
    return np.quantile(ranked, 0.99, axis=0)
