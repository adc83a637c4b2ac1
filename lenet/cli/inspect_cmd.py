"""Look at a subject: ``--layers`` lists any subject's layers; a unit of the built-in subject gets its
per-class statistics, training gradients and a PNG sheet of pictures (the built-in subject's own
``inspect``, whose options follow).

``--layers`` prints every layer a unit address can name: its name, what makes the value (a module's
output, a call of a module called more than once, a torch.fx node, or a declared layer's two sites),
its kind (a unit per channel or per feature), its unit count and its per-image shape; then the
subject's concepts.
"""

from __future__ import annotations

import argparse
import importlib
import os

from .. import subjects
from ..errors import InvalidConfig

HELP = "list a subject's layers (--layers), or look at one unit of the built-in subject"
EXAMPLES = """examples:
  lenet inspect --layers                            # the built-in subject's layers (lenet-mnist)
  lenet inspect --layers --subject resnet-mnist     # a subject the project declares
  lenet inspect linear-0:58                         # seed 0, train split -> inspect-linear-0-58.png
"""


def _builtin():
    return importlib.import_module(subjects.commands()["inspect"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layers", action="store_true", help="list the subject's layers and exit")
    parser.add_argument(
        "--subject", default=subjects.DEFAULT, help=f"the subject (default {subjects.DEFAULT})"
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="the project declaring it (default: the nearest folder upwards "
        "holding claims/ or a pyproject.toml)",
    )
    _builtin().add_arguments(parser)


def _made_by(layer, declared: dict) -> str:
    if layer.name in declared:
        return (
            f"declared: post = {declared[layer.name]['post']}, pre = {declared[layer.name].get('pre', '-')}"
        )
    if layer.attr.startswith("_lenet_taps."):
        return "torch.fx node"
    if "#" in layer.name:
        return f"call {layer.name.rpartition('#')[2]} of module {layer.attr}"
    return f"module {layer.attr}"


def run(args: argparse.Namespace) -> int:
    if args.project:
        os.environ["LENET_PROJECT_ROOT"] = os.path.abspath(args.project)
    kind = subjects.get(args.subject)
    if args.layers:
        table = kind.layer_table()
        declared = getattr(getattr(kind, "DECLARATION", None), "layers", {})
        rows = [
            (name, _made_by(layer, declared), layer.kind, str(layer.units), "x".join(map(str, layer.shape)))
            for name, layer in table.items()
        ]
        head = ("layer", "value", "kind", "units", "shape")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        for row in [head, *rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        print("kind: conv = a unit per channel (reduced over space), linear = a unit per feature")
        untraced = (
            getattr(getattr(kind.untrained(0), "graph", None), "untraced", None)
            if hasattr(kind, "untrained")
            else None
        )
        if untraced:
            print(f"only module outputs are named: {untraced}")
        print(f"concepts: {', '.join(kind.concepts())}")
        return 0
    if args.subject != subjects.DEFAULT:
        raise InvalidConfig(
            f"unit pictures are drawn for {subjects.DEFAULT} only; `lenet inspect --layers --subject "
            f"{args.subject}` lists {args.subject}'s layers."
        )
    return _builtin().run(args)
