"""LeNet-5 layer names, shapes, and downstream recomputation."""

import pytest
import torch

from lenet.errors import UnknownUnit
from lenet.lenet_mnist.model import LAYERS, LeNet5, layer


@pytest.fixture
def model():
    torch.manual_seed(0)
    return LeNet5().eval()


def test_layers_have_stable_user_facing_names_and_sizes():
    assert {name: layer.units for name, layer in LAYERS.items()} == {
        "conv-0": 6,
        "conv-1": 16,
        "linear-0": 120,
        "linear-1": 84,
        "linear-2": 10,
    }


def test_preactivations_have_documented_shapes_and_can_be_negative(model):
    images = torch.rand(3, 1, 28, 28)
    pre = model.preactivations(images)
    for name, value in pre.items():
        assert value.shape == (3, *LAYERS[name].shape)
    assert (pre["linear-0"] < 0).any()  # before the nonlinearity
    torch.testing.assert_close(pre["linear-2"], model(images))


@pytest.mark.parametrize("name", list(LAYERS))
def test_forward_from_any_layer_matches_the_full_forward_pass(model, name):
    images = torch.rand(5, 1, 28, 28)
    pre = model.preactivations(images)
    torch.testing.assert_close(model.forward_from(name, pre[name]), model(images))


def test_unknown_layer_lists_the_valid_layers():
    with pytest.raises(
        UnknownUnit, match=r"Unknown layer 'linear-3'; layers are conv-0 \(units 0-5\).*linear-2"
    ):
        layer("linear-3")


def test_untrained_networks_come_from_their_seed_and_leave_the_global_rng_alone():
    from lenet.lenet_mnist.model import untrained

    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    first, again, other = untrained(10_000), untrained(10_000), untrained(10_001)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(
        torch.equal(a, b)
        for a, b in zip(first.state_dict().values(), again.state_dict().values(), strict=True)
    )
    assert not torch.equal(first.linear0.weight, other.linear0.weight) and not first.training
