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

__all__ = ["SCHEMA", "row", "with_holm", "summary_lines", "document", "provenance", "dumps", "failure_text", "rerun_command"]

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
    }


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
        outcome = r["outcome"] + ("" if r["status"] == "passed" else f" ({r['status']})")
        table.append((r["claim_id"], r["check"], stat, ci, limit, outcome, _num(r["p_holm"])))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in table]


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
    flags = "".join(f" --{k.replace('_', '-')} {v}" for k, v in options.items() if v and k in ("claims_checkpoint", "claims_mnist_root"))
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
