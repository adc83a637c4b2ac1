"""Style detectors: readable image processing that decides
whether a seven is crossed or hooked, or a two looped.

Each detector takes images ``(N, 28, 28)`` (or ``(N, 1, 28, 28)``) with pixels in
[0, 1] and returns a boolean mask ``(N,)``. They binarise the image and measure
stroke runs and holes with numpy and ``scipy.ndimage``; no trained network is
involved, so a concept never inherits the biases of the model under study.
The thresholds were chosen by eye and on the *tuning* part of the hand labels
(``lenet/lenet_mnist/fixtures/labels/``), never on the reporting part and never on any unit's
activations. ``lenet concepts`` reports how well each detector agrees with the
reporting part of the labels.

Detectors assume the image shows the digit they are named after: run them on
sevens (or twos) only; the concept registry does that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

__all__ = [
    "Thresholds",
    "THRESHOLDS",
    "crossed_seven",
    "hooked_seven",
    "looped_two",
    "crossbar_score",
    "hook_features",
    "bottom_hole_area",
]


@dataclass(frozen=True)
class Thresholds:
    """Every number the detectors use, in pixels of the 28 x 28 image unless said otherwise."""

    ink: float = 0.5  # a pixel is ink when its value exceeds this (sevens)
    crossbar_min: float = 4.0  # crossbar row's longest run must exceed stem width and neck by this much
    hook_drop_min: float = 2.5  # left end's vertical run minus the bar's median thickness
    hook_height_min: float = 0.2  # left end's vertical run as a fraction of the digit's height
    loop_ink: float = 0.6  # a stricter ink level for loops, so thin gaps between strokes stay open
    loop_area_min: int = 1  # pixels of enclosed background that make a loop
    loop_low: float = 0.45  # the hole's centre lies below this fraction of the digit's height


THRESHOLDS = Thresholds()


def _binary(images: np.ndarray, level: float) -> np.ndarray:
    """Ink mask ``(N, 28, 28)`` bool from images ``(N, 28, 28)`` or ``(N, 1, 28, 28)``."""
    pixels = np.asarray(images, dtype=np.float32)
    if pixels.ndim == 4:
        pixels = pixels[:, 0]  # (N, 1, 28, 28) -> (N, 28, 28)
    if pixels.ndim != 3:
        raise ValueError(f"images of shape {pixels.shape} must be (N, 28, 28) or (N, 1, 28, 28).")
    return pixels > level


def _extent(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First ink row, last ink row and height ``(N,)`` each; an empty image gets height 0."""
    rows = ink.any(axis=2)  # (N, 28)
    top = rows.argmax(axis=1)
    bottom = ink.shape[1] - 1 - rows[:, ::-1].argmax(axis=1)
    height = np.where(rows.any(axis=1), bottom - top + 1, 0)
    return top, bottom, height


def _longest_row_runs(ink: np.ndarray) -> np.ndarray:
    """Longest horizontal run of ink in each row: ``(N, 28, 28)`` bool -> ``(N, 28)`` int."""
    run = np.zeros(ink.shape[:2], dtype=np.int32)
    best = np.zeros_like(run)
    for column in range(ink.shape[2]):
        run = np.where(ink[:, :, column], run + 1, 0)
        np.maximum(best, run, out=best)
    return best


def crossbar_score(images: np.ndarray, t: Thresholds = THRESHOLDS) -> np.ndarray:
    """How far the widest middle row sticks out beyond the stem, in pixels ``(N,)`` float.

    Rows are measured by their longest horizontal ink run. The top bar is the
    widest of the first five ink rows; the *stem width* is the median run over
    the lowest 40% of the digit. The *middle band* runs from two rows below the
    top bar to 20% of the height above the bottom. The score is the widest run
    in the band minus the larger of the stem width and the narrowest row between
    the top bar and that run (the neck that separates a crossbar from the top bar).
    """
    ink = _binary(images, t.ink)
    runs = _longest_row_runs(ink).astype(float)  # (N, 28)
    top, bottom, height = _extent(ink)
    row = np.arange(ink.shape[1])[None, :]  # (1, 28)
    top_, bottom_, height_ = top[:, None], bottom[:, None], height[:, None]
    bar = np.where((row >= top_) & (row < top_ + 5), runs, -1).argmax(axis=1)  # row of the top bar
    stem_rows = (row >= top_ + (0.6 * height_).astype(int)) & (row <= bottom_)
    stem = np.nanmedian(np.where(stem_rows, runs, np.nan), axis=1)
    band = (row >= bar[:, None] + 2) & (row <= bottom_ - (0.2 * height_).astype(int))
    peak_row = np.where(band, runs, -1).argmax(axis=1)
    peak = runs[np.arange(len(runs)), peak_row]
    neck_rows = (row > bar[:, None]) & (row <= peak_row[:, None])
    neck = np.where(neck_rows, runs, np.inf).min(axis=1)
    score = peak - np.maximum(stem, neck)
    return np.where(band.any(axis=1) & (height > 0), score, 0.0)


def crossed_seven(images: np.ndarray, t: Thresholds = THRESHOLDS) -> np.ndarray:
    """Sevens with a separate bar across the stem ``(N,)`` bool.

    A seven is *crossed* when some row in its middle band (below the top bar,
    above the lowest fifth) has a horizontal ink run at least
    ``crossbar_min`` = 4 px longer than both the stem's usual width and the
    narrowest row between it and the top bar (see ``crossbar_score``). Why it
    can be wrong: a long serif at the foot is excluded by the band, but a stem
    slanted almost horizontally, or a crossbar drawn so short that it barely
    leaves the stem, are misread; a crossbar fused with the top bar (no neck)
    is missed.
    """
    return crossbar_score(images, t) >= t.crossbar_min


