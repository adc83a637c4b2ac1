"""Deterministic training: same seed, same weights; global torch state left as it was."""

import pytest
import torch

from lenet.errors import InvalidConfig
from lenet.lenet_mnist.checkpoint import weights_sha256
from lenet.lenet_mnist.train import TrainConfig, train


def test_two_trainings_of_one_seed_give_identical_weights_and_records(mnist_root, tiny_config):
    first = train(5, tiny_config, mnist_root, progress=False)
    second = train(5, tiny_config, mnist_root, progress=False)
    assert weights_sha256(first.model.state_dict()) == weights_sha256(second.model.state_dict())
    for name in first.record.gradient:
        assert (first.record.gradient[name] == second.record.gradient[name]).all()
    other = train(6, tiny_config, mnist_root, progress=False)
    assert weights_sha256(other.model.state_dict()) != weights_sha256(first.model.state_dict())


def test_record_has_the_configured_frames_and_counts(mnist_root, tiny_config):
    result = train(0, tiny_config, mnist_root, progress=False)
    steps = -(-tiny_config.subset // tiny_config.batch_size)
    assert result.record.step[-1] == steps and result.record.epoch[-1] == pytest.approx(1.0)
    assert result.record.frames == tiny_config.frames_per_epoch
    assert result.record.count.sum() == tiny_config.subset
    assert result.record.activation["linear-0"].shape == (tiny_config.frames_per_epoch, 10, 120)
    assert result.record.gradient["linear-1"].shape == (tiny_config.frames_per_epoch, 10, 84)
    assert result.provenance()["data_sha256"] and result.provenance()["config"] == tiny_config.as_dict()


def test_training_restores_global_torch_state(mnist_root, tiny_config):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    train(0, tiny_config, mnist_root, progress=False)
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads and not torch.are_deterministic_algorithms_enabled()


@pytest.mark.parametrize(
    "bad", [{"epochs": 0}, {"batch_size": -1}, {"lr": 0.0}, {"subset": -5}, {"threads": 1.5}]
)
def test_bad_configs_are_rejected_with_the_key(bad):
    with pytest.raises(InvalidConfig, match=next(iter(bad))):
        TrainConfig(**bad)


def test_unknown_config_key_lists_the_known_ones():
    with pytest.raises(InvalidConfig, match=r"Unknown training config keys \['epoch'\]; known keys are"):
        TrainConfig.from_dict({"epoch": 3})
