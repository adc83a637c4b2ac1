"""lenet.run.rows: the typed row and its one JSON form, the Holm and seeds rules, the document."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from test_plugin import documented_schema

from lenet.run.rows import SCHEMA, Row, document, dumps, exit_status, with_holm, with_seeds


def make(nodeid="claims/a.toml::ablation", **fields) -> Row:
    """A row with every field None except what a test sets (and the required strings)."""
    values = {name: None for name in Row.__dataclass_fields__}
    values.update(
        nodeid=nodeid,
        claim_id=nodeid.split("::")[0],
        check=nodeid.split("::")[1],
        outcome="holds",
        status="passed",
        headline="HOLDS",
    )
    return Row(**{**values, **fields})


def test_a_row_has_the_documented_keys_in_schema_order_and_round_trips():
    schema = documented_schema()["properties"]["results"]["items"]
    row = make(p=0.01, value=0.8, seeds=None, verdict={"outcome": "holds"})
    assert list(row.as_dict()) == schema["required"] == list(schema["properties"])
    assert Row.from_dict(json.loads(dumps(row.as_dict()))) == row


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.pop("p_holm"), "missing p_holm"),
        (lambda d: d.update(extra=1), "unknown extra"),
    ],
)
def test_a_dict_that_is_not_a_row_is_refused_with_the_key(change, words):
    values = make().as_dict()
    change(values)
    with pytest.raises(ValueError, match=words):
        Row.from_dict(values)


def _holm(p: list[float]) -> list[float]:
    """Holm's step-down adjustment written out: the i-th smallest p times (m - i), monotone, at most 1."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    out, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        out[i] = running
    return out


def test_holm_adjusts_over_rows_with_a_p_value_and_sorts_by_node_id():
    given = [
        make("claims/c.toml::x", p=0.04),
        make("claims/a.toml::x", p=0.01),
        make("claims/b.toml::x"),
        make("claims/d.toml::x", p=0.03),
    ]
    adjusted = with_holm(given)
    assert [r.nodeid for r in adjusted] == sorted(r.nodeid for r in given)
    want = dict(zip(["a", "c", "d"], _holm([0.01, 0.04, 0.03]), strict=True))
    for r in adjusted:
        name = r.nodeid.split("/")[1][0]
        assert (r.p_holm is None) if name == "b" else math.isclose(r.p_holm, want[name])
    assert with_holm(adjusted) == adjusted  # recomputing (lenet merge) changes nothing


def test_exit_status_and_document_counts():
    rows = [make(), make("claims/b.toml::x", status="xfailed"), make("claims/c.toml::x", status="failed")]
    assert exit_status(rows) == 1 and exit_status(rows[:2]) == 0
    made = document(rows, {"git": {"commit": None, "dirty": None}})
    assert list(made) == ["schema", "created", "provenance", "counts", "results"] and made["schema"] == SCHEMA
    assert made["counts"] == {"passed": 1, "xfailed": 1, "failed": 1}
    assert made["results"] == [r.as_dict() for r in rows]


def test_dumps_writes_non_finite_numbers_as_null():
    assert json.loads(dumps({"a": float("nan"), "b": [float("inf"), 1.5]})) == {"a": None, "b": [None, 1.5]}


def per_seed(seed: int, outcome: str, error: str | None = None) -> dict:
    return {
        "seed": seed,
        "outcome": outcome,
        "units": [],
        "matches": [],
        "checks": {},
        "weights_sha256": None,
        "error": error,
        "retrained": None,
    }


PLAN = {
    "seeds": [0, 1, 2],
    "min_holding": 2,
    "file": {"seeds": [0, 1, 2], "min_holding": 2},
    "expect": "holds",
    "expensive": False,
    "confidence": 0.95,
    "shard": None,
}


