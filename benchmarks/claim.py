"""Time of one full claim on a warm cache: selectivity (with the baseline), ablation (with the layer
comparison and the other-method flags) and activation (with the layer comparison), with a breakdown.

"Warm": the process has captured the activations once and the untrained-network baseline is on disk;
the first (cold) pass is reported too.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python benchmarks/claim.py
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from lenet import checks
from lenet.checks import CHECKS

UNIT = "linear-0:63"


def table(name: str, **values) -> SimpleNamespace:
    defaults = {p.name: p.default for p in CHECKS[name].SPEC.params}
    return SimpleNamespace(params={**defaults, **values}, expect="holds")


def main() -> None:
    claim = SimpleNamespace(
        path="benchmark",
        id="benchmark",
        seed=0,
        checkpoint=None,
        concept="seven/crossed",
        contrast="seven/plain",
        confidence=0.99,
        select=None,
        units=UNIT,
        layer=None,
        checks={
            "selectivity": table("selectivity", min_auroc=0.75),
            "ablation": table("ablation", output="logit:7", min_effect=0.5, min_layer_percentile=95),
            "activation": table("activation", output="logit:7", min_effect=0.2, min_layer_percentile=95),
        },
    )
    for label in ("cold", "warm", "warm"):
        times = {}
        for check in claim.checks:
            start = time.perf_counter()
            checks.run(claim, check)
            times[check] = time.perf_counter() - start
        total = sum(times.values())
        print(f"| {label} | " + " | ".join(f"{t:.2f}" for t in times.values()) + f" | **{total:.2f}** |")


if __name__ == "__main__":
    print(
        f"unit {UNIT}, seven/crossed vs seven/plain, seed 0\n| pass | selectivity "
        "s | ablation s | activation s | total s |\n|---|---|---|---|---|"
    )
    main()
