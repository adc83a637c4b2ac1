"""Validate claim files without running them: every problem as `file:line: key=value problem. fix.`

With --upgrade, format-1 files are first rewritten as format 2 with site = "pre", so they keep
their meaning (lenet.claims.upgrade).

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
  lenet validate --upgrade claims/               # rewrite format-1 files as format 2, same meaning
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["claims"],
        metavar="PATHS",
        help="claim files or folders (default: claims)",
    )
    parser.add_argument(
        "--upgrade",
        action="store_true",
        help='rewrite format-1 files as format 2 with site = "pre" (their meaning), comments kept',
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
            if args.upgrade:
                _upgrade(path)
            claim = load(path)
        except LenetError as err:
            bad += 1
            print(err, file=sys.stderr)
            continue
        print(
            f"ok  {claim.id}  (format {claim.format}, site {claim.site}; {', '.join(claim.checks)}"
            f"{', seeds' if claim.seeds else ''})"
            + (
                "; `lenet validate --upgrade` rewrites it as format 2, same meaning"
                if claim.format == 1
                else ""
            )
        )
    print(f"{len(files) - bad} valid, {bad} invalid", file=sys.stderr if bad else sys.stdout)
    return 1 if bad else 0


def _upgrade(path) -> None:
    """Rewrite ``path`` as format 2 when it is format 1 (atomically), saying so."""
    from ..claims.upgrade import upgrade
    from ..files import atomic_write

    text = upgrade(path)
    if text is not None:
        atomic_write(path, text.encode("utf-8"))
        print(f'upgraded  {path}: format 1 -> 2, site = "pre" (what format 1 measured)')
