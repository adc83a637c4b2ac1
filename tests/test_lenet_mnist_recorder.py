"""The training record and gradient examples against a direct, per-image autograd computation."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from lenet.lenet_mnist.model import LeNet5
from lenet.lenet_mnist.recorder import GradientExamples, Recorder, TrainingRecord


@pytest.fixture
def batch():
    generator = torch.Generator().manual_seed(3)
    images = torch.rand(48, 1, 28, 28, generator=generator)
    labels = torch.arange(48) % 10  # every class present
    labels[labels == 9] = 4  # ...but one class absent, whose means must come out zero
    return images, labels


def per_image_reference(model, images, labels):
    """-d loss_i / d z for each image alone, and z itself, by plain autograd (no hooks)."""
    pushes, acts = {"linear-0": [], "linear-1": []}, {"linear-0": [], "linear-1": []}
    for image, label in zip(images, labels, strict=True):
        pre = model.preactivations(image[None])
        loss = F.cross_entropy(pre["linear-2"], label[None])
        grads = torch.autograd.grad(loss, [pre["linear-0"], pre["linear-1"]])
        for name, grad in zip(acts, grads, strict=True):
            pushes[name].append(-grad[0])
            acts[name].append(pre[name][0].detach())
    return {k: torch.stack(v) for k, v in pushes.items()}, {k: torch.stack(v) for k, v in acts.items()}


def test_recorded_gradients_and_examples_match_direct_autograd(batch):
    images, labels = batch
    torch.manual_seed(1)
    model = LeNet5()
    with Recorder(model, examples=True) as recorder:
        F.cross_entropy(model(images), labels).backward()
        recorder.accumulate(images, labels)
        recorder.frame(step=1, epoch=0.5)
    record, examples = recorder.record(), recorder.gradient_examples()
    model.zero_grad()
    push, act = per_image_reference(model, images, labels)
    for c in range(10):
        rows = labels == c
        assert record.count[0, c] == int(rows.sum())
        for name in ("linear-0", "linear-1"):
            want_push = push[name][rows].mean(0) if rows.any() else torch.zeros(push[name].shape[1])
            want_act = act[name][rows].mean(0) if rows.any() else torch.zeros(act[name].shape[1])
            np.testing.assert_allclose(record.gradient[name][0, c], want_push.numpy(), rtol=1e-4, atol=1e-7)
            np.testing.assert_allclose(record.activation[name][0, c], want_act.numpy(), rtol=1e-4, atol=1e-6)
        want_examples = (push["linear-0"][rows].T @ images[rows].flatten(1)) / max(int(rows.sum()), 1)
        got = examples.frame(0)[c].reshape(120, -1)
        np.testing.assert_allclose(
            got, want_examples.numpy(), atol=2e-3 * examples.scale[0]
        )  # float16 storage


def test_gradient_is_zero_for_images_where_the_unit_does_not_fire(batch):
    images, labels = batch
    model = LeNet5()
    push, act = per_image_reference(model, images, labels)
    silent = act["linear-0"] <= 0
    assert silent.any() and (push["linear-0"][silent] == 0).all()


def test_hooks_are_removed_even_on_error():
    model = LeNet5()
    with pytest.raises(RuntimeError, match="boom"):
        with Recorder(model):
            raise RuntimeError("boom")
    assert not model.linear0._forward_hooks and not model.linear1._forward_hooks


def test_evaluation_under_no_grad_is_not_recorded(batch):
    images, labels = batch
    model = LeNet5()
    with Recorder(model) as recorder, torch.no_grad():
        model(images)
    assert recorder._outputs == {}


def test_record_and_examples_round_trip_through_files(batch, tmp_path):
    images, labels = batch
    model = LeNet5()
    with Recorder(model, examples=True) as recorder:
        for step in (1, 2):
            F.cross_entropy(model(images), labels).backward()
            recorder.accumulate(images, labels)
            recorder.frame(step=step, epoch=step / 2)
    record = recorder.record()
    record.save(tmp_path / "r.npz")
    again = TrainingRecord.load(tmp_path / "r.npz")
    assert again.frames == 2 and again.step.tolist() == [1, 2]
    for name in record.activation:
        np.testing.assert_array_equal(again.activation[name], record.activation[name])
        np.testing.assert_array_equal(again.gradient[name], record.gradient[name])
        assert again.gradient[name].dtype == np.float32 and again.gradient[name].shape[1] == 10
    examples = recorder.gradient_examples()
    examples.save(tmp_path / "e.npz")
    loaded = GradientExamples.load(tmp_path / "e.npz")
    assert loaded.scaled.shape == (2, 10, 120, 28, 28) and loaded.scaled.dtype == np.float16
    np.testing.assert_array_equal(loaded.frame(1), examples.frame(1))
