"""Layers as users see them: a name, a kind,
a unit count and a per-image shape; looked up with errors that list them.

A subject's layer table maps each user-facing name (``linear-0``, or a dotted module name for other
subjects) to its ``Layer``, in forward order; unit addresses are checked against it (``units``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import UnknownUnit

__all__ = ["Layer", "find", "ranges"]


@dataclass(frozen=True)
class Layer:
    """A layer as users see it: its name, kind, unit count and per-image output shape."""

    name: str  # user-facing name, e.g. "linear-0"
    attr: str  # attribute of the model holding the torch module (LeNet5.linear0)
    kind: str  # "conv" or "linear"
    units: int  # channels of a conv layer, features of a linear one
    shape: tuple[int, ...]  # pre-activation shape of one image, e.g. (6, 28, 28)


def ranges(layers: Mapping[str, Layer]) -> str:
    """``conv-0 (units 0-5), conv-1 (units 0-15), ...``: the table as error messages list it."""
    return ", ".join(f"{n} (units 0-{layer.units - 1})" for n, layer in layers.items())


def find(layers: Mapping[str, Layer], name: str) -> Layer:
    """The layer called ``name`` in ``layers``; an unknown name raises an error listing the valid ones."""
    try:
        return layers[name]
    except UnknownUnit:
        raise  # the table's own message (e.g. a module called twice: name the call)
    except KeyError:
        raise UnknownUnit(f"Unknown layer {name!r}; layers are {ranges(layers)}.") from None
