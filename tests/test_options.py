"""Command-line values: seed lists and shards, and the errors bad ones give."""

from __future__ import annotations

import pytest

from lenet.errors import InvalidConfig
from lenet.options import parse_seeds, parse_shard


def test_seed_lists_parse_in_order_without_repeats():
    assert (
        parse_seeds("3") == [3]
        and parse_seeds("0-4") == [0, 1, 2, 3, 4]
        and parse_seeds("5, 0-2,1") == [5, 0, 1, 2]
    )


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "3", "1/0", "-1/2", "", "1/2/3"])
def test_bad_shards_say_how_to_write_one(text):
    with pytest.raises(InvalidConfig, match=r"K/N with 1 <= K <= N"):
        parse_shard(text)
