"""Matching units across training runs:
a reference unit's counterpart in another network, or "no counterpart".

Unit indices mean nothing across seeds, so a claim about ``linear-0:58`` of the
reference seed is carried to another seed through its *counterpart*: the unit
whose values on the discovery split (training images) correlate with it.

- **Values**: ``Subject.values(layer, "train", site=...)`` at the claim's site (conv: spatial mean
  of the map; the functions default to ``pre``, where the figures below were measured)
  on a fixed sample of ``SAMPLE_SIZE`` training images drawn with
  ``SAMPLE_SEED``: the same images for every subject, never test images.
- **Assignment**: the Pearson correlation of every reference unit with every
  unit of the other network, ``(U, U)``; a one-to-one assignment maximising the
  summed correlation (``scipy.optimize.linear_sum_assignment``). A unit's
  *candidate* is its partner there; its *rank* is 1 + the number of the other
  network's units that correlate with it more strongly than the candidate does
  (1: the assignment gave it its best partner).
- **No counterpart** when the candidate correlates below ``min_correlation``
  (``MIN_CORRELATION``) or no better than the *null*: the same procedure run
  against ``NULL_NETWORKS`` untrained LeNet-5s (seeds ``NULL_FIRST_SEED``, ...).
  A unit's null bar is the largest candidate correlation it found among them, so
  for a further untrained network the chance that the unit clears its bar is at
  most 1 / (NULL_NETWORKS + 1) (= 1% by default; exchangeability of random
  initialisations). The null is per unit because untrained networks match some
  units easily (those that follow the amount of ink) and others hardly at all.
  Measured for seed 0 with the defaults: 20 further untrained networks (seeds
  40000-40019) found counterparts for 36 of 4,400 units of conv-1, linear-0 and
  linear-1 (0.8%; 0.9% with the minimum correlation off).

The trap: conv layers' values are spatial means, and every ``conv-0`` channel's
spatial mean follows the image's ink almost exactly (|r| near 1 between any two
channels, trained or not), so ``conv-0`` units get no counterpart (null bars
above 0.998): the null says, correctly, that these values cannot tell its
channels apart. Seed 0 against seeds 1-4 (defaults): conv-0 0 of 6, conv-1 2-5
of 16, linear-0 81-94 of 120, linear-1 70-75 of 84, linear-2 10 of 10.

The null is cached on disk under ``paths.cache_dir()/match/`` (file lock, atomic
write), one file per reference network for every layer: about a minute of CPU
the first time, instant afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from filelock import FileLock
from scipy.optimize import linear_sum_assignment

from ..errors import InvalidConfig, MatchError, UnknownUnit
from ..files import atomic_write
from ..paths import cache_dir
from .subject import Subject

if TYPE_CHECKING:
    import torch

__all__ = [
    "Match",
    "LayerMatch",
    "Null",
    "match_unit",
    "match_layer",
    "match_values",
    "null",
    "correlations",
    "assign",
    "sample_rows",
    "sample_values",
    "direct_values",
    "SAMPLE_SIZE",
    "SAMPLE_SEED",
    "NULL_NETWORKS",
    "NULL_FIRST_SEED",
    "MIN_CORRELATION",
]

SAMPLE_SIZE = 5_000  # training images correlated; r's standard error is at most ~0.014 at this size
SAMPLE_SEED = 0  # draws the sample from the training split; the same for every subject
NULL_NETWORKS = 99  # untrained networks in the null: false-match rate per unit <= 1 / 100
NULL_FIRST_SEED = 30_000  # untrained networks use seeds 30000, 30001, ... (baselines use 10000+)
MIN_CORRELATION = 0.5  # below this the two units share less than a quarter of their variance
_FORMAT = 2  # bump when the null's computation changes, so old cache files are not reused


@dataclass(frozen=True)
class Match:
    """A reference unit's counterpart in another network, or why it has none (``counterpart`` is None)."""

    layer: str
    unit: int  # index in the reference network
    candidate: int  # its partner in the one-to-one assignment, accepted or not
    correlation: float  # Pearson r between unit and candidate on the discovery sample
    rank: int  # 1 + other units correlating more strongly with ``unit`` than the candidate does
    units: int  # units in the layer (the rank's "of")
    null_bar: float  # the best candidate correlation this unit found in untrained networks
    min_correlation: float
    reason: str | None  # why there is no counterpart; None when there is one

    @property
    def counterpart(self) -> int | None:
        """The counterpart's index in the other network, or None when the match is too weak."""
        return self.candidate if self.reason is None else None

    def __str__(self) -> str:
        where = f"{self.layer}:{self.unit}"
        stats = f"r={self.correlation:.3f}, rank {self.rank} of {self.units}"
        if self.reason is None:
            return f"{where} -> {self.layer}:{self.candidate} ({stats}, null bar {self.null_bar:.3f})"
        return (
            f"{where} -> no counterpart ({self.reason}; best "
            f"candidate {self.layer}:{self.candidate}, {stats})"
        )


