"""What several checks share: the ``output``, ``method`` and ``min_layer_percentile`` keys, one-unit targets,
the effects of ablating units, the layer-percentile criterion, and no-op interventions (inconclusive, never
refuted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import InvalidConfig
from ..keys import OUTPUT_FORMS, Param
from ..stats.verdict import Criterion, Verdict

if TYPE_CHECKING:
    from ..subject.subject import Subject

__all__ = [
    "OUTPUT",
    "METHOD",
    "NORMALISE",
    "PERCENTILE",
    "effect_scale",
    "single_unit",
    "ablation_effects",
    "percentile_criterion",
    "no_change",
    "no_op_criterion",
    "no_op_verdict",
]

OUTPUT = Param(
    "output",
    "str",
    f"the output measured: {OUTPUT_FORMS}",
    "logit:true",
    default="logit:true",
    pattern=r"^(logit:(true|[0-9]+)|margin:true|prob:true|accuracy)$",
)
NORMALISE = Param(
    "normalise",
    "str",
    "raw: effects in the output's own units; concept-margin: every effect divided by the median "
    "true-class margin (its logit minus the largest other) of the concept's discovery images, so "
    "min_effect = 0.05 means 5% of the margin by which the network gets the concept right",
    "concept-margin",
    default="raw",
    choices=("raw", "concept-margin"),
)
METHOD = Param(
    "method",
    "str",
    "how a unit is removed: zero, mean (its discovery-split mean) or resample (from contrast images)",
    "resample",
    default="resample",
    choices=("zero", "mean", "resample"),
)
PERCENTILE = Param(
    "min_layer_percentile",
    "float",
    "the unit's effect must rank at or above this percentile of its layer's units: the lower bound of a CI "
    "over images holds it, an upper bound below refutes it",
    95,
    low=0,
    high=100,
)


def single_unit(target, check: str) -> int:
    """The target's one unit; a unit set or a layer is refused with the key to write instead."""
    if len(target.units) != 1:
        example = target.names()[0] if target.units else "linear-0:0"
        raise InvalidConfig(
            f"[{check}] is about one unit; this claim names {len(target.units)} "
            f"({', '.join(target.names())}). "
            f'Write `unit = "{example}"`, or select top = 1.'
        )
    return target.units[0]


def ablation_effects(subject: Subject, target, method: str, contrast: np.ndarray, seed: int, units=None):
    """Per-image effects of ablating the target's units (or ``units``) on the whole test split.

    ``contrast``: test-split indices that ``resample`` draws replacement values from.
    """
    from ..subject.effects import draw_sources
    from ..subject.units import UnitSet

    images = len(subject.split(subject.CONFIRMATION))
    sources = draw_sources(contrast, images, seed) if method == "resample" else None
    chosen = UnitSet(target.layer, tuple(target.units if units is None else units), subject.layers)
    return subject.intervene(chosen, method, sources=sources, site=target.site)


def effect_scale(subject: Subject, concept, normalise: str, output: str = "logit:true") -> tuple[float, str]:
    """What effects are divided by, and how a statistic names it: 1 for ``raw``; for ``concept-margin``,
    the median true-class margin of the concept's discovery images (fixed before any test image is seen,
    so an effect's CI scales exactly)."""
    if normalise == "raw":
        return 1.0, ""
    if not output.startswith(("logit:", "margin:")):
        raise InvalidConfig(
            f"normalise = 'concept-margin' divides by a margin in logits, but output = {output!r} is not in "
            "logits; use output = 'margin:true' or 'logit:...', or normalise = 'raw'."
        )
    import torch

    from ..subject.effects import margins

    split = subject.split(subject.DISCOVERY)
    logits = torch.as_tensor(subject.outputs(subject.DISCOVERY))[concept.train]
    median = float(margins(logits, split.labels[concept.train]).median())
    if not median > 0:
        raise InvalidConfig(
            f"normalise = 'concept-margin': the median margin of {concept.name}'s discovery images is "
            f"{median:.3g}, so the network gets most of them wrong and there is no margin to compare with; "
            "use normalise = 'raw'."
        )
    return median, f", as a fraction of the concept's median margin {median:.3g}"


def percentile_criterion(
    statistic: str,
    value: float,
    population: np.ndarray,
    threshold: float,
    bounds: tuple[float, float] | None,
    details: dict,
) -> Criterion:
    """``min_layer_percentile``: the percentile of the effect ``value`` among the comparison interventions'
    effects ``population`` in its layer; records it (and its CI) in ``details``.

    With ``bounds`` (a CI over images, ``estimates.percentile_bounds``) it holds when the lower bound
    reaches the threshold and is refuted when the upper bound falls below it. A point rank alone (a judge
    called without bounds) has no uncertainty, so it may hold but never refutes: below the threshold it
    is inconclusive, and says so.
    """
    from ..stats import estimates

    rank = estimates.percentile_rank(value, population)
    if bounds is not None:
        # the check's own estimate and its row of the layer sweep differ by float rounding, which can put
        # the point rank half a unit outside the interval computed from the sweep
        rank = min(max(rank, bounds[0]), bounds[1])
        details.update(layer_percentile_ci=list(bounds))
    details.update(layer_percentile=rank, layer_size=len(population))
    if bounds is not None:
        low, high = bounds
        outcome = "holds" if low >= threshold else "refuted" if high < threshold else "inconclusive"
        note = "CI over images: the units it confidently beats / is confidently beaten by (Bonferroni)"
    else:  # a point rank: holds or undecided
        low = high = None
        outcome = "holds" if rank >= threshold else "inconclusive"
        note = (
            "effect size, not a p-value"
            if outcome == "holds"
            else "a point rank without a CI: below the threshold it cannot refute"
        )
    return Criterion(
        name="min_layer_percentile",
        statistic=statistic,
        value=rank,
        low=low,
        high=high,
        threshold=threshold,
        bound="min",
        outcome=outcome,
        note=note,
    )


def no_change(effects: np.ndarray) -> bool:
    """True when an intervention left every measured image's output exactly as it was: a no-op here."""
    return not np.any(np.asarray(effects) != 0)


def no_op_verdict(
    check: str,
    statistic: str,
    threshold: float | None,
    why: str,
    fix: str,
    n: dict,
    confidence: float,
    seed: int,
    details: dict,
) -> Verdict:
    """The verdict of an intervention that changed no measured output: inconclusive, with ``why`` and
    ``fix``."""
    verdict = Verdict(
        check,
        [no_op_criterion("min_effect", statistic, threshold, why)],
        n,
        confidence,
        seed,
        "an intervention that changes no output tests nothing: inconclusive",
        {**details, "no_op": True},
    )
    verdict.to_decide = fix
    return verdict


def no_op_criterion(name: str, statistic: str, threshold: float | None, why: str) -> Criterion:
    """An effect criterion whose intervention changed nothing: inconclusive with the reason, never refuted."""
    return Criterion(
        name=name,
        statistic=statistic,
        value=0.0,
        low=None,
        high=None,
        threshold=threshold,
        bound="min",
        outcome="inconclusive",
        note=why,
    )
