"""Discovery on the training split: rank a layer's units for a concept, and list anomalies worth a claim.

Everything here reads the discovery (train) split and the training record
only, never the test split, so a unit found here can still be confirmed
honestly by a claim's checks on the test split. Scanning many units and
keeping the best is exactly the multiple comparison the confirmation corrects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import subjects
from .errors import InvalidConfig
from .stats import estimates
from .subject.subject import Subject

__all__ = [
    "BASELINE_IMAGES",
    "untrained_bars",
    "UnitScore",
    "Scan",
    "scan",
    "GradientAnomaly",
    "StyleCandidate",
    "gradient_anomalies",
    "style_candidates",
    "style_pairs",
]


@dataclass(frozen=True)
class UnitScore:
    """One unit's selectivity for a concept on the train split, and what zero-ablating it costs each group."""

    unit: int
    auroc: estimates.Estimate
    concept_mean: float
    contrast_mean: float
    ablation: float | None  # mean drop of the true-class logit, concept minus contrast (None: not measured)


@dataclass(frozen=True)
class Scan:
    """Every unit of a layer ranked by AUROC (best first), with the untrained-network baseline bars."""

    layer: str
    concept: str
    contrast: str
    sizes: tuple[int, int]
    units: list[UnitScore]
    unit_bar: float  # p99 of all untrained units' AUROCs: what a named unit must beat
    best_bar: float  # p99 of untrained networks' best units: what the layer's best unit must beat
    networks: int
    site: str = "post"  # where the values were read


def _groups(subject: Subject, concept: str, contrast: str) -> tuple[np.ndarray, np.ndarray]:
    c, d = subject.members(concept, subject.DISCOVERY), subject.members(contrast, subject.DISCOVERY)
    if np.intersect1d(c, d).size:
        raise InvalidConfig(
            f"--concept {concept} and --contrast {contrast} share training images; choose disjoint sets "
            f"(`lenet concepts` lists them), e.g. seven/crossed against seven/plain."
        )
    return c, d


# per group: untrained networks see a seeded subsample (their AUROC spread shrinks with n: conservative)
BASELINE_IMAGES = 500


def untrained_bars(subject: Subject, layer: str, c: np.ndarray, d: np.ndarray, site: str):
    """The untrained-network baseline (200 networks, best-unit bar) on at most ``BASELINE_IMAGES`` discovery
    images per group (seeded): ``unit_p99`` and ``best_p99``."""
    from .subject.baseline import baseline

    rng = np.random.default_rng(0)

    def pick(rows):
        return (
            np.sort(rng.choice(rows, BASELINE_IMAGES, replace=False)) if len(rows) > BASELINE_IMAGES else rows
        )

    return baseline(subject, layer, subject.DISCOVERY, pick(c), pick(d), selected=True, site=site)


def scan(
    subject: Subject,
    layer: str,
    concept: str,
    contrast: str,
    ablate: bool = True,
    confidence: float = 0.99,
    site: str = "post",
) -> Scan:
    """Rank ``layer``'s units at ``site`` by AUROC of concept vs contrast on the train split; optionally each
    unit's ablation effect."""
    from .subject.baseline import networks_for

    layer = subject.layer(layer).name
    c, d = _groups(subject, concept, contrast)
    values = subject.values(layer, subject.DISCOVERY, site=site)
    aurocs = estimates.auroc_columns(values[c], values[d])
    damage = None
    if ablate:
        rows = np.concatenate([c, d])
        per_image = subject.sweep_damage(
            layer, "zero", "logit:true", split=subject.DISCOVERY, rows=rows, site=site
        )
        damage = per_image[:, : len(c)].mean(1) - per_image[:, len(c) :].mean(1)
    ranked = [
        UnitScore(
            int(u),
            estimates.auroc(values[c, u], values[d, u], confidence),
            float(values[c, u].mean()),
            float(values[d, u].mean()),
            None if damage is None else float(damage[u]),
        )
        for u in np.argsort(-aurocs, kind="stable")
    ]
    base = untrained_bars(subject, layer, c, d, site)
    bars = (base.unit_p99, base.best_p99, networks_for(True))
    return Scan(layer, concept, contrast, (len(c), len(d)), ranked, *bars, site)