@dataclass(frozen=True)
class Null:
    """Candidate correlations of the reference's units with untrained networks':
    ``correlations`` is ``(networks, U)``."""

    layer: str
    correlations: np.ndarray

    @property
    def networks(self) -> int:
        return len(self.correlations)

    @property
    def bars(self) -> np.ndarray:
        """Per reference unit, the best candidate correlation over all untrained networks, ``(U,)``."""
        return self.correlations.max(axis=0)

    @property
    def false_match_rate(self) -> float:
        """Upper bound on the chance that a unit clears its bar against a further untrained network."""
        return 1.0 / (self.networks + 1)


@dataclass(frozen=True)
class LayerMatch:
    """Every reference unit of a layer matched one-to-one with another network's units."""

    layer: str
    correlations: np.ndarray  # (U, U): reference unit x other unit, Pearson r on the discovery sample
    candidates: np.ndarray  # (U,): each reference unit's partner in the assignment
    null: Null
    min_correlation: float

    @property
    def units(self) -> int:
        return len(self.candidates)

    @property
    def candidate_correlations(self) -> np.ndarray:
        """Each reference unit's correlation with its candidate, ``(U,)``."""
        return self.correlations[np.arange(self.units), self.candidates]

    @property
    def ranks(self) -> np.ndarray:
        """Each candidate's rank among the other network's
        units for its reference unit (1 = best), ``(U,)``."""
        return 1 + (self.correlations > self.candidate_correlations[:, None]).sum(axis=1)

    @property
    def matched(self) -> np.ndarray:
        """Which reference units have a counterpart, ``(U,)`` bool."""
        r = self.candidate_correlations
        return (r >= self.min_correlation) & (r > self.null.bars)

    def match(self, unit: int) -> Match:
        """The match of reference unit ``unit``."""
        unit = _check_unit(self.layer, unit, self.units)
        r, bar = float(self.candidate_correlations[unit]), float(self.null.bars[unit])
        reason = None
        if r < self.min_correlation:
            reason = f"r={r:.3f} is below the minimum correlation {self.min_correlation:.2f}"
        elif r <= bar:
            reason = (
                f"r={r:.3f} is no better than in untrained networks (best of {self.null.networks}: {bar:.3f})"
            )
        candidate, rank = int(self.candidates[unit]), int(self.ranks[unit])
        return Match(self.layer, unit, candidate, r, rank, self.units, bar, self.min_correlation, reason)

    def counterpart(self, unit: int) -> int | None:
        """The counterpart of reference unit ``unit``, or None when its match is too weak."""
        return self.match(unit).counterpart

    def matches(self) -> list[Match]:
        return [self.match(u) for u in range(self.units)]

    def summary(self) -> str:
        """One line: how many units found counterparts, and the typical correlation."""
        r = self.candidate_correlations
        return (
            f"{self.layer}: {int(self.matched.sum())} of {self.units} units have a counterpart "
            f"(median r {np.median(r):.3f}; null bars {self.null.bars.min():.3f}-{self.null.bars.max():.3f} "
            f"from {self.null.networks} untrained networks; min r {self.min_correlation:.2f})"
        )


def _check_unit(layer: str, unit: int, units: int) -> int:
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < units:
        raise UnknownUnit(f"unit={unit!r} is not a unit of {layer}; its units are 0-{units - 1}.")
    return int(unit)


