"""The results of a run: one row per item, the terminal table, Holm-adjusted p-values and the JSON document.

Rows are plain JSON-able dicts so they travel from pytest-xdist workers to the
controller inside ``report.user_properties``; everything run-wide (Holm,
summary, JSON) is computed once, on the controller. Schema: docs/claims-json.md.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import subprocess
from pathlib import Path

__all__ = ["SCHEMA", "row", "seeds_row", "with_seeds", "with_holm", "summary_lines", "seed_table_lines", "document", "provenance", "dumps",
           "failure_text", "seeds_failure_text", "rerun_command", "exit_status"]

SCHEMA = "lenet-claims-results/1"


def _jsonable(value):
    """numpy scalars and arrays, paths and sets as JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (Path, os.PathLike)):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)


def dumps(value, **kwargs) -> str:
    """JSON text; non-finite floats become null (JSON has none)."""
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v
    return json.dumps(clean(json.loads(json.dumps(value, default=_jsonable))), **kwargs)


def _sha256(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def checkpoint_hash(seed: int, checkpoint: str | None, details: dict) -> str | None:
    """SHA-256 identifying the checked network: the verdict's, else the checkpoint file's, else the reference manifest's."""
    if details.get("weights_sha256"):
        return str(details["weights_sha256"])
    if checkpoint:
        return _sha256(checkpoint)
    from ..paths import reference_dir

    try:
        entry = json.loads((reference_dir() / "manifest.json").read_text())["seeds"].get(str(seed))
    except (OSError, ValueError, KeyError):
        return None
    return entry.get("weights_sha256") if entry else None


def row(nodeid: str, claim, check: str, status: str, headline: str, verdict=None, error: str | None = None,
        checkpoint: str | None = None) -> dict:
    """The result of one item. ``claim`` is None when the file did not validate (then ``error`` says why)."""
    primary = verdict.primary if verdict is not None and verdict.criteria else None
    p = next((c.p for c in verdict.criteria if c.p is not None), None) if verdict is not None else None
    used = checkpoint or (claim.checkpoint if claim is not None else None)
    return {
        "nodeid": nodeid,
        "claim_id": claim.id if claim is not None else nodeid.split("::")[0],
        "check": check,
        "claim": claim.sentence if claim is not None else None,
        "expect": (claim.checks[check].expect if claim is not None and check in claim.checks else None),
        "outcome": verdict.outcome if verdict is not None else ("invalid" if claim is None else "error"),
        "status": status,
        "headline": headline,
        "statistic": primary.statistic if primary else None,
        "value": primary.value if primary else None,
        "low": primary.low if primary else None,
        "high": primary.high if primary else None,
        "threshold": primary.threshold if primary else None,
        "bound": primary.bound if primary else None,
        "p": p,
        "p_holm": None,
        "seed": claim.seed if claim is not None else None,
        "checkpoint": used,
        "checkpoint_sha256": checkpoint_hash(claim.seed, used, verdict.details if verdict else {}) if claim is not None else None,
        "error": error,
        "verdict": json.loads(dumps(verdict.as_dict())) if verdict is not None else None,
        "seeds": None,
    }


def seeds_row(nodeid: str, claim, plan: dict, per_seed: list[dict]) -> dict:
    """The row of a ``::seeds`` item: ``plan`` is ``lenet.seeds.Plan.as_dict()``, ``per_seed`` ``run_seed``'s rows."""
    base = row(nodeid, claim, "seeds", "passed", "")
    base.update(expect=plan["expect"], checkpoint=None, checkpoint_sha256=None)
    return with_seeds(base, {**plan, "per_seed": per_seed})


def with_seeds(base: dict, seeds: dict) -> dict:
    """``base`` with the verdict fields of its ``seeds`` object: the one rule a run, a shard and ``lenet merge`` all apply.

    A shard (``seeds["shard"]`` set) cannot decide: its outcome is ``partial``
    (``error`` when a seed failed) and ``lenet merge`` gives the verdict.
    """
    from ..seeds import tally
    from .outcome import item_status

    shard = seeds.get("shard")
    counted = tally(shard["seeds"] if shard else seeds["seeds"], seeds["min_holding"], seeds["confidence"], seeds["per_seed"])
    errors = [f"seed {r['seed']}: {r['error']}" for r in seeds["per_seed"] if r.get("error")]
    seeds = {**seeds, "holding": counted.holding}
    out = {**base, "seeds": seeds, "statistic": None, "value": None, "low": None, "high": None, "threshold": None, "bound": None,
           "p": None, "error": "\n".join(errors) or None, "verdict": None}
    if shard:
        status = "failed" if counted.outcome == "error" else "passed"
        return {**out, "outcome": "error" if status == "failed" else "partial", "status": status,
                "headline": f"{'ERROR in ' if status == 'failed' else ''}shard {shard['index']}/{shard['count']}: {counted.describe()} "
                            f"of its seeds; `lenet merge` gives the verdict over all {len(seeds['seeds'])}"}
    if counted.outcome == "error":
        return {**out, "outcome": "error", "status": "failed", "headline": f"ERROR: {counted.describe()}"}
    judgement = item_status(counted.outcome, seeds["expect"])
    verdict = counted.verdict()
    primary = verdict.primary
    return {**out, "outcome": counted.outcome, "status": judgement.status, "headline": f"{judgement.headline}; {counted.describe()}",
            "statistic": primary.statistic, "value": primary.value, "low": primary.low, "high": primary.high,
            "threshold": primary.threshold, "bound": primary.bound, "verdict": json.loads(dumps(verdict.as_dict()))}


def with_holm(rows: list[dict]) -> list[dict]:
    """Rows sorted by node id, with ``p_holm``: Holm-adjusted over every row of the run that has a p-value."""
    from ..stats import holm

    rows = sorted(rows, key=lambda r: r["nodeid"])
    tested = [r for r in rows if r["p"] is not None]
    for r, adjusted in zip(tested, holm([r["p"] for r in tested]) if tested else []):
        r["p_holm"] = adjusted
    return rows


def _num(value) -> str:
    return "" if value is None else f"{value:.3g}"


def summary_lines(rows: list[dict]) -> list[str]:
    """The terminal table: claim, check, statistic, CI, threshold, outcome, Holm-adjusted p."""
    table = [("claim", "check", "statistic", "CI", "threshold", "outcome", "p (Holm)")]
    for r in rows:
        name = r["statistic"] or ""
        stat = f"{name if len(name) <= 40 else name[:39] + '…'} = {_num(r['value'])}" if name else ""
        ci = f"[{_num(r['low'])}, {_num(r['high'])}]" if r["low"] is not None else ""
        limit = f"{'>=' if r['bound'] == 'min' else '<='} {r['threshold']:g}" if r["threshold"] is not None else ""
        if r.get("seeds"):
            stat, limit = _seeds_cells(r["seeds"])
        outcome = r["outcome"] + ("" if r["status"] == "passed" else f" ({r['status']})")
        table.append((r["claim_id"], r["check"], stat, ci, limit, outcome, _num(r["p_holm"])))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in table]


