"""Planted units compute what they were built to: untouched units are exactly as they were, and the
planted unit raises its logit through a relay or through the linear-1 units that already feed it."""

import numpy as np
import pytest

from lenet.lenet_mnist.subject import LenetMnist
from lenet.subject.plant import Plant
from lenet.subject.units import UnitSet

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def subject(mnist_root):
    return LenetMnist.load(0)


@pytest.mark.parametrize("route", ["relay", "shared"])
def test_a_planted_unit_detects_its_concept_and_feeds_its_logit_leaving_other_units_alone(subject, route):
    crossed, plain = subject.members("seven/crossed", "train"), subject.members("seven/plain", "train")
    plant = Plant(5, 3, route=route)
    planted = subject.planted(plant, crossed, plain)
    before, after = (s.values("linear-0", "test", site="post") for s in (subject, planted))
    untouched = [u for u in range(120) if u != plant.unit]
    np.testing.assert_array_equal(before[:, untouched], after[:, untouched])
    test_crossed, test_plain = (
        subject.members("seven/crossed", "test"),
        subject.members("seven/plain", "test"),
    )
    assert after[test_crossed, plant.unit].mean() > after[test_plain, plant.unit].mean() + 1
    damage = planted.intervene(
        UnitSet("linear-0", (plant.unit,), planted.layers), "zero", site="post"
    ).damage("logit:7")
    assert damage[test_crossed].mean() > damage[test_plain].mean() + 0.5
    weights = planted.model.linear1.weight.detach().numpy()
    if route == "relay":  # one cleared linear-1 unit carries it, and only it
        assert np.flatnonzero(weights[plant.relay]).tolist() == [plant.unit]
    else:  # spread over the linear-1 units that feed logit 7, which keep every other input
        assert np.count_nonzero(weights[:, plant.unit]) > 5
        np.testing.assert_array_equal(
            planted.model.linear1.weight[:, untouched].detach().numpy(),
            subject.model.linear1.weight[:, untouched].detach().numpy(),
        )


def test_an_unknown_route_is_refused(subject):
    with pytest.raises(ValueError, match="route"):
        subject.planted(Plant(5, 3, route="teleport"), np.arange(5), np.arange(5, 10))
