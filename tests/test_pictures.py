"""Pictures of units: colours, sizes and frame counts, checked pixel by pixel on small synthetic arrays."""

import numpy as np
import pytest

from lenet import charts
from lenet import pictures as P
from lenet.lenet_mnist.recorder import GradientExamples, TrainingRecord


def test_signed_colours_are_white_at_zero_and_saturate_at_the_scale():
    rgb = P.signed_rgb(np.array([0.0, 2.0, -2.0, 1.0, 5.0, -5.0]), scale=2.0)
    assert rgb[0].tolist() == [255, 255, 255]
    assert rgb[1].tolist() == P.POSITIVE.astype(int).tolist() == rgb[4].tolist()
    assert rgb[2].tolist() == P.NEGATIVE.astype(int).tolist() == rgb[5].tolist()
    assert rgb[3].tolist() == np.round(255 + (P.POSITIVE - 255) / 2).astype(int).tolist()


def test_signed_colours_default_to_the_largest_magnitude_and_survive_all_zeros():
    assert P.signed_rgb(np.array([-4.0, 1.0]))[0].tolist() == P.NEGATIVE.astype(int).tolist()
    assert (P.signed_rgb(np.zeros((28, 28))) == 255).all()


def test_ink_tiles_are_dark_ink_on_white_and_scaled():
    image = np.zeros((28, 28), np.float32)
    image[10, 10] = 1.0
    tile = np.asarray(P.ink_tile(image, scale=2))
    assert tile.shape == (56, 56, 3)
    assert (
        tile[20, 20].tolist() == [0, 0, 0]
        and tile[21, 21].tolist() == [0, 0, 0]
        and tile[0, 0].tolist() == [255] * 3
    )
    faint = np.asarray(P.ink_tile(image * 0.5, stretch=True))
    assert faint[20, 20].tolist() == [0, 0, 0]


def test_class_row_and_grid_sizes():
    row = P.class_row(np.random.default_rng(0).normal(size=(10, 28, 28)), signed=True)
    assert row.size[0] == 10 * (56 + 4) - 4 and row.size[1] > 56
    grid = P.digit_grid(np.zeros((12, 28, 28)), [str(i) for i in range(12)], columns=5)
    assert grid.size[0] == 5 * 60 - 4 and grid.size[1] > 3 * 56


@pytest.mark.parametrize("value", [3.0, -3.0])
def test_bar_tiles_grow_up_in_red_or_down_in_blue(value):
    tile = np.asarray(P.bar_tile(value, scale=4.0, size=56, text=False)).astype(int)
    column = tile[:, 28]
    red = (column == P.POSITIVE.astype(int)).all(axis=1)
    blue = (column == P.NEGATIVE.astype(int)).all(axis=1)
    if value > 0:
        assert red[:28].sum() == round(0.75 * 26) and not red[29:].any() and not blue.any()
    else:
        assert blue[29:].sum() == round(0.75 * 26) and not blue[:28].any() and not red.any()


def fake_run(frames=5, seed=0):
    rng = np.random.default_rng(seed)
    record = TrainingRecord(
        step=np.arange(1, frames + 1) * 10,
        epoch=np.arange(1, frames + 1) / frames,
        count=np.full((frames, 10), 50),
        activation={
            n: rng.normal(size=(frames, 10, u)).astype(np.float32)
            for n, u in (("linear-0", 120), ("linear-1", 84))
        },
        gradient={
            n: rng.normal(size=(frames, 10, u)).astype(np.float32)
            for n, u in (("linear-0", 120), ("linear-1", 84))
        },
    )
    examples = GradientExamples.from_frames([rng.normal(size=(10, 120, 784)) for _ in range(frames)])
    return record, examples


def test_movie_has_one_frame_per_recorded_frame_all_the_same_size():
    record, examples = fake_run(frames=5)
    frames = P.movie(record, examples, [("linear-0", 3), ("linear-1", 7)], "seed 0")
    assert len(frames) == record.frames
    assert len({f.size for f in frames}) == 1


def test_movie_shows_the_frames_gradient_examples():
    record, examples = fake_run(frames=2)
    frame = P.movie(record, examples, [("linear-0", 3)])[1]
    want = np.asarray(
        P.class_row(examples.scaled[1, :, 3].astype(np.float32) * examples.scale[1], signed=True)
    )
    got = np.asarray(frame)
    h, w = want.shape[:2]
    hits = [
        (y, x)
        for y in range(got.shape[0] - h)
        for x in range(0, 12)
        if (got[y : y + h, x : x + w] == want).all()
    ]
    assert hits, "the frame's gradient-example row is not in the movie frame"


def test_unit_sheet_stacks_its_parts():
    rng = np.random.default_rng(1)
    images = rng.random((10, 28, 28)).astype(np.float32)
    labels = [str(i) for i in range(10)]
    chart = charts.image(charts.class_lines(np.arange(3.0), rng.normal(size=(3, 10)), "c", "y"))
    with_examples = P.unit_sheet(
        "t",
        images,
        np.linspace(0, 1, 10),
        (images, labels),
        (images, labels),
        rng.normal(size=(10, 28, 28)),
        "mean",
        [chart, chart],
    )
    without = P.unit_sheet("t", images, np.linspace(0, 1, 10), (images, labels), (images, labels))
    assert with_examples.size[1] > without.size[1] + chart.size[1]
    assert with_examples.size[0] >= 2 * chart.size[0] + 10
