"""Print a new claim file: the claim's keys and a table per check, \
each threshold with a comment saying what it means.

Thresholds start at conventional bars (the schema's examples); change them now,
before the first run, and commit the file: a threshold loosened after seeing
the test-split numbers is no confirmation. The file is validated before it is
written. Default checks: selectivity, ablation, activation and invariance
with --concept/--contrast; training with --class.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "print a claim file for a unit, thresholds commented, ready to edit and commit"
EXAMPLES = """examples:
  lenet new linear-0:96 --concept seven/crossed --contrast seven/plain > claims/linear-0-96-crossed-seven.toml
  lenet new linear-0:119 --checks training --class 3 --top-class 0 -o claims/linear-0-119-pushed-3.toml
  lenet new linear-0:5,9 --concept digit/7 --contrast digit/1 --checks selectivity,ablation --seed 2
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "unit",
        metavar="UNIT",
        help="a unit (linear-0:58), a set (linear-0:58,28) or a layer (for [correlation])",
    )
    parser.add_argument("--concept", help="the image set the claim is about (`lenet concepts` lists them)")
    parser.add_argument("--contrast", help="the image set it is compared with")
    parser.add_argument(
        "--checks",
        metavar="LIST",
        help="comma-separated checks (default: what applies to the arguments given)",
    )
    parser.add_argument(
        "--claim",
        metavar="SENTENCE",
        help="the hypothesis in one sentence (default: written from the arguments)",
    )
    parser.add_argument(
        "--class", dest="klass", type=int, metavar="N", help="[training] / [class-ablation]: the digit class"
    )
    parser.add_argument(
        "--top-class", type=int, metavar="N", help="[training]: the class the unit fires most for"
    )
    parser.add_argument(
        "--max-activation",
        type=float,
        metavar="X",
        help="[training]: the unit's final mean pre-activation for --class (training record) must be at most "
        "X (e.g. 0: silent)",
    )
    parser.add_argument(
        "--gradient",
        choices=("positive", "negative"),
        default="positive",
        help="[training]: claimed gradient sign",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="the seed whose network the unit index names (default 0)"
    )
    parser.add_argument(
        "--site",
        choices=("post", "pre"),
        default="post",
        help="where the unit is read and edited: post (after the layer's nonlinearity, default) or pre",
    )
    parser.add_argument("--tags", metavar="LIST", help="comma-separated pytest markers for the claim's items")
    parser.add_argument(
        "--discovered", metavar="TEXT", help="how it was found (the command and split), recorded in the file"
    )
    parser.add_argument(
        "-o", "--out", metavar="FILE", help="write here instead of printing (never overwrites)"
    )


def _sentence(args: argparse.Namespace, checks: list[str]) -> str:
    """The hypothesis written from the arguments: one clause per kind of check asked for."""
    if args.claim:
        return args.claim
    parts = []
    if args.concept and any(c in checks for c in ("selectivity", "ablation", "activation", "invariance")):
        parts.append(f"{args.unit} fires more for {args.concept} than for {args.contrast}")
        if any(c in checks for c in ("ablation", "activation")):
            parts[-1] += ", and the output depends on it"
    if "training" in checks:
        way = "up" if args.gradient == "positive" else "down"
        clause = f"training pushes {args.unit} {way} for class {args.klass}"
        if args.max_activation is not None:
            clause += (
                f" while its mean pre-activation for class {args.klass} stays at most {args.max_activation:g}"
            )
        if args.top_class is not None:
            clause += f", while it fires most for class {args.top_class}"
        parts.append(clause)
    if "class-ablation" in checks:
        parts.append(f"ablating {args.unit} removes the network's knowledge of class {args.klass}")
    if "concentration" in checks:
        parts.append(
            f"the first unit of {args.unit} carries at most half of the set's ablation damage to "
            f"{args.concept or 'the concept'} over {args.contrast or 'the contrast'}"
        )
    if "correlation" in checks:
        parts.append(
            f"in {args.unit}, the two per-unit scores of [correlation] are related as its bounds say"
        )
    return "; ".join(parts) or f"{args.unit}: {', '.join(checks)}"


def run(args: argparse.Namespace) -> int:
    from .. import subjects
    from ..claims.scaffold import default_checks, scaffold
    from ..errors import InvalidConfig
    from ..subject.units import parse_units

    if args.unit not in subjects.layers():
        parse_units(args.unit, subjects.layers())  # unknown layers and indices list the valid ones
    if bool(args.concept) != bool(args.contrast):
        raise InvalidConfig(
            "give both --concept and --contrast (e.g. --concept "
            "seven/crossed --contrast seven/plain), or neither."
        )
    checks = (
        [c.strip() for c in args.checks.split(",")]
        if args.checks
        else default_checks(args.concept, args.klass)
    )
    if not checks:
        raise InvalidConfig("nothing to check: give --concept and --contrast, or --class, or name --checks.")
    if args.klass is None and ("training" in checks or "class-ablation" in checks):
        raise InvalidConfig(
            f"--checks {','.join(checks)} needs --class N (the digit class the check is about)."
        )
    given = [
        name
        for name, value in (("--top-class", args.top_class), ("--max-activation", args.max_activation))
        if value is not None
    ]
    if given and "training" not in checks:
        raise InvalidConfig(
            f"{' and '.join(given)} set [training] keys, but --checks {','.join(checks)} has no training "
            "check; add it (e.g. --checks training) or leave them out."
        )
    if args.unit in subjects.layers() and set(checks) - {"correlation"}:
        raise InvalidConfig(
            f"{args.unit} is a whole layer, which only [correlation] takes; name a unit for "
            f"{', '.join(c for c in checks if c != 'correlation')} (e.g. {args.unit}:0), "
            "or give --checks correlation."
        )
    training = {"class": args.klass, "gradient": args.gradient}
    if args.top_class is not None:
        training["top_class"] = args.top_class
    if args.max_activation is not None:
        training["max_activation"] = args.max_activation
    params = {"training": training, "class-ablation": {"class": args.klass}} if args.klass is not None else {}
    tags = [t.strip() for t in args.tags.split(",")] if args.tags else []
    text = scaffold(
        args.unit,
        _sentence(args, checks),
        checks,
        concept=args.concept,
        contrast=args.contrast,
        site=args.site,
        seed=args.seed,
        discovered=args.discovered,
        tags=tags,
        params=params,
    )
    if not args.out:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.exists():
        raise InvalidConfig(
            f"{out} exists; choose another -o path or remove it first (lenet new never overwrites)."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}: edit its thresholds now, commit it, then run `pytest {out}`.")
    return 0