def hook_features(images: np.ndarray, t: Thresholds = THRESHOLDS) -> tuple[np.ndarray, np.ndarray]:
    """(drop, relative length) of the top bar's left end ``(N,)`` float each.

    *Bar columns* are the columns whose first ink pixel lies within the top
    ``max(4, 30%)`` rows of the digit. In each, the vertical run is the number
    of ink pixels going straight down from that first pixel. The *left end* is
    the three leftmost bar columns. drop = longest left-end run minus the
    median run over all bar columns (the bar's thickness); relative length =
    longest left-end run / digit height. Images with fewer than three bar
    columns get zeros.
    """
    ink = _binary(images, t.ink)
    n, rows, cols = ink.shape
    top, _, height = _extent(ink)
    down = np.zeros((n, rows + 1, cols), dtype=np.int32)  # down[r] = ink run starting at row r going down
    for r in range(rows - 1, -1, -1):
        down[:, r] = np.where(ink[:, r], down[:, r + 1] + 1, 0)
    has_ink = ink.any(axis=1)  # (N, 28) per column
    first = np.where(has_ink, ink.argmax(axis=1), rows)  # (N, 28) first ink row per column
    reach = np.maximum(4, (0.3 * height).astype(int))
    bar = has_ink & (first <= (top + reach)[:, None])  # (N, 28) bar columns
    vertical = np.take_along_axis(down, first[:, None, :], axis=1)[:, 0].astype(float)  # (N, 28)
    left = bar & (np.cumsum(bar, axis=1) <= 3)
    left_run = np.where(left, vertical, 0).max(axis=1)
    usable = bar.sum(axis=1) >= 3
    thickness = np.nanmedian(np.where(bar | ~usable[:, None], vertical, np.nan), axis=1)  # no all-NaN rows
    drop = np.where(usable, left_run - thickness, 0.0)
    relative = np.where(usable, left_run / np.maximum(height, 1), 0.0)
    return drop, relative


def hooked_seven(images: np.ndarray, t: Thresholds = THRESHOLDS) -> np.ndarray:
    """Sevens whose top bar's left end hangs down clearly below the bar ``(N,)`` bool (crossed ones excluded).

    A seven is *hooked* when, at the left end of its top bar, ink runs straight
    down at least ``hook_drop_min`` = 2.5 px further than the bar is thick and
    over at least ``hook_height_min`` = 20% of the digit's height (see
    ``hook_features``), and it is not crossed (the labellers gave crossed
    sevens the label ``crossed``). Why it can be wrong: a bar that starts with
    a thick blob of ink, or a bar that curls down gently rather than dropping,
    is borderline; a hook that leans far left of the bar so that its pixels are
    not directly below the bar's first pixel is missed. The labellers
    themselves agreed only moderately on hooks (kappa 0.53).
    """
    drop, relative = hook_features(images, t)
    return (drop >= t.hook_drop_min) & (relative >= t.hook_height_min) & ~crossed_seven(images, t)


def bottom_hole_area(images: np.ndarray, t: Thresholds = THRESHOLDS) -> np.ndarray:
    """Pixels of the largest enclosed background region in the lower part of each digit ``(N,)`` int.

    Ink is ``> loop_ink``; a hole is background that 4-connected paths cannot
    link to the image border (``ndimage.binary_fill_holes``); it counts when its
    centre lies below ``loop_low`` of the digit's height.
    """
    ink = _binary(images, t.loop_ink)
    n = len(ink)
    in_plane = np.zeros((3, 3, 3), dtype=bool)
    in_plane[1] = ndi.generate_binary_structure(2, 1)  # 4-connected within an image, never across images
    padded = np.pad(
        ink, ((1, 1), (0, 0), (0, 0))
    )  # empty first/last planes: every real image has its own border
    holes = (ndi.binary_fill_holes(padded, structure=in_plane) & ~padded)[1:-1]  # (N, 28, 28)
    labels, count = ndi.label(holes, structure=in_plane)
    if count == 0:
        return np.zeros(n, dtype=int)
    ids = np.arange(1, count + 1)
    area = ndi.sum_labels(np.ones_like(labels), labels, ids)
    image_of = np.array([box[0].start for box in ndi.find_objects(labels)])  # which image each hole lies in
    centre_row = np.asarray(ndi.center_of_mass(holes, labels, ids))[:, 1]
    top, _, height = _extent(ink)
    low = centre_row >= top[image_of] + t.loop_low * height[image_of]
    best = np.zeros(n, dtype=int)
    np.maximum.at(best, image_of[low], area[low].astype(int))
    return best


def looped_two(images: np.ndarray, t: Thresholds = THRESHOLDS) -> np.ndarray:
    """Twos with a loop where the stroke crosses itself in the lower part ``(N,)`` bool.

    A two is *looped* when, with ink taken as pixels brighter than
    ``loop_ink`` = 0.6, some background region of at least ``loop_area_min`` =
    1 px is fully enclosed by ink and its centre lies in the lower 55% of the
    digit (see ``bottom_hole_area``). The strict ink level keeps the narrow
    gap of a thin open loop from being inked shut by anti-aliasing. Why it can
    be wrong: a loop drawn so thick that it is filled with ink has no hole
    (these the labeller marked *unclear*); a loop left open (the stroke crosses
    but does not close) is missed; a curl at the top of the two is ignored only
    when its centre lies in the upper 45%.
    """
    return bottom_hole_area(images, t) >= t.loop_area_min
