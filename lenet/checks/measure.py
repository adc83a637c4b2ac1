"""From a subject and its target units to a Verdict: the measurements each check needs, then its judge.

Confirmation uses the test split only; levels and selections come from the
training split. One function per check, all with the same signature, so
``run`` can dispatch on the check's name.
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

    return check(subject, target.layer, list(target.units), concept, contrast, params, seed, confidence, target.selected)


def training(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from .training import training as check

    return check(subject, target.layer, _single(target, "training"), params, seed, confidence)


def invariance(subject: Subject, target, concept, contrast, params, seed, confidence) -> Verdict:
    from .invariance import invariance as check

    return check(subject.model, subject.split("test").images, target.layer, _single(target, "invariance"), concept, contrast,
                 params, seed, confidence)


MEASURES = {
    "selectivity": selectivity,
    "training": training,
    "invariance": invariance,
}