def _seeds_cells(seeds: dict) -> tuple[str, str]:
    """The statistic and threshold cells of a seeds row: ``holds on 4 of 5 seeds``, ``>= 4 of 5``."""
    shard = seeds.get("shard")
    counted = shard["seeds"] if shard else seeds["seeds"]
    held = f"holds on {len(seeds['holding'])} of {len(counted)} seeds"
    if shard:
        return f"shard {shard['index']}/{shard['count']}: {held}", f">= {seeds['min_holding']} of {len(seeds['seeds'])} (merged)"
    return held, f">= {seeds['min_holding']} of {len(seeds['seeds'])}"


def _match_cell(result: dict) -> str:
    """How the claim's units reached this seed: ``linear-0:58 -> linear-0:12 r=0.83``, ``-> none (...)``, or ``-``."""
    cells = []
    for m in result.get("matches") or []:
        r = m["correlation"]
        if m["counterpart"]:
            cells.append(f"{m['unit']} -> {m['counterpart']} r={r:.2f}")
        elif r <= m["null_bar"]:
            cells.append(f"{m['unit']} -> none ({m['candidate']} r={r:.2f}, untrained networks reach {m['null_bar']:.2f})")
        else:
            cells.append(f"{m['unit']} -> none ({m['candidate']} r={r:.2f}, below the minimum)")
    return "; ".join(cells) or "-"


def _units_cell(names: list[str]) -> str:
    """``linear-0:70,82,118`` for units of one layer (as claim files write them), ``-`` for none."""
    layers = {name.split(":")[0] for name in names}
    if len(layers) == 1:
        return f"{names[0].split(':')[0]}:{','.join(name.split(':')[1] for name in names)}"
    return ",".join(names) or "-"


