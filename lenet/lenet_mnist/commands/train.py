"""Train LeNet-5 deterministically from a seed, recording training dynamics.

Without --out, the run goes into the checkpoint cache (where claims on extra
seeds find it) and is compared with the committed reference checkpoint of the
same seed, if any: on the machine kind and library versions that made the
reference, the weights are bit-identical. With --out DIR, the runs are written
as reference checkpoints (checkpoint, training record, manifest.json) into DIR.
"""

from __future__ import annotations

import argparse

from ...options import add_cache_dir, add_mnist_root, parse_seeds

HELP = "train seeds deterministically (into the cache, or as reference checkpoints)"
EXAMPLES = """examples:
  lenet train --seed 7                 # train seed 7 into the cache (about a minute per seed on 2 cores)
  lenet train --seed 0                 # retrain reference seed 0 and compare with the committed weights
  lenet train --seed 0-4 --out lenet/lenet_mnist/fixtures/checkpoints  # (re)make the reference checkpoints
  lenet train --seed 0 --epochs 1 --subset 2000       # a tiny run, for trying things out
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..train import TrainConfig

    default = TrainConfig()
    parser.add_argument("--seed", required=True, metavar="SEEDS", help="seed(s): 3, 0-4 or 0,2,5-7")
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="write reference checkpoints and manifest.json into DIR instead of the cache",
    )
    parser.add_argument(
        "--epochs", type=int, default=default.epochs, help=f"passes over the data (default {default.epochs})"
    )
    parser.add_argument(
        "--batch-size", type=int, default=default.batch_size, help=f"default {default.batch_size}"
    )
    parser.add_argument(
        "--lr", type=float, default=default.lr, help=f"peak one-cycle learning rate (default {default.lr})"
    )
    parser.add_argument(
        "--subset", type=int, default=0, help="train on the first N training images only (default: all)"
    )
    parser.add_argument(
        "--examples", action="store_true", help="also record gradient-example frames (into the cache)"
    )
    parser.add_argument("--device", default="cpu", help="cpu (default; bit-identical reruns) or cuda")
    add_mnist_root(parser)
    add_cache_dir(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .. import cache, reference
    from ..train import TrainConfig, train

    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, subset=args.subset)
    for seed in parse_seeds(args.seed):
        if args.out:
            result = train(seed, config, args.mnist_root, device=args.device)
            found = reference.write(result, result.provenance(), Path(args.out))
            print(
                f"seed {seed}: test accuracy {found['test_accuracy']:.2%}, weights "
                f"{found['weights_sha256'][:16]}... -> {Path(args.out) / found['checkpoint']}"
            )
            continue
        entry, trained = cache.entry(
            seed, config, args.mnist_root, args.cache_dir, args.device, examples=args.examples
        )
        meta = entry.meta
        state = "trained" if trained else "already cached"
        print(
            f"seed {seed}: {state} in {entry.folder}; test accuracy "
            f"{meta['test_accuracy']:.2%}, weights {meta['weights_sha256'][:16]}..."
        )
        ref = reference.entry(seed, config)
        if ref is not None and args.device == "cpu":
            same = ref["weights_sha256"] == meta["weights_sha256"]
            print(
                f"seed {seed}: {'identical to' if same else 'DIFFERS from'} the reference checkpoint"
                + (
                    ""
                    if same
                    else f" (reference made with torch {ref['versions']['torch']} on "
                    f"{ref['versions']['machine']} {ref['versions'].get('cpu', '(CPU not recorded)')} "
                    f"{ref['versions'].get('isa', '')}; bits match only on the same kind)"
                )
            )
    return 0
