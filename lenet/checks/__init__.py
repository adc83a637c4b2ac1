"""Checks: each a plain function of (subject, unit(s), concept, contrast, parameters) -> Verdict.

``run(claim, check)`` applies one check table of a claim file: it loads the
subject (reference seed, cached seed or checkpoint file), resolves the units
(named, or selected on the discovery split), the concept and contrast (test
split: confirmation), derives the check's seed from the claim and check ids,
and calls the check. Modules: ``selectivity``, ``ablation``, ``activation``,
``training``, ``invariance``, ``layer`` (class-ablation, correlation),
``baseline`` (untrained networks), ``select`` (selection rules), ``specs`` (the
parameters of every check).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidConfig
from ..verdict import Verdict, check_seed
from .specs import CHECKS

__all__ = ["CHECKS", "Members", "Target", "members", "run", "target"]


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


def members(name: str | None, claim, key: str) -> Members:
    """The concept called ``name`` resolved on both splits; a missing name says which claim key to add."""
    from .. import concepts

    if name is None:
        raise InvalidConfig(f"{claim.path}: this check needs `{key} = \"...\"`; known concepts: {', '.join(concepts.known())}.")
    found = concepts.concept(name)
    return Members(name, found.indices("train"), found.indices("test"))


def target(claim, subject) -> Target:
    """The claim's units on ``subject``: named units as they are, a `select` rule applied on the training split."""
    from ..units import parse_units

    if claim.select is not None:
        from .select import select

        rule = claim.select
        chosen = select(subject, rule["layer"], rule["top"], rule["by"], members(claim.concept, claim, "concept").train,
                        members(claim.contrast, claim, "contrast").train)
        return Target(chosen.layer, chosen.units, True, tuple(float(s) for s in chosen.scores))
    if claim.units is not None:
        units = parse_units(claim.units)
        return Target(units.layer, tuple(units.indices))
    return Target(claim.layer, ())


def run(claim, check: str, checkpoint: str | None = None, seed: int | None = None) -> Verdict:
    """Run check table ``check`` of ``claim`` on the claim's subject (or ``checkpoint``, or another ``seed``)."""
    from ..subject import Subject
    from . import measure

    if check not in CHECKS:
        raise InvalidConfig(f"{claim.path}: unknown check [{check}]; checks are {', '.join(CHECKS)}.")
    subject = Subject.load(claim.seed if seed is None else seed, checkpoint or claim.checkpoint)
    where = target(claim, subject)
    params = dict(claim.checks[check].params)
    needs = CHECKS[check].needs
    concept = members(claim.concept, claim, "concept") if "concept" in needs else None
    contrast = members(claim.contrast, claim, "contrast") if "contrast" in needs else None
    verdict = measure.MEASURES[check](subject, where, concept, contrast, params, check_seed(claim.id, check), claim.confidence)
    verdict.details.update(subject=subject.name, units=where.names(), layer=where.layer, selected=where.selected,
                           weights_sha256=subject.key)
    return verdict
