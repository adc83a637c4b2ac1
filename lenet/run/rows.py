"""The results of a run: a ``Row`` per item, the seeds and Holm rules over rows, the ``--claims-json`` file.

A row crosses from pytest-xdist workers to the controller as JSON inside
``report.user_properties``; ``Row.as_dict`` and ``Row.from_dict`` are the one
place it becomes that dict and back. Everything run-wide (Holm, the document) is
computed once, on the controller. Schema: docs/claims-json.md.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from .provenance import checkpoint_hash

__all__ = ["SCHEMA", "Row", "with_seeds", "with_holm", "exit_status", "document", "dumps"]

SCHEMA = "lenet-claims-results/2"  # 2: rows name their subject


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


def _plain(value):
    """A number as Python's own float (numpy's float64 is a float subclass that pytest-xdist cannot send)."""
    return float(value) if isinstance(value, float) else value


def _criterion(primary) -> dict:
    """The row fields of a verdict's primary criterion (all None without one), numbers as plain floats."""
    names = ("statistic", "value", "low", "high", "threshold", "bound")
    return {name: _plain(getattr(primary, name)) if primary is not None else None for name in names}


@dataclass(frozen=True, kw_only=True)
class Row:
    """The result of one item, field for field the row of docs/claims-json.md (in its key order)."""

    nodeid: str  # claims/<file>.toml::<check>
    claim_id: str  # the claim file's id (its path, for a file that did not validate)
    check: str  # the check table, "seeds" or "validate"
    claim: str | None  # the claim's sentence; None when the file did not validate
    expect: str | None  # what the file expects of this item
    outcome: str  # holds, refuted, inconclusive, invalid, error or (a shard's seeds row) partial
    status: str  # what pytest made of it: passed, failed or xfailed
    headline: str  # one line saying what happened
    statistic: str | None  # the primary criterion's statistic ...
    value: float | None
    low: float | None  # ... its confidence interval ...
    high: float | None
    threshold: float | None  # ... and what it is compared with
    bound: str | None  # "min" or "max": which side of the threshold holds
    p: float | None  # the first criterion p-value
    p_holm: float | None  # p, Holm-adjusted over the run (``with_holm``)
    subject: str | None  # the claim's subject ("lenet-mnist" or one its project declares); None if invalid
    seed: int | None  # the claim's own seed
    checkpoint: str | None  # the checkpoint file checked, if not the seed's network
    checkpoint_sha256: str | None  # identifies the network checked
    error: str | None  # why the item could not run (or, for seeds rows, which seeds failed)
    verdict: dict | None  # the verdict as JSON (``Verdict.as_dict``)
    seeds: dict | None  # a ``::seeds`` row's plan and per-seed table; None for other rows

    @classmethod
    def from_check(
        cls,
        nodeid: str,
        claim,
        check: str,
        *,
        status: str,
        headline: str,
        verdict=None,
        error: str | None = None,
        checkpoint: str | None = None,
    ) -> Row:
        """The row of a check item; with ``claim`` None, of a file that did not validate (``error``: why)."""
        primary = verdict.primary if verdict is not None and verdict.criteria else None
        p = next((c.p for c in verdict.criteria if c.p is not None), None) if verdict is not None else None
        p = _plain(p)
        used = checkpoint or (claim.checkpoint if claim is not None else None)
        return cls(
            nodeid=nodeid,
            claim_id=claim.id if claim is not None else nodeid.split("::")[0],
            check=check,
            claim=claim.sentence if claim is not None else None,
            expect=claim.checks[check].expect if claim is not None and check in claim.checks else None,
            outcome=verdict.outcome if verdict is not None else ("invalid" if claim is None else "error"),
            status=status,
            headline=headline,
            **_criterion(primary),
            p=p,
            p_holm=None,
            subject=claim.subject if claim is not None else None,
            seed=claim.seed if claim is not None else None,
            checkpoint=used,
            checkpoint_sha256=(
                checkpoint_hash(claim.seed, used, verdict.details if verdict else {})
                if claim is not None
                else None
            ),
            error=error,
            verdict=json.loads(dumps(verdict.as_dict())) if verdict is not None else None,
            seeds=None,
        )

    @classmethod
    def from_seeds(cls, nodeid: str, claim, plan: dict, per_seed: list[dict]) -> Row:
        """The row of a ``::seeds`` item: ``plan`` is ``Plan.as_dict()``, ``per_seed`` ``run_seed``'s rows."""
        base = cls(
            nodeid=nodeid,
            claim_id=claim.id,
            check="seeds",
            claim=claim.sentence,
            expect=plan["expect"],
            outcome="error",
            status="passed",
            headline="",  # set by with_seeds
            **_criterion(None),
            p=None,
            p_holm=None,
            subject=claim.subject,
            seed=claim.seed,
            checkpoint=None,
            checkpoint_sha256=None,
            error=None,
            verdict=None,
            seeds=None,
        )
        return with_seeds(base, {**plan, "per_seed": per_seed})

    def as_dict(self) -> dict:
        """The row as the JSON object of docs/claims-json.md, keys in schema order."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, values: dict) -> Row:
        """A row from its JSON object (``as_dict``'s); a missing or unknown key is a ValueError naming it."""
        names = [field.name for field in dataclasses.fields(cls)]
        missing = [name for name in names if name not in values]
        unknown = [key for key in values if key not in names]
        if missing or unknown:
            pairs = (("missing", missing), ("unknown", unknown))
            problems = [f"{what} {', '.join(keys)}" for what, keys in pairs if keys]
            raise ValueError(
                f"not a result row: {'; '.join(problems)} (rows have the keys of docs/claims-json.md)."
            )
        return cls(**values)


def with_seeds(base: Row, seeds: dict) -> Row:
    """``base`` with the verdict fields of its ``seeds`` object: one rule for runs, shards and `lenet merge`.

    A shard (``seeds["shard"]`` set) cannot decide: its outcome is ``partial``
    (``error`` when a seed failed) and ``lenet merge`` gives the verdict.
    """
    from .outcome import item_status
    from .seeds import tally

    shard = seeds.get("shard")
    counted = tally(
        shard["seeds"] if shard else seeds["seeds"],
        seeds["min_holding"],
        seeds["confidence"],
        seeds["per_seed"],
    )
    errors = [f"seed {r['seed']}: {r['error']}" for r in seeds["per_seed"] if r.get("error")]
    seeds = {**seeds, "holding": counted.holding}
    out = dataclasses.replace(
        base, seeds=seeds, **_criterion(None), p=None, error="\n".join(errors) or None, verdict=None
    )
    if shard:
        status = "failed" if counted.outcome == "error" else "passed"
        headline = (
            f"{'ERROR in ' if status == 'failed' else ''}shard {shard['index']}/{shard['count']}: "
            f"{counted.describe()} of its seeds; "
            f"`lenet merge` gives the verdict over all {len(seeds['seeds'])}"
        )
        return dataclasses.replace(
            out, outcome="error" if status == "failed" else "partial", status=status, headline=headline
        )
    if counted.outcome == "error":
        return dataclasses.replace(
            out, outcome="error", status="failed", headline=f"ERROR: {counted.describe()}"
        )
    verdict, described = counted.verdict(), counted.describe()
    if seeds.get("population"):  # decided by the pooled mean effect; the count is reported beside it
        from ..stats.verdict import Verdict
        from .seeds import population

        criterion, details = population(
            seeds["per_seed"], seeds["population"], seeds["confidence"], seeds["seed_confidence"]
        )
        rule = (
            f"the mean {seeds['population']} effect across training runs (random effects, Hartung-Knapp "
            "interval) against its threshold; the count of seeds holding is reported, not compared"
        )
        details["count"] = dataclasses.asdict(verdict.primary)
        to_decide = None
        if criterion.outcome == "inconclusive":
            to_decide = "more seeds, or seeds whose effects agree more closely (a narrower pooled interval)"
        verdict = Verdict("seeds", [criterion], verdict.n, seeds["confidence"], 0, rule, details, to_decide)
        described = f"{_pooled(criterion, details)}; count: {described}"
    judgement = item_status(verdict.outcome, seeds["expect"])
    return dataclasses.replace(
        out,
        outcome=verdict.outcome,
        status=judgement.status,
        headline=f"{judgement.headline}; {described}",
        **_criterion(verdict.primary),
        verdict=json.loads(dumps(verdict.as_dict())),
    )


def _pooled(criterion, details: dict) -> str:
    """``mean over 10 training runs 0.41 [0.30, 0.52] (needs >= 0.5), between-seed SD 0.08``."""
    op = ">=" if criterion.bound == "min" else "<="
    low, high = criterion.low, criterion.high
    ci = f" [{low:.3g}, {high:.3g}]" if low is not None and low == low else " (no interval)"
    threshold = criterion.threshold
    bar = f"needs {op} {threshold:g}" if threshold is not None and threshold == threshold else "no threshold"
    return (
        f"mean over {len(details['effects'])} training runs {criterion.value:.3g}{ci} "
        f"({bar}), between-seed SD {details['tau']:.3g}"
    )


def with_holm(rows: list[Row]) -> list[Row]:
    """Rows sorted by node id, with ``p_holm``: Holm-adjusted over the rows with a p-value, else None."""
    from ..stats.estimates import holm

    rows = sorted(rows, key=lambda r: r.nodeid)
    tested = [r.p for r in rows if r.p is not None]
    adjusted = iter(holm(tested) if tested else [])
    return [dataclasses.replace(r, p_holm=next(adjusted) if r.p is not None else None) for r in rows]


def exit_status(rows: list[Row]) -> int:
    """What pytest exits with for these rows: 1 if any failed, else 0."""
    return 1 if any(r.status == "failed" for r in rows) else 0


def document(rows: list[Row], provenance: dict) -> dict:
    """The ``--claims-json`` document of ``rows`` (docs/claims-json.md); ``provenance`` from ``of_run``."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "provenance": provenance,
        "counts": counts,
        "results": [r.as_dict() for r in rows],
    }
