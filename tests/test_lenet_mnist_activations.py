"""Activation capture, a unit's one number per image, weighted mean images and top images."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lenet.lenet_mnist import activations
from lenet.lenet_mnist.activations import capture, unit_values
from lenet.lenet_mnist.data import Split
from lenet.lenet_mnist.model import LAYERS, LeNet5
from lenet.subject.values import top_images, weighted_mean_images


@pytest.fixture
def model_and_split():
    torch.manual_seed(0)
    model = LeNet5().eval()
    gen = torch.Generator().manual_seed(1)
    split = Split(
        "synthetic", torch.rand(250, 1, 28, 28, generator=gen), torch.randint(0, 10, (250,), generator=gen)
    )
    return model, split


@pytest.mark.parametrize("layer", list(LAYERS))
def test_capture_is_the_model_pre_activation_in_any_batch_size(model_and_split, layer):
    model, split = model_and_split
    with torch.no_grad():
        expected = model.preactivations(split.images)[layer]
    got = capture(model, split, layer, key=f"test-batch-{layer}", batch=64)  # 64 does not divide 250
    assert got.shape == (250, *LAYERS[layer].shape) and got.dtype == torch.float32
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_capture_is_cached_per_checkpoint_split_and_layer(model_and_split):
    model, split = model_and_split
    first = capture(model, split, "linear-0")
    assert capture(model, split, "linear-0") is first  # same weights, split, layer: served from the cache
    assert capture(model, split, "linear-1") is not first
    other = Split("synthetic-other", split.images.flip(0), split.labels.flip(0))
    assert not torch.equal(capture(model, other, "linear-0"), first)
    retrained = LeNet5().eval()  # different weights, different hash: never the cached numbers
    assert not torch.equal(capture(retrained, split, "linear-0"), first)


def test_the_cache_key_follows_the_weights_not_the_object(model_and_split):
    model, split = model_and_split
    first = capture(model, split, "linear-1").clone()
    with torch.no_grad():
        model.linear1.bias.add_(1.0)  # editing weights in place changes the hash
    torch.testing.assert_close(capture(model, split, "linear-1"), first + 1.0)


def test_one_pass_caches_the_layer_and_every_layer_after_it(model_and_split, monkeypatch):
    model, split = model_and_split
    calls = []
    real = model.preactivations
    monkeypatch.setattr(model, "preactivations", lambda images: calls.append(len(images)) or real(images))
    capture(model, split, "linear-0", key="test-one-pass")
    for layer in ("linear-0", "linear-1", "linear-2"):
        capture(model, split, layer, key="test-one-pass")
    assert calls == [250]  # the logits and linear-1 came with the linear-0 pass
    capture(model, split, "conv-1", key="test-one-pass")
    assert calls == [250, 250]  # an earlier layer needs its own pass


def test_the_cache_drops_the_least_recently_used_beyond_its_total(model_and_split, monkeypatch):
    model, split = model_and_split
    monkeypatch.setattr(activations, "CACHE_TOTAL", 250 * 120 * 4)  # room for one linear-0 capture
    first = capture(model, split, "linear-0", key="test-total-a")
    capture(model, split, "linear-0", key="test-total-b")
    assert capture(model, split, "linear-0", key="test-total-a") is not first


def test_large_captures_are_not_kept(model_and_split, monkeypatch):
    model, split = model_and_split
    monkeypatch.setattr(activations, "CACHE_LIMIT", 1000)
    first = capture(model, split, "conv-0", key="test-too-big")
    assert capture(model, split, "conv-0", key="test-too-big") is not first


def test_capture_leaves_no_hooks_and_survives_errors(model_and_split):
    model, split = model_and_split
    bad = Split("synthetic-bad", torch.rand(3, 1, 27, 27), torch.zeros(3, dtype=torch.long))
    with pytest.raises(RuntimeError):
        capture(model, bad, "linear-0")
    modules = list(model.modules())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in modules)
    capture(model, split, "linear-0", key="test-after-error")  # the model still works


def test_unit_values_are_pre_activations_or_the_spatial_mean_of_a_map(model_and_split):
    model, split = model_and_split
    with torch.no_grad():
        pre = model.preactivations(split.images)
    np.testing.assert_allclose(
        unit_values(model, split, "linear-0"), pre["linear-0"].numpy(), rtol=1e-5, atol=1e-6
    )
    conv = unit_values(model, split, "conv-1")
    assert conv.shape == (250, 16)
    np.testing.assert_allclose(conv[:, 4], pre["conv-1"][:, 4].mean((1, 2)).numpy(), rtol=1e-5, atol=1e-6)
    assert (unit_values(model, split, "linear-0") < 0).any()  # pre-activations: negative values stay


def test_weighted_mean_images_weight_by_the_rectified_value():
    rng = np.random.default_rng(0)
    images = rng.random((40, 28, 28)).astype(np.float32)
    labels = np.repeat(np.arange(10), 4)
    values = rng.normal(size=40).astype(np.float32)
    values[labels == 3] = -1.0  # never fires on threes
    out = weighted_mean_images(values, images, labels)
    assert out.shape == (10, 28, 28)
    for c in range(10):
        w = np.maximum(values[labels == c], 0)
        if w.sum() == 0:
            assert not out[c].any()  # a class the unit never fires on is blank
        else:
            np.testing.assert_allclose(
                out[c], (w[:, None, None] * images[labels == c]).sum(0) / w.sum(), rtol=1e-5
            )
    assert not out[3].any()


def test_an_image_the_unit_does_not_fire_on_adds_nothing():
    images = np.stack([np.ones((28, 28)), np.zeros((28, 28)), np.full((28, 28), 5.0)]).astype(np.float32)
    labels = np.array([1, 1, 1])
    out = weighted_mean_images(np.array([2.0, 2.0, -7.0]), images, labels)
    np.testing.assert_allclose(out[1], 0.5)  # the third image (value -7) contributes nothing


def test_top_images_are_best_first_and_stable():
    values = np.array([0.5, 3.0, -2.0, 3.0, 1.0])
    assert top_images(values, k=3).tolist() == [1, 3, 4]  # ties keep their order
    assert top_images(values, k=2, lowest=True).tolist() == [2, 0]
    assert top_images(values, k=10).tolist() == [1, 3, 4, 0, 2]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-3, 3), min_size=1, max_size=40),
    st.integers(0, 45),
    st.booleans(),
)
def test_top_images_are_the_first_k_of_a_stable_full_sort(values, k, lowest):
    """top_images sorts only the candidates (a partition first): the same indices as a full stable sort,
    ties included."""
    v = np.asarray(values, dtype=np.float64)
    assert top_images(v, k, lowest).tolist() == np.argsort(v if lowest else -v, kind="stable")[:k].tolist()
