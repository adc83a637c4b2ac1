"""The pytest plugin through pytester: collection, node ids,
-k/-m, bad files, outcomes, output, JSON, JUnit and xdist.

A fake ``lenet.run.dispatch.run`` (installed by a generated conftest.py) turns each
claim's tags into verdicts, so these tests exercise the glue, not the checks.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lenet.stats.estimates import holm

ROOT = Path(__file__).resolve().parent.parent

FAKE = '''
import lenet.run.dispatch
from lenet.errors import MissingRecord
from lenet.stats.verdict import Criterion, Verdict

_real = lenet.run.dispatch.run


def fake_run(claim, check, checkpoint=None):
    """Outcome from the claim's tags (holds unless tagged refuted/inconclusive/error);
    p from the file name."""
    if "error" in claim.tags:
        raise MissingRecord("model.pt has no training record. Train it with `lenet train --seed N`.")
    outcome = next((t for t in claim.tags if t in ("holds", "refuted", "inconclusive")), "holds")
    p = 0.001 * (1 + sum(map(ord, claim.id + check)) % 7)
    low, high = {"holds": (0.8, 0.9), "refuted": (0.6, 0.7), "inconclusive": (0.7, 0.8)}[outcome]
    crit = Criterion(name="min_auroc", statistic="AUROC(concept vs contrast)", value=(low + high) / 2,
                     low=low, high=high, threshold=0.75, bound="min", outcome=outcome, p=p)
    subject = checkpoint or f"seed {claim.seed}"
    details = {"baseline": "99th percentile of untrained units 0.61", "subject": subject}
    return Verdict(check, [crit], {"concept": 134, "contrast": 600}, claim.confidence, 4242, "fake rule",
                   details, to_decide="about 900 images per group")


def pytest_configure(config):
    lenet.run.dispatch.run = fake_run


def pytest_unconfigure(config):
    lenet.run.dispatch.run = _real
'''


def claim_text(tags=(), checks=("selectivity",), expect=None, table_expect=None, extra="") -> str:
    lines = [
        "format = 1",
        'claim = "Unit linear-0:58 detects crossed sevens"',
        'unit = "linear-0:58"',
        'concept = "seven/crossed"',
        'contrast = "seven/plain"',
        f"tags = {json.dumps(list(tags))}" if tags else "",
        f'expect = "{expect}"' if expect else "",
        extra,
    ]
    lines = [line for line in lines if line]
    for check in checks:
        lines += [
            "",
            f"[{check}]",
            {"selectivity": "min_auroc = 0.75", "ablation": "min_effect = 0.5"}[check],
        ]
        if table_expect and check in table_expect:
            lines.append(f'expect = "{table_expect[check]}"')
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(pytester):
    pytester.makeconftest(FAKE)
    pytester.makepyprojecttoml('[project]\nname = "x"\n')  # a toml file at the root: never collected

    def add(name: str, text: str) -> Path:
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return add


@pytest.mark.parametrize("module", ["lenet.plugin", "lenet.subjects"])
def test_plugin_import_is_light(module):
    """Importing the plugin, or the subject registry it reaches the subject through, loads neither torch nor
    numpy (import-linter sees which modules import which,
    not what runs at import time; tests/test_layout.py)."""
    code = (
        f"import sys, {module}; assert 'torch' not in sys.modules "
        "and 'numpy' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_collection_node_ids(pytester, project):
    project("claims/a.toml", claim_text(checks=("selectivity", "ablation")))
    project("claims/deep/b.toml", claim_text())
    project("data/not-a-claim.toml", "this is not toml")
    result = pytester.runpytest("--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    assert ids == ["claims/a.toml::selectivity", "claims/a.toml::ablation", "claims/deep/b.toml::selectivity"]
    result.assert_outcomes()
    # a file named on the command line is collected wherever it lies
    project("elsewhere/c.toml", claim_text())
    assert pytester.runpytest("elsewhere/c.toml", "-q").parseoutcomes() == {"passed": 1}


def test_claims_dirs_ini(pytester, project):
    pytester.makeini("[pytest]\nclaims_dirs = hypotheses\n")
    project("hypotheses/a.toml", claim_text())
    project("claims/b.toml", claim_text())
    result = pytester.runpytest("--collect-only", "-q")
    assert [line for line in result.outlines if "::" in line] == ["hypotheses/a.toml::selectivity"]


def test_k_and_m_select_items(pytester, project):
    project("claims/crossed.toml", claim_text(tags=["sevens"], checks=("selectivity", "ablation")))
    project("claims/other.toml", claim_text(tags=["twos"]))
    assert pytester.runpytest("-k", "ablation").parseoutcomes() == {"passed": 1, "deselected": 2}
    assert pytester.runpytest("-k", "crossed").parseoutcomes() == {"passed": 2, "deselected": 1}
    result = pytester.runpytest("-m", "twos", "--strict-markers", "-v")
    assert result.parseoutcomes() == {"passed": 1, "deselected": 2}
    result.stdout.fnmatch_lines(["claims/other.toml::selectivity PASSED*"])


def test_bad_file_is_one_failing_item_and_the_rest_run(pytester, project):
    project("claims/a-good.toml", claim_text())
    project("claims/b-bad.toml", claim_text().replace("min_auroc = 0.75", "min_auroc = 1.7"))
    project("claims/c-broken.toml", "format = 1\nclaim = \n")
    project("claims/d-good.toml", claim_text())
    result = pytester.runpytest("-rf")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ claims/b-bad.toml ?validate? _*",
            "claims/b-bad.toml:8: [selectivity] min_auroc=1.7 "
            "must lie in (0.5, 1]. Use a value such as 0.75.",
            "*claims/c-broken.toml:2: TOML syntax error*",
            "FAILED claims/b-bad.toml::validate*",
            "FAILED claims/c-broken.toml::validate*",
        ]
    )
    out = result.stdout.str()
    assert "Traceback" not in out and "INTERNALERROR" not in out and "ERROR collecting" not in out


@pytest.mark.parametrize(
    "tags, expect, outcome, words",
    [
        ([], None, "passed", None),
        (["refuted"], None, "failed", "selectivity: REFUTED: the data contradict the claim"),
        (["inconclusive"], None, "failed", "selectivity: INCONCLUSIVE: the data decide neither way"),
        (["refuted"], "refuted", "xfailed", "REFUTED, as the file expects"),
        (
            ["holds"],
            "refuted",
            "failed",
            'the claim now HOLDS, but the file says expect = "refuted" (strict)',
        ),
        (["inconclusive"], "refuted", "failed", 'INCONCLUSIVE, but the file says expect = "refuted"'),
        (["inconclusive"], "inconclusive", "xfailed", "still INCONCLUSIVE"),
        (["holds"], "inconclusive", "failed", "the open question is decided: HOLDS"),
        (["refuted"], "inconclusive", "failed", "the open question is decided: REFUTED"),
    ],
)
def test_outcomes_and_strict_expectations(pytester, project, tags, expect, outcome, words):
    project("claims/a.toml", claim_text(tags=tags, expect=expect))
    result = pytester.runpytest("-rxX")
    result.assert_outcomes(**{outcome: 1})
    if words:
        assert words in result.stdout.str()


def test_table_expect_overrides_the_claims(pytester, project):
    project(
        "claims/a.toml",
        claim_text(
            tags=["refuted"],
            checks=("selectivity", "ablation"),
            expect="refuted",
            table_expect={"ablation": "holds"},
        ),
    )
    result = pytester.runpytest()
    result.assert_outcomes(xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*claims/a.toml::ablation*"])


def test_failure_output(pytester, project):
    project("claims/a.toml", claim_text(tags=["inconclusive"]))
    result = pytester.runpytest("--claims-checkpoint", "model.pt")
    result.stdout.fnmatch_lines(
        [
            "claim: Unit linear-0:58 detects crossed sevens",
            '*(claims/a.toml, line 8; expect = "holds")',
            "selectivity: INCONCLUSIVE: *",
            "selectivity: INCONCLUSIVE (fake rule)",
            "  min_auroc: AUROC(concept vs contrast) = 0.75 CI ?0.7, 0.8? p=*; needs >= 0.75 -> inconclusive",
            "  n: concept=134, contrast=600; confidence 0.99; seed 4242",
            "  to decide: about 900 images per group",
            "  baseline: 99th percentile of untrained units 0.61",
            f"  network: {pytester.path / 'model.pt'}; units: linear-0:58 (site pre); check seed 4242",
            f"rerun: pytest 'claims/a.toml::selectivity' --claims-checkpoint {pytester.path / 'model.pt'}*",
        ]
    )
    assert "Traceback" not in result.stdout.str() and "plugin.py" not in result.stdout.str()


def test_library_error_is_a_clean_failure(pytester, project):
    project("claims/a.toml", claim_text(tags=["error"]))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "selectivity: ERROR: model.pt has no training record. Train it with `lenet train --seed N`.",
            "rerun: pytest 'claims/a.toml::selectivity'*",
        ]
    )
    assert "Traceback" not in result.stdout.str() and "fake_run" not in result.stdout.str()


def test_summary_table_once_with_holm(pytester, project):
    project("claims/a.toml", claim_text(checks=("selectivity", "ablation")))
    project("claims/b.toml", claim_text(tags=["refuted"], expect="refuted"))
    result = pytester.runpytest()
    out = result.stdout.str()
    assert out.count("lenet-claims summary") == 1
    result.stdout.fnmatch_lines(
        [
            "*= lenet-claims summary =*",
            "claim*check*statistic*CI*threshold*outcome*p (Holm)",
            "claims/a.toml*ablation*AUROC(concept vs contrast) = 0.85*?0.8, 0.9?*>= 0.75*holds*",
            "claims/a.toml*selectivity*AUROC*holds*",
            "claims/b.toml*selectivity*AUROC*?0.6, 0.7?*refuted (xfailed)*",
        ]
    )


def _validate(value, schema, where="$"):
    """A small JSON Schema subset (type, const, enum, required, properties, additionalProperties, items)."""
    types = {
        "object": dict,
        "array": list,
        "string": str,
        "boolean": bool,
        "null": type(None),
        "number": (int, float),
        "integer": int,
    }
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            isinstance(value, types[t]) and not (t in ("number", "integer") and isinstance(value, bool))
            for t in allowed
        )
        assert ok, f"{where}: {value!r} is not {allowed}"
    if "const" in schema:
        assert value == schema["const"], where
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        assert not set(schema.get("required", [])) - set(value), (
            f"{where}: missing {set(schema['required']) - set(value)}"
        )
        if schema.get("additionalProperties") is False:
            assert not set(value) - set(schema.get("properties", {})), (
                f"{where}: undocumented {set(value) - set(schema['properties'])}"
            )
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _validate(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _validate(item, schema["items"], f"{where}[{i}]")


def documented_schema() -> dict:
    text = (ROOT / "docs" / "claims-json.md").read_text()
    return json.loads(re.search(r"<!-- schema -->\s*```json\n(.*?)```", text, re.S)[1])


def test_json_output_matches_the_documented_schema(pytester, project, monkeypatch):
    monkeypatch.setenv("LENET_MNIST_ROOT", "/nonexistent")  # provenance still written, with the error
    project("claims/a.toml", claim_text(checks=("selectivity", "ablation")))
    project("claims/b.toml", claim_text(tags=["inconclusive"], expect="inconclusive"))
    project("claims/c.toml", claim_text().replace("min_auroc = 0.75", "min_auroc = 7"))
    project("claims/d.toml", claim_text(tags=["error"]))
    pytester.runpytest("--claims-json", "out/results.json")  # the folder is made (it was a traceback)
    document = json.loads((pytester.path / "out" / "results.json").read_text())
    _validate(document, documented_schema())
    rows = document["results"]
    assert [(r["nodeid"], r["outcome"], r["status"]) for r in rows] == [
        ("claims/a.toml::ablation", "holds", "passed"),
        ("claims/a.toml::selectivity", "holds", "passed"),
        ("claims/b.toml::selectivity", "inconclusive", "xfailed"),
        ("claims/c.toml::validate", "invalid", "failed"),
        ("claims/d.toml::selectivity", "error", "failed"),
    ]
    assert document["counts"] == {"passed": 2, "xfailed": 1, "failed": 2}
    tested = [r for r in rows if r["p"] is not None]
    assert [r["p_holm"] for r in tested] == pytest.approx(holm([r["p"] for r in tested]))
    assert rows[0]["verdict"]["criteria"][0]["threshold"] == 0.75 and rows[0]["checkpoint_sha256"]
    assert "min_auroc=7" in rows[3]["error"] and "training record" in rows[4]["error"]
    assert document["provenance"]["options"]["claims_json"] == str(pytester.path / "out" / "results.json")
    assert "error" in document["provenance"]["data_sha256"] and "torch" in document["provenance"]["versions"]


def test_junit_properties(pytester, project):
    project("claims/a.toml", claim_text(tags=["refuted"]))
    pytester.runpytest("--junitxml", "junit.xml")
    case = ET.parse(pytester.path / "junit.xml").find(".//testcase")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert (
        props["claims_outcome"] == "refuted"
        and props["claims_status"] == "failed"
        and props["claims_threshold"] == "0.75"
    )
    assert json.loads(props["lenet_claims"])["nodeid"] == "claims/a.toml::selectivity"


def test_report_hook_is_left_for_the_report_module(pytester, project):
    project("claims/a.toml", claim_text())
    result = pytester.runpytest("--claims-report", "report.html")
    assert "claims report:" in result.stdout.str()


def test_xdist_gives_the_same_results_and_one_summary(pytester, project):
    for name, tags, expect in [
        ("a", [], None),
        ("b", ["refuted"], "refuted"),
        ("c", ["inconclusive"], None),
        ("d", ["holds"], None),
    ]:
        project(
            f"claims/{name}.toml", claim_text(tags=tags, expect=expect, checks=("selectivity", "ablation"))
        )
    project("claims/e.toml", "format = 3\n")
    serial = pytester.runpytest("--claims-json", "serial.json")
    parallel = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--claims-json", "parallel.json")
    assert parallel.parseoutcomes() == serial.parseoutcomes() == {"passed": 4, "failed": 3, "xfailed": 2}
    assert parallel.stdout.str().count("lenet-claims summary") == 1
    assert "2 workers" in parallel.stdout.str()

    def rows(name):
        return [
            {k: v for k, v in r.items() if k != "checkpoint"}
            for r in json.loads((pytester.path / name).read_text())["results"]
        ]

    assert rows("parallel.json") == rows("serial.json") and len(rows("serial.json")) == 9
