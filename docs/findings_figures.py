"""The figures of docs/findings.md, drawn from a claims run's JSON (nothing is recomputed): for each
``::seeds`` row decided by a population estimate, each seed's effect with its CI, the mean of a training
run with its interval, and the threshold.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python -m pytest claims/crossed-seven-by-necessity.toml \\
        claims/hooked-seven-by-necessity.toml --claims-json "$PWD/docs/runs/issue-19-first-run.json"
    .venv/bin/python docs/findings_figures.py docs/runs/issue-19-first-run.json docs/img/findings
    .venv/bin/python docs/findings_figures.py docs/runs/issue-19-second-run.json docs/img/findings

(the second run's command is in docs/findings.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from lenet import charts

AXES = {  # the pooled criterion's x axis
    "ablation.min_effect": "concept-minus-contrast damage, as a fraction of the concept's median margin",
    "class-ablation.max_accuracy": "the class's accuracy after ablation",
    "class-ablation.min_accuracy": "the class's accuracy after ablation",
    "correlation.max_rho": "Spearman rho (class selectivity, ablation importance) over the layer's units",
    "selectivity.min_auroc": "AUROC, concept against contrast",
}


def _units(units: list[str] | None) -> str:
    """A seed's units for its label: up to three indices, else their count (a layer-level claim: none)."""
    if not units:
        return ""
    if len(units) > 3:
        return f": {len(units)} units"
    return (": unit " if len(units) == 1 else ": units ") + ", ".join(u.split(":")[-1] for u in units)


def forest(row: dict) -> bytes:
    details = row["verdict"]["details"]
    effects = details["effects"]
    per_seed = {r["seed"]: r["units"] or [] for r in row["seeds"]["per_seed"]}
    labels = [f"seed {e['seed']}{_units(per_seed.get(e['seed']))}" for e in effects]
    confidence = row["seeds"]["seed_confidence"]
    title = (
        f"{Path(row['claim_id']).stem}\nseeds' CIs at {confidence:.2%}, the mean's at "
        f"{row['seeds']['confidence']:.0%}; between-seed SD {details['tau']:.3g}"
    )
    return charts.forest(
        labels,
        np.array([e["value"] for e in effects]),
        np.array([e["low"] for e in effects]),
        np.array([e["high"] for e in effects]),
        (row["value"], row["low"], row["high"]),
        row["threshold"],
        title,
        AXES.get(row["seeds"]["population"], row["seeds"]["population"]),
    )


def main(argv: list[str]) -> int:
    source, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for row in json.loads(source.read_text())["results"]:
        if row["check"] == "seeds" and (row.get("seeds") or {}).get("population"):
            path = out / f"{Path(row['claim_id']).stem}-seeds.png"
            path.write_bytes(forest(row))
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
