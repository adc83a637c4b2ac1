"""Validate claim files without running them: every problem as `file:line: key=value problem. fix.`

PATHS are claim files or folders (their *.toml files, recursively); default
claims/. Exit status 0 when every file is valid, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

HELP = "check claim files against the schema without running them"
EXAMPLES = """examples:
  lenet validate                       # every claims/**/*.toml
  lenet validate claims/linear-0-58-crossed-seven.toml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["claims"],
        metavar="PATHS",
        help="claim files or folders (default: claims)",
    )


def run(args: argparse.Namespace) -> int:
    from ..claims import find, load
    from ..errors import LenetError

    files = find(args.paths)
    missing = [p for p in files if not p.exists()]
    if not files or missing:
        print(
            "lenet validate: no claim files at "
            f"{', '.join(map(str, missing or args.paths))}; give claim files or folders.",
            file=sys.stderr,
        )
        return 1
    bad = 0
    for path in files:
        try:
            claim = load(path)
        except LenetError as err:
            bad += 1
            print(err, file=sys.stderr)
            continue
        print(f"ok  {claim.id}  ({', '.join(claim.checks)}{', seeds' if claim.seeds else ''})")
    print(f"{len(files) - bad} valid, {bad} invalid", file=sys.stderr if bad else sys.stdout)
    return 1 if bad else 0
