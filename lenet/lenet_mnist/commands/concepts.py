"""List the concepts claims can name, with their sizes, \
their quality against hand labels, and sample pictures.

For every concept (or just NAME): its size on the train (discovery) and test
(confirmation) splits and, where hand labels exist (lenet/lenet_mnist/fixtures/labels/), precision
and recall on the labels' *reporting* part with Clopper-Pearson intervals. A
concept smaller than the minimum size on a split gets a warning: no selectivity
claim about it can reach significance there (see lenet.lenet_mnist.concepts.min_concept_size).
A contact sheet PNG shows random members of each concept, drawn from --split,
so a person can check that the concept is what its name says.

User concepts come from fixtures/concepts/NAME.{train,test}.txt and from
@register in lenet_concepts.py, both under the project root (--project, else
$LENET_PROJECT_ROOT, else this checkout).
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np

from ...options import add_mnist_root

HELP = "list concepts with sizes, label quality and a contact sheet; or print one concept's indices"
EXAMPLES = """examples:
  lenet concepts                                   # table + lenet-concepts.png
  lenet concepts seven/crossed --sheet crossed.png # one concept, 48 sample images
  lenet concepts seven/crossed --split test --indices > crossed-test.txt
"""
DEFAULT_SHEET = "lenet-concepts.png"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name", nargs="?", metavar="NAME", help="one concept, e.g. seven/crossed (default: all)"
    )
    parser.add_argument(
        "--split",
        choices=("train", "test"),
        default="train",
        help="split for --indices and the sheet's samples (default: train, the discovery split)",
    )
    parser.add_argument(
        "--indices",
        action="store_true",
        help="print NAME's member indices on --split, one per line, and nothing else",
    )
    parser.add_argument(
        "--sheet",
        metavar="PATH",
        default=DEFAULT_SHEET,
        help=f"contact sheet PNG to write (default: {DEFAULT_SHEET})",
    )
    parser.add_argument("--no-sheet", action="store_true", help="do not write a contact sheet")
    parser.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="confidence of the precision/recall intervals (default: 0.95)",
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="project root holding fixtures/concepts/ and lenet_concepts.py "
        "(default: $LENET_PROJECT_ROOT, else this checkout)",
    )
    add_mnist_root(parser)


def run(args: argparse.Namespace) -> int:
    from ...errors import InvalidConfig
    from .. import concepts

    if args.indices and not args.name:
        raise InvalidConfig(
            "--indices needs a concept NAME, e.g. `lenet concepts seven/crossed --split test --indices`."
        )
    if not 0 < args.confidence < 1:
        raise InvalidConfig(f"--confidence={args.confidence} must lie in (0, 1); use e.g. 0.95.")
    names = [args.name] if args.name else concepts.known(args.project)
    chosen = [concepts.concept(name, args.project) for name in names]
    if args.indices:
        sys.stdout.write("".join(f"{i}\n" for i in chosen[0].indices(args.split, args.mnist_root)))
        return 0
    print_table(chosen, args.confidence, args.mnist_root)
    if not args.no_sheet:
        rows = 4 if args.name else 1
        path = write_sheet(chosen, args.split, Path(args.sheet), rows, args.mnist_root)
        print(f"contact sheet: {path} ({rows * SAMPLES} random {args.split} images per concept)")
    return 0


def print_table(chosen: list, confidence: float, root: str | None) -> None:
    """One line per concept: sizes per split, precision and recall on the reporting part; warnings below."""
    from ..concepts import MIN_SIZE

    level = f"{confidence:.0%}"
    print(
        f"{'concept':<16} {'train':>6} {'test':>6}  "
        f"{'precision [' + level + ' CI] (k/n)':<29} recall [{level} CI] (k/n)"
    )
    warnings = []
    for item in chosen:
        sizes = {split: item.size(split, root) for split in ("train", "test")}
        quality = item.quality("report", confidence, root)
        scores = f"{str(quality.precision):<29} {quality.recall}" if quality else ""
        print(f"{item.name:<16} {sizes['train']:>6} {sizes['test']:>6}  {scores}".rstrip())
        warnings += [
            f"warning: {item.name} has {size} images on the {split} split, "
            f"fewer than {MIN_SIZE}: a selectivity claim about it cannot "
            "reach significance there (see lenet.concepts.min_concept_size)."
            for split, size in sizes.items()
            if size < MIN_SIZE
        ]
    if any(item.validation for item in chosen):
        print(
            "precision/recall: against the reporting part of the hand labels (never used for tuning); "
            "unclear labels excluded; Clopper-Pearson intervals."
        )
    for line in warnings:
        print(line, file=sys.stderr)


SAMPLES = 12  # images per sheet row
SCALE = 2  # pixels per MNIST pixel
LABEL_WIDTH = 120  # pixels for the concept name at the left of each row


def write_sheet(chosen: list, split: str, path: Path, rows: int, root: str | None) -> Path:
    """A PNG with ``rows`` rows of random members per concept (seeded by the name, so reruns agree)."""
    from PIL import Image, ImageDraw

    from .. import data

    images = data.load_split(split, root).images.numpy()[:, 0]  # (N, 28, 28) in [0, 1]
    cell = 28 * SCALE + 2
    sheet = Image.new("L", (LABEL_WIDTH + SAMPLES * cell, max(1, len(chosen) * rows) * cell), 255)
    draw = ImageDraw.Draw(sheet)
    for number, item in enumerate(chosen):
        members = item.indices(split, root)
        rng = np.random.default_rng(zlib.crc32(item.name.encode()))
        picks = rng.permutation(members)[: rows * SAMPLES]
        top = number * rows * cell
        draw.text((4, top + 4), f"{item.name}\n{len(members)} {split}", fill=0)
        for k, index in enumerate(picks):
            tile = Image.fromarray((255 - images[index] * 255).astype(np.uint8)).resize(
                (28 * SCALE,) * 2, Image.NEAREST
            )
            sheet.paste(tile, (LABEL_WIDTH + (k % SAMPLES) * cell + 1, top + (k // SAMPLES) * cell + 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path