@dataclass(frozen=True)
class GradientAnomaly:
    """A unit training pushed up for a class while its activation
    for that class stayed weak (the original's unit 8)."""

    unit: int
    pushed: int  # the class with the largest mean training gradient
    consistency: float  # fraction of frames whose gradient for that class is positive
    gradient: float  # its mean gradient over all frames
    activation: float  # final-epoch mean activation for that class
    rank: int  # that activation's rank among the 10 classes (1 = highest)
    top_class: int  # the class with the highest final-epoch mean activation
    most_pushed: int | None = None  # the class with the largest mean gradient (differs with pushed_class)


def gradient_anomalies(
    subject: Subject,
    layer: str,
    min_rank: int = 6,
    min_consistency: float = 0.8,
    pushed_class: int | None = None,
) -> list[GradientAnomaly]:
    """Units whose most-pushed class ranks ``min_rank`` or lower (of 10) in final activation, most
    consistent push first. With ``pushed_class``, the original analysis's own rule for its unit 58
    instead: units pushed up for that class on ``min_consistency`` of frames whatever class they are
    pushed most for, whose final mean pre-activation for it is negative (``min_rank`` is not used)."""
    layer = subject.layer(layer).name
    if layer not in subject.recorded_layers:
        return []
    record = subject.record()
    grads, acts = (
        record.gradient[layer].astype(np.float64),
        record.activation[layer].astype(np.float64),
    )  # (frames, 10, U)
    final = record.epoch > (np.ceil(record.epoch[-1]) - 1)
    mean_grad, final_act = grads.mean(0), acts[final].mean(0)  # (10, U)
    found = []
    for u in range(mean_grad.shape[1]):
        most = int(mean_grad[:, u].argmax())
        pushed = most if pushed_class is None else pushed_class
        rank = int((final_act[:, u] > final_act[pushed, u]).sum()) + 1
        consistency = float((grads[:, pushed, u] > 0).mean())
        weak = rank >= min_rank if pushed_class is None else final_act[pushed, u] < 0
        if weak and consistency >= min_consistency:
            found.append(
                GradientAnomaly(
                    u,
                    pushed,
                    consistency,
                    float(mean_grad[pushed, u]),
                    float(final_act[pushed, u]),
                    rank,
                    int(final_act[:, u].argmax()),
                    most,
                )
            )
    return sorted(found, key=lambda a: (-a.consistency, -a.gradient))


@dataclass(frozen=True)
class StyleCandidate:
    """A unit selective for one style of a digit against that digit's plain style,
    above the untrained-network bar."""

    unit: int
    concept: str
    contrast: str
    auroc: estimates.Estimate
    bar: float


def style_pairs() -> list[tuple[str, str]]:
    """Every ``X/style`` concept with an ``X/plain`` to compare against (built-in and the project's own)."""
    names = subjects.get().concepts()
    return [
        (n, f"{n.split('/')[0]}/plain")
        for n in names
        if "/" in n and not n.endswith("/plain") and f"{n.split('/')[0]}/plain" in names
    ]


def style_candidates(
    subject: Subject, layer: str, per_style: int = 3, confidence: float = 0.99, site: str = "post"
) -> list[StyleCandidate]:
    """For each style pair, the ``per_style`` most selective units at ``site`` whose AUROC CI clears the
    best-unit baseline bar."""
    layer = subject.layer(layer).name
    values = subject.values(layer, subject.DISCOVERY, site=site)
    found = []
    for concept, contrast in style_pairs():
        c, d = _groups(subject, concept, contrast)
        bar = untrained_bars(subject, layer, c, d, site).best_p99
        for u in np.argsort(-estimates.auroc_columns(values[c], values[d]), kind="stable")[:per_style]:
            estimate = estimates.auroc(values[c, u], values[d, u], confidence)
            if estimate.low > bar:
                found.append(StyleCandidate(int(u), concept, contrast, estimate, bar))
    return found
