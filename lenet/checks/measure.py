"""From a subject and its target units to a Verdict: the measurements each check needs, then its judge.

Confirmation uses the test split only; levels and selections come from the
training split. One function per check, all with the same signature
(subject, target units, concept and contrast ``Members`` or None, params,
seed, confidence), so ``run`` can dispatch on the check's name.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidConfig
from ..subject import Subject
from ..verdict import Verdict

__all__ = ["MEASURES"]


def _single(target, check: str) -> int:
    if len(target.units) != 1:
        raise InvalidConfig(f"[{check}] is about one unit; this claim names {len(target.units)} ({', '.join(target.names())}). "
                            f"Write `unit = \"{target.names()[0] if target.units else 'linear-0:0'}\"`, or select top = 1.")
    return target.units[0]


def selectivity(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from .selectivity import selectivity as check

    return check(subject, target.layer, list(target.units), concept.test, contrast.test, params, seed, confidence,
                 target.selected)


def training(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from .training import training as check

    return check(subject, target.layer, _single(target, "training"), params, seed, confidence)


def invariance(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from .invariance import invariance as check

    return check(subject.model, subject.split("test").images, target.layer, _single(target, "invariance"), concept.test,
                 contrast.test, params, seed, confidence)


MEASURES = {
    "selectivity": selectivity,
    "training": training,
    "invariance": invariance,
}


def _ablation_effects(subject: Subject, target, method: str, contrast: np.ndarray, seed: int, units=None):
    """Per-image effects of ablating the target's units (or ``units``) on the whole test split."""
    from ..interventions import draw_sources, intervene
    from ..units import UnitSet

    split = subject.split("test")
    sources = draw_sources(contrast, len(split), seed) if method == "resample" else None
    chosen = UnitSet(target.layer, tuple(target.units if units is None else units))
    return subject.intervene(chosen, method, sources=sources)


def _layer_effects(subject: Subject, target, method: str, output: str, concept, contrast, seed: int) -> np.ndarray:
    """The concept-minus-contrast damage of every comparison ablation: each unit alone, or random sets of the target's size."""
    from ..interventions import draw_sources, sweep_damage

    split = subject.split("test")
    sources = draw_sources(contrast, len(split), seed) if method == "resample" else None
    if len(target.units) == 1:
        damage = subject.sweep_damage(target.layer, method, output, sources=sources)
        return damage[:, concept].mean(axis=1) - damage[:, contrast].mean(axis=1)
    rng, size = np.random.default_rng(seed), len(target.units)
    units = subject.values(target.layer, "test").shape[1]
    diffs = []
    for _ in range(100):  # random sets of the same size: the comparison for a unit set
        effects = _ablation_effects(subject, target, method, contrast, seed, rng.choice(units, size, replace=False))
        damage = effects.damage(output)
        diffs.append(damage[concept].mean() - damage[contrast].mean())
    return np.array(diffs)


