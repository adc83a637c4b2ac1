"""The ``lenet`` command: one subcommand per module, each with examples in ``--help``.

The generic commands are modules of ``lenet.cli``; the subject's own (``train``,
``cache``, ``data``, ``concepts``, ``inspect``, ``movie``) come from the subject
registry (``lenet.subjects.commands()``) and live with the subject
(``lenet.lenet_mnist.commands``).

Errors meant for users (``LenetError``) print one line and exit with status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import subjects
from ..errors import LenetError

# The generic subcommand modules. Each defines HELP, add_arguments(parser), run(args) -> int.
GENERIC = {
    "calibrate": "lenet.cli.calibrate_cmd",
    "inspect": "lenet.cli.inspect_cmd",  # --layers for any subject; otherwise the built-in subject's inspect
    "scan": "lenet.cli.scan_cmd",
    "suggest": "lenet.cli.suggest_cmd",
    "new": "lenet.cli.new_cmd",
    "validate": "lenet.cli.validate_cmd",
    "merge": "lenet.cli.merge_cmd",
    "explore": "lenet.cli.explore_cmd",
}
# The order --help lists them in, the subject's commands among them; commands not named here come last.
ORDER = (
    "train",
    "cache",
    "data",
    "calibrate",
    "concepts",
    "inspect",
    "movie",
    "scan",
    "suggest",
    "new",
    "validate",
    "merge",
)


def commands() -> dict[str, str]:
    """Every subcommand -> its module, in ``--help`` order: the subject registry's and the generic ones."""
    found = {**subjects.commands(), **GENERIC}
    return {
        name: found[name]
        for name in sorted(found, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lenet",
        description="Interpretability claims about a LeNet-5 on MNIST: train, inspect and check them.",
        epilog="Run `lenet COMMAND --help` for a command's options and examples.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in commands().items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(
            name,
            help=module.HELP,
            description=module.__doc__,
            epilog=getattr(module, "EXAMPLES", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except LenetError as err:
        print(f"lenet {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lenet: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # python -m lenet.cli
    sys.exit(main())
