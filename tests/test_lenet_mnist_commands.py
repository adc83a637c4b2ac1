"""`lenet inspect` and `lenet movie`: unit parsing,
per-class numbers against direct computations, the sheet and the GIF.

The CLI tests use a tiny run trained into a private cache (about 2 s), never a full seed.
"""

import re

import numpy as np
import pytest
import torch
from PIL import Image

from lenet.cli import main
from lenet.errors import UnknownUnit
from lenet.lenet_mnist import cache
from lenet.lenet_mnist.commands.inspect import class_stats, epoch_masks
from lenet.lenet_mnist.commands.movie import parse_units
from lenet.lenet_mnist.model import LAYERS
from lenet.lenet_mnist.train import TrainConfig
from lenet.subject.units import parse_unit

# What `--epochs 1 --subset 1024` means on the command line: 8 steps, one frame each.
TINY_CLI = TrainConfig(epochs=1, subset=1024)
RUN = ["--seed", "7", "--epochs", "1", "--subset", "1024"]


@pytest.mark.parametrize(
    "text, want",
    [
        ("linear-0:58", ("linear-0", 58)),
        ("linear-0-58", ("linear-0", 58)),
        ("conv-1:15", ("conv-1", 15)),
        ("linear-2-0", ("linear-2", 0)),
    ],
)
def test_units_parse_in_both_spellings(text, want):
    assert parse_unit(text, LAYERS) == want


@pytest.mark.parametrize(
    "text, message",
    [
        ("linear-3:2", r"Unknown layer 'linear-3'; layers are conv-0 \(units 0-5\).*linear-2 \(units 0-9\)"),
        ("linear-0:120", r"INDEX in 0-119 for linear-0"),
        ("linear-0-x", r"INDEX in 0-119"),
        ("linear-0", r"names a layer, not a unit; write linear-0:INDEX"),
        ("conv-0:-1", r"INDEX in 0-5"),
    ],
)
def test_bad_units_say_what_is_valid(text, message):
    with pytest.raises(UnknownUnit, match=message):
        parse_unit(text, LAYERS)


def test_movie_units_take_index_lists_and_refuse_unrecorded_layers():
    assert parse_units(["linear-0:58,28", "linear-1-7", "linear-0:58"]) == [
        ("linear-0", 58),
        ("linear-0", 28),
        ("linear-1", 7),
    ]
    with pytest.raises(UnknownUnit, match="covers linear-0, linear-1 only"):
        parse_units(["conv-1:3"])


def test_class_stats_match_a_direct_computation():
    rng = np.random.default_rng(1)
    values, labels = rng.normal(size=500), rng.integers(0, 10, 500)
    record = type("R", (), {})()
    record.epoch = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.0], np.float32)
    record.gradient = {"linear-1": rng.normal(size=(6, 10, 84))}
    stats = class_stats(values, labels, record, "linear-1", 4)
    grads = record.gradient["linear-1"][:, :, 4]
    for c in range(10):
        assert stats.mean_activation[c] == pytest.approx(values[labels == c].mean())
        assert stats.firing[c] == pytest.approx(np.mean(values[labels == c] > 0))
    assert np.allclose(stats.grad_mean, grads.mean(0))
    assert np.allclose(stats.grad_final, grads[4:].mean(0))
    assert np.allclose(stats.grad_trend, grads[4:].mean(0) - grads[:2].mean(0))
    assert [m.tolist() for m in epoch_masks(record.epoch)] == [
        [True, True, False, False, False, False],
        [False] * 4 + [True] * 2,
    ]


def parse_table(text: str) -> np.ndarray:
    """The ten class rows of the printed table as numbers (percent signs dropped)."""
    rows = [line.split() for line in text.splitlines() if re.match(r"^\s+\d\s+\d+\s", line)]
    return np.array([[float(v.rstrip("%")) for v in row] for row in rows])


@pytest.fixture
def tiny_run(mnist_root, cache_dir):
    return cache.checkpoint(7, TINY_CLI, mnist_root, progress=False)


