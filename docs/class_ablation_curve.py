"""Sevens' accuracy against k, the number of linear-0 units zero-ablated (the top k by the select rule
``by = "ablation"``: zero-ablation damage to the true logit, digit/7 minus digit/not-7, training split).

Two uses. ``--split train`` is discovery: it fixed k for ``claims/sevens-class-ablation-fixed-k.toml``
before that claim's first run (the smallest k at which at least 8 of the 10 seeds have train-split sevens
below 40% and every other digit at or above 97%; the test split was not looked at). ``--split test`` draws
the figure of docs/findings.md once the claim has run: the curve is a figure, the claim is the file.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python docs/class_ablation_curve.py \\
        --seeds 0-9 --split train --json docs/runs/class-ablation-curve-train.json
    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python docs/class_ablation_curve.py \\
        --seeds 0-9 --split test --json docs/runs/class-ablation-curve-test.json \\
        --figure docs/img/findings/class-ablation-curve.png
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

LAYER, CLASS, KS = "linear-0", 7, tuple(range(1, 31))


def curve(seed: int, split: str) -> dict:
    """Per-class accuracy after zero-ablating the top k units, for each k in ``KS``, on ``split``."""
    from lenet.checks.select import select
    from lenet.lenet_mnist.subject import LenetMnist
    from lenet.subject.units import UnitSet

    subject = LenetMnist.load(seed)
    train = subject.DISCOVERY
    chosen = select(
        subject,
        LAYER,
        max(KS),
        "ablation",
        subject.members(f"digit/{CLASS}", train),
        subject.members(f"digit/not-{CLASS}", train),
        site="post",
    )
    labels = subject.split(split).labels.numpy()
    rows = []
    for k in KS:
        effects = subject.intervene(
            UnitSet(LAYER, chosen.units[:k], subject.layers), "zero", split, site="post"
        )
        correct = effects.correct_after.numpy()
        per_class = [float(correct[labels == c].mean()) for c in range(10)]
        rows.append({"k": k, "accuracy": per_class})
    return {"seed": seed, "split": split, "units": list(chosen.units), "curve": rows}


def smallest_k(result: dict, max_accuracy: float = 0.5) -> int | None:
    """The smallest k whose sevens' accuracy is below ``max_accuracy`` (None: no k up to ``max(KS)``)."""
    return next((r["k"] for r in result["curve"] if r["accuracy"][CLASS] < max_accuracy), None)


def figure(results: list[dict]) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    for i, result in enumerate(results):
        ks = [r["k"] for r in result["curve"]]
        sevens = [r["accuracy"][CLASS] for r in result["curve"]]
        others = [min(a for c, a in enumerate(r["accuracy"]) if c != CLASS) for r in result["curve"]]
        ax.plot(ks, sevens, color="tab:red", alpha=0.7, lw=1.2, label="sevens" if i == 0 else None)
        ax.plot(
            ks,
            others,
            color="tab:blue",
            alpha=0.5,
            lw=1,
            ls="--",
            label="worst other digit" if i == 0 else None,
        )
    ax.axhline(0.5, color="tab:red", lw=0.8, ls=":")
    ax.axhline(0.95, color="tab:blue", lw=0.8, ls=":")
    ax.set_xlabel(f"k: top-k {LAYER} units zero-ablated (ranked by ablation damage for sevens, train split)")
    ax.set_ylabel(f"accuracy ({results[0]['split']} split)")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Class ablation of sevens on {len(results)} seeds: one line per seed")
    ax.legend(loc="lower left")
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    from lenet.options import parse_seeds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0", help="seeds, e.g. 0-9")
    parser.add_argument("--split", choices=("train", "test"), required=True)
    parser.add_argument("--json", metavar="FILE", help="write the curves here")
    parser.add_argument("--figure", metavar="PNG", help="draw the curves here")
    args = parser.parse_args(argv)
    results = [curve(seed, args.split) for seed in parse_seeds(args.seeds)]
    for result in results:
        print(f"seed {result['seed']}: smallest k with {args.split} sevens below 50%: {smallest_k(result)}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    if args.figure:
        Path(args.figure).parent.mkdir(parents=True, exist_ok=True)
        Path(args.figure).write_bytes(figure(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
