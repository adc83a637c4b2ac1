"""Perturbations against direct tensor computations; zero is the identity."""

import pytest
import torch

from lenet.lenet_mnist.perturb import apply
from lenet.subject.perturbation import Perturbation


@pytest.fixture
def images():
    generator = torch.Generator().manual_seed(0)
    x = torch.zeros(4, 1, 28, 28)
    x[:, :, 8:20, 10:14] = torch.rand(4, 1, 12, 4, generator=generator)  # a stroke away from the border
    return x


def test_zero_perturbation_is_the_identity(images):
    assert torch.equal(apply(images, Perturbation()), images)


def test_shift_moves_pixels_and_fills_with_background(images):
    out = apply(images, Perturbation(dx=2, dy=-1))
    assert torch.equal(out[:, :, 7:19, 12:16], images[:, :, 8:20, 10:14])
    assert out.sum() == pytest.approx(images.sum().item())


def test_quarter_turn_equals_rot90(images):
    out = apply(images, Perturbation(degrees=90.0))
    torch.testing.assert_close(out[:, 0], torch.rot90(images[:, 0], 1, dims=(1, 2)), atol=1e-5, rtol=0)


def test_stroke_steps_are_grey_dilation_and_erosion_and_fractions_blend(images):
    dilated = torch.nn.functional.max_pool2d(images, 3, 1, 1)
    eroded = -torch.nn.functional.max_pool2d(-images, 3, 1, 1)
    assert torch.equal(apply(images, Perturbation(stroke=1.0)), dilated)
    assert torch.equal(apply(images, Perturbation(stroke=-1.0)), eroded)
    torch.testing.assert_close(apply(images, Perturbation(stroke=0.25)), images + 0.25 * (dilated - images))


def test_shift_beyond_the_padding_is_refused(images):
    with pytest.raises(ValueError, match="exceeds 4 px"):
        apply(images, Perturbation(dx=5))
