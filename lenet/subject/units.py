"""Unit addresses: ``linear-0:58`` (also the original analysis's ``linear-0-58``), sets and whole layers.

``linear-0:58,28,8`` is an explicit set, ``linear-0:*`` every unit of the
layer; ``UnitSet.complement()`` is "all the others" in the same layer. A set
lies in one layer. Addresses are checked against a subject's layer table
(``subject.layers``, or ``lenet.subjects.layers()`` before a network is loaded):
unknown layers and out-of-range indices raise ``UnknownUnit`` listing the valid
layers and ranges.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import UnknownUnit
from .layers import Layer, find, ranges

__all__ = ["UnitSet", "parse_units", "parse_unit"]

# a layer is a name of its subject's table: ``linear-0``, a dotted module name (``features.3``, a call
# ``block.relu#1``) or a torch.fx node (``add_1``); ``linear-0-58`` is the original analysis's spelling
_ADDRESS = re.compile(r"^\s*(?P<layer>[\w.#-]+?)(?::|-)(?P<indices>\*|\d+(?:\s*,\s*\d+)*)\s*$")
_COLON = re.compile(r"^\s*(?P<layer>[^:\s]+):(?P<indices>\*|\d+(?:\s*,\s*\d+)*)\s*$")


@dataclass(frozen=True)
class UnitSet:
    """Units of one layer, in the order given (no repeats);
    ``layers`` is the table they are checked against."""

    layer: str
    indices: tuple[int, ...]
    layers: Mapping[str, Layer] = field(compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        count = find(self.layers, self.layer).units
        bad = [i for i in self.indices if not 0 <= i < count]
        if bad:
            raise UnknownUnit(
                f"unit {self.layer}:{bad[0]} does not exist; {self.layer} has units 0-{count - 1}."
            )
        if len(set(self.indices)) != len(self.indices):
            raise UnknownUnit(f"{self} names a unit twice; list each unit once.")

    def __str__(self) -> str:
        if (
            self.indices
            and len(self.indices) == self.layers[self.layer].units
            and list(self.indices) == sorted(self.indices)
        ):
            return f"{self.layer}:*"
        return f"{self.layer}:{','.join(map(str, self.indices))}"

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self):
        return iter(self.indices)

    def complement(self) -> UnitSet:
        """Every other unit of the layer, in index order."""
        chosen = set(self.indices)
        count = self.layers[self.layer].units
        return UnitSet(self.layer, tuple(i for i in range(count) if i not in chosen), self.layers)

    def names(self) -> list[str]:
        return [f"{self.layer}:{i}" for i in self.indices]


def parse_units(text: str | list[str] | tuple[str, ...], layers: Mapping[str, Layer]) -> UnitSet:
    """A UnitSet from one address or a list of addresses of one layer of ``layers``."""
    addresses = [text] if isinstance(text, str) else list(text)
    if not addresses:
        raise UnknownUnit("no units given; write e.g. 'linear-0:58'.")
    layer, indices = None, []
    for address in addresses:
        match = _COLON.match(str(address)) or _ADDRESS.match(str(address))
        if not match:
            raise UnknownUnit(
                f"{address!r} is not a unit address; write layer:index, e.g. 'linear-0:58', "
                f"'linear-0:58,28' or 'linear-0:*'. Layers: {ranges(layers)}."
            )
        find(layers, match["layer"])  # an unknown layer raises, listing the layers
        if layer is not None and match["layer"] != layer:
            raise UnknownUnit(
                f"units must lie in one layer; got {layer} and {match['layer']}. Write one claim per layer."
            )
        layer = match["layer"]
        found = (
            range(layers[layer].units)
            if match["indices"] == "*"
            else [int(i) for i in match["indices"].split(",")]
        )
        indices += [i for i in found if i not in indices]
    return UnitSet(layer, tuple(indices), layers)


def parse_unit(text: str, layers: Mapping[str, Layer]) -> tuple[str, int]:
    """One unit: ``"linear-0:58"`` or ``"linear-0-58"`` -> ``("linear-0", 58)``;
    unknown layers and indices list the valid ones."""
    if text in layers:
        raise UnknownUnit(
            f"unit={text!r} names a layer, not a unit; write "
            f"{text}:INDEX with INDEX in 0-{layers[text].units - 1}."
        )
    name, sep, index = text.partition(":")
    if not sep:  # the original analysis's spelling, linear-0-58
        name, _, index = text.rpartition("-")
    found = find(layers, name)  # an unknown layer raises, listing the layers and their unit ranges
    if not index.isdigit() or int(index) >= found.units:
        raise UnknownUnit(
            f"unit={text!r} does not exist; write LAYER:INDEX with INDEX in 0-{found.units - 1} "
            f"for {found.name}, e.g. {found.name}:{min(58, found.units - 1)}."
        )
    return found.name, int(index)
