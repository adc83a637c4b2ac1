"""Calibration: how often each criterion and each claim pipeline gives a false "holds" or a false
"refuted", and how often a true effect is found, measured on a real network.

Stages: ``cells`` (what is measured: a situation with a known truth), ``judge_cells`` /
``pipeline_cells`` / ``power_cells`` (the cells, by level), ``views`` (a trial's subject: the test split
drawn with replacement), ``pools`` (per-network measurements cached on disk), ``runner`` (chunks saved as
they finish: resumable and shardable), ``rule`` (the acceptance rule) and ``document``
(docs/calibration.md). ``lenet calibrate`` runs it.
"""

from __future__ import annotations

__all__ = ["all_cells"]


def all_cells():
    """Every cell, in the order docs/calibration.md lists them."""
    from . import judge_cells, pipeline_cells, power_cells

    return [
        *judge_cells.cells(),
        *judge_cells.share_cells(),
        *power_cells.cells()[:4],
        *pipeline_cells.cells(),
        *power_cells.cells()[4:],
    ]
