"""The ``selectivity`` check: does the unit fire more on the concept than on the contrast?

AUROC = U / (n1 n2) of the unit's value at the claim's site (``post`` by default: what the
next layer reads) on concept vs contrast test images, with a one-sided score test and a score-type
CI (``stats.estimates.auroc``). Holds when the test rejects "no selectivity" at alpha =
1 - confidence and the CI's lower bound clears ``min_auroc`` and, with ``baseline`` on, the
random-feature baseline: the 99th percentile of untrained networks' units at the same site (for a
named unit, all their units; for a ``select`` rule, the rule (its score, site and top-k) replayed in
each untrained network, so a rank-r unit faces their rank-r units). The baseline criterion reports
the p-value of the unit's AUROC among those untrained AUROCs; below the bar it is inconclusive, never
refuted. For a unit set, every unit must hold; one unit refutes it when its upper bound at 1 - alpha / k
(k units, Bonferroni) is below ``min_auroc``. The class
selectivity index (Morcos et al. 2018) is reported descriptively.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from ..keys import CheckSpec, Param
from ..stats.verdict import Criterion, Verdict

if TYPE_CHECKING:
    from ..subject.subject import Subject
    from .target import Members, Target

__all__ = ["SPEC", "check", "judge"]

SPEC = CheckSpec(
    name="selectivity",
    summary="the unit fires more on the concept than on the contrast (AUROC with a score test and CI)",
    params=(
        Param(
            "min_auroc",
            "float",
            "lower bound of the AUROC's CI must reach this",
            0.75,
            required=True,
            low=0.5,
            high=1.0,
            open_low=True,
        ),
        Param(
            "baseline",
            "bool",
            "also require the CI's lower bound to clear the 99th percentile of untrained networks' units "
            "(a point bar: holds or inconclusive, never refutes; a select rule is replayed in them)",
            True,
            default=True,
        ),
    ),
    needs=frozenset({"units", "concept", "contrast"}),
)


def check(
    subject: Subject,
    target: Target,
    concept: Members,
    contrast: Members,
    params: dict,
    seed: int,
    confidence: float,
) -> Verdict:
    """Each of the target's units on the test split, and the random-feature baseline unless it is off."""
    from ..stats import estimates
    from ..subject.baseline import baseline as random_baseline
    from ..subject.baseline import rank_bars, rule_baseline

    layer, selected = target.layer, target.selected
    values = subject.values(layer, subject.CONFIRMATION, site=target.site)  # (N, U)
    names = {f"{layer}:{u}": u for u in target.units}
    bar, base, which, found = None, None, None, None
    null = None
    if params.get("baseline", True) and selected:
        # the claim's own rule (score, site, top-k) replayed in each untrained network: rank r faces their
        # rank-r units
        ranked = rule_baseline(
            subject,
            layer,
            len(target.units),
            (concept.train, contrast.train),
            (concept.test, contrast.test),
            site=target.site,
            by=target.by or "selectivity",
        )
        bars = rank_bars(ranked)
        bar = {name: float(bars[i]) for i, name in enumerate(names)}
        null = {name: ranked[:, i] for i, name in enumerate(names)}
        which = "untrained networks' units of the same rank under the same selection rule"
        kind = f"same-rule (top {len(names)} by {target.by}, site {target.site}) rank-1 unit"
        found = {
            "p99": bars[0].item(),
            "p99_by_rank": bars.tolist(),
            "networks": int(ranked.shape[0]),
            "kind": kind,
        }
    elif params.get("baseline", True):
        base = random_baseline(
            subject,
            layer,
            subject.CONFIRMATION,
            concept.test,
            contrast.test,
            selected=False,
            site=target.site,
        )
        bar, null = base.bar(False), base.aurocs.ravel()
        found = {"p99": bar, "networks": int(base.aurocs.shape[0]), "kind": "all units"}
    verdict = judge(
        {k: values[concept.test, u] for k, u in names.items()},
        {k: values[contrast.test, u] for k, u in names.items()},
        params,
        bar=bar,
        null=null,
        selected=selected,
        confidence=confidence,
        seed=seed,
        which=which,
    )
    labels = subject.split(subject.CONFIRMATION).labels.numpy()
    classes = np.unique(labels)  # the classes the test split holds (a drawn subset may lack some)
    if len(classes) > 1:  # an index across classes needs two of them
        verdict.details["class_selectivity_index"] = {
            k: estimates.class_selectivity_index(
                [np.maximum(values[labels == c, u], 0).mean() for c in classes]
            )
            for k, u in names.items()
        }
    if found is not None:
        verdict.details["baseline"] = found
    return verdict


