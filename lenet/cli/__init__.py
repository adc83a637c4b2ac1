"""The ``lenet`` command: one subcommand per module of ``lenet.cli``, each with examples in ``--help``.

Errors meant for users (``LenetError``) print one line and exit with status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import LenetError

# Subcommand modules, in the order --help lists them. Each defines HELP, add_arguments(parser), run(args) -> int.
COMMANDS = {
    "train": "lenet.cli.train_cmd",
    "cache": "lenet.cli.cache_cmd",
    "data": "lenet.cli.data_cmd",
    "calibrate": "lenet.cli.calibrate_cmd",
    "concepts": "lenet.cli.concepts_cmd",
    "inspect": "lenet.cli.inspect_cmd",
    "movie": "lenet.cli.movie_cmd",
    "scan": "lenet.cli.scan_cmd",
    "suggest": "lenet.cli.suggest_cmd",
    "new": "lenet.cli.new_cmd",
    "validate": "lenet.cli.validate_cmd",
    "merge": "lenet.cli.merge_cmd",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lenet",
        description="Interpretability claims about a LeNet-5 on MNIST: train, inspect and check them.",
        epilog="Run `lenet COMMAND --help` for a command's options and examples.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
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
