"""The training check against the committed record of reference seed 0, computed here directly."""

import numpy as np
import pytest

from lenet.checks.target import Target
from lenet.checks.training import check, judge
from lenet.errors import InvalidConfig, MissingRecord
from lenet.lenet_mnist.subject import LenetMnist


def training(subject, layer: str, unit: int, params: dict):
    """The check on one unit as ``lenet.run.dispatch.run`` calls it (no concept or contrast, seed 0)."""
    return check(subject, Target(layer, (unit,)), None, None, params, 0, 0.99)


@pytest.fixture(scope="module")
def subject():
    return LenetMnist.load(0)


def test_consistency_is_the_fraction_of_frames_with_the_claimed_sign(subject):
    record = subject.record()
    grads = record.gradient["linear-0"][:, 3, 17]
    verdict = training(subject, "linear-0", 17, {"class": 3, "gradient": "negative", "min_consistency": 0.8})
    assert verdict.primary.value == pytest.approx(np.mean(grads < 0))
    assert verdict.outcome == ("holds" if np.mean(grads < 0) >= 0.8 else "refuted")


def test_activation_rules_read_the_final_epoch(subject):
    record = subject.record()
    final = record.activation["linear-1"][record.epoch > record.epoch[-1] - 1][:, :, 5].mean(0)
    top = int(final.argmax())
    verdict = training(
        subject,
        "linear-1",
        5,
        {
            "class": top,
            "gradient": "positive",
            "min_consistency": 0.5,
            "max_activation": float(final[top]) - 1e-3,
            "top_class": top,
        },
    )
    outcomes = {c.name: c.outcome for c in verdict.criteria}
    assert outcomes["top_class"] == "holds" and outcomes["max_activation"] == "refuted"
    assert verdict.outcome == "refuted"


def test_units_outside_the_recorded_layers_are_refused(subject):
    with pytest.raises(InvalidConfig, match="recorded for linear-0, linear-1 only"):
        training(subject, "conv-1", 3, {"class": 1, "gradient": "positive", "min_consistency": 0.8})


def test_a_checkpoint_file_without_record_says_how_to_get_one(subject, tmp_path):
    from lenet.lenet_mnist import checkpoint as ckpt

    path = tmp_path / "mine.pt"
    ckpt.save(path, subject.model, {})
    with pytest.raises(MissingRecord, match="lenet train --seed N"):
        training(
            LenetMnist.load(checkpoint=str(path)),
            "linear-0",
            1,
            {"class": 1, "gradient": "positive", "min_consistency": 0.8},
        )


def test_the_judge_reads_arrays_alone():
    gradients = np.zeros((4, 10))
    gradients[:, 2] = [1.0, 2.0, -1.0, 3.0]  # 3 of 4 frames push class 2 up
    activations = np.tile(np.arange(10.0), (4, 1))  # class 9 fires most
    epochs = np.array([0.5, 1.0, 1.5, 2.0])
    params = {"class": 2, "gradient": "positive", "min_consistency": 0.75, "top_class": 9}
    verdict = judge(gradients, activations, epochs, params)
    assert verdict.primary.value == 0.75 and verdict.n == {"frames": 4} and verdict.outcome == "holds"
    assert verdict.details["gradient_rank_of_class"] == 1
