"""The claims run against the golden file (tests/golden/), and the comparison's own tests on small documents.

The golden file is ``pytest claims/ --claims-json``: every claim, each ``[seeds]`` table on its own list of
committed seeds (0-4 for most files, 0-9 or 10-19 for issue 19's; until issue 19 every table was cut to 0-4 by
``--claims-seeds 0-4``; first made before issue 14's restructuring);
a change that keeps behaviour keeps every row. ``.ci/run`` runs the claims once with ``--claims-json`` and
exports ``LENET_CLAIMS_RUN_JSON``, which the real check reads; without it (``scripts/tests`` alone) the
check runs the claims itself in a subprocess, a few minutes. It never skips.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_JSON = "LENET_CLAIMS_RUN_JSON"  # set by .ci/run: the JSON of its claims run


def _load_compare():
    """tests/golden/compare.py by path: it is also a script, and tests/ is no package."""
    spec = importlib.util.spec_from_file_location("golden_compare", ROOT / "tests" / "golden" / "compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compare = _load_compare()


def _row(nodeid: str, outcome: str = "holds", low: float | None = 0.4062) -> dict:
    criterion = {"name": "min_effect", "value": 0.5, "low": low, "high": 0.6, "outcome": outcome}
    details = {"units": ["linear-0:63"], "selected": True}
    return {
        "nodeid": nodeid,
        "outcome": outcome,
        "status": "passed",
        "headline": "unit 95; about 2870 images per group",
        "low": low,
        "p": 0.0,
        "verdict": {"criteria": [criterion], "details": details},
    }


def _document(*rows: dict) -> dict:
    """A small ``--claims-json`` document; two rows unless given."""
    rows = rows or (_row("claims/x.toml::ablation"), _row("claims/y.toml::seeds"))
    provenance = {
        "lenet_claims": "0.1.0",
        "versions": {"torch": "2.14.1"},
        "data_sha256": {"t10k": "0fa7"},
        "git": {"commit": "2ad6c09", "dirty": False},
        "options": {"claims_json": "/a/run.json"},
        "args": ["claims/"],
    }
    return {
        "schema": "lenet-claims-results/2",
        "created": "2026-12-01T22:16:45+00:00",
        "provenance": provenance,
        "counts": {"passed": len(rows)},
        "results": list(rows),
    }


def _edit(change):
    document = _document()
    change(document, document["results"][0])
    return document


def _set(path: str, value):
    """A change that sets ``row[key]...`` (path ``verdict.criteria.0.low``) of the first row."""

    def change(document, row):
        *parents, last = [int(k) if k.isdigit() else k for k in path.split(".")]
        for key in parents:
            row = row[key]
        row[last] = value

    return change


def _provenance(document, row):
    document.update(
        created="2027-01-01",
        provenance={
            **document["provenance"],
            "lenet_claims": "0.2.0",
            "versions": {"torch": "2.15"},
            "git": {"commit": "77ca3d9", "dirty": True},
            "options": {"claims_json": "/b/x.json"},
            "args": ["claims/", "-n", "2"],
            "shards": [],
        },
    )


X = "row claims/x.toml::ablation"
LOW = 0.4062 * (1 + 2e-2)
CHANGES = [  # (what changed, the change to the run, the differences reported)
    ("nothing", lambda d, r: None, []),
    (
        "2e-2 relative",
        _set("verdict.criteria.0.low", LOW),
        [f"{X}: verdict.criteria[0].low {LOW!r} != golden 0.4062 (rel 2.0e-02)"],
    ),
    ("1e-8 relative", _set("verdict.criteria.0.low", 0.4062 * (1 + 1e-8)), []),
    ("just under 1e-2 relative (another CPU's float32)", _set("low", 0.4062 * (1 + 0.9e-2)), []),
    ("1e-5 absolute near zero", _set("p", 1e-5), []),
    ("3e-5 absolute near zero", _set("p", 3e-5), [f"{X}: p 3e-05 != golden 0.0 (abs 3.0e-05)"]),
    ("an outcome", _set("outcome", "refuted"), [f"{X}: outcome 'refuted' != golden 'holds'"]),
    (  # another CPU's float32 moves an estimate's rounding ("about N images per group" in to_decide)
        "an estimated count in text, by one",
        _set("headline", "unit 95; about 2869 images per group"),
        [],
    ),
    (
        "a unit index in text",
        _set("headline", "unit 96; about 2870 images per group"),
        [
            f"{X}: headline 'unit 96; about 2870 images per group' != golden 'unit 95; about 2870 images "
            "per group'"
        ],
    ),
    (
        "a unit",
        _set("verdict.details.units.0", "linear-0:64"),
        [f"{X}: verdict.details.units[0] 'linear-0:64' != golden 'linear-0:63'"],
    ),
    (
        "a unit added",
        _set("verdict.details.units", ["linear-0:63", "linear-0:7"]),
        [f"{X}: verdict.details.units has 2 items != golden 1"],
    ),
    ("None for a number", _set("low", None), [f"{X}: low None != golden 0.4062"]),
    (
        "a number for a boolean",
        _set("verdict.details.selected", 1),
        [f"{X}: verdict.details.selected 1 != golden True"],
    ),
    (
        "a key removed",
        lambda d, r: r["verdict"]["criteria"][0].pop("high"),
        [f"{X}: verdict.criteria[0].high missing (golden 0.6)"],
    ),
    ("a key added", _set("note", "new"), [f"{X}: note extra (run 'new')"]),
    (
        "a row removed",
        lambda d, r: d["results"].pop(0),
        [f"{X}: missing (in the golden file, not in the run)"],
    ),
    (
        "a row added",
        lambda d, r: d["results"].append(_row("claims/z.toml::seeds")),
        ["row claims/z.toml::seeds: extra (in the run, not in the golden file)"],
    ),
    (
        "a row twice",
        lambda d, r: d["results"].append(copy.deepcopy(r)),
        [f"{X}: appears more than once in the run document"],
    ),
    ("rows reordered", lambda d, r: d["results"].reverse(), []),
    (
        "the counts",
        lambda d, r: d["counts"].update(passed=1, failed=1),
        ["document: counts.passed 1 != golden 2 (rel 5.0e-01)", "document: counts.failed extra (run 1)"],
    ),
    (
        "the MNIST files",
        lambda d, r: d["provenance"]["data_sha256"].update(t10k="ffff"),
        ["document: provenance.data_sha256.t10k 'ffff' != golden '0fa7'"],
    ),
    ("created and provenance", _provenance, []),
]


@pytest.mark.parametrize("change, expected", [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_differences(change, expected):
    assert compare.differences(_edit(change), _document()) == expected


def test_a_number_where_the_golden_file_has_none_differs():
    assert compare.differences(_document(), _edit(_set("low", None))) == [f"{X}: low 0.4062 != golden None"]


def test_changed_rows_name_each_row_once():
    run = _document(_row("claims/x.toml::ablation", outcome="refuted", low=0.3), _row("claims/y.toml::seeds"))
    run["counts"]["failed"] = 1
    found = compare.differences(run, _document())
    assert len(found) == 5 and compare.changed_rows(found) == ["claims/x.toml::ablation"]


def test_script_prints_the_differences_and_exits_1(tmp_path, capsys):
    golden, run = tmp_path / "golden.json", tmp_path / "run.json"
    golden.write_text(json.dumps(_document()))
    run.write_text(json.dumps(_edit(_set("outcome", "refuted"))))
    assert compare.main([str(run), "--golden", str(golden)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{X}: outcome 'refuted' != golden 'holds'",
        "1 differences in 1 rows: claims/x.toml::ablation",
    ]
    assert compare.main([str(golden), "--golden", str(golden)]) == 0


def test_golden_file_holds_every_claim_file_on_the_seeds_the_check_runs():
    """Quick: a claim file added or renamed without regenerating the golden file fails here, not later."""
    golden = json.loads(compare.GOLDEN.read_text())
    assert golden["provenance"]["options"]["claims_seeds"] == compare.SEEDS
    files = {f"claims/{p.name}" for p in (ROOT / "claims").glob("*.toml")}
    assert {r["nodeid"].split("::")[0] for r in golden["results"]} == files


def test_every_seed_a_claim_file_lists_is_a_committed_reference():
    """Quick: the claims run (CI's, the golden's) uses each file's own [seeds] list, so a seed without a
    committed reference would be trained in every fresh clone: minutes, not bit-reproducible across CPUs."""
    from lenet.claims.loader import load
    from lenet.lenet_mnist.subject import LenetMnist

    committed = set(LenetMnist.reference_seeds())
    for path in sorted((ROOT / "claims").glob("*.toml")):
        claim = load(path, ROOT)
        if claim.seeds is not None:
            extra = sorted(set(claim.seeds.seeds) - committed)
            assert not extra, f"{path.name} lists seeds {extra}, which have no committed reference"


MODE = ("claims_seeds", "claims_shard", "claims_checkpoint", "claims_retrain")  # options that decide the rows


def _claims_run(tmp_path: Path) -> tuple[dict, str]:
    """The document to check and where it came from: $LENET_CLAIMS_RUN_JSON's, else a fresh claims run's."""
    __tracebackhide__ = True
    if os.environ.get(RUN_JSON):
        path = Path(os.environ[RUN_JSON])
        if not path.is_file():
            pytest.fail(
                f"{RUN_JSON}={path} is no file. Run the claims with --claims-json {path} first "
                f"(as .ci/run does), or unset {RUN_JSON} and this test runs them.",
                pytrace=False,
            )
        return json.loads(path.read_text()), f"{RUN_JSON}={path}"
    out = tmp_path / "claims-run.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "claims/",
        "--claims-json",
        str(out),
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    done = subprocess.run(
        command, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=3600
    )
    shown = " ".join(command[1:])
    if done.returncode not in (0, 1) or not out.is_file():  # 1: a claim failed; the comparison says which
        pytest.fail(
            f"`{shown}` exited {done.returncode} without a JSON document:\n"
            f"{(done.stdout + done.stderr)[-4000:]}",
            pytrace=False,
        )
    return json.loads(out.read_text()), f"`{shown}` in {ROOT}"


@pytest.mark.slow
def test_claims_run_matches_the_golden_file(tmp_path):
    run, source = _claims_run(tmp_path)
    golden = json.loads(compare.GOLDEN.read_text())
    options, expected = run["provenance"]["options"], golden["provenance"]["options"]
    mode = [
        f"{k}={options.get(k)!r} (golden {expected.get(k)!r})"
        for k in MODE
        if options.get(k) != expected.get(k)
    ]
    if mode:
        pytest.fail(
            f"{source} is not comparable with {compare.GOLDEN.name}: {', '.join(mode)}. Run the "
            "claims with no claims option but paths and --claims-json (each [seeds] table on its own list).",
            pytrace=False,
        )
    found = compare.differences(run, golden)
    if found:
        rows = compare.changed_rows(found)
        shown = "\n  ".join(found[:60] + ([f"... and {len(found) - 60} more"] if len(found) > 60 else []))
        pytest.fail(
            f"The claims run ({source}) differs from tests/golden/{compare.GOLDEN.name} in "
            f"{len(found)} places, {len(rows)} rows:\n  {shown}\n"
            "A restructuring must keep every row. If the change is on purpose, regenerate the golden "
            f"file in the same commit and list the changed rows ({', '.join(rows) or 'none'}) in its "
            "note:\n"
            f"  {compare.regenerate_command()}\n(tests/golden/README.md)",
            pytrace=False,
        )
