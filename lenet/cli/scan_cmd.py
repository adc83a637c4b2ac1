"""Rank a layer's units by selectivity for a concept against a contrast, on the discovery (train) split only.

For each unit: the AUROC of its value at --site (default post, after the ReLU; conv: the map's
spatial mean) on concept vs contrast training images with a score-type CI, both group
means, and what zero-ablating it costs: the mean drop of the true-class logit
on the concept minus on the contrast. Below the table, the random-feature
baseline: the same AUROCs in 200 untrained networks. The layer's best unit
must beat the 99th percentile of each untrained network's *best* unit, or
random features explain it. The test split is never read, so a unit found
here can be confirmed honestly by a claim (`lenet new` prints one).
"""

from __future__ import annotations

import argparse
import shlex

from ..options import add_cache_dir, add_mnist_root, add_site

HELP = (
    "rank a layer's units by selectivity for a concept (train "
    "split), with ablation effects and the untrained baseline"
)
EXAMPLES = """examples:
  lenet scan linear-0 --concept seven/crossed --contrast seven/plain
  lenet scan linear-1 --concept digit/1 --contrast digit/7 --top 5 --seed 2
  lenet scan conv-1 --concept two/looped --contrast two/plain --no-ablation
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("layer", metavar="LAYER", help="conv-0, conv-1, linear-0, linear-1 or linear-2")
    parser.add_argument(
        "--concept", required=True, help="the image set the units should prefer (`lenet concepts` lists them)"
    )
    parser.add_argument(
        "--contrast", required=True, help="the image set it is compared with, disjoint from the concept"
    )
    parser.add_argument("--top", type=int, default=10, metavar="K", help="units to print (default 10)")
    parser.add_argument(
        "--seed", type=int, default=0, help="which trained network (default 0, a reference seed)"
    )
    parser.add_argument(
        "--no-ablation",
        action="store_true",
        help="skip the ablation column (one batched sweep over the layer)",
    )
    add_site(parser)
    add_mnist_root(parser)
    add_cache_dir(parser)


def command(args: argparse.Namespace) -> str:
    """The scan as a command line, for claim files' `discovered` key."""
    return shlex.join(
        ["lenet", "scan", args.layer, "--concept", args.concept, "--contrast", args.contrast]
        + (["--seed", str(args.seed)] if args.seed else [])
        + (["--site", args.site] if args.site != "post" else [])
    )


def run(args: argparse.Namespace) -> int:
    from .. import discovery, subjects
    from ..errors import InvalidConfig
    from ..options import apply_locations
    from ..subject.layers import find
    from ..subject.site import describe

    apply_locations(args)
    name = find(subjects.layers(), args.layer).name  # unknown layers list the valid ones
    if args.top < 1:
        raise InvalidConfig(f"--top={args.top} must be >= 1; use e.g. 10.")
    print(
        f"scanning {name} of seed {args.seed}: {args.concept} vs "
        f"{args.contrast}, train split (discovery; the test split is not read)",
        flush=True,
    )
    print(f"site: {describe(args.site)}")
    result = discovery.scan(
        subjects.load(args.seed),
        name,
        args.concept,
        args.contrast,
        ablate=not args.no_ablation,
        site=args.site,
    )
    print(f"images: {result.sizes[0]} {args.concept}, {result.sizes[1]} {args.contrast}")
    print(
        f"{'rank':>4}  {'unit':<12} {'AUROC [99% CI]':<22} "
        f"{'mean concept':>12} {'mean contrast':>13} {'ablation':>9}"
    )
    for rank, score in enumerate(result.units[: args.top], 1):
        a = score.auroc
        ablation = "" if score.ablation is None else f"{score.ablation:+.3f}"
        print(
            f"{rank:>4}  {name + ':' + str(score.unit):<12} {a.value:.3f} [{a.low:.3f}, {a.high:.3f}]   "
            f"{score.concept_mean:>+12.3f} {score.contrast_mean:>+13.3f} {ablation:>9}"
        )
    print(
        "ablation: zero the unit; mean drop of the true-class "
        "logit on the concept minus on the contrast (train split)."
    )
    print(
        f"random-feature baseline ({result.networks} untrained networks, at most "
        f"{discovery.BASELINE_IMAGES} images per group): 99th percentile of any unit "
        f"{result.unit_bar:.3f}; of each network's best unit {result.best_bar:.3f}."
    )
    best = result.units[0]
    if best.auroc.low > result.best_bar:
        print(
            f"the best unit, {name}:{best.unit}, clears the best-unit bar "
            f"(CI lower bound {best.auroc.low:.3f} > {result.best_bar:.3f})."
        )
    else:
        print(
            f"no unit clears the best-unit bar: the best CI lower bound is {best.auroc.low:.3f} "
            f"<= {result.best_bar:.3f}. The best unit of an untrained network separates these "
            "sets as well, so the layer's best unit may only track what random features see "
            "(e.g. amount of ink); a claim about it should say so or test more than selectivity."
        )
    site = " --site pre" if args.site == "pre" else ""
    print(
        "\nnext: write the claim (pre-register it: commit before running it):\n  "
        f"lenet new {name}:{best.unit} --concept {args.concept} --contrast "
        f"{args.contrast}{site} --discovered {shlex.quote(command(args) + ' (train split)')} "
        f"-o claims/{name}-{best.unit}-{args.concept.replace('/', '-')}.toml"
    )
    return 0
