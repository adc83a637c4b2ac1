"""Charts with axes, ticks and labels, drawn with matplotlib (Agg): the explorer's, ``lenet inspect``'s and
the report's. Arrays in, PNG bytes (or a PIL image, to stack with ``lenet.pictures`` tiles) out.

``matplotlib.figure.Figure`` is used directly (not pyplot), so no global state is shared between requests
of the explorer and nothing needs closing. Classes 0-9 keep ``pictures.CLASS_COLORS``.
"""

from __future__ import annotations

import io

import numpy as np

from .pictures import CLASS_COLORS  # classes 0-9 keep one colour in every picture and chart

__all__ = [
    "ranking",
    "per_class",
    "training",
    "Chart",
    "per_class_chart",
    "training_chart",
    "criterion",
    "logits",
    "class_lines",
    "class_accuracy",
    "scatter",
    "forest",
    "png",
    "image",
]

WIDTH, HEIGHT, DPI = 6.4, 2.6, 90


def _figure(width: float = WIDTH, height: float = HEIGHT, columns: int = 1, margins: dict | None = None):
    """A figure with fixed margins (``tight_layout`` would draw it twice: a unit view has a time budget)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    fig.subplots_adjust(**{"left": 0.1, "right": 0.97, "bottom": 0.2, "top": 0.92, **(margins or {})})
    axes = [fig.add_subplot(1, columns, i + 1) for i in range(columns)]
    return fig, axes[0] if columns == 1 else axes


def png(fig) -> bytes:
    """The figure as PNG bytes."""
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def image(data: bytes):
    """PNG bytes as an RGB PIL image (to stack with ``lenet.pictures`` tiles)."""
    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB")


def _class_lines(ax, x: np.ndarray, series: np.ndarray, classes: list[str] | None = None) -> None:
    for c in range(series.shape[1]):
        label = classes[c] if classes else str(c)
        ax.plot(x, series[:, c], linewidth=1, color=CLASS_COLORS[c % 10], label=label)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def class_lines(x: np.ndarray, series: np.ndarray, title: str, ylabel: str, xlabel: str = "epoch") -> bytes:
    """One line per class (``series``: T x classes) against ``x`` (T,), with a legend of the classes."""
    fig, ax = _figure(width=3.6, height=2.4, margins={"left": 0.18, "right": 0.8, "bottom": 0.2, "top": 0.88})
    _class_lines(ax, np.asarray(x), np.asarray(series, dtype=np.float64))
    ax.set_title(title, fontsize=8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5), title="class", title_fontsize=6)
    return png(fig)


def ranking(
    scores: np.ndarray, label: str, bar: float | None, bar_label: str, chosen: int | None = None
) -> bytes:
    """Every unit's score by rank (best first), the untrained-network bar as a dashed line."""
    fig, ax = _figure()
    order = np.arange(1, len(scores) + 1)
    ax.plot(order, scores, marker=".", linestyle="-", linewidth=1, markersize=4, color="#3465a4")
    if chosen is not None:
        ax.plot([chosen + 1], [scores[chosen]], marker="o", color="#cc0000", markersize=7, label="shown unit")
    if bar is not None:
        ax.axhline(bar, color="#555555", linestyle="--", linewidth=1, label=bar_label)
    ax.set_xlabel("rank on the discovery split (1 = best)")
    ax.set_ylabel(label)
    ax.set_xlim(0, len(scores) + 1)
    ax.grid(alpha=0.3)
    if bar is not None or chosen is not None:
        ax.legend(fontsize=7, loc="upper right")
    return png(fig)


class Chart:
    """A figure whose layout (axes, ticks, labels, legend) is built once and whose data are set for each
    draw: a redraw takes about half the time of a new figure (matplotlib's artist creation and first layout
    are the other half) and gives the same picture as a new figure of the same data. One draw at a time."""

    def __init__(self, fig, update):
        self.fig, self._update = fig, update

    def draw(self, *data) -> bytes:
        """The chart of ``data`` as PNG bytes."""
        self._update(*data)
        return png(self.fig)


