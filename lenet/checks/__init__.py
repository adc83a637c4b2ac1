"""Checks: one module per claim-file table, each declaring its keys, measuring and judging; registered here.

Every check module (``selectivity``, ``ablation``, ``activation``, ``training``,
``invariance``, ``class_ablation``, ``correlation``, ``concentration``) holds ``SPEC`` (its
``lenet.keys.CheckSpec``: the table's keys and the claim keys it needs),
``check(subject, target, concept, contrast, params, seed, confidence) -> Verdict``
(measure, then judge) and ``judge(...)`` (the verdict from measured arrays).
``CHECKS`` maps each table name (``[class-ablation]``) to its module. Also here:
``target`` (``Target`` and ``Members``, what a check is about), ``common``
(what several checks share) and ``select`` (selection rules). Running a claim's
check table on its subject is ``lenet.run.dispatch.run``. Importing this
package loads neither torch nor scipy: claim files are read at collection.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    ablation,
    activation,
    class_ablation,
    concentration,
    correlation,
    invariance,
    selectivity,
    training,
)

__all__ = ["CHECKS"]

#: Table name -> check module, in the order docs/claims.md lists them.
CHECKS: dict[str, ModuleType] = {
    module.SPEC.name: module
    for module in (
        selectivity,
        ablation,
        activation,
        training,
        invariance,
        class_ablation,
        correlation,
        concentration,
    )
}
