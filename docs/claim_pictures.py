"""Pictures of the layer-level claims for the README, drawn from a claims run's JSON (nothing is recomputed).

class-ablation claims: per-class test accuracy before and after the ablation,
with the CI after. correlation claims: a scatter of the two per-unit scores.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/pytest claims/ --claims-json claims.json
    .venv/bin/python docs/claim_pictures.py claims.json docs/img/claims
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from lenet import pictures as P

W, H, PAD = 520, 260, 40


def _canvas(title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    draw.text((PAD, 8), title, fill=(20, 20, 20), font=P.font(12))
    return image, draw


def class_accuracy(row: dict) -> Image.Image:
    """Grey bar: accuracy before; blue bar with whisker:
    accuracy after, with its CI; the claim's class in red."""
    details = row["verdict"]["details"]
    named = [re.search(r"class (\d)", c["statistic"]) for c in row["verdict"]["criteria"]]
    klass = next(int(m[1]) for m in named if m)
    image, draw = _canvas(
        f"{Path(row['claim_id']).stem}: test accuracy per class (grey before, blue after ablation)"
    )
    top, bottom, step = 30, H - 30, (W - 2 * PAD) / 10

    def y(v):
        return bottom - v * (bottom - top)

    for c in range(10):
        before, (after, low, high) = details["accuracy_before"][str(c)], details["accuracy_after"][str(c)]
        x = PAD + c * step
        draw.rectangle([x + 4, y(before), x + step / 2 - 1, bottom], fill=(200, 200, 200))
        draw.rectangle([x + step / 2, y(after), x + step - 5, bottom], fill=(60, 110, 200))
        mid = x + 3 * step / 4 - 2
        draw.line([mid, y(low), mid, y(high)], fill=(0, 0, 0), width=1)
        draw.text(
            (x + step / 2 - 4, bottom + 4),
            str(c),
            fill=(200, 30, 30) if c == klass else (20, 20, 20),
            font=P.font(11),
        )
    for v in (0, 0.5, 1):
        draw.text((6, y(v) - 6), f"{v:.1f}", fill=(90, 90, 90), font=P.font(10))
        draw.line([PAD, y(v), W - PAD, y(v)], fill=(230, 230, 230))
    return image


def scatter(row: dict) -> Image.Image:
    """One dot per unit: x score against y score, with Spearman's rho and its CI in the title."""
    details = row["verdict"]["details"]
    x, y = np.asarray(details["x"], float), np.asarray(details["y"], float)
    image, draw = _canvas(
        f"{Path(row['claim_id']).stem}: rho {row['value']:.2f} "
        f"[{row['low']:.2f}, {row['high']:.2f}], one dot per unit"
    )
    left, right, top, bottom = PAD, W - 20, 30, H - 30

    def sx(v):
        return left + (v - x.min()) / (np.ptp(x) or 1) * (right - left)

    def sy(v):
        return bottom - (v - y.min()) / (np.ptp(y) or 1) * (bottom - top)

    for a, b in zip(x, y, strict=False):
        draw.ellipse([sx(a) - 2, sy(b) - 2, sx(a) + 2, sy(b) + 2], fill=(60, 110, 200))
    names = re.search(r"rho\((.+), (.+)\)", row["verdict"]["criteria"][0]["statistic"])
    draw.text((left, bottom + 6), f"x: {names[1]}", fill=(60, 60, 60), font=P.font(10))
    draw.text((W - 160, bottom + 6), f"y: {names[2]}", fill=(60, 60, 60), font=P.font(10))
    return image


def main(json_path: str, out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for row in json.loads(Path(json_path).read_text())["results"]:
        drawer = {"class-ablation": class_accuracy, "correlation": scatter}.get(row["check"])
        if drawer and row.get("verdict"):
            path = folder / f"{Path(row['claim_id']).stem}.png"
            drawer(row).save(path)
            print(path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
