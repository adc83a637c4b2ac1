"""Join the --claims-json files of a sharded claims run into one run's verdicts and exit status.

A CI matrix spreads seeds over machines: each job runs
`pytest claims/ --claims-seeds 0-9 --claims-shard K/N --claims-json shard-K.json`.
This command joins the shards' per-seed results into the "holds on k of n
seeds" verdicts one run over every seed gives, prints the same summary, and
exits as that run would: 0 when every item passed (or xfailed), 1 otherwise,
2 when the files cannot be merged (a shard missing, files that disagree).
"""

from __future__ import annotations

import argparse

HELP = "join sharded --claims-json files into one run's k-of-n verdicts and exit status"
EXAMPLES = """examples:
  lenet merge shard-*.json                       # print the merged summary; exit 1 if a claim fails
  lenet merge shard-1.json shard-2.json --json claims.json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="--claims-json files of the shards (every shard of the run)"
    )
    parser.add_argument(
        "--json", metavar="PATH", help="write the merged document (same schema: docs/claims-json.md)"
    )


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from ..errors import ShardError
    from ..run.merge import merge
    from ..run.rows import Row, dumps, exit_status
    from ..run.text import run_summary_lines

    documents = []
    for name in args.files:
        try:
            documents.append((name, json.loads(Path(name).read_text())))
        except (OSError, ValueError) as err:
            raise ShardError(
                f"{name}: cannot read it as JSON ({type(err).__name__}: {err}); pass --claims-json files."
            ) from None
    merged = merge(documents)
    rows = [Row.from_dict(r) for r in merged["results"]]
    print("\n".join(run_summary_lines(rows)))
    if args.json:
        Path(args.json).write_text(dumps(merged, indent=2) + "\n")
        print(f"claims JSON: {args.json}")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(merged["counts"].items()))
    print(f"merged {len(documents)} file(s): {counts}")
    return exit_status(rows)
