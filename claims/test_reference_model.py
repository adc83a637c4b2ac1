"""Placeholder claim until claim files (TOML) arrive: every reference LeNet-5 classifies >= 99% of test images."""

import pytest

from lenet import cache, reference
from lenet.data import load_split
from lenet.train import evaluate


@pytest.mark.parametrize("seed", reference.seeds())
def test_reference_model_is_accurate(seed, mnist_root):
    accuracy = evaluate(cache.checkpoint(seed).model, load_split("test", mnist_root))
    assert accuracy >= 0.99, f"reference seed {seed} classifies {accuracy:.2%} of the test images (claimed >= 99%)"
