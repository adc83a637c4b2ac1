"""List anomalies in a layer worth a claim, from discovery data only \
(the train split and the training record).

Two kinds, the ones the original analysis looked for:

- gradient without activation: training pushed the unit up for a class on
  most recorded frames (its largest mean gradient), yet its final-epoch mean
  activation for that class ranks in the lower half of the ten classes (the
  original's unit 8: pushed toward 8, firing for 1). Recorded layers only
  (linear-0, linear-1). With --pushed-class C, the original's rule for its
  unit 58 instead: pushed up for C on most frames (whatever class it is
  pushed most for), yet its final mean pre-activation for C (training
  record) is negative.
- style within a class: units selective for a style of a digit (every
  `X/style` concept with an `X/plain` to compare against, e.g. seven/crossed
  vs seven/plain) whose AUROC CI on the train split clears the untrained
  networks' best-unit bar.

Each candidate comes with the `lenet new` command that scaffolds its claim.
Candidates are hypotheses: the claim's checks confirm them on the test split.
"""

from __future__ import annotations

import argparse
import shlex

from ..options import add_cache_dir, add_mnist_root, add_site

HELP = (
    "list candidate hypotheses in a layer (gradient/activation "
    "mismatches, style-selective units), with commands to claim them"
)
EXAMPLES = """examples:
  lenet suggest linear-0
  lenet suggest linear-1 --seed 3
  lenet suggest linear-0 --pushed-class 7     # the original's unit 58: pushed for 7, pre-activation for 7 < 0
  lenet suggest conv-1 --per-style 5          # conv layers: style candidates only (no training record)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("layer", metavar="LAYER", help="conv-0, conv-1, linear-0, linear-1 or linear-2")
    parser.add_argument(
        "--seed", type=int, default=0, help="which trained network (default 0, a reference seed)"
    )
    parser.add_argument(
        "--per-style",
        type=int,
        default=3,
        metavar="K",
        help="most selective units tried per style (default 3)",
    )
    parser.add_argument(
        "--min-rank",
        type=int,
        default=None,
        metavar="R",
        help="gradient anomalies: the pushed class's activation "
        "ranks R or lower of 10 (default 6: lower half)",
    )
    parser.add_argument(
        "--pushed-class",
        type=int,
        metavar="C",
        help="gradient anomalies: units pushed up for class C on >=80%% of frames whose final mean "
        "pre-activation for C (training record) is below 0 (the original's unit 58), instead of the "
        "--min-rank rule",
    )
    add_site(parser)
    add_mnist_root(parser)
    add_cache_dir(parser)


def _new(unit: str, options: list[str], discovered: str, out: str) -> str:
    """The `lenet new` command that scaffolds a candidate's claim."""
    return "lenet new " + shlex.join([unit, *options, "--discovered", discovered, "-o", out])


def run(args: argparse.Namespace) -> int:
    from .. import discovery, subjects
    from ..errors import InvalidConfig
    from ..options import apply_locations
    from ..subject.layers import find

    apply_locations(args)
    name = find(subjects.layers(), args.layer).name
    if args.pushed_class is not None and args.min_rank is not None:
        raise InvalidConfig(
            "--pushed-class and --min-rank are two rules for the same list; give one (e.g. --pushed-class 7)."
        )
    min_rank = 6 if args.min_rank is None else args.min_rank
    if not 1 <= min_rank <= 10 or args.per_style < 1:
        raise InvalidConfig("--min-rank must be 1-10 and --per-style >= 1; e.g. --min-rank 6 --per-style 3.")
    if args.pushed_class is not None and not 0 <= args.pushed_class <= 9:
        raise InvalidConfig(f"--pushed-class {args.pushed_class} is not a digit class; give 0-9, e.g. 7.")
    subject = subjects.load(args.seed)
    seed = ["--seed", str(args.seed)] if args.seed else []
    site = ["--site", args.site] if args.site != "post" else []
    pushed = ["--pushed-class", str(args.pushed_class)] if args.pushed_class is not None else []
    source = shlex.join(["lenet", "suggest", name, *seed, *site]) + " (train split and training record)"
    gradient_source = (  # --pushed-class chose the gradient anomalies only
        shlex.join(["lenet", "suggest", name, *seed, *site, *pushed]) + " (train split and training record)"
    )
    print(
        f"suggestions for {name} of seed {args.seed}, from "
        "discovery data only (train split, training record)\n"
    )
    count = 0
    print("gradient without activation (training pushed the unit up for a class it barely fires for):")
    if name not in subject.recorded_layers:
        print(
            f"  not available: training gradients are recorded for {', '.join(subject.recorded_layers)} only."
        )
    else:
        anomalies = discovery.gradient_anomalies(subject, name, min_rank, pushed_class=args.pushed_class)
        if not anomalies and args.pushed_class is not None:
            print(
                f"  none: no unit is pushed up for {args.pushed_class} on >=80% of frames with a negative "
                f"final mean pre-activation for {args.pushed_class}."
            )
        elif not anomalies:
            print(
                f"  none: every unit's most-pushed class ranks above {min_rank} "
                "of 10 in final activation (or is pushed on <80% of frames)."
            )
        for a in anomalies:
            count += 1
            print(
                f"  {name}:{a.unit}: pushed up for {a.pushed} on {a.consistency:.0%} of frames (mean "
                f"gradient {a.gradient * 1e3:+.3f}e-3), yet its final mean pre-activation (training record) "
                f"for {a.pushed} "
                f"is {a.activation:+.3f} (rank {a.rank} of 10); it fires most for {a.top_class}"
                + (f", pushed most for {a.most_pushed}" if a.most_pushed != a.pushed else "")
            )
            print(
                "    "
                + _new(
                    f"{name}:{a.unit}",
                    [
                        "--checks",
                        "training",
                        "--class",
                        str(a.pushed),
                        *(
                            ["--top-class", str(a.top_class)]
                            if args.pushed_class is None
                            else ["--max-activation", "0"]
                        ),
                        *seed,
                    ],
                    gradient_source,
                    f"claims/{name}-{a.unit}-pushed-{a.pushed}-"
                    + (f"fires-{a.top_class}.toml" if args.pushed_class is None else "silent.toml"),
                )
            )
    print(
        "\nstyle within a class (selective for a style against "
        "the plain style, above the untrained best-unit bar):"
    )
    candidates = discovery.style_candidates(subject, name, args.per_style, site=args.site)
    if not candidates:
        pairs = ", ".join(f"{c} vs {d}" for c, d in discovery.style_pairs())
        print(f"  none: no unit's AUROC CI clears the untrained networks' best-unit bar for {pairs}.")
    for c in candidates:
        count += 1
        print(
            f"  {name}:{c.unit}: {c.concept} vs {c.contrast}, AUROC {c.auroc.value:.3f} "
            f"[{c.auroc.low:.3f}, {c.auroc.high:.3f}] (untrained best-unit bar {c.bar:.3f})"
        )
        print(
            "    "
            + _new(
                f"{name}:{c.unit}",
                ["--concept", c.concept, "--contrast", c.contrast, *seed, *site],
                source,
                f"claims/{name}-{c.unit}-{c.concept.replace('/', '-')}.toml",
            )
        )
    print(
        f"\n{count} candidate(s). Inspect one first (`lenet "
        "inspect UNIT`), then scaffold, commit and run its claim."
    )
    return 0