def correlations(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r of every column of ``a`` ``(n, U)`` with every column of ``b`` ``(n, V)`` -> ``(U, V)``.

    A constant column correlates 0 with everything (it carries no information),
    rather than NaN, so the assignment stays defined.
    """
    za, zb = _unit_norm_columns(a), _unit_norm_columns(b)
    return np.clip(za.T @ zb, -1.0, 1.0)


def _unit_norm_columns(x: np.ndarray) -> np.ndarray:
    centred = np.asarray(x, np.float64) - np.asarray(x, np.float64).mean(axis=0)
    norms = np.sqrt((centred**2).sum(axis=0))
    return centred / np.where(norms > 0, norms, np.inf)


def assign(corr: np.ndarray) -> np.ndarray:
    """One-to-one assignment maximising summed correlation: ``(U, U)`` -> each row's column, ``(U,)``."""
    rows, cols = linear_sum_assignment(corr, maximize=True)
    out = np.empty(len(rows), dtype=np.int64)
    out[rows] = cols
    return out


def sample_rows(images: int) -> np.ndarray:
    """The fixed, sorted sample of training-image rows matching uses (all rows when there are fewer)."""
    if images <= SAMPLE_SIZE:
        return np.arange(images)
    return np.sort(np.random.default_rng(SAMPLE_SEED).choice(images, SAMPLE_SIZE, replace=False))


def sample_values(subject: Subject, layer: str, site: str = "pre") -> np.ndarray:
    """``subject``'s unit values of ``layer`` at ``site`` on the matching sample of the training split, ``(n,
    U)``."""
    values = subject.values(layer, subject.DISCOVERY, site=site)
    return values[sample_rows(len(values))]


def match_values(
    layer: str, reference: np.ndarray, other: np.ndarray, null: Null, min_correlation: float = MIN_CORRELATION
) -> LayerMatch:
    """Match ``reference`` ``(n, U)`` unit values with ``other`` ``(n, U)`` (same images, same order)."""
    _check_min_correlation(min_correlation)
    if reference.shape != other.shape or reference.ndim != 2:
        raise MatchError(
            f"reference values {reference.shape} and other values {other.shape} cannot be matched; pass "
            f"(images, units) arrays of the same layer on the same images."
        )
    if null.correlations.shape[1] != reference.shape[1]:
        raise MatchError(
            f"the null has {null.correlations.shape[1]} units, the "
            f"values {reference.shape[1]}; build it for layer {layer}."
        )
    corr = correlations(reference, other)
    return LayerMatch(layer, corr, assign(corr), null, float(min_correlation))


def _check_min_correlation(value: float) -> None:
    if not -1.0 <= value <= 1.0:
        raise InvalidConfig(
            f"min_correlation={value!r} must lie in [-1, 1]. Use a value such as {MIN_CORRELATION}."
        )


def match_layer(
    reference: Subject,
    other: Subject,
    layer: str,
    min_correlation: float = MIN_CORRELATION,
    networks: int = NULL_NETWORKS,
    site: str = "pre",
) -> LayerMatch:
    """Every unit of ``layer`` of ``reference`` matched with ``other``'s at ``site`` on the discovery
    sample."""
    layer = reference.layer(layer).name
    return match_values(
        layer,
        sample_values(reference, layer, site),
        sample_values(other, layer, site),
        null(reference, layer, networks, site),
        min_correlation,
    )


def match_unit(
    reference: Subject,
    other: Subject,
    layer: str,
    unit: int,
    min_correlation: float = MIN_CORRELATION,
    networks: int = NULL_NETWORKS,
    site: str = "pre",
) -> Match:
    """Reference unit ``layer:unit``'s counterpart in ``other``:
    its partner in the whole layer's assignment."""
    _check_unit(reference.layer(layer).name, unit, reference.layer(layer).units)
    return match_layer(reference, other, layer, min_correlation, networks, site).match(unit)


def null(reference: Subject, layer: str, networks: int = NULL_NETWORKS, site: str = "pre") -> Null:
    """The null of ``reference``'s ``layer``: its candidate correlations with ``networks`` untrained LeNet-5s.

    Cached on disk for every layer at once (one forward pass per untrained network).
    """
    layer = reference.layer(layer).name
    if networks < 1:
        raise InvalidConfig(
            f"networks={networks} must be at least 1; use {NULL_NETWORKS} for a 1% false-match rate."
        )
    return Null(layer, _null_table(reference, networks, site)[layer])


def _null_table(reference: Subject, networks: int, site: str = "pre") -> dict[str, np.ndarray]:
    """Every layer's ``(networks, U)`` candidate correlations, from the disk cache or computed now."""
    train = reference.split(reference.DISCOVERY)
    images = train.images[sample_rows(len(train))]  # (n, 1, 28, 28)
    digest = hashlib.sha256(
        json.dumps(
            [
                _FORMAT,
                reference.family,
                site,
                networks,
                NULL_FIRST_SEED,
                SAMPLE_SIZE,
                SAMPLE_SEED,
                reference.key,
            ]
        ).encode()
    )
    digest.update(images.numpy().tobytes())  # ties the file to the exact images
    path = cache_dir() / "match" / f"null-{reference.key[:12]}-{site}-{digest.hexdigest()[:16]}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        if path.is_file():
            with np.load(path, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        table = _compute_null(reference, images, networks, site)
        buffer = io.BytesIO()
        np.savez(buffer, **table)
        atomic_write(path, buffer.getvalue())
    return table


def _compute_null(
    reference: Subject, images: torch.Tensor, networks: int, site: str = "pre"
) -> dict[str, np.ndarray]:
    """Candidate correlations of ``reference``'s units with each untrained network's, per layer: ``(networks,
    U)``."""
    ref = direct_values(reference, images, site)
    rows: dict[str, list[np.ndarray]] = {name: [] for name in reference.layers}
    for i in range(networks):
        values = direct_values(reference.fresh(NULL_FIRST_SEED + i), images, site)
        for name in reference.layers:
            corr = correlations(ref[name], values[name])
            rows[name].append(corr[np.arange(len(corr)), assign(corr)])
    return {name: np.stack(found) for name, found in rows.items()}


def direct_values(subject: Subject, images: torch.Tensor, site: str = "pre") -> dict[str, np.ndarray]:
    """Every layer's unit values for ``images`` ``(n, 1, 28, 28)``: ``(n, U)`` float32, as ``Subject.values``
    reads them.

    The null's untrained networks (``subject.fresh``) are read on the sample directly, not through the
    split cache (the tests check the two agree).
    """
    return subject.all_values(images, site=site)
