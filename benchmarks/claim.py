"""Time of one full claim on a warm cache: selectivity (with the baseline), ablation (with the layer
comparison and the other-method flags) and activation (with the layer comparison), with a breakdown.

"Warm": the process has captured the activations once and the untrained-network baseline is on disk;
the first (cold) pass is reported too.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python benchmarks/claim.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from lenet import claims
from lenet.run import dispatch

UNIT = "linear-0:63"
CLAIM = f"""format = 2
claim = "benchmark: one full claim"
unit = "{UNIT}"
site = "post"
concept = "seven/crossed"
contrast = "seven/plain"

[selectivity]
min_auroc = 0.75

[ablation]
output = "logit:7"
min_effect = 0.5
min_layer_percentile = 95

[activation]
output = "logit:7"
value = "concept-quantile:0.9"
min_effect = 0.2
min_layer_percentile = 95
"""


def main() -> None:
    root = Path(tempfile.mkdtemp())
    (root / "claims").mkdir()
    (root / "claims" / "benchmark.toml").write_text(CLAIM)
    claim = claims.load(root / "claims" / "benchmark.toml", root=root)
    for label in ("cold", "warm", "warm"):
        times = {}
        for check in claim.checks:
            start = time.perf_counter()
            dispatch.run(claim, check)
            times[check] = time.perf_counter() - start
        total = sum(times.values())
        print(f"| {label} | " + " | ".join(f"{t:.2f}" for t in times.values()) + f" | **{total:.2f}** |")


if __name__ == "__main__":
    print(
        f"unit {UNIT}, seven/crossed vs seven/plain, seed 0\n| pass | selectivity "
        "s | ablation s | activation s | total s |\n|---|---|---|---|---|"
    )
    main()
