"""Per-network measurements the trials draw from, computed once per network and cached on disk.

Values of a layer at a site, intervention effects per image and the like are deterministic functions of
the network (its ``key``) and the data; a calibration run that stops and starts again, or runs in shards on
several machines, reads them from ``<cache>/calibration/pools/<code digest>`` instead of recomputing them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import numpy as np
from filelock import FileLock

from ..paths import cache_dir

__all__ = ["cached", "split_class", "draw"]


def cached(key: str, name: str, spec: object, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()``'s array for network ``key``, from the disk cache when ``name`` with ``spec`` (any JSON)
    was computed before by the same code (``digest.code_digest``: a changed subject or cell recomputes it)."""
    from .digest import run_digest

    digest = hashlib.sha256(json.dumps([key, name, spec], default=str).encode()).hexdigest()[:20]
    folder = cache_dir() / "calibration" / "pools" / run_digest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{digest}.npy"
    with FileLock(str(path) + ".lock"):
        if path.is_file():
            return np.load(path, allow_pickle=False)
        found = np.asarray(compute())
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, found)
        tmp.replace(path)
    return found


def split_class(rng: np.random.Generator, labels: np.ndarray, klass: int | None = None):
    """One class's images split at random into two groups of random sizes (20-80%): a null with no concept."""
    klass = int(rng.integers(labels.max() + 1)) if klass is None else klass
    members = rng.permutation(np.flatnonzero(labels == klass))
    cut = int(len(members) * rng.uniform(0.2, 0.8))
    return np.sort(members[:cut]), np.sort(members[cut:]), klass


def draw(rng: np.random.Generator, pool: np.ndarray, n: int | None = None) -> np.ndarray:
    """``n`` draws with replacement from ``pool`` (default: as many as it holds): a trial's images."""
    pool = np.asarray(pool)
    return pool[rng.integers(len(pool), size=len(pool) if n is None else n)]