@pytest.mark.slow
def test_inspect_prints_what_a_direct_computation_gives_and_writes_the_sheet(
    tiny_run, mnist_root, tmp_path, capsys
):
    from lenet.lenet_mnist import data

    out = tmp_path / "sheet.png"
    assert main(["inspect", "linear-0:3", *RUN, "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    table = parse_table(printed)
    split = data.load_split("train", mnist_root)
    with torch.no_grad():
        pre = torch.cat(
            [
                tiny_run.model.preactivations(split.images[i : i + 10000])["linear-0"][:, 3]
                for i in range(0, 60000, 10000)
            ]
        ).numpy()
    labels = split.labels.numpy()
    grads = cache.training_record(7, TINY_CLI, mnist_root).gradient["linear-0"][
        :, :, 3
    ]  # one epoch: final = all
    for c in range(10):
        assert table[c, 1] == (labels == c).sum()
        # the default site is post: what linear-1 reads, the ReLU of the pre-activation
        assert table[c, 2] == pytest.approx(np.maximum(pre[labels == c], 0).mean(), abs=6e-4)
        assert table[c, 3] == pytest.approx(100 * np.mean(pre[labels == c] > 0), abs=0.06)
        assert table[c, 4] == pytest.approx(grads[:, c].mean() * 1e3, abs=6e-4)
        assert table[c, 5] == pytest.approx(grads[:, c].mean() * 1e3, abs=6e-4)
        assert table[c, 6] == 0  # first epoch = final epoch
    width, height = map(int, re.search(r"sheet: .* \((\d+)x(\d+)\)", printed).groups())
    with Image.open(out) as sheet:
        assert sheet.size == (width, height) and width >= 2 * 300 + 10 and height > 500
    assert "not cached; add --gradient-examples" in printed
    assert all("examples.npz" not in e.meta["files"] for e in cache.entries())  # looking did not retrain
    assert "site post" in printed and "the record's gradients and activations are at site pre" in printed
    assert main(["inspect", "linear-0:3", *RUN, "--site", "pre", "--no-sheet"]) == 0
    at_pre = parse_table(capsys.readouterr().out)
    for c in range(10):
        assert at_pre[c, 2] == pytest.approx(pre[labels == c].mean(), abs=6e-4)


@pytest.mark.slow
def test_inspect_regenerates_gradient_examples_only_when_asked(tiny_run, tmp_path, capsys):
    assert main(["inspect", "linear-0:3", *RUN, "--gradient-examples", "-o", str(tmp_path / "a.png")]) == 0
    assert "regenerating them by retraining seed 7" in capsys.readouterr().out
    assert main(["inspect", "linear-0:3", *RUN, "-o", str(tmp_path / "b.png")]) == 0
    assert "gradient examples: from the cache" in capsys.readouterr().out
    with Image.open(tmp_path / "a.png") as a, Image.open(tmp_path / "b.png") as b:
        assert a.size == b.size


@pytest.mark.slow
def test_inspect_of_an_unrecorded_layer_prints_activations_only(tiny_run, tmp_path, capsys):
    assert main(["inspect", "conv-1:4", *RUN, "-o", str(tmp_path / "c.png")]) == 0
    printed = capsys.readouterr().out
    assert "the training record covers linear-0 and linear-1" in printed
    assert parse_table(printed).shape == (10, 4)


def test_movie_has_one_frame_per_recorded_step(tiny_run, mnist_root, tmp_path, capsys):
    out = tmp_path / "movie.gif"
    assert main(["movie", "linear-0:3,5", "linear-1:2", *RUN, "-o", str(out)]) == 0
    frames = cache.training_record(7, TINY_CLI, mnist_root).frames
    assert frames == 8
    with Image.open(out) as gif:
        assert gif.n_frames == frames and gif.info["loop"] == 0
    assert f"{frames} frames" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["inspect", "linear-0:3", "--seed", "23"], r"--seed=23 is not trained.*`lenet train --seed 23`"),
        (["inspect", "linear-0:3", "--seed", "23", "--epochs", "1"], r"`lenet train --seed 23 --epochs 1`"),
        (["movie", "linear-0:3", "--seed", "23"], r"`lenet train --seed 23 --examples`"),
        (["movie", "conv-0:1"], r"covers linear-0, linear-1 only"),
        (["movie", "linear-0:3", "-o", "movie.mp4"], r"only animated GIFs"),
        (["inspect", "linear-9:3"], r"Unknown layer 'linear-9'; layers are conv-0"),
    ],
)
def test_cli_errors_say_how_to_fix_them(argv, message, cache_dir, capsys):
    assert main(argv) == 2
    assert re.search(message, capsys.readouterr().err)
