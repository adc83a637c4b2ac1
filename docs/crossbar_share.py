"""Exploratory, not a claim: the share of the top five crossed-seven units' crossbar-specific damage that
the top unit carries, with an interval (question 6 of docs/findings.md).

For each seed: the five linear-0 units whose zero ablation hurts crossed sevens most over plain sevens on
the training split (the select rule of claims/crossed-seven-top-five-by-necessity.toml); on the test split,
a = the crossed-minus-plain damage to the true-class margin of resampling the top unit alone, b = that of
resampling all five together (the claims' measurement, resampled from plain sevens), share = a / b. The
share's interval is Fieller's for a ratio of two means measured on the same images (a and b are paired:
their covariance enters); it is unbounded when b's own interval reaches 0, which is reported. The seeds'
shares are pooled as a claim's population is (equal-weight Hartung-Knapp, lenet.stats.population).

Why exploratory: it was written after the two claims' results (0.051 and 0.165) were seen, and the framework
has no calibrated check for a share; docs/findings.md reports it as such.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python docs/crossbar_share.py --seeds 0-9 \\
        --json docs/runs/crossbar-share.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

LAYER, TOP, CONCEPT, CONTRAST, CONFIDENCE = "linear-0", 5, "seven/crossed", "seven/plain", 0.99


def fieller(a: float, b: float, va: float, vb: float, cab: float, z: float) -> tuple[float, float] | None:
    """Fieller's interval for a / b at normal quantile ``z`` (None: unbounded, b's interval reaches 0)."""
    qa, qb, qc = b * b - z * z * vb, -2 * (a * b - z * z * cab), a * a - z * z * va
    if qa <= 0:
        return None
    disc = qb * qb - 4 * qa * qc
    root = np.sqrt(max(disc, 0.0))
    return (float((-qb - root) / (2 * qa)), float((-qb + root) / (2 * qa)))


def coverage(a: float, b: float, va: float, vb: float, cab: float, trials: int = 100_000) -> dict:
    """How often Fieller's interval misses a true ratio a / b on each side, when the two measured means are
    normal with these (co)variances: its stated rate is (1 - CONFIDENCE) / 2 per side."""
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    rng = np.random.default_rng(0)
    draws = rng.multivariate_normal([a, b], [[va, cab], [cab, vb]], size=trials)
    truth, below, above, unbounded = a / b, 0, 0, 0
    for x, y in draws:
        found = fieller(x, y, va, vb, cab, z)
        if found is None:
            unbounded += 1
        elif found[1] < truth:
            below += 1
        elif found[0] > truth:
            above += 1
    return {
        "trials": trials,
        "below": below / trials,
        "above": above / trials,
        "unbounded": unbounded / trials,
    }


def share(seed: int) -> dict:
    from scipy import stats

    from lenet.checks.common import ablation_effects
    from lenet.checks.select import select
    from lenet.lenet_mnist.subject import LenetMnist

    subject = LenetMnist.load(seed)
    train = subject.DISCOVERY
    chosen = select(
        subject,
        LAYER,
        TOP,
        "ablation",
        subject.members(CONCEPT, train),
        subject.members(CONTRAST, train),
        site="post",
    )
    concept, contrast = subject.members(CONCEPT, "test"), subject.members(CONTRAST, "test")
    target = SimpleNamespace(layer=LAYER, units=chosen.units, site="post")
    one = ablation_effects(subject, target, "resample", contrast, seed, chosen.units[:1]).damage(
        "margin:true"
    )
    all_ = ablation_effects(subject, target, "resample", contrast, seed).damage("margin:true")
    d1c, d1x, dkc, dkx = one[concept], one[contrast], all_[concept], all_[contrast]
    a, b = d1c.mean() - d1x.mean(), dkc.mean() - dkx.mean()
    nc, nx = len(concept), len(contrast)
    va = d1c.var(ddof=1) / nc + d1x.var(ddof=1) / nx
    vb = dkc.var(ddof=1) / nc + dkx.var(ddof=1) / nx
    cab = np.cov(d1c, dkc)[0, 1] / nc + np.cov(d1x, dkx)[0, 1] / nx
    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    interval = fieller(a, b, va, vb, cab, z)
    r = a / b
    checked = coverage(a, b, va, vb, cab, trials=20_000)
    se = float(np.sqrt(max(va - 2 * r * cab + r * r * vb, 0.0)) / abs(b))  # delta method, for the pooling
    return {
        "seed": seed,
        "units": [int(u) for u in chosen.units],
        "top_unit_effect": float(a),
        "top_five_effect": float(b),
        "share": float(r),
        "low": None if interval is None else interval[0],
        "high": None if interval is None else interval[1],
        "se": se,
        "fieller_misses": checked,
    }


def main(argv: list[str]) -> int:
    from lenet.options import parse_seeds
    from lenet.stats.population import random_effects

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    rows = [share(seed) for seed in parse_seeds(args.seeds)]
    for r in rows:
        shown = "unbounded" if r["low"] is None else f"[{r['low']:.3f}, {r['high']:.3f}]"
        effects = f"top unit {r['top_unit_effect']:.3f} of {r['top_five_effect']:.3f} logits"
        print(f"seed {r['seed']}: share {r['share']:.3f} {shown} ({effects})")
    pooled = random_effects([r["share"] for r in rows], [r["se"] for r in rows], CONFIDENCE)
    e = pooled.estimate
    print(
        f"mean of a training run: {e.value:.3f} [{e.low:.3f}, {e.high:.3f}], between-seed SD {pooled.tau:.3f}"
    )
    if args.json:
        out = {
            "confidence": CONFIDENCE,
            "seeds": rows,
            "mean": {"value": e.value, "low": e.low, "high": e.high, "tau": pooled.tau},
        }
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