def ablation(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from .ablation import judge

    concept, contrast = concept.test, contrast.test
    effects = _ablation_effects(subject, target, params["method"], contrast, seed)
    damage = effects.damage(params["output"])
    layer_effects = None
    if params.get("min_layer_percentile") is not None:
        layer_effects = _layer_effects(subject, target, params["method"], params["output"], concept, contrast, seed)
    collateral = None
    if params.get("max_collateral") is not None:
        labels = effects.labels.numpy()
        others = ~np.isin(labels, np.unique(labels[concept]))  # images of classes the concept does not touch
        collateral = (effects.correct_before.numpy()[others].astype(float) - effects.correct_after.numpy()[others])
    verdict = judge(damage[concept], damage[contrast], params, layer_effects=layer_effects, collateral=collateral,
                    confidence=confidence, seed=seed, label="unit" if len(target.units) == 1 else "unit set")
    verdict.details["other_methods"] = _other_methods(subject, target, concept, contrast, params, seed, confidence, verdict.outcome)
    return verdict


def _other_methods(subject, target, concept, contrast, params, seed, confidence, outcome) -> dict:
    """Would another ablation method flip the verdict on the effect criterion? {method: outcome}."""
    from .. import stats

    flips = {}
    for method in ("zero", "mean", "resample"):
        if method == params["method"]:
            continue
        damage = _ablation_effects(subject, target, method, contrast, seed).damage(params["output"])
        est = stats.mean_difference(damage[concept], damage[contrast], confidence, 999, seed)
        flips[method] = stats.decide(est, params["min_effect"], "min", 1 - confidence)
    return flips


def activation(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from ..interventions import intervene
    from ..units import UnitSet
    from .activation import judge, level

    unit = _single(target, "activation")
    drive = level(subject.values(target.layer, "train")[concept.train, unit], params["value"])
    split = subject.split("test")
    concept, contrast = concept.test, contrast.test
    rows = np.concatenate([contrast, concept])
    effects = intervene(subject.model, split, UnitSet(target.layer, (unit,)), "clamp", rows=rows, value=drive, key=subject.key)
    change = effects.change(params["output"])
    layer_effects = None
    if params.get("min_layer_percentile") is not None:
        layer_effects = _drive_layer(subject, target.layer, unit, drive, contrast, params)
    return judge(change[: len(contrast)], change[len(contrast):], params, layer_effects=layer_effects, confidence=confidence,
                 seed=seed, drive=drive)


def _drive_layer(subject: Subject, layer: str, unit: int, drive: float, contrast: np.ndarray, params: dict) -> np.ndarray:
    """Mean change when each unit of the layer is driven on contrast images by the same number of its own SDs."""
    from ..interventions import sweep_damage

    train = subject.values(layer, "train")
    spread = train.std(axis=0) + 1e-12
    shift_sd = (drive - train[:, unit].mean()) / spread[unit]
    targets = train.mean(axis=0) + shift_sd * spread  # (U,): each unit's own mean + the same number of its SDs
    change = -sweep_damage(subject.model, subject.split("test"), layer, "clamp", params["output"], values=targets, rows=contrast,
                           key=subject.key)  # (U, n_contrast)
    return (1.0 if params["direction"] == "up" else -1.0) * change.mean(axis=1)


def class_ablation(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from ..units import UnitSet
    from .layer import judge_class_ablation

    chosen = UnitSet(target.layer, target.units)
    units = chosen if params["ablate"] == "units" else chosen.complement()
    split = subject.split("test")
    labels = split.labels.numpy()
    reference = np.flatnonzero(labels != params["class"])  # resample from other classes' images
    effects = _ablation_effects(subject, target, params["method"], reference, seed, units.indices)
    return judge_class_ablation(effects.correct_before.numpy(), effects.correct_after.numpy(), labels, params,
                                confidence=confidence, seed=seed, units=str(units))


def _score(subject: Subject, layer: str, spec: str) -> np.ndarray:
    """A per-unit score of the layer on the test split: 'class-selectivity', 'selectivity:CONCEPT', 'ablation[:CLASS]'."""
    from .. import concepts, stats
    from ..interventions import sweep_damage

    values, labels = subject.values(layer, "test"), subject.split("test").labels.numpy()
    if spec == "class-selectivity":
        means = np.stack([np.maximum(values[labels == c], 0).mean(axis=0) for c in range(10)])
        return np.array([stats.class_selectivity_index(means[:, u]) for u in range(values.shape[1])])
    if spec.startswith("selectivity:"):
        members = concepts.concept(spec.split(":", 1)[1]).indices("test")
        rest = np.setdiff1d(np.arange(len(labels)), members)
        return stats.auroc_columns(values[members], values[rest])
    if spec == "ablation" or spec.startswith("ablation:"):
        damage = sweep_damage(subject.model, subject.split("test"), layer, "zero", "accuracy", key=subject.key)  # (U, N)
        rows = labels == int(spec.split(":")[1]) if ":" in spec else np.ones(len(labels), bool)
        return damage[:, rows].mean(axis=1)
    raise InvalidConfig(f"score {spec!r} is unknown; use 'class-selectivity', 'selectivity:CONCEPT', 'ablation' or 'ablation:CLASS'.")


def correlation(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from .layer import judge_correlation

    layer = target.layer
    return judge_correlation(_score(subject, layer, params["x"]), _score(subject, layer, params["y"]), params,
                             confidence=confidence, seed=seed)


MEASURES.update({
    "ablation": ablation,
    "activation": activation,
    "class-ablation": class_ablation,
    "correlation": correlation,
})
