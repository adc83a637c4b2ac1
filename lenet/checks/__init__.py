"""Checks: one module per claim-file table, each declaring its keys, measuring and judging; registered here.

Every check module (``selectivity``, ``ablation``, ``activation``, ``training``,
``invariance``, ``class_ablation``, ``correlation``) holds ``SPEC`` (its
``lenet.keys.CheckSpec``: the table's keys and the claim keys it needs),
``check(subject, target, concept, contrast, params, seed, confidence) -> Verdict``
(measure, then judge) and ``judge(...)`` (the verdict from measured arrays).
``CHECKS`` maps each table name (``[class-ablation]``) to its module.

``run(claim, check)`` applies one check table of a claim file: it loads the
subject (reference seed, cached seed or checkpoint file), resolves the units
(named, or selected on the discovery split), the concept and contrast (test
split: confirmation), derives the check's seed from the claim and check ids,
and calls the check. Also here: ``common`` (what several checks share),
``baseline`` (untrained networks), ``select`` (selection rules). Importing this
package loads neither torch nor scipy: claim files are read at collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from ..errors import InvalidConfig
from ..verdict import Verdict, check_seed
from . import ablation, activation, class_ablation, correlation, invariance, selectivity, training

__all__ = ["CHECKS", "Members", "Target", "members", "run", "target"]

#: Table name -> check module, in the order docs/claims.md lists them.
CHECKS: dict[str, ModuleType] = {
    module.SPEC.name: module
    for module in (selectivity, ablation, activation, training, invariance, class_ablation, correlation)
}


@dataclass(frozen=True)
class Target:
    """What a claim's checks are about on one subject: a layer, its units, and how they were chosen."""

    layer: str
    units: tuple[int, ...]
    selected: bool = False  # chosen by a `select` rule on the discovery split
    scores: tuple[float, ...] = ()  # the selection scores of every unit of the layer, when selected

    def names(self) -> list[str]:
        return [f"{self.layer}:{u}" for u in self.units]


@dataclass(frozen=True)
class Members:
    """A named concept's images on both splits: ``train`` (discovery) and ``test`` (confirmation) indices."""

    name: str
    train: np.ndarray
    test: np.ndarray


def members(name: str | None, claim, key: str, subject) -> Members:
    """The concept called ``name`` resolved on the subject's two splits; a missing name says which claim key to add."""
    from .. import concepts

    if name is None:
        raise InvalidConfig(f"{claim.path}: this check needs `{key} = \"...\"`; "
                            f"known concepts: {', '.join(concepts.known())}.")
    return Members(name, subject.members(name, subject.DISCOVERY), subject.members(name, subject.CONFIRMATION))


def target(claim, subject) -> Target:
    """The claim's units on ``subject``: named units as they are, a `select` rule run on the train split."""
    from ..units import parse_units

    if claim.select is not None:
        from .select import select

        rule = claim.select
        chosen = select(subject, rule["layer"], rule["top"], rule["by"],
                        members(claim.concept, claim, "concept", subject).train,
                        members(claim.contrast, claim, "contrast", subject).train)
        return Target(chosen.layer, chosen.units, True, tuple(float(s) for s in chosen.scores))
    if claim.units is not None:
        units = parse_units(claim.units)
        return Target(units.layer, tuple(units.indices))
    return Target(claim.layer, ())


def run(claim, check: str, checkpoint: str | None = None, seed: int | None = None) -> Verdict:
    """Run check table ``check`` of ``claim`` on its subject (or ``checkpoint``, or another ``seed``)."""
    from ..subject import Subject

    if check not in CHECKS:
        raise InvalidConfig(f"{claim.path}: unknown check [{check}]; checks are {', '.join(CHECKS)}.")
    module = CHECKS[check]
    subject = Subject.load(claim.seed if seed is None else seed, checkpoint or claim.checkpoint)
    where = target(claim, subject)
    params = dict(claim.checks[check].params)
    concept = members(claim.concept, claim, "concept", subject) if "concept" in module.SPEC.needs else None
    contrast = members(claim.contrast, claim, "contrast", subject) if "contrast" in module.SPEC.needs else None
    verdict = module.check(subject, where, concept, contrast, params, check_seed(claim.id, check),
                           claim.confidence)
    verdict.details.update(subject=subject.name, units=where.names(), layer=where.layer,
                           selected=where.selected, weights_sha256=subject.key)
    return verdict
