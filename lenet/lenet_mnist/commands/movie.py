"""The original analysis's training movie, as an animated GIF: \
what training asked of units, and how they fired.

One frame per recorded frame of the training record (about ten per epoch),
stamped with epoch and step. For each unit, from top to bottom:

- linear-0 units: the gradient example per class (the mean of gradient x image
  over that class's images in the frame's interval; red: inputs training pushed
  the unit towards, blue: away from), in one diverging scale per row and frame
  (the row's max |value|), so the pattern stays visible as gradients shrink;
  linear-1 units (no gradient examples are recorded) get bars of the per-class
  mean gradient instead, scaled the same way;
- the per-class mean activation (pre-activation) over the frame's training
  batches, as bars from a middle zero line (up and red: positive; down and blue:
  negative), one scale per unit for the whole movie, so growth shows.

Gradient examples are not committed: the first movie of a seed regenerates them
by retraining it with the recorder on (about 70 s per seed on 2 idle cores,
minutes on a busy machine; progress shown); later movies read them from the
cache (about 110 MB per seed). A seed that is neither a
reference seed nor already trained is not trained here: the error says how.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...subject.units import parse_unit
from .inspect import add_run_arguments, load_examples, require_trained, run_config

HELP = "write the training movie (gradient examples above mean activations, per class) of units as a GIF"
EXAMPLES = """examples:
  lenet movie linear-0:58 -o movie.gif              # first run retrains seed 0 for gradient examples (~70 s)
  lenet movie linear-0:58 linear-0:28 linear-0:8 -o three.gif
  lenet movie linear-0:58,28,8 --seed 3 --duration 100 -o seed3.gif
  lenet movie linear-1:20 -o l1.gif                 # linear-1: gradient bars, no retraining needed
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "units",
        nargs="+",
        metavar="UNITS",
        help="units of linear-0 or linear-1: linear-0:58, linear-0-58, or several indices linear-0:58,28,8",
    )
    parser.add_argument(
        "-o", "--out", metavar="GIF", default="movie.gif", help="animated GIF to write (default: movie.gif)"
    )
    parser.add_argument(
        "--duration",
        type=int,
        default=150,
        metavar="MS",
        help="milliseconds per frame (default 150; the last frame stays 2 s)",
    )
    parser.add_argument("--px", type=int, default=2, help="screen pixels per MNIST pixel (default 2)")
    add_run_arguments(parser)


def parse_units(texts: list[str]) -> list[tuple[str, int]]:
    """``["linear-0:58,28", "linear-1-7"]`` -> ``[("linear-0", 58), ("linear-0", 28), ("linear-1", 7)]``,
    without repeats."""
    from ...errors import UnknownUnit
    from ..model import LAYERS
    from ..recorder import RECORDED_LAYERS

    units: list[tuple[str, int]] = []
    for text in texts:
        head, sep, tail = text.partition(":")
        for index in tail.split(",") if sep else [None]:
            found = parse_unit(f"{head}:{index.strip()}" if sep else text, LAYERS)
            if found[0] not in RECORDED_LAYERS:
                raise UnknownUnit(
                    f"unit={text!r}: the training record covers "
                    f"{', '.join(RECORDED_LAYERS)} only; choose units there."
                )
            if found not in units:
                units.append(found)
    return units


def run(args: argparse.Namespace) -> int:
    from ... import pictures as P
    from ...errors import InvalidConfig
    from .. import cache

    units = parse_units(args.units)
    out = Path(args.out)
    if out.suffix.lower() != ".gif":
        raise InvalidConfig(f"-o {out}: only animated GIFs are written; name the file e.g. movie.gif.")
    if not 1 <= args.px <= 8 or args.duration < 10:
        raise InvalidConfig(
            f"--px={args.px} must lie in 1-8 and --duration={args.duration} "
            "be >= 10 ms; use e.g. --px 2 --duration 150."
        )
    config = run_config(args)
    source = require_trained(args.seed, config, args, " --examples")
    record = cache.training_record(args.seed, config, args.mnist_root, args.cache_dir)
    examples = (
        load_examples(args.seed, config, args) if any(layer == "linear-0" for layer, _ in units) else None
    )
    frames = P.movie(record, examples, units, f"seed {args.seed} ({source})", args.px)
    out.parent.mkdir(parents=True, exist_ok=True)
    durations = [args.duration] * (len(frames) - 1) + [2000]
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=False)
    print(
        f"movie: {out} ({len(frames)} frames of "
        f"{frames[0].size[0]}x{frames[0].size[1]}, {out.stat().st_size / 1e6:.1f} MB)"
    )
    return 0
