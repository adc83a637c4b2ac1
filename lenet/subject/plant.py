"""What to plant, for calibrating power:
a unit wired to detect a concept and feed a class logit through a relay.

``subject.planted(plant, concept, contrast)`` builds the copy (the built-in
subject's is ``lenet.lenet_mnist.planting``); calibration plants these and
checks that the checks find them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Plant"]


@dataclass(frozen=True)
class Plant:
    """A planted variant: ``unit`` of linear-0 made to detect concept
    vs contrast and feed ``logit`` via linear-1's ``relay``."""

    unit: int
    relay: int
    logit: int = 7
    strength: float = 1.0  # scales the detector's weights (sharper firing)
    gain: float = 2.0  # weight of the unit -> relay -> logit path
    # "relay": one linear-1 unit, cleared, carries the unit to the logit alone; "shared": the unit writes into
    # the linear-1 units that already feed the logit, beside every other unit's contribution (nothing cleared)
    route: str = "relay"
