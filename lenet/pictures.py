"""Pictures of units: MNIST tiles, signed gradient pictures,
per-class charts, the inspect sheet and movie frames.

Arrays in, PIL images out; nothing here loads data or models (``lenet inspect``
and ``lenet movie`` gather the arrays). Conventions, the same in every picture:

- MNIST images (pixels in [0, 1]) are drawn as dark ink on white.
- Signed values (gradient examples, activations) use a diverging map: white at
  0, red for positive, blue for negative, saturating at ``±scale``. The scale is
  chosen by the caller and stated beside the picture: per row (one scale for the
  ten classes of one unit, so classes compare) unless a docstring says otherwise.
- Classes 0-9 always have the same colours (``CLASS_COLORS``, matplotlib's tab10).

Pillow only (torchvision brings it); text uses Pillow's built-in font.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "CLASS_COLORS",
    "font",
    "ink_tile",
    "signed_rgb",
    "signed_tile",
    "bar_tile",
    "grid",
    "digit_grid",
    "class_row",
    "caption",
    "stack",
    "unit_sheet",
    "movie_frame",
    "movie",
]

CLASS_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
POSITIVE = np.array([178, 24, 43], dtype=np.float32)  # red end of the diverging map (ColorBrewer RdBu)
NEGATIVE = np.array([33, 102, 172], dtype=np.float32)  # blue end
WHITE = (255, 255, 255)
GREY = (120, 120, 120)
TEXT = (20, 20, 20)


@functools.lru_cache(maxsize=8)
def font(size: int = 11) -> ImageFont.ImageFont:
    """Pillow's built-in font at ``size`` px (the bitmap font where FreeType is missing)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow < 10.1 or no FreeType
        return ImageFont.load_default()


def _text_size(text: str, size: int = 11) -> tuple[int, int]:
    box = ImageDraw.Draw(Image.new("RGB", (1, 1))).multiline_textbbox((0, 0), text, font=font(size))
    return box[2] - box[0], box[3] - box[1]


def ink_tile(image: np.ndarray, scale: int = 2, stretch: bool = False) -> Image.Image:
    """A ``(28, 28)`` image in [0, 1] as dark ink on white, ``scale`` px per pixel.

    ``stretch`` divides by the image's maximum first, so faint averages stay visible.
    """
    values = np.asarray(image, dtype=np.float32)
    if stretch and values.max() > 0:
        values = values / values.max()
    pixels = (255 - np.clip(values, 0, 1) * 255).round().astype(np.uint8)
    return (
        Image.fromarray(pixels, "L")
        .convert("RGB")
        .resize((values.shape[1] * scale, values.shape[0] * scale), Image.NEAREST)
    )


