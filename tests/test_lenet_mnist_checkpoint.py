"""Checkpoint files: round trip, and clear errors for truncated, altered or foreign files."""

import pytest
import torch

from lenet.errors import CorruptCheckpoint
from lenet.lenet_mnist import checkpoint as ckpt
from lenet.lenet_mnist.model import LeNet5


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = LeNet5()
    return ckpt.save(tmp_path / "model.pt", model, {"seed": 0, "note": "test"})


def test_round_trip_keeps_weights_and_meta(saved):
    loaded = ckpt.load(saved.path)
    assert loaded.meta["seed"] == 0 and loaded.weights_sha256 == saved.weights_sha256
    for name, tensor in saved.model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[name], tensor)


def test_truncated_file_is_reported_with_path_and_fix(saved):
    blob = saved.path.read_bytes()
    saved.path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(
        CorruptCheckpoint, match=r"model\.pt: cannot be read as a checkpoint .*truncated.*lenet train"
    ):
        ckpt.load(saved.path)


def test_altered_weights_are_detected(saved):
    blob = bytearray(saved.path.read_bytes())
    weights = saved.model.linear2.bias.detach().numpy().tobytes()
    at = bytes(blob).find(weights)
    assert at > 0
    blob[at] ^= 0xFF  # flip bits inside a stored tensor; the zip structure stays valid
    saved.path.write_bytes(bytes(blob))
    with pytest.raises(CorruptCheckpoint, match=r"model\.pt: (weights hash .* differs|cannot be read)"):
        ckpt.load(saved.path)


def test_expected_hash_from_a_manifest_is_enforced(saved):
    with pytest.raises(CorruptCheckpoint, match="expected by the manifest"):
        ckpt.load(saved.path, expect_sha256="0" * 64)


def test_a_plain_state_dict_of_a_users_lenet_loads(tmp_path):
    model = LeNet5()
    torch.save(model.state_dict(), tmp_path / "mine.pt")
    assert ckpt.load(tmp_path / "mine.pt").weights_sha256 == ckpt.weights_sha256(model.state_dict())


def test_wrong_architecture_is_a_clear_error(tmp_path):
    torch.save({"fc.weight": torch.zeros(3, 3)}, tmp_path / "other.pt")
    with pytest.raises(CorruptCheckpoint, match="weights do not fit LeNet-5"):
        ckpt.load(tmp_path / "other.pt")


class NotData:
    pass


def test_pickled_code_is_refused_not_executed(tmp_path):
    torch.save({"payload": NotData()}, tmp_path / "evil.pt")
    with pytest.raises(CorruptCheckpoint, match="cannot be read as a checkpoint"):
        ckpt.load(tmp_path / "evil.pt")


def test_missing_file_says_how_to_get_one(tmp_path):
    with pytest.raises(CorruptCheckpoint, match="no such checkpoint file.*lenet train"):
        ckpt.load(tmp_path / "absent.pt")