def test_seeds_rows_count_k_of_n_and_shards_leave_the_verdict_to_merge():
    claim = SimpleNamespace(id="claims/a.toml", sentence="A claim", subject="lenet-mnist", seed=0)
    results = [per_seed(0, "holds"), per_seed(1, "holds"), per_seed(2, "refuted")]
    held = Row.from_seeds("claims/a.toml::seeds", claim, PLAN, results)
    assert (held.outcome, held.status, held.seeds["holding"]) == ("holds", "passed", [0, 1])
    assert (held.value, held.threshold, held.bound) == (2 / 3, 2 / 3, "min")
    assert (held.p, held.checkpoint, held.checkpoint_sha256) == (None, None, None)
    assert held.headline.startswith("HOLDS; holds on 2 of 3 seeds")
    assert held.verdict["criteria"][0]["name"] == "min_holding"
    shard = {**PLAN, "shard": {"index": 1, "count": 2, "seeds": [0, 2]}}
    part = Row.from_seeds("claims/a.toml::seeds", claim, shard, [per_seed(0, "holds"), per_seed(2, "holds")])
    assert (part.outcome, part.status, part.verdict, part.value) == ("partial", "passed", None, None)
    assert "`lenet merge` gives the verdict over all 3" in part.headline
    failing = [per_seed(0, "holds"), per_seed(2, "error", "no data")]
    broken = with_seeds(part, {**shard, "per_seed": failing})
    assert (broken.outcome, broken.status, broken.error) == ("error", "failed", "seed 2: no data")


def test_a_check_row_carries_the_primary_criterion_and_the_first_p_value():
    from lenet.stats.verdict import Criterion, Verdict

    criteria = [
        Criterion("min_auroc", "AUROC", 0.9, 0.85, 0.95, 0.75, "min", "holds"),
        Criterion("baseline", "AUROC - baseline", 0.2, 0.1, 0.3, 0.0, "min", "holds", p=0.001),
    ]
    details = {"weights_sha256": "ab" * 32}
    verdict = Verdict("selectivity", criteria, {"concept": 10}, 0.95, 3, "rule", details)
    claim = SimpleNamespace(
        id="claims/a.toml",
        sentence="A claim",
        subject="lenet-mnist",
        seed=0,
        checkpoint=None,
        checks={"selectivity": SimpleNamespace(expect="holds")},
    )
    row = Row.from_check(
        "claims/a.toml::selectivity", claim, "selectivity", status="passed", headline="HOLDS", verdict=verdict
    )
    primary = (row.statistic, row.value, row.low, row.high, row.threshold, row.bound)
    assert primary == ("AUROC", 0.9, 0.85, 0.95, 0.75, "min")
    assert (row.p, row.p_holm, row.expect, row.outcome, row.seed) == (0.001, None, "holds", "holds", 0)
    assert row.subject == "lenet-mnist"  # schema 2: every row names its subject
    assert row.checkpoint_sha256 == "ab" * 32 and row.verdict == json.loads(dumps(verdict.as_dict()))
    numpy = Verdict(
        "selectivity",
        [
            Criterion(
                "min_auroc",
                "AUROC",
                *map(np.float64, (0.9, 0.85, 0.95)),
                0.75,
                "min",
                "holds",
                p=np.float64(1e-3),
            )
        ],
        {},
        0.95,
        3,
        "rule",
        details,
    )
    row = Row.from_check(
        "claims/a.toml::selectivity", claim, "selectivity", status="passed", headline="HOLDS", verdict=numpy
    )
    plain = (row.value, row.low, row.high, row.p)  # numpy's float64 cannot cross pytest-xdist's channel
    assert all(type(x) is float for x in plain) and plain == (0.9, 0.85, 0.95, 1e-3)
    invalid = Row.from_check(
        "claims/b.toml::validate",
        None,
        "validate",
        status="failed",
        headline="INVALID claim file",
        error="claims/b.toml:3: bad",
    )
    assert (invalid.claim_id, invalid.outcome, invalid.claim) == ("claims/b.toml", "invalid", None)
    assert invalid.checkpoint_sha256 is None and invalid.error == "claims/b.toml:3: bad"