def seed_table_lines(r: dict) -> list[str]:
    """The per-seed table of a seeds row: seed, claim outcome, units, match, each check's outcome."""
    seeds = r["seeds"]
    checks = list(dict.fromkeys(name for result in seeds["per_seed"] for name in result["checks"]))
    table = [("seed", "claim", "units", "match", *checks)]
    for result in seeds["per_seed"]:
        outcomes = [result["checks"].get(name, {}).get("outcome", "") for name in checks]
        table.append((str(result["seed"]), result["outcome"], _units_cell(result["units"]), _match_cell(result), *outcomes))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    lines = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in table]
    for result in seeds["per_seed"]:
        if result.get("error"):
            lines.append(f"  seed {result['seed']}: ERROR: {result['error']}")
        if result.get("retrained"):
            lines.append(f"  seed {result['seed']}: {result['retrained']['note']}")
    return lines


def exit_status(rows: list[dict]) -> int:
    """What pytest exits with for these rows: 1 if any failed, else 0."""
    return 1 if any(r["status"] == "failed" for r in rows) else 0


def _git() -> dict:
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if commit.returncode:
        return {"commit": None, "dirty": None}
    return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip()) if dirty.returncode == 0 else None}


def provenance(options: dict, args: list[str]) -> dict:
    """Where the numbers came from: library versions, MNIST checksums, git commit, options and arguments."""
    from .. import data
    from ..errors import LenetError
    from ..train import versions

    try:
        checksums = data.checksums()
    except LenetError as err:
        checksums = {"error": str(err)}
    from importlib import metadata

    try:
        version = metadata.version("lenet-claims")
    except metadata.PackageNotFoundError:
        version = None
    return {"lenet_claims": version, "versions": versions(), "data_sha256": checksums, "git": _git(), "options": options, "args": args}


def document(rows: list[dict], options: dict, args: list[str]) -> dict:
    """The ``--claims-json`` document (schema: docs/claims-json.md)."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "provenance": provenance(options, args),
        "counts": counts,
        "results": rows,
    }


def rerun_command(nodeid: str, options: dict) -> str:
    """The shell command that reruns one item with the same claims options."""
    keep = ("claims_checkpoint", "claims_mnist_root") + (("claims_seeds", "claims_shard") if nodeid.endswith("::seeds") else ())
    flags = "".join(f" --{k.replace('_', '-')} {v}" for k, v in options.items() if v and k in keep)
    if nodeid.endswith("::seeds") and options.get("claims_retrain"):
        flags += " --claims-retrain"
    return f"pytest '{nodeid}'{flags}"


def failure_text(claim, check: str, headline: str, verdict, rerun: str) -> str:
    """What a failing item prints: the sentence, each criterion's CI vs threshold with n, baseline, seed, rerun command."""
    lines = [f"claim: {claim.sentence}", f"  ({claim.id}, line {claim.checks[check].line}; expect = \"{claim.checks[check].expect}\")",
             f"{check}: {headline}"]
    if verdict is not None:
        lines.append(verdict.describe())
        details = verdict.details
        if "baseline" in details:
            lines.append(f"  baseline: {details['baseline']}")
        network = details.get("subject") or (claim.checkpoint or f"seed {claim.seed}")
        units = ", ".join(details.get("units") or []) or (claim.units or claim.layer or "")
        lines.append(f"  network: {network}; units: {units}; check seed {verdict.seed}")
    lines.append(f"rerun: {rerun}")
    return "\n".join(lines)


def seeds_failure_text(claim, r: dict, rerun: str) -> str:
    """What a failing ``::seeds`` item prints: the sentence, the verdict, the per-seed table and the rerun command."""
    seeds = r["seeds"]
    origin = "--claims-seeds" if seeds["seeds"] != seeds["file"]["seeds"] else "[seeds]"
    scaled = (f" (scaled from the file's {seeds['file']['min_holding']} of {len(seeds['file']['seeds'])})"
              if seeds["min_holding"] != seeds["file"]["min_holding"] or origin == "--claims-seeds" else "")
    lines = [f"claim: {claim.sentence}", f"  ({claim.id}, line {claim.seeds.line}; expect = \"{seeds['expect']}\")",
             f"seeds: {r['headline']}",
             f"  seeds {', '.join(map(str, seeds['seeds']))} from {origin}; min_holding = {seeds['min_holding']}{scaled}",
             *seed_table_lines(r)]
    if r["verdict"] and r["verdict"].get("to_decide"):
        lines.append(f"  to decide: {r['verdict']['to_decide']}")
    return "\n".join([*lines, f"rerun: {rerun}"])
