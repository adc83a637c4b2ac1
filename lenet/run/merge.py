"""Join the ``--claims-json`` documents of a sharded run
into the document one run over every seed would write.

A CI matrix runs ``pytest claims/ --claims-shard K/N --claims-json shard-K.json``
for K = 1..N; ``lenet merge shard-*.json`` then gives the same rows, k-of-n
verdicts and exit status as one run. The rules:

- A ``::seeds`` row of a shard carries its seeds' per-seed results; the rows of
  one claim from shards 1..N (each exactly once, same seed list, ``min_holding``,
  ``expect`` and confidence) are joined, and the verdict is computed again by
  ``rows.with_seeds``, the function a single run uses.
- Every other row (check items run in shard 1 only; ``validate`` rows in every
  shard) is kept once; copies must agree.
- Holm-adjusted p-values are recomputed over the merged rows; ``counts`` too.
  ``provenance`` is the first document's, with ``shards`` listing every input.
- Documents from different git commits, or that disagree, are refused
  (``ShardError``, naming the files and the row).
"""

from __future__ import annotations

import dataclasses

from ..errors import ShardError
from .rows import SCHEMA, Row, document, with_holm, with_seeds

__all__ = ["merge"]

_VERDICT_FIELDS = ("outcome", "status", "headline", "value", "low", "high", "p", "error")


def _check_documents(documents: list[tuple[str, dict]]) -> None:
    for name, given in documents:
        if isinstance(given, dict) and str(given.get("schema", "")).startswith("lenet-claims-results/"):
            if given["schema"] != SCHEMA:
                raise ShardError(
                    f"{name} has schema {given['schema']}, written by another lenet-claims version; this one "
                    f"merges {SCHEMA}. Run the shards again with this version (docs/claims-json.md says what "
                    "changed)."
                )
        if not isinstance(given, dict) or given.get("schema") != SCHEMA:
            raise ShardError(
                f"{name} is not a --claims-json document (schema {SCHEMA}); pass the files "
                f"`pytest claims/ --claims-json FILE` wrote."
            )
    commits = {name: given["provenance"]["git"].get("commit") for name, given in documents}
    known = {c for c in commits.values() if c}
    if len(known) > 1:
        listed = ", ".join(f"{name} at {(commit or 'unknown')[:12]}" for name, commit in commits.items())
        raise ShardError(f"the shards come from different commits ({listed}); merge the shards of one run.")


def _rows(name: str, document: dict) -> list[Row]:
    """The rows of one document; a row that is not one is a ShardError naming the file."""
    try:
        return [Row.from_dict(r) for r in document["results"]]
    except ValueError as err:
        raise ShardError(f"{name}: {err} Pass the files `pytest claims/ --claims-json FILE` wrote.") from None


def _join_seeds(nodeid: str, found: list[tuple[str, Row]]) -> Row:
    """One claim's seeds rows from several shards -> the row of one run over all its seeds."""
    first_name, first = found[0]
    plan_keys = ("seeds", "min_holding", "expect", "confidence", "seed_confidence", "file", "expensive")
    for name, r in found[1:]:
        for key in plan_keys:
            if r.seeds.get(key) != first.seeds.get(key):
                fix = (
                    "one of them was written by a lenet-claims without per-seed confidence (its seeds ran "
                    "at the claim's confidence); rerun that shard with this version."
                    if key == "seed_confidence" and None in (r.seeds.get(key), first.seeds.get(key))
                    else "run every shard with the same --claims-seeds and claim files."
                )
                raise ShardError(
                    f"{nodeid}: {name} has {key}={r.seeds.get(key)!r}, "
                    f"{first_name} {first.seeds.get(key)!r}; {fix}"
                )
    full = [name for name, r in found if r.seeds["shard"] is None]
    if full:
        if len(found) > 1:
            raise ShardError(
                f"{nodeid}: {full[0]} has a run over all seeds and other files have it too; "
                f"merge either shards or one full run, not both."
            )
        return with_seeds(first, first.seeds)
    count = first.seeds["shard"]["count"]
    by_index: dict[int, tuple[str, Row]] = {}
    for name, r in found:
        shard = r.seeds["shard"]
        if shard["count"] != count:
            raise ShardError(
                f"{nodeid}: {name} is shard {shard['index']}/{shard['count']}, {first_name} one of {count}; "
                f"use one --claims-shard K/N count for every shard."
            )
        if shard["index"] in by_index and by_index[shard["index"]][1].seeds != r.seeds:
            raise ShardError(
                f"{nodeid}: {by_index[shard['index']][0]} and {name} are both shard {shard['index']}/{count} "
                f"with different results; pass each shard once."
            )
        by_index[shard["index"]] = (name, r)
    missing = sorted(set(range(1, count + 1)) - set(by_index))
    if missing:
        raise ShardError(
            f"{nodeid}: shard{'s' * (len(missing) > 1)} {', '.join(f'{k}/{count}' for k in missing)} missing "
            f"(have {', '.join(f'{k}/{count}' for k in sorted(by_index))}); pass every shard's JSON."
        )
    per_seed = {result["seed"]: result for _, r in by_index.values() for result in r.seeds["per_seed"]}
    ordered = [per_seed[s] for s in first.seeds["seeds"] if s in per_seed]
    seeds = {**first.seeds, "shard": None, "per_seed": ordered}
    seeds.pop("holding", None)
    return with_seeds(dataclasses.replace(first, seeds=None), seeds)


def _join_other(nodeid: str, found: list[tuple[str, Row]]) -> Row:
    first_name, first = found[0]
    for name, r in found[1:]:
        differing = [key for key in _VERDICT_FIELDS if getattr(r, key) != getattr(first, key)]
        if differing:
            ours, theirs = getattr(first, differing[0]), getattr(r, differing[0])
            raise ShardError(
                f"{nodeid}: {first_name} and {name} disagree on {', '.join(differing)} "
                f"({ours!r} vs {theirs!r}); were they run on one commit and machine kind?"
            )
    return first


def merge(documents: list[tuple[str, dict]]) -> dict:
    """The document one run over every seed gives, from ``(file name, document)`` pairs of shards."""
    if not documents:
        raise ShardError(
            "no documents to merge; pass the shards' --claims-json files, e.g. `lenet merge shard-*.json`."
        )
    _check_documents(documents)
    grouped: dict[str, list[tuple[str, Row]]] = {}
    for name, given in documents:
        for r in _rows(name, given):
            grouped.setdefault(r.nodeid, []).append((name, r))
    rows = with_holm(
        [
            (_join_seeds if found[0][1].seeds else _join_other)(nodeid, found)
            for nodeid, found in grouped.items()
        ]
    )
    shards = [
        {"file": name, "created": d.get("created"), "args": d["provenance"].get("args")}
        for name, d in documents
    ]
    return document(rows, {**documents[0][1]["provenance"], "shards": shards})
