"""Show or clear the checkpoint cache (seeds trained beyond the committed references).

The cache lives at $LENET_CACHE_DIR, else $XDG_CACHE_HOME/lenet-claims
(~/.cache/lenet-claims); --cache-dir overrides both.
"""

from __future__ import annotations

import argparse

from ...options import add_cache_dir

HELP = "show (info) or empty (clear) the checkpoint cache"
EXAMPLES = """examples:
  lenet cache info
  lenet cache clear --seed 7     # forget seed 7's cached runs
  lenet cache clear              # forget everything cached
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["info", "clear"], help="info: list entries; clear: remove them")
    parser.add_argument("--seed", type=int, help="only this seed's entries")
    add_cache_dir(parser)


def run(args: argparse.Namespace) -> int:
    from ...paths import cache_dir
    from .. import cache

    where = cache_dir(args.cache_dir)
    if args.action == "clear":
        removed = cache.clear(args.cache_dir, args.seed)
        print(f"removed {len(removed)} entr{'y' if len(removed) == 1 else 'ies'} from {where}")
        return 0
    found = [e for e in cache.entries(args.cache_dir) if args.seed is None or e.seed == args.seed]
    print(f"cache: {where} ({len(found)} entr{'y' if len(found) == 1 else 'ies'})")
    for e in found:
        cfg = e.meta["config"]
        extra = " +examples" if "examples.npz" in e.meta["files"] else ""
        print(
            f"  seed {e.seed:<3} {cfg['epochs']} "
            f"epochs{', subset ' + str(cfg['subset']) if cfg['subset'] else ''} "
            f" acc {e.meta['test_accuracy']:.2%}  {e.size() / 1e6:6.1f} "
            f"MB{extra}  {e.meta['created']}  {e.folder.name}"
        )
    return 0
