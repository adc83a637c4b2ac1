"""lenet.charts: matplotlib charts with axes and labels, as PNG bytes; class colours as everywhere else."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lenet import charts
from lenet import pictures as P

PNG = b"\x89PNG\r\n\x1a\n"


def _rgb(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).reshape(-1, 3).astype(int)


def _has(pixels: np.ndarray, colour: str, tolerance: int = 12) -> bool:
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(pixels - target).max(axis=1) <= tolerance).any())


def test_class_lines_draws_every_class_in_its_colour():
    t = np.linspace(0.1, 2.0, 40)
    values = np.stack([np.sin(t * (c + 1)) * (c + 1) for c in range(10)], axis=1)
    data = charts.class_lines(t, values, "test", "value")
    assert data.startswith(PNG)
    pixels = _rgb(data)
    for colour in P.CLASS_COLORS:
        assert _has(pixels, colour), colour
    assert charts.CLASS_COLORS == P.CLASS_COLORS


@pytest.mark.parametrize(
    "draw",
    [
        lambda: charts.ranking(np.linspace(1, 0, 120), "AUROC", 0.9, "bar", chosen=3),
        lambda: charts.per_class([str(c) for c in range(10)], np.arange(10.0), np.linspace(0, 1, 10), "post"),
        lambda: charts.training(np.arange(5.0), np.ones((5, 10)), [str(c) for c in range(10)], "gradient"),
        lambda: charts.training(np.arange(5.0), np.zeros((5, 10)), [str(c) for c in range(10)], "activation"),
        lambda: charts.criterion(
            [
                {
                    "check": "ablation",
                    "name": "min_effect",
                    "value": 0.3,
                    "low": 0.2,
                    "high": 0.4,
                    "threshold": 0.1,
                }
            ]
        ),
        lambda: charts.forest(
            ["seed 0", "seed 1"],
            np.array([0.1, 0.2]),
            np.array([0.0, 0.1]),
            np.array([0.2, 0.3]),
            (0.15, 0.05, 0.25),
            0.12,
            "title",
            "effect",
        ),
        lambda: charts.logits(
            [str(c) for c in range(10)], np.arange(10.0), np.arange(10.0)[::-1], "linear-0:1"
        ),
    ],
)
def test_each_chart_is_a_png(draw):
    data = draw()
    assert data.startswith(PNG) and charts.image(data).size[0] > 200


def test_the_criterion_chart_marks_the_threshold_in_red():
    row = {
        "check": "selectivity",
        "name": "min_auroc",
        "value": 0.8,
        "low": 0.7,
        "high": 0.9,
        "threshold": 0.75,
    }
    assert _has(_rgb(charts.criterion([row])), "#cc0000", 30)


def test_a_kept_chart_redrawn_with_new_data_is_the_same_picture_as_a_new_chart():
    """charts.Chart keeps the layout, not the picture: each draw equals a new figure of the same data
    (the explorer's workers redraw kept charts), whatever the previous draw's scale."""
    rng = np.random.default_rng(0)
    classes = tuple(str(c) for c in range(10))
    epoch = np.linspace(0, 3, 50)
    kept_bars, kept_lines = (
        charts.per_class_chart(classes, "post"),
        charts.training_chart(classes, "gradient"),
    )
    for scale in (1.0, 1e-4, 30.0, 0.0):  # 0: a unit that never fires (all means zero)
        means, firing = rng.normal(size=10) * scale, rng.random(10)
        series = rng.normal(size=(50, 10)) * scale
        assert kept_bars.draw(means, firing) == charts.per_class(list(classes), means, firing, "post")
        assert kept_lines.draw(epoch, series) == charts.training(epoch, series, list(classes), "gradient")
