"""MNIST loading, checksum verification and the messages for missing or wrong data."""

import shutil

import pytest
import torch

from lenet.errors import ChecksumMismatch, DataNotFound
from lenet.lenet_mnist import data


def test_splits_load_with_documented_shapes(mnist_root):
    train, test = data.load_split("train", mnist_root), data.load_split("test", mnist_root)
    assert train.images.shape == (60000, 1, 28, 28) and test.images.shape == (10000, 1, 28, 28)
    assert (
        train.images.dtype == torch.float32
        and 0.0 <= float(test.images.min())
        and float(test.images.max()) <= 1.0
    )
    assert torch.equal(torch.bincount(test.labels), torch.bincount(test.labels, minlength=10))
    assert test.labels[:3].tolist() == [7, 2, 1]  # the well-known first MNIST test labels


def test_root_may_be_the_torchvision_root_or_the_raw_folder(mnist_root):
    raw = data.find_raw(mnist_root)
    assert data.find_raw(raw.parent.parent) == raw == data.find_raw(raw)


def test_environment_variable_is_used(mnist_root, monkeypatch):
    monkeypatch.setenv(data.MNIST_ENV, mnist_root)
    assert data.find_raw() == data.find_raw(mnist_root)


def test_missing_root_says_exactly_how_to_provide_data(tmp_path, monkeypatch):
    monkeypatch.setenv(data.MNIST_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(DataNotFound) as err:
        data.find_raw()
    message = str(err.value)
    assert "nowhere" in message and "$LENET_MNIST_ROOT" in message
    assert "LENET_MNIST_ROOT=../shared/mnist" in message and "--claims-mnist-root" in message
    assert "lenet data --download" in message


def test_default_root_is_data_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataNotFound, match="the default ./data"):
        data.find_raw()


def test_wrong_checksum_names_the_file(mnist_root, tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    shutil.copytree(mnist_root, raw, copy_function=shutil.copyfile)  # writable copies of read-only files
    raw.chmod(0o755)
    labels = raw / "t10k-labels-idx1-ubyte"
    blob = bytearray(labels.read_bytes())
    blob[100] = (blob[100] + 1) % 10  # one label changed
    labels.write_bytes(bytes(blob))
    with pytest.raises(
        ChecksumMismatch, match=r"t10k-labels-idx1-ubyte: SHA-256 .* differs from the expected"
    ):
        data.load_split("test", tmp_path)


def test_unknown_split_is_a_clear_error(mnist_root):
    with pytest.raises(ValueError, match="split='valid' is unknown; use 'train' .* or 'test'"):
        data.load_split("valid", mnist_root)
