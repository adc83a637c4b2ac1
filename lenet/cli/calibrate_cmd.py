"""Measure how often each check's criteria and each claim pipeline give a false "holds" or a false
"refuted" on a network, and how often they find a true effect (power).

Each cell is a situation with a known truth (lenet.calibration): a null (the claim is false), the true
effect on the threshold, or a power point. Pipeline and power trials draw the test images with
replacement, so the true effect is the whole split's; judge cells draw from pools of per-image values
and effects (docs/calibration.md says how each cell draws). A false outcome passes when it happens at
most at the 99th percentile of Binomial(n, nominal): 31 of 2,000 nulls at 1%, 31 of 4,000 at 0.5%.
Results are saved chunk by chunk in the cache: an interrupted run resumes, and --shard K/N splits the
work over machines.
"""

from __future__ import annotations

import argparse

HELP = "measure false holds, false refutations and power of every check on a network"
EXAMPLES = """examples:
  lenet calibrate --quick                  # the cells CI runs, at full n (about 5 CPU minutes)
  lenet calibrate                          # every cell (hours of CPU; resumable)
  lenet calibrate --shard 1/2              # half of the chunks, e.g. on a second machine
  lenet calibrate --cells ablation --list  # which cells match, without running them
  lenet calibrate --report --write-docs    # collect what is on disk into docs/calibration.md
  lenet calibrate --checkpoint my.pt       # your own LeNet-5
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed", type=int, default=0, help="reference or cached seed to calibrate (default 0)"
    )
    parser.add_argument("--checkpoint", metavar="PATH", help="a checkpoint file instead of a seed")
    parser.add_argument("--quick", action="store_true", help="only the cells CI runs (each at full n)")
    parser.add_argument("--cells", metavar="TEXT", help="only cells whose id contains TEXT (see --list)")
    parser.add_argument(
        "--list", action="store_true", help="list the chosen cells and their trials; run nothing"
    )
    parser.add_argument("--shard", metavar="K/N", help="run only shard K of N of the chunks")
    parser.add_argument("--report", action="store_true", help="run nothing: report what is on disk")
    parser.add_argument(
        "--write-docs",
        metavar="FILE",
        nargs="?",
        const="docs/calibration.md",
        help="write the page (default docs/calibration.md) and its figure",
    )
    parser.add_argument(
        "--mnist-root", metavar="DIR", help="MNIST in torchvision layout (default: $LENET_MNIST_ROOT)"
    )


def _shard(text: str | None) -> tuple[int, int] | None:
    from ..errors import InvalidConfig

    if text is None:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise InvalidConfig(f"--shard {text!r} must be K/N with 1 <= K <= N, e.g. --shard 1/2.")
    return k, n


def run(args: argparse.Namespace) -> int:
    import os
    import sys
    import time
    from pathlib import Path

    from .. import subjects
    from ..calibration import all_cells, document, runner
    from ..calibration.cells import Context
    from ..errors import InvalidConfig

    if args.checkpoint and not Path(args.checkpoint).is_file():
        raise InvalidConfig(
            f"--checkpoint {args.checkpoint}: no such file; pass a checkpoint file or use --seed N."
        )
    shard = _shard(args.shard)
    cells = all_cells()
    if args.quick:
        cells = [c for c in cells if c.quick]
    if args.cells:
        cells = [c for c in cells if args.cells.lower() in c.id]
        if not cells:
            raise InvalidConfig(
                f"--cells {args.cells!r} matches no cell; `lenet calibrate --list` lists them."
            )
    if args.list:
        for cell in cells:
            print(f"{cell.id}  ({cell.trials} trials)")
        print(f"{len(cells)} cells, {sum(c.trials for c in cells)} trials")
        return 0
    if args.mnist_root:
        os.environ["LENET_MNIST_ROOT"] = args.mnist_root
    if args.report and not args.checkpoint and not subjects.get().available(args.seed):
        raise InvalidConfig(
            f"--report reads results on disk, and seed {args.seed} has no network here (neither committed "
            f"nor cached), so none can be on disk for it. Calibrate it first with `lenet calibrate --seed "
            f"{args.seed}` (which trains it, saying so), or report a reference seed."
        )
    subject = subjects.load(args.seed, args.checkpoint)
    started = time.process_time()
    if not args.report:
        print(f"calibrating {len(cells)} cells on {subject.name}; results saved as they finish", flush=True)
        runner.run(cells, Context(subject), shard, progress=lambda line: print(line, flush=True))
    results = runner.collect(cells, subject.key)
    if args.report and not any(r.trials for r in results):
        again = "lenet calibrate" + ("" if args.seed == 0 else f" --seed {args.seed}")
        print(
            f"nothing on disk under {runner.results_dir(subject.key)} for these cells (results of other "
            f"code are never reused); run `{again}` first.",
            file=sys.stderr,
        )
    failed = 0
    for result in results:
        if not result.complete:
            print(
                f"{result.cell.id}: {result.trials} of {result.cell.trials} trials on disk (run it to finish)"
            )
            continue
        parts = []
        for name, count in document.counts(result).items():
            parts.append(f"{name} {count.describe()}")
            failed += not count.passes
        print(f"{result.cell.id}: " + "; ".join(parts))
    curves = document.power_table(results)
    if curves:
        print("\npower: fraction holding by true effect / threshold (below 1x a hold is false)")
        print("\n".join(curves))
    if args.write_docs:
        path = Path(args.write_docs)
        seconds = sum(r.seconds for r in results)
        command = (
            "lenet calibrate"
            + (f" --checkpoint {args.checkpoint}" if args.checkpoint else f" --seed {args.seed}")
            + (" --quick" if args.quick else "")
            + (f" --cells {args.cells}" if args.cells else "")
        )
        path.write_text(document.page(results, subject.name, command, seconds, document.INTRO))
        if document.figure(results, path.parent / "img" / "calibration-power.png"):
            print(f"wrote {path} and {path.parent / 'img' / 'calibration-power.png'}")
        else:
            print(f"wrote {path} (no power cell complete: no figure)")
    print(
        f"{len(results)} cells; {failed} counts above their limit; "
        f"{time.process_time() - started:.0f} CPU s this run",
        file=sys.stderr,
    )
    return 1 if failed else 0
