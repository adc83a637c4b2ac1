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

from lenet import charts


def class_accuracy(row: dict) -> bytes:
    """Accuracy per class before and after the ablation, with the CI after; the claim's class in red."""
    details = row["verdict"]["details"]
    named = [re.search(r"class (\d)", c["statistic"]) for c in row["verdict"]["criteria"]]
    klass = next(int(m[1]) for m in named if m)
    before = np.array([details["accuracy_before"][str(c)] for c in range(10)])
    after, low, high = (np.array([details["accuracy_after"][str(c)][i] for c in range(10)]) for i in range(3))
    title = f"{Path(row['claim_id']).stem}: test accuracy per class"
    return charts.class_accuracy(before, after, low, high, klass, title)


def scatter(row: dict) -> bytes:
    """One dot per unit: x score against y score, with Spearman's rho and its CI in the title."""
    details = row["verdict"]["details"]
    x, y = np.asarray(details["x"], float), np.asarray(details["y"], float)
    names = re.search(r"rho\((.+), (.+)\)", row["verdict"]["criteria"][0]["statistic"])
    title = (
        f"{Path(row['claim_id']).stem}: rho {row['value']:.2f} [{row['low']:.2f}, {row['high']:.2f}], "
        "one dot per unit"
    )
    return charts.scatter(x, y, names[1], names[2], title)


def main(json_path: str, out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for row in json.loads(Path(json_path).read_text())["results"]:
        drawer = {"class-ablation": class_accuracy, "correlation": scatter}.get(row["check"])
        if drawer and row.get("verdict"):
            path = folder / f"{Path(row['claim_id']).stem}.png"
            path.write_bytes(drawer(row))
            print(path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