def signed_rgb(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Colour signed ``values`` (any shape ``S``) -> ``S + (3,)`` uint8: white at 0, red > 0, blue < 0.

    Saturates at ``±scale``; the default scale is ``max |values|``. All zeros give white.
    """
    values = np.asarray(values, dtype=np.float32)
    scale = float(np.abs(values).max()) if scale is None else float(scale)
    t = np.clip(values / scale, -1, 1) if scale > 0 else np.zeros_like(values)
    end = np.where(t[..., None] >= 0, POSITIVE, NEGATIVE)
    mixed = 255 + (end - 255) * np.abs(t)[..., None]  # linear from white to the end colour
    return mixed.round().astype(np.uint8)


def signed_tile(values: np.ndarray, scale: float | None = None, px: int = 2) -> Image.Image:
    """A ``(28, 28)`` signed picture (e.g. a gradient example) in the diverging map, ``px`` px per pixel."""
    rgb = signed_rgb(values, scale)
    return Image.fromarray(rgb, "RGB").resize((rgb.shape[1] * px, rgb.shape[0] * px), Image.NEAREST)


def bar_tile(value: float, scale: float, size: int = 56, text: bool = True) -> Image.Image:
    """A square tile showing one signed number: a bar from the middle line,
    up and red if positive, down and blue if negative.

    The bar reaches the tile's edge at ``±scale``; the background takes the value's
    diverging colour at a quarter strength, and ``text`` prints the value.
    """
    tile = Image.new("RGB", (size, size), tuple(int(c) for c in signed_rgb(np.float32(value * 0.25), scale)))
    draw = ImageDraw.Draw(tile)
    mid = size // 2
    reach = int(round(min(abs(value) / scale, 1.0) * (mid - 2))) if scale > 0 else 0
    colour = tuple(int(c) for c in (POSITIVE if value >= 0 else NEGATIVE))
    left, right = size // 2 - size // 8, size // 2 + size // 8
    if reach:
        draw.rectangle(
            (left, mid - reach, right, mid) if value >= 0 else (left, mid, right, mid + reach), fill=colour
        )
    draw.line((2, mid, size - 3, mid), fill=GREY)
    if text:
        draw.text((2, 1 if value < 0 else size - 12), f"{value:+.2g}", fill=TEXT, font=font(10))
    return tile


def grid(
    tiles: list[Image.Image], labels: list[str] | None = None, columns: int = 10, gap: int = 4
) -> Image.Image:
    """Tiles (all the same size) in rows of ``columns``, each with its label centred underneath."""
    w, h = tiles[0].size
    label_h = (max(_text_size(t)[1] for t in labels) + 4) if labels else 0
    rows = -(-len(tiles) // columns)
    sheet = Image.new("RGB", (columns * (w + gap) - gap, rows * (h + label_h + gap) - gap), WHITE)
    draw = ImageDraw.Draw(sheet)
    for k, tile in enumerate(tiles):
        x, y = (k % columns) * (w + gap), (k // columns) * (h + label_h + gap)
        sheet.paste(tile, (x, y))
        if labels:
            tw = _text_size(labels[k])[0]
            draw.text((x + (w - tw) // 2, y + h + 1), labels[k], fill=TEXT, font=font())
    return sheet


def digit_grid(
    images: np.ndarray,
    labels: list[str] | None = None,
    columns: int = 10,
    scale: int = 2,
    stretch: bool = False,
) -> Image.Image:
    """A grid of ``(N, 28, 28)`` images in [0, 1] with optional labels underneath."""
    return grid([ink_tile(im, scale, stretch) for im in images], labels, columns)


def class_row(
    images: np.ndarray,
    signed: bool = False,
    scale: float | None = None,
    px: int = 2,
    labels: list[str] | None = None,
) -> Image.Image:
    """One tile per class for ``(10, 28, 28)`` images, labelled 0-9 (or ``labels``).

    ``signed``: diverging map with one ``scale`` for the row (default: the row's max |value|);
    otherwise ink on white, each tile stretched to its own maximum.
    """
    if signed:
        scale = float(np.abs(images).max()) if scale is None else scale
        tiles = [signed_tile(im, scale, px) for im in images]
    else:
        tiles = [ink_tile(im, px, stretch=True) for im in images]
    return grid(tiles, labels or [str(c) for c in range(len(images))], columns=len(images))


def caption(text: str, width: int, size: int = 12, color: tuple = TEXT) -> Image.Image:
    """A white strip at least ``width`` px wide
    (wider if the text needs it) holding ``text`` (may have several lines)."""
    w, h = _text_size(text, size)
    strip = Image.new("RGB", (max(width, w + 8), h + 8), WHITE)
    ImageDraw.Draw(strip).multiline_text((4, 3), text, fill=color, font=font(size))
    return strip


def stack(parts: list[Image.Image], vertical: bool = True, gap: int = 6, pad: int = 0) -> Image.Image:
    """Paste images one below (or beside) the other on white, left/top aligned, with ``pad`` px around."""
    sizes = [p.size for p in parts]
    if vertical:
        w, h = max(s[0] for s in sizes), sum(s[1] for s in sizes) + gap * (len(parts) - 1)
    else:
        w, h = sum(s[0] for s in sizes) + gap * (len(parts) - 1), max(s[1] for s in sizes)
    out = Image.new("RGB", (w + 2 * pad, h + 2 * pad), WHITE)
    at = pad
    for part in parts:
        out.paste(part, (pad, at) if vertical else (at, pad))
        at += (part.size[1] if vertical else part.size[0]) + gap
    return out


def unit_sheet(
    title: str,
    weighted_means: np.ndarray,
    firing: np.ndarray,
    top: tuple[np.ndarray, list[str]],
    bottom: tuple[np.ndarray, list[str]],
    examples: np.ndarray | None = None,
    examples_note: str = "",
    charts: list[Image.Image] | None = None,
    value_name: str = "pre-activation",
) -> Image.Image:
    """The ``lenet inspect`` sheet: one unit's pictures, top to bottom (``value_name``: what the image
    labels' numbers are, e.g. "post" for the value after the ReLU).

    weighted_means ``(10, 28, 28)``: rectified-activation-weighted mean image per class;
    firing ``(10,)``: fraction of each class's images on which the unit fires;
    top/bottom: ``(k, 28, 28)`` images with their labels (most and least activating);
    examples ``(10, 28, 28)`` or None: gradient examples per class (one scale for the row);
    charts: small per-class charts over training (e.g. ``charts.class_lines`` as images).
    """
    rows = [
        (
            "rectified-activation-weighted mean image per class (images where it does not fire add nothing; "
            "tiles stretched to their max; label: class: % firing)",
            class_row(weighted_means, labels=[f"{c}: {f:.0%}" for c, f in enumerate(firing)]),
        ),
        (f"top-activating images (class: {value_name})", digit_grid(top[0], top[1])),
        (
            f"most-negative images (class: {value_name})"
            if value_name == "pre-activation"
            else f"lowest images (class: {value_name}; after a ReLU, 0 wherever the unit is off)",
            digit_grid(bottom[0], bottom[1]),
        ),
    ]
    if examples is not None:
        scale = float(np.abs(examples).max())
        rows.append(
            (
                f"gradient examples per class, {examples_note} (red: pushed up, blue: down; ±{scale:.2g})",
                class_row(examples, signed=True, scale=scale),
            )
        )
    elif examples_note:
        rows.append((examples_note, None))
    width = max(r.size[0] for _, r in rows if r is not None)
    parts = [caption(title, width, size=14)]
    for text, picture in rows:
        parts.append(caption(text, width, size=11, color=GREY))
        if picture is not None:
            parts.append(picture)
    if charts:
        parts += [caption("", width, size=4), stack(charts, vertical=False, gap=10)]
    return stack(parts, gap=3, pad=8)


def movie_frame(
    stamp: str,
    units: list[tuple[str, np.ndarray | None, np.ndarray, np.ndarray | None, float, float]],
    px: int = 2,
) -> Image.Image:
    """One frame of the training movie.

    ``units``: per unit ``(name, examples, activation, gradient, act_scale, grad_scale)``:
    examples ``(10, 28, 28)`` gradient examples of this frame (drawn with one scale
    for the row, the row's max |value|) or None (layers without examples: the
    per-class mean ``gradient`` ``(10,)`` is drawn as bars instead, scale ``grad_scale``), activation
    ``(10,)`` the per-class mean activation drawn as bars (scale ``act_scale``, fixed
    for the whole movie so growth shows).
    """
    parts = [caption(stamp, 10 * (28 * px + 4), size=13)]
    for name, examples, activation, gradient, act_scale, grad_scale in units:
        if examples is not None:
            top = class_row(examples, signed=True, px=px)
            top_note = "gradient examples (row scaled to its max)"
        else:
            top = grid([bar_tile(v, grad_scale, 28 * px) for v in gradient], [str(c) for c in range(10)])
            top_note = "mean gradient per class (row scaled to its max)"
        acts = grid([bar_tile(v, act_scale, 28 * px) for v in activation], [str(c) for c in range(10)])
        parts += [
            caption(f"{name}: {top_note}", top.size[0], 11),
            top,
            caption(f"{name}: mean pre-activation per class (record: site pre)", acts.size[0], 11, GREY),
            acts,
        ]
    return stack(parts, gap=2, pad=6)


def movie(record, examples, units: list[tuple[str, int]], label: str = "", px: int = 2) -> list[Image.Image]:
    """The training movie: one ``movie_frame`` per recorded frame of a ``TrainingRecord``.

    ``units``: ``(layer, index)`` pairs of recorded layers; ``examples``: the run's
    ``GradientExamples`` (needed for linear-0 units, else None). Each frame is stamped
    with ``label``, the epoch and the step. Gradients (examples or bars) are scaled per
    row and frame, since they shrink a hundredfold while training; activation bars keep
    one scale per unit for the whole movie (its max |value| over the record), so growth shows.
    """
    frames = []
    last = int(record.step[-1])
    for f in range(record.frames):
        rows = []
        for layer, unit in units:
            act = record.activation[layer][:, :, unit]  # (frames, 10)
            grad = record.gradient[layer][:, :, unit]
            shown = None
            if examples is not None and layer == "linear-0":
                shown = examples.scaled[f, :, unit].astype(np.float32) * examples.scale[f]  # (10, 28, 28)
            rows.append(
                (
                    f"{layer}:{unit}",
                    shown,
                    act[f],
                    grad[f],
                    float(np.abs(act).max()),
                    float(np.abs(grad[f]).max()),
                )
            )
        stamp = (
            f"{label}  epoch {record.epoch[f]:.2f}  step "
            f"{int(record.step[f])}/{last}  frame {f + 1}/{record.frames}"
        ).strip()
        frames.append(movie_frame(stamp, rows, px))
    return frames
