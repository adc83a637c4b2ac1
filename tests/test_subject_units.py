"""Unit addresses: parsing, sets, complements, and the errors bad addresses give."""

from __future__ import annotations

import pytest

from lenet.errors import UnknownUnit
from lenet.lenet_mnist.model import LAYERS
from lenet.subject.units import UnitSet, parse_units

RANGES = (
    r"conv-0 \(units 0-5\), conv-1 \(units 0-15\), linear-0 \(units "
    r"0-119\), linear-1 \(units 0-83\), linear-2 \(units 0-9\)"
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("linear-0:58", UnitSet("linear-0", (58,), LAYERS)),
        ("linear-0-58", UnitSet("linear-0", (58,), LAYERS)),  # the original analysis's spelling
        ("linear-0:58,28,8", UnitSet("linear-0", (58, 28, 8), LAYERS)),  # order kept
        (" conv-1:3 , 0 ", UnitSet("conv-1", (3, 0), LAYERS)),
        (["linear-1:4", "linear-1:2,9"], UnitSet("linear-1", (4, 2, 9), LAYERS)),
        ("linear-2:*", UnitSet("linear-2", tuple(range(10)), LAYERS)),
    ],
)
def test_addresses_parse_to_unit_sets(text, expected):
    assert parse_units(text, LAYERS) == expected


def test_a_whole_layer_holds_every_unit_and_prints_as_star():
    for name, info in LAYERS.items():
        every = parse_units(f"{name}:*", LAYERS)
        assert list(every) == list(range(info.units))
        assert str(every) == f"{name}:*"
        assert parse_units(str(every), LAYERS) == every


def test_sets_print_in_the_canonical_spelling_and_name_each_unit():
    units = parse_units("linear-0-58,28", LAYERS)
    assert str(units) == "linear-0:58,28"
    assert units.names() == ["linear-0:58", "linear-0:28"]
    assert len(units) == 2


@pytest.mark.parametrize(
    "text",
    [
        "linear-0:58",
        "linear-0:58,28,8",
        "linear-0:*",
        "conv-0:0",
        "conv-1:15,3",
        "linear-1:83",
        "linear-2:0,9",
    ],
)
def test_a_set_and_its_complement_partition_the_layer(text):
    units = parse_units(text, LAYERS)
    rest = units.complement()
    count = LAYERS[units.layer].units
    assert rest.layer == units.layer
    assert not set(units) & set(rest)
    assert sorted([*units, *rest]) == list(range(count))
    assert list(rest) == sorted(rest)  # index order
    assert rest.complement() == UnitSet(units.layer, tuple(sorted(units)), LAYERS)


def test_the_empty_set_is_the_complement_of_a_whole_layer():
    empty = parse_units("linear-1:*", LAYERS).complement()
    assert empty == UnitSet("linear-1", (), LAYERS) and len(empty) == 0
    assert empty.complement() == parse_units("linear-1:*", LAYERS)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: parse_units("linear-3:1", LAYERS), rf"Unknown layer 'linear-3'; layers are {RANGES}\."),
        (lambda: parse_units("Linear-0:1", LAYERS), rf"Unknown layer 'Linear-0'; layers are {RANGES}\."),
        (lambda: UnitSet("conv-2", (0,), LAYERS), rf"Unknown layer 'conv-2'; layers are {RANGES}\."),
        (
            lambda: parse_units("linear-0:120", LAYERS),
            r"unit linear-0:120 does not exist; linear-0 has units 0-119\.",
        ),
        (lambda: parse_units("conv-0:2,6", LAYERS), r"unit conv-0:6 does not exist; conv-0 has units 0-5\."),
        (
            lambda: UnitSet("linear-2", (-1,), LAYERS),
            r"unit linear-2:-1 does not exist; linear-2 has units 0-9\.",
        ),
        (
            lambda: parse_units("linear0", LAYERS),
            rf"'linear0' is not a unit address; write layer:index, e\.g\. 'linear-0:58'.*Layers: {RANGES}",
        ),
        (lambda: parse_units("linear-0:", LAYERS), r"'linear-0:' is not a unit address"),
        (lambda: parse_units("linear-0:-1", LAYERS), r"'linear-0:-1' is not a unit address"),
        (lambda: parse_units("linear-0:5;6", LAYERS), r"'linear-0:5;6' is not a unit address"),
        (lambda: parse_units("", LAYERS), r"'' is not a unit address"),
        (lambda: parse_units([], LAYERS), r"no units given; write e\.g\. 'linear-0:58'\."),
        (
            lambda: parse_units(["linear-0:1", "linear-1:2"], LAYERS),
            r"units must lie in one layer; got linear-0 and linear-1\.",
        ),
        (
            lambda: parse_units("linear-0:5,5", LAYERS),
            r"linear-0:5,5 names a unit twice; list each unit once\.",
        ),
        (
            lambda: UnitSet("conv-1", (3, 1, 3), LAYERS),
            r"conv-1:3,1,3 names a unit twice; list each unit once\.",
        ),
    ],
    ids=[
        "unknown-layer",
        "unknown-layer-case",
        "unknown-layer-unitset",
        "out-of-range",
        "out-of-range-in-list",
        "negative",
        "not-an-address",
        "no-index",
        "negative-text",
        "bad-separator",
        "empty-text",
        "empty-list",
        "two-layers",
        "repeated",
        "repeated-unitset",
    ],
)
def test_bad_addresses_raise_unknown_unit_saying_what_is_valid(make, message):
    with pytest.raises(UnknownUnit, match=message) as info:
        make()
    assert isinstance(info.value, KeyError)  # callers catching the builtin keep working
    assert str(info.value) == info.value.args[0]  # the message itself, not quoted the way KeyError quotes