def judge(
    concept_values: dict[str, np.ndarray],
    contrast_values: dict[str, np.ndarray],
    params: dict,
    *,
    bar: float | dict[str, float] | None = None,
    null: np.ndarray | dict[str, np.ndarray] | None = None,
    selected: bool = False,
    confidence: float = 0.99,
    seed: int = 0,
    which: str | None = None,
) -> Verdict:
    """The verdict from each unit's values on concept and contrast images (unit name -> ``(n,)`` arrays).

    ``bar``: the random-feature baseline's AUROC to clear, one for all units or one per unit name
    (None: no baseline); ``null``: the untrained AUROCs it is the 99th percentile of (all, or per unit
    name), from which the baseline criterion reports p = (1 + #null >= AUROC) / (1 + #null), exact if
    the unit were one of them; ``which``: what the bar is the 99th percentile of, in words.
    """
    from ..stats import estimates

    alpha = 1 - confidence
    criteria, details = [], {"auroc": {}}
    several = len(concept_values) > 1
    for name in concept_values:
        est = estimates.auroc(concept_values[name], contrast_values[name], confidence)
        criterion = Criterion.from_estimate(
            f"min_auroc[{name}]" if several else "min_auroc",
            "AUROC(concept vs contrast)",
            est,
            threshold=params["min_auroc"],
            alpha=alpha,
        )
        if several and criterion.outcome == "refuted":
            criterion = _refuted_in_set(
                criterion, concept_values[name], contrast_values[name], alpha, len(concept_values)
            )
        criteria.append(criterion)
        if bar is not None:  # the CI against the bar; its p (rank among the untrained AUROCs) is reported
            unit_bar = bar[name] if isinstance(bar, dict) else bar
            words = which or (
                "each untrained network's best unit" if selected else "untrained networks' units"
            )
            # a unit below a point bar may still beat random features: the comparison holds or is undecided
            outcome = "holds" if est.low >= unit_bar else "inconclusive"
            pool = null.get(name) if isinstance(null, dict) else null
            p_base = None if pool is None else float((1 + (pool >= est.value).sum()) / (1 + len(pool)))
            criteria.append(
                Criterion(
                    name=f"baseline[{name}]" if several else "baseline",
                    statistic=f"AUROC CI vs the 99th percentile of {words}",
                    value=est.value,
                    low=est.low,
                    high=est.high,
                    threshold=unit_bar,
                    bound="min",
                    outcome=outcome,
                    p=p_base,
                    note=""
                    if outcome == "holds"
                    else "random features separate these images as well or "
                    "better; a point bar does not refute",
                )
            )
        details["auroc"][name] = est
    n = {
        "concept": len(next(iter(concept_values.values()))),
        "contrast": len(next(iter(contrast_values.values()))),
    }
    verdict = Verdict(
        "selectivity",
        criteria,
        n,
        confidence,
        seed,
        f"AUROC CI lower bound >= min_auroc{' and the baseline' if bar is not None else ''}, "
        f"score-test p < {alpha:g}",
        {"auroc": {k: [e.value, e.low, e.high, e.p] for k, e in details["auroc"].items()}},
    )
    if verdict.outcome == "inconclusive" and params["min_auroc"] is not None:
        first, est = next(iter(details["auroc"].items()))
        first_bar = (bar.get(first) if isinstance(bar, dict) else bar) or 0.0
        need = estimates.images_to_decide(est, max(params["min_auroc"], first_bar))
        if need:
            verdict.to_decide = f"about {need} images per group, if the AUROC stays near {est.value:.3f}"
    return verdict


def _refuted_in_set(criterion: Criterion, concept, contrast, alpha: float, units: int) -> Criterion:
    """A unit of a set stays refuted only when its upper bound at 1 - alpha / units is below the threshold.

    Holding needs every unit to hold (each false hold needs its own unit to err: no correction); refuting
    needs only one, so with several units on the threshold plain bounds would refute about ``units`` times
    as often as promised (Bonferroni, as ``class_ablation``'s ``min_other_accuracy``).
    """
    from ..stats import estimates

    level = 1 - alpha / units
    high = estimates.auroc(concept, contrast, level).high
    if high < criterion.threshold:
        return criterion
    return dataclasses.replace(
        criterion,
        outcome="inconclusive",
        note="; ".join(
            part
            for part in (
                criterion.note,
                f"below the threshold at {100 * (1 - alpha):g}%, not at {level:.2%} (one of {units} units: "
                "Bonferroni-corrected to refute)",
            )
            if part
        ),
    )
