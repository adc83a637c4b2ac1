"""Unit addresses and layer names as claim files write them, checked by ``lenet.subject.units`` against the
claim's subject's layer table (``lenet.subjects.layers(name)``).

``linear-0:58``, ``linear-0-58``, ``linear-0:58,28,8``, ``linear-0:*``, or a
list of addresses of one layer; errors are ``UnknownUnit`` listing the valid
layers and ranges.
"""

from __future__ import annotations

__all__ = ["canonical_units", "check_layer"]


def check_layer(name: str, subject: str | None = None) -> str:
    """``name`` if it is a layer of ``subject`` (default: the built-in one), else UnknownUnit listing the
    layers."""
    from .. import subjects
    from ..subject.layers import find

    return find(subjects.layers(subject or subjects.DEFAULT), name).name


def canonical_units(addresses: list[str], subject: str | None = None) -> tuple[str, str]:
    """``(layer, "layer:i,j,...")``
    (``"layer:*"`` for the whole layer) for one or more addresses of one layer of ``subject``."""
    from .. import subjects
    from ..subject.units import parse_units

    units = parse_units(addresses, subjects.layers(subject or subjects.DEFAULT))
    return units.layer, str(units)
