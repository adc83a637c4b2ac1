"""One check table of a claim file, run on its subject:
the subject loaded, the units and concepts resolved, the check called.

``run(claim, check)`` loads the subject (reference seed, cached seed or
checkpoint file, through ``lenet.subjects``), resolves the units (named, or
selected on the discovery split), the concept and contrast (test split:
confirmation), derives the check's seed from the claim and check ids, and calls
the check module (``lenet.checks.CHECKS``).
"""

from __future__ import annotations

from .. import subjects
from ..checks import CHECKS
from ..checks.target import Members, Target
from ..errors import InvalidConfig
from ..stats.verdict import Verdict, check_seed

__all__ = ["members", "run", "run_on", "target"]


def members(name: str | None, claim, key: str, subject) -> Members:
    """The concept called ``name`` resolved on the subject's two splits;
    a missing name says which claim key to add."""
    if name is None:
        raise InvalidConfig(
            f'{claim.path}: this check needs `{key} = "..."`; '
            f"known concepts: {', '.join(subject.concepts())}."
        )
    return Members(
        name, subject.members(name, subject.DISCOVERY), subject.members(name, subject.CONFIRMATION)
    )


def target(claim, subject) -> Target:
    """The claim's units on ``subject``: named units as they are, a `select` rule run on the train split."""
    from ..subject.units import parse_units

    if claim.select is not None:
        from ..checks.select import select

        rule = claim.select
        chosen = select(
            subject,
            rule["layer"],
            rule["top"],
            rule["by"],
            members(claim.concept, claim, "concept", subject).train,
            members(claim.contrast, claim, "contrast", subject).train,
            site=claim.site,
        )
        scores = tuple(float(s) for s in chosen.scores)
        return Target(chosen.layer, chosen.units, True, scores, claim.site, rule["by"])
    if claim.units is not None:
        units = parse_units(claim.units, subject.layers)
        return Target(units.layer, tuple(units.indices), site=claim.site)
    return Target(claim.layer, (), site=claim.site)


def run(claim, check: str, checkpoint: str | None = None, seed: int | None = None) -> Verdict:
    """Run check table ``check`` of ``claim`` on its subject (or ``checkpoint``, or another ``seed``)."""
    _module(claim, check)  # an unknown check fails before the subject loads
    subject = subjects.load(
        claim.seed if seed is None else seed, checkpoint or claim.checkpoint, claim.subject
    )
    return run_on(subject, claim, check)


def _module(claim, check: str):
    if check not in CHECKS:
        raise InvalidConfig(f"{claim.path}: unknown check [{check}]; checks are {', '.join(CHECKS)}.")
    return CHECKS[check]


def run_on(subject, claim, check: str) -> Verdict:
    """Run check table ``check`` of ``claim`` on a subject already loaded (calibration's trials take this
    door, so they run exactly what a claim file runs)."""
    module = _module(claim, check)
    where = target(claim, subject)
    params = dict(claim.checks[check].params)
    concept = members(claim.concept, claim, "concept", subject) if "concept" in module.SPEC.needs else None
    contrast = (
        members(claim.contrast, claim, "contrast", subject) if "contrast" in module.SPEC.needs else None
    )
    verdict = module.check(
        subject, where, concept, contrast, params, check_seed(claim.id, check), claim.confidence
    )
    verdict.details.update(
        subject=subject.name,
        units=where.names(),
        layer=where.layer,
        selected=where.selected,
        site=where.site,
        weights_sha256=subject.key,
    )
    return verdict