def _span(low: float, high: float, margin: float = 0.05) -> tuple[float, float]:
    """Axis limits around [low, high] with matplotlib's default 5% margins, set from the data alone (a kept
    chart's limits then never depend on what it drew before); a degenerate range becomes [-1, 1]."""
    if not np.isfinite(low) or not np.isfinite(high) or high - low < 1e-12:
        return (low - 1.0, high + 1.0) if np.isfinite(low) and np.isfinite(high) else (-1.0, 1.0)
    pad = margin * (high - low)
    return low - pad, high + pad


def per_class_chart(classes: tuple[str, ...], site: str) -> Chart:
    """``per_class``'s chart for these classes and site, to draw with ``(means, firing)``."""
    fig, (left, right) = _figure(height=2.3, columns=2, margins={"left": 0.09, "right": 0.98, "wspace": 0.3})
    x = np.arange(len(classes))
    zeros = np.zeros(len(classes))
    mean_bars = left.bar(x, zeros, color="#729fcf")
    left.axhline(0, color="black", linewidth=0.6)
    left.set_xticks(x, classes)
    left.set_xlabel("class")
    left.set_ylabel(f"mean value (site {site})")
    firing_bars = right.bar(x, zeros, color="#f57900")
    right.set_ylim(0, 1)
    right.set_xticks(x, classes)
    right.set_xlabel("class")
    right.set_ylabel("fraction firing (> 0)")

    def update(means: np.ndarray, firing: np.ndarray) -> None:
        for bars, values in ((mean_bars, means), (firing_bars, firing)):
            for bar, value in zip(bars, np.asarray(values, dtype=np.float64), strict=True):
                bar.set_height(value)
        means = np.asarray(means, dtype=np.float64)
        low, high = min(0.0, float(np.nanmin(means))), max(0.0, float(np.nanmax(means)))
        bottom, top = _span(low, high)
        # bars start at 0: no margin on a side that is 0 (as matplotlib's sticky edges do)
        left.set_ylim(0.0 if low == 0 and high > 0 else bottom, 0.0 if high == 0 and low < 0 else top)

    return Chart(fig, update)


def per_class(classes: list[str], means: np.ndarray, firing: np.ndarray, site: str) -> bytes:
    """Mean value per class (bars, left) and the fraction of each class's images the unit fires on (right)."""
    return per_class_chart(tuple(classes), site).draw(means, firing)


TRAINING_SERIES = {
    "gradient": "mean training gradient per class",
    "activation": "mean activation per class (site pre)",
}


def training_chart(classes: tuple[str, ...], series: str) -> Chart:
    """``training``'s chart of one series (``TRAINING_SERIES``), to draw with ``(epoch, values)``."""
    fig, ax = _figure(width=3.4, height=2.6, margins={"left": 0.17, "right": 0.97, "top": 0.9})
    _class_lines(ax, np.arange(2.0), np.zeros((2, len(classes))), list(classes))
    lines = ax.get_lines()[: len(classes)]
    ax.set_xlabel("epoch")
    ax.set_title(TRAINING_SERIES[series], fontsize=9)
    if series == "activation":
        ax.legend(fontsize=6, ncol=2, loc="lower left")

    def update(epoch: np.ndarray, values: np.ndarray) -> None:
        x, values = np.asarray(epoch, dtype=np.float64), np.asarray(values, dtype=np.float64)
        for c, line in enumerate(lines):
            line.set_data(x, values[:, c])
        ax.set_xlim(*_span(float(np.nanmin(x)), float(np.nanmax(x))))
        ax.set_ylim(*_span(min(0.0, float(np.nanmin(values))), max(0.0, float(np.nanmax(values)))))

    return Chart(fig, update)


def training(epoch: np.ndarray, values: np.ndarray, classes: list[str], series: str) -> bytes:
    """One per-class series over training (``values``: frames x classes): the mean training gradient or the
    mean activation (``series``); the explorer shows the two side by side."""
    return training_chart(tuple(classes), series).draw(epoch, values)


