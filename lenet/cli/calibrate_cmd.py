"""Measure the checks' error rates on a network: \
false-positive rates on null claims and power on planted units.

Null claims are false by construction (one class's test images split at random
into "concept" and "contrast", random units; see lenet.run.calibration); with
effect thresholds off, a calibrated check passes them at most at rate alpha.
Planted units are copies of the network with a linear-0 unit wired to detect
crossed sevens and feed logit 7; a useful check passes them. Rates come with
95% Clopper-Pearson intervals.
"""

from __future__ import annotations

import argparse

HELP = "measure each check's false-positive rate and power on a network"
EXAMPLES = """examples:
  lenet calibrate                          # reference seed 0, default numbers of nulls
  lenet calibrate --n 500 --alpha 0.05     # quicker, at another alpha
  lenet calibrate --checkpoint my.pt       # your own LeNet-5
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed", type=int, default=0, help="reference or cached seed to calibrate on (default 0)"
    )
    parser.add_argument("--checkpoint", metavar="PATH", help="a checkpoint file instead of a seed")
    parser.add_argument("--n", type=int, default=1000, help="null claims per check (default 1000)")
    parser.add_argument(
        "--alpha", type=float, default=0.01, help="significance level, i.e. 1 - confidence (default 0.01)"
    )
    parser.add_argument(
        "--mnist-root",
        metavar="DIR",
        help="MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)",
    )


def run(args: argparse.Namespace) -> int:
    import os

    from .. import subjects
    from ..errors import InvalidConfig
    from ..run import calibration

    if not 0 < args.alpha < 0.5 or args.n < 10:
        raise InvalidConfig(
            f"--alpha {args.alpha} must lie in (0, 0.5) and --n "
            f"{args.n} be at least 10; e.g. --alpha 0.01 --n 1000."
        )
    if args.mnist_root:
        os.environ["LENET_MNIST_ROOT"] = args.mnist_root
    subject = subjects.load(args.seed, args.checkpoint)
    print(f"calibrating on {subject.name}: {args.n} null claims per check, alpha {args.alpha:g}")
    worst = 0
    for _name, experiment in calibration.NULLS.items():
        rate = experiment(subject, trials=args.n, alpha=args.alpha)
        flag = "" if rate.rate <= rate.slack_limit() else "   <-- above alpha + 3 s.e."
        worst += bool(flag)
        print(rate.describe() + flag)
    for rate in calibration.power(subject, alpha=args.alpha):
        print(rate.describe())
    return 1 if worst else 0
