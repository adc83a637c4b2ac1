"""Start ``lenet explore``: a local web app to ask and answer questions about units interactively.

It reads the discovery (training) split only, so nothing it shows spends the images claims are confirmed
on; a question worth keeping is saved as a claim file under the project's ``claims/`` folder, to be
committed and then confirmed by ``pytest claims/``.
"""

from __future__ import annotations

import argparse
import os

HELP = "explore a network in the browser (discovery split only) and save questions as claims"
EXAMPLES = """examples:
  lenet explore                               # seed 0 of lenet-mnist; opens http://127.0.0.1:8765/
  lenet explore --seed 2 --match-seeds 0-4 --no-browser
  lenet explore --checkpoint my-run.pt --port 9000
  lenet explore --subject resnet-mnist        # a subject the project declares
  lenet explore --claims-json .cache/claims-run.json   # browse a run's results too
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .. import subjects

    parser.add_argument(
        "--subject", default=subjects.DEFAULT, help=f"the subject (default {subjects.DEFAULT})"
    )
    parser.add_argument("--seed", type=int, default=0, help="the seed whose network is explored (default 0)")
    parser.add_argument("--checkpoint", metavar="PATH", help="a checkpoint file instead of a seed")
    parser.add_argument(
        "--match-seeds",
        metavar="LIST",
        default="",
        help="seeds whose counterparts the unit view shows, e.g. 1-4 (loaded at start; default none)",
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0: any free)"
    )
    parser.add_argument("--no-browser", action="store_true", help="print the URL without opening a browser")
    parser.add_argument("--claims-json", metavar="FILE", help="a claims JSON the results page opens")
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="the project whose claims/ saved claims go to (default: the nearest upwards)",
    )


def _seeds(text: str) -> tuple[int, ...]:
    from ..errors import InvalidConfig

    found: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise InvalidConfig(f"--match-seeds {text!r}: use seeds and ranges such as 1-4 or 1,3.")
        if high and int(high) < int(low):
            raise InvalidConfig(
                f"--match-seeds {text!r}: the range {part} is empty; write it low-high, e.g. 1-4."
            )
        found += range(int(low), int(high or low) + 1)
    return tuple(dict.fromkeys(found))


def run(args: argparse.Namespace) -> int:
    from .. import project, subjects
    from ..errors import InvalidConfig
    from ..explore.server import free_port, serve
    from ..explore.session import Session

    if args.project:
        os.environ["LENET_PROJECT_ROOT"] = os.path.abspath(args.project)
    if args.checkpoint and not os.path.isfile(args.checkpoint):
        raise InvalidConfig(
            f"--checkpoint {args.checkpoint}: no such file; give a checkpoint written by `lenet train`."
        )
    if not 0 <= args.port <= 65535:
        raise InvalidConfig(f"--port {args.port}: use 1-65535, or 0 for any free port.")
    if args.claims_json and not os.path.isfile(args.claims_json):
        raise InvalidConfig(
            f"--claims-json {args.claims_json}: no such file; write one with "
            "`pytest claims/ --claims-json FILE`."
        )
    free_port(args.port)  # a port in use fails now, before minutes of loading
    seeds = _seeds(args.match_seeds)
    kind = subjects.get(args.subject)
    for seed in (args.seed, *seeds):
        if not args.checkpoint or seed != args.seed:
            if not kind.available(seed):
                raise InvalidConfig(
                    f"seed {seed} of {args.subject} has no network here; train it first "
                    f"(`lenet train --seed {seed}`) "
                    "or choose a reference seed."
                )
    subject = subjects.load(args.seed, args.checkpoint, args.subject)
    session = Session(
        subject,
        subject_name=args.subject,
        seed=args.seed,
        root=project.root(),
        match_seeds=seeds,
        checkpoint=os.path.abspath(args.checkpoint) if args.checkpoint else None,
    )
    serve(session, port=args.port, open_browser=not args.no_browser, claims_json=args.claims_json)
    return 0