def criterion(rows: list[dict]) -> bytes:
    """Each criterion's estimate with its CI (a horizontal error bar) against its threshold (a red tick)."""
    fig, ax = _figure(height=0.9 + 0.45 * max(len(rows), 1), margins={"left": 0.3, "bottom": 0.35})
    for i, row in enumerate(rows):
        value, low, high = row["value"], row.get("low"), row.get("high")
        if value is None:
            continue
        err = None if low is None or high is None else [[value - low], [high - value]]
        ax.errorbar([value], [i], xerr=err, fmt="o", color="#3465a4", capsize=4)
        if row.get("threshold") is not None:
            ax.plot([row["threshold"]], [i], marker="|", color="#cc0000", markersize=18, markeredgewidth=2)
    ax.set_yticks(range(len(rows)), [f"{r['check']} {r['name']}" for r in rows], fontsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.invert_yaxis()
    ax.set_xlabel("estimate with its CI (blue); threshold (red)")
    ax.grid(alpha=0.3, axis="x")
    return png(fig)


def logits(classes: list[str], before: np.ndarray, after: np.ndarray, unit: str) -> bytes:
    """The network's outputs for one image, as it is and with the unit ablated (zero)."""
    fig, ax = _figure(height=2.3)
    x = np.arange(len(classes))
    ax.bar(x - 0.2, before, width=0.4, color="#729fcf", label="as it is")
    ax.bar(x + 0.2, after, width=0.4, color="#f57900", label=f"{unit} ablated (zero)")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, classes)
    ax.set_xlabel("class")
    ax.set_ylabel("logit")
    ax.legend(fontsize=7)
    return png(fig)


def class_accuracy(
    before: np.ndarray, after: np.ndarray, low: np.ndarray, high: np.ndarray, klass: int, title: str
) -> bytes:
    """Per-class accuracy before (grey) and after an ablation (blue, with its CI); the claim's class red."""
    fig, ax = _figure(width=5.8, height=2.9, margins={"left": 0.1, "bottom": 0.16, "top": 0.88})
    x = np.arange(len(before))
    ax.bar(x - 0.2, before, width=0.4, color="#bbbbbb", label="before")
    ax.bar(x + 0.2, after, width=0.4, color="#3c6ec8", label="after ablation")
    ax.errorbar(
        x + 0.2, after, yerr=[after - low, high - after], fmt="none", ecolor="black", capsize=2, linewidth=1
    )
    ax.set_xticks(x, [str(c) for c in x])
    ax.get_xticklabels()[klass].set_color("#c81e1e")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("class (the claim's in red)")
    ax.set_ylabel("test accuracy")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3, axis="y")
    return png(fig)


def scatter(x: np.ndarray, y: np.ndarray, xlabel: str, ylabel: str, title: str) -> bytes:
    """One dot per unit: two per-unit scores against each other."""
    fig, ax = _figure(width=5.8, height=3.2, margins={"left": 0.17, "bottom": 0.16, "top": 0.9})
    ax.scatter(x, y, s=10, color="#3c6ec8")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    return png(fig)


def forest(
    labels: list[str],
    values: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    pooled: tuple[float, float, float],
    threshold: float,
    title: str,
    xlabel: str,
) -> bytes:
    """Each seed's effect with its CI (one row per seed), the pooled mean with its interval (the last row,
    a diamond) and the threshold (a dashed red line): the population estimate of a ``::seeds`` item."""
    rows = len(labels) + 1
    fig, ax = _figure(width=5.8, height=0.9 + 0.28 * rows, margins={"left": 0.27, "bottom": 0.2, "top": 0.84})
    y = np.arange(len(labels))
    values, low, high = (np.asarray(a, dtype=np.float64) for a in (values, low, high))
    ax.errorbar(
        values, y, xerr=[values - low, high - values], fmt="o", color="#3465a4", capsize=3, markersize=4
    )
    mean, mean_low, mean_high = pooled
    ax.errorbar(
        [mean],
        [len(labels)],
        xerr=[[mean - mean_low], [mean_high - mean]],
        fmt="D",
        color="#000000",
        capsize=4,
    )
    ax.axvline(threshold, color="#cc0000", linestyle="--", linewidth=1, label=f"threshold {threshold:g}")
    ax.set_yticks(range(rows), [*labels, "mean of a training run"], fontsize=7)
    ax.set_ylim(rows - 0.4, -0.6)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=7, loc="lower right")
    return png(fig)
