"""The HTML report (``lenet.report.html``):
content from a synthetic document, a real claims run, and headless Chromium.

The synthetic document has one row of each kind the report draws (criteria with
CIs and a baseline, an invariance counterexample, a per-seed table, a
layer-level claim, an invalid file, text needing escapes). The real run is a
claim file in a temporary folder run by ``pytest --claims-report`` in a
subprocess, exactly as a user runs it; Chromium then renders that file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from lenet.report import html as report
from lenet.report import unit_pictures
from lenet.report.html import Pictures, render

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Page(HTMLParser):
    """Every element's tag and attributes, and the page's text, from an HTML string."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def having(self, tag: str, cls: str | None = None) -> list[dict]:
        return [
            a for t, a in self.elements if t == tag and (cls is None or cls in (a.get("class") or "").split())
        ]


def criterion(name, statistic, value, low, high, threshold, outcome, p=None, bound="min", note=""):
    return {
        "name": name,
        "statistic": statistic,
        "value": value,
        "low": low,
        "high": high,
        "threshold": threshold,
        "bound": bound,
        "outcome": outcome,
        "p": p,
        "note": note,
    }


def make_row(
    claim_id,
    check,
    outcome,
    status,
    criteria,
    details,
    sentence="Unit linear-0:63 detects crossed sevens",
    **extra,
):
    primary = criteria[0] if criteria else {}
    verdict = (
        {
            "check": check,
            "criteria": criteria,
            "n": {"concept": 134, "contrast": 769},
            "confidence": 0.99,
            "seed": 4242,
            "rule": "a rule",
            "details": details,
            "to_decide": None,
            "outcome": outcome,
        }
        if criteria
        else None
    )
    row = {
        "nodeid": f"{claim_id}::{check}",
        "claim_id": claim_id,
        "check": check,
        "claim": sentence,
        "expect": "holds",
        "outcome": outcome,
        "status": status,
        "headline": outcome.upper(),
        "statistic": primary.get("statistic"),
        "value": primary.get("value"),
        "low": primary.get("low"),
        "high": primary.get("high"),
        "threshold": primary.get("threshold"),
        "bound": primary.get("bound"),
        "p": primary.get("p"),
        "p_holm": primary.get("p"),
        "subject": "lenet-mnist",
        "seed": 0,
        "checkpoint": None,
        "checkpoint_sha256": "ab" * 32,
        "error": None,
        "verdict": verdict,
        "seeds": None,
    }
    return {**row, **extra}


def seed_result(seed, outcome, counterpart, correlation, checks, reason=None):
    """One seed's result as the ``::seeds`` item reports it (lenet/run/seeds.py ``run_seed``)."""
    return {
        "seed": seed,
        "outcome": outcome,
        "units": [counterpart] if counterpart else [],
        "matches": [
            {
                "unit": "linear-0:63",
                "counterpart": counterpart,
                "candidate": counterpart or "linear-0:77",
                "correlation": correlation,
                "rank": 1,
                "of": 120,
                "null_bar": 0.41,
                "reason": reason,
            }
        ],
        "checks": checks,
        "weights_sha256": f"{seed}" * 64,
        "error": None,
        "retrained": None,
    }


PER_SEED = [
    seed_result(
        1,
        "holds",
        "linear-0:12",
        0.9134,
        {
            "selectivity": {
                "outcome": "holds",
                "criteria": [criterion("min_auroc", "AUROC", 0.9412, 0.9103, 0.9655, 0.6, "holds")],
                "n": {"concept": 134, "contrast": 769},
                "to_decide": None,
            },
            "invariance": {"outcome": "not run", "note": "expensive: runs on the claim's own seed only"},
        },
    ),
    seed_result(2, "no-counterpart", None, 0.4021, {}, reason="best candidate below the null bar"),
]
SEEDS = {
    "seeds": [1, 2],
    "min_holding": 2,
    "file": {"seeds": [0, 1, 2, 3, 4], "min_holding": 4},
    "expect": "holds",
    "expensive": False,
    "confidence": 0.99,
    "shard": None,
    "holding": [1],
    "per_seed": PER_SEED,
}  # docs/claims-json.md
UNIT = {"subject": "seed 0", "units": ["linear-0:63"], "layer": "linear-0", "selected": False}


def synthetic_document() -> dict:
    rows = [
        make_row(
            "claims/a.toml",
            "selectivity",
            "inconclusive",
            "xfailed",
            [
                criterion(
                    "min_auroc",
                    "AUROC(concept vs contrast)",
                    0.9372,
                    0.9026,
                    0.9600,
                    0.75,
                    "holds",
                    p=4.15e-59,
                ),
                criterion(
                    "baseline",
                    "AUROC CI vs the 99th percentile",
                    0.9372,
                    0.9026,
                    0.9600,
                    0.9423,
                    "inconclusive",
                ),
            ],
            {**UNIT, "baseline": {"p99": 0.9423, "networks": 200, "kind": "best unit"}},
        ),
        make_row(
            "claims/a.toml",
            "invariance",
            "refuted",
            "failed",
            [
                criterion(
                    "min_auroc",
                    "AUROC under the smallest breaking perturbation (shift (+0, -2) px)",
                    0.837,
                    None,
                    None,
                    0.85,
                    "refuted",
                    note="unperturbed AUROC 0.898",
                )
            ],
            {
                **UNIT,
                "unperturbed_auroc": 0.898,
                "bounds": {"max_shift": 4},
                "counterexample": "shift (+0, -2) px",
                "counterexample_params": {"dx": 0, "dy": -2, "degrees": 0.0, "stroke": 0.0},
                "counterexample_auroc": 0.837,
            },
        ),
        make_row(
            "claims/a.toml",
            "seeds",
            "refuted",
            "failed",
            [
                criterion(
                    "min_holding",
                    "fraction of seeds where every check holds",
                    0.5,
                    0.0025,
                    0.9975,
                    1.0,
                    "refuted",
                )
            ],
            {"units": ["linear-0:12"]},
            checkpoint_sha256=None,
            seeds=SEEDS,
        ),
        make_row(
            "claims/layer.toml",
            "correlation",
            "inconclusive",
            "xfailed",
            [
                criterion(
                    "max_rho",
                    "Spearman rho across units",
                    0.2248,
                    -0.0357,
                    0.4440,
                    0.1,
                    "inconclusive",
                    p=0.99,
                    bound="max",
                )
            ],
            {
                "x": [float(v) for v in np.linspace(0, 1, 120)],
                "y": [0.5] * 120,
                "subject": "seed 0",
                "layer": "linear-0",
            },
            sentence="In linear-0, selectivity does not predict importance",
        ),
        make_row(
            "claims/bad.toml",
            "validate",
            "invalid",
            "failed",
            [],
            {},
            sentence=None,
            error="claims/bad.toml:3: min_auroc=7 must lie in (0.5, 1]. <script>alert(1)</script>",
            headline="INVALID claim file",
        ),
        make_row(
            "claims/esc.toml",
            "selectivity",
            "holds",
            "passed",
            [criterion("min_auroc", "AUROC(concept vs contrast)", 0.99, 0.98, 0.995, 0.9, "holds", p=0.0)],
            {**UNIT, "units": ["linear-0:5"]},
            sentence='Unit <b>5</b> & "friends" detect <img src=x onerror=alert(1)>',
        ),
    ]
    return {
        "schema": "lenet-claims-results/2",
        "created": "2026-11-25T10:00:00+00:00",
        "provenance": {
            "lenet_claims": "0.1.0",
            "versions": {"torch": "2.x"},
            "data_sha256": {"error": "not needed"},
            "git": {"commit": "0123456789abcdef", "dirty": True},
            "options": {},
            "args": ["claims/"],
        },
        "counts": {"passed": 2, "failed": 2, "xfailed": 2},
        "results": rows,
    }


@pytest.fixture(scope="module")
def synthetic():
    document = synthetic_document()
    text = render(document, Pictures(enabled=False))
    return document, text, Page(text)


def assert_self_contained(text: str, page: Page) -> None:
    """No network address anywhere; every src is a data URI, every link an anchor in the page."""
    for needle in ("http://", "https://", 'src="//', 'href="//', "url("):
        assert needle not in text, needle
    ids = {a.get("id") for _, a in page.elements}
    for tag, attrs in page.elements:
        assert not attrs.get("src") or attrs["src"].startswith("data:image/png;base64,"), (tag, attrs)
        assert not attrs.get("href") or attrs["href"].startswith("#"), (tag, attrs)
        assert not attrs.get("href") or attrs["href"][1:] in ids, f"dangling link {attrs['href']}"


def test_the_synthetic_document_follows_the_documented_schema(synthetic):
    """So the rows drawn here are the rows a run writes
    (docs/claims-json.md); the schema test lives in test_plugin.py."""
    from test_plugin import _validate, documented_schema

    _validate(synthetic[0], documented_schema())


def test_one_row_per_claim_and_one_expandable_row_per_check(synthetic):
    document, text, page = synthetic
    claims = page.having("details", "claim")
    assert [c["id"] for c in claims] == [
        "claim-claims-a-toml",
        "claim-claims-layer-toml",
        "claim-claims-bad-toml",
        "claim-claims-esc-toml",
    ]
    assert [c["class"].split()[-1] for c in claims] == [
        "failed",
        "xfailed",
        "failed",
        "passed",
    ]  # worst item's status
    assert [c["id"] for c in page.having("details", "check")] == [
        "check-claims-a-toml-selectivity",
        "check-claims-a-toml-invariance",
        "check-claims-a-toml-seeds",
        "check-claims-layer-toml-correlation",
        "check-claims-bad-toml-validate",
        "check-claims-esc-toml-selectivity",
    ]
    assert len(page.having("table", "summary")) == 1 and text.count("<tr>") > len(document["results"])
    assert_self_contained(text, page)


def test_statistics_cis_thresholds_p_and_baseline(synthetic):
    _, text, _ = synthetic
    assert "AUROC(concept vs contrast) = 0.937 [0.903, 0.96] ≥ 0.75" in text  # the summary line of the check
    assert "<td>[0.903, 0.96]</td><td>≥ 0.942</td>" in text  # the baseline criterion's CI and threshold
    assert "4.15e-59" in text and "Spearman rho across units = 0.225 [-0.0357, 0.444] ≤ 0.1" in text
    assert "99th percentile of the best unit AUROC over 200 untrained networks: 0.942" in text
    assert "concept = 134, contrast = 769" in text and "4242" in text
    assert '<span class="badge inconclusive">inconclusive <small>(xfailed)</small></span>' in text
    assert (
        "120 values, min 0, mean 0.5, max 1" in text
    )  # a layer's per-unit scores are summarised, not listed


def test_invariance_counterexample(synthetic):
    _, text, page = synthetic
    section = text[
        text.index('id="check-claims-a-toml-invariance"') : text.index('id="check-claims-a-toml-seeds"')
    ]
    assert "invariance counterexample" in section and "shift (+0, -2) px" in section
    assert (
        "dx: 0; dy: -2; degrees: 0; stroke: 0" in section
        and "<dd>0.837</dd>" in section
        and "<dd>0.898</dd>" in section
    )
    assert "pictures were not requested" in section  # the picture of it needs the network: off in this report


def test_per_seed_table(synthetic):
    _, text, _ = synthetic
    section = text[
        text.index('id="check-claims-a-toml-seeds"') : text.index('id="check-claims-layer-toml-correlation"')
    ]
    table = section[section.index('<table class="per-seed">') :]
    table = table[: table.index("</table>")]
    assert (
        "<th>seed</th><th>outcome</th><th>units</th><th>matches</th><th>checks</th><th>weights_sha256</th><th>error</th>"
        in table
    )
    first, second = table.split("<tr>")[2:]
    assert first.startswith('<td>1</td><td><span class="badge holds">holds</span></td><td>[linear-0:12]</td>')
    assert "<td>[linear-0:63 → linear-0:12 (r = 0.913)]</td>" in first
    assert (
        'selectivity: <span class="badge holds">holds</span> 0.941 [0.91, 0.966]; invariance: <span '
        'class="badge other">not run</span> (expensive: runs on the claim&#x27;s own seed only)'
    ) in first
    assert second.startswith('<td>2</td><td><span class="badge other">no-counterpart</span></td><td>[]</td>')
    assert "linear-0:63 → no counterpart (r = 0.402): best candidate below the null bar" in second
    assert (
        f'<td><span title="{"1" * 64}">111111111111…</span></td>' in first
    )  # hashes shortened, in full on hover
    assert (
        "<td>seeds</td>" not in section and section.count("no counterpart") == 1
    )  # drawn once, as the table
    assert (
        "<dt>min_holding</dt><dd>2</dd><dt>file</dt><dd>seeds: [0, 1, 2, 3, 4]; min_holding: 4</dd>"
        in section
    )
    assert (
        "<dt>holding</dt><dd>[1]</dd>" in section
        and "fraction of seeds where every check holds = 0.5 [0.0025, 0.998] ≥ 1" in section
    )
    assert (
        'id="unit-claims-a-toml-linear-0-63"' in text and "unit-claims-a-toml-linear-0-12" not in text
    )  # other seeds' units


@pytest.mark.parametrize(
    "where", ["seeds:per_seed", "row:per_seed", "row:seeds", "details:seeds", "details:per_seed"]
)
@pytest.mark.parametrize("shape", ["list", "dict"])
def test_per_seed_results_are_found_in_the_documented_place_and_others(where, shape):
    place, key = where.split(":")
    value = (
        PER_SEED
        if shape == "list"
        else {str(r["seed"]): {k: v for k, v in r.items() if k != "seed"} for r in PER_SEED}
    )
    row = make_row(
        "claims/a.toml",
        "seeds",
        "holds",
        "passed",
        [criterion("m", "s", 1, None, None, 1, "holds")],
        {},
        seeds={},
    )
    {"row": row, "details": row["verdict"]["details"], "seeds": row["seeds"]}[place][key] = value
    found = report.per_seed(row)
    assert [str(r["seed"]) for r in found] == ["1", "2"] and [r["outcome"] for r in found] == [
        "holds",
        "no-counterpart",
    ]
    assert "linear-0:63 → no counterpart" in report.per_seed_html(row)
    assert "no counterpart" not in report.other_details(row)  # not drawn twice


def test_rows_without_per_seed_tables_get_none():
    plan = {
        "seeds": [1, 2, 3],
        "min_holding": 2,
        "file": {"seeds": [1, 2, 3], "min_holding": 2},
        "shard": None,
    }
    row = make_row(
        "claims/a.toml",
        "seeds",
        "holds",
        "passed",
        [criterion("m", "s", 1, None, None, 1, "holds")],
        {"seeds": [1, 2, 3]},
        seeds=plan,
    )
    assert report.per_seed(row) is None and report.per_seed_html(row) == ""
    shown = report.check_html(row, Pictures(enabled=False))  # still shown: nothing is dropped
    assert (
        "<td>seeds</td><td>[1, 2, 3]</td>" in shown
        and "<dt>seeds</dt><dd>[1, 2, 3]</dd><dt>min_holding</dt><dd>2</dd>" in shown
    )


def test_layer_level_claims_have_no_unit_pictures(synthetic):
    _, text, _ = synthetic
    section = text[text.index('id="claim-claims-layer-toml"') : text.index('id="claim-claims-bad-toml"')]
    assert (
        "layer-level claim (linear-0): no single unit, so no unit pictures" in section
        and "<img" not in section
    )


def test_text_is_escaped(synthetic):
    _, text, page = synthetic
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>5</b>" not in text and "Unit &lt;b&gt;5&lt;/b&gt; &amp; &quot;friends&quot;" in text
    assert len(page.having("script")) == 1 and not page.having("b")
    assert "with uncommitted changes" in text and "0123456789ab" in text


def test_write_html_makes_folders_and_says_what_to_do_when_it_cannot(tmp_path):
    from lenet.errors import InvalidConfig

    report.write_html(synthetic_document(), tmp_path / "out" / "r.html", Pictures(enabled=False))
    assert (tmp_path / "out" / "r.html").read_text().startswith("<!DOCTYPE html>")
    (tmp_path / "file").write_text("")
    with pytest.raises(InvalidConfig, match="choose a writable path"):
        report.write_html(synthetic_document(), tmp_path / "file" / "r.html", Pictures(enabled=False))


def test_the_shared_macros_format_as_the_python_rules():
    """shared/macros.html (also drawn by the explorer) formats numbers, CIs, thresholds and outcomes as
    html.py's num, ci_text, limit_text and OUTCOMES do."""
    from lenet.report.templates import macro

    def shared(name, *args):
        return str(macro("shared/macros.html", name)(*args))

    for value in (0.93725, 4.15e-59, 1234, 5, 0, -0.0357, 1e21, float("inf"), True, None, "n/a"):
        assert shared("num", value) == report.num(value), value
    for c in (
        criterion("m", "s", 0.5, 0.0025, 0.9975, 1.0, "holds"),
        criterion("m", "s", 1, None, None, None, "x"),
    ):
        for bound in ("min", "max"):
            c = {**c, "bound": bound}
            assert (shared("ci", c), shared("limit", c)) == (report.ci_text(c), report.limit_text(c))
    for outcome in (*report.OUTCOMES, "not run", None):
        expected = outcome if outcome in report.OUTCOMES else "other"
        assert shared("badge", outcome).startswith(f'<span class="badge {expected}">'), outcome


# --- real pictures and a real run ---------------------------------------------------------------------------


@pytest.mark.slow
def test_unit_values_and_movie_frames_match_the_record(mnist_root):
    from lenet.lenet_mnist.activations import unit_values
    from lenet.lenet_mnist.data import Split, load_split
    from lenet.lenet_mnist.subject import LenetMnist

    data = unit_pictures.load(0, None, "linear-0:63")
    split = load_split("train")
    first = Split("train", split.images[: unit_pictures.IMAGES], split.labels[: unit_pictures.IMAGES])
    np.testing.assert_allclose(
        data.values, unit_values(LenetMnist.load(0).model, first, "linear-0")[:, 63], rtol=1e-5, atol=1e-5
    )
    conv = unit_pictures.load(0, None, "conv-1:3")  # a conv channel: the spatial mean of its map
    np.testing.assert_allclose(
        conv.values, unit_values(LenetMnist.load(0).model, first, "conv-1")[:, 3], rtol=1e-5, atol=1e-5
    )
    record = LenetMnist.load(0).record()
    frames = unit_pictures.movie(data, max_frames=7)
    keep = np.round(np.linspace(0, record.frames - 1, 7)).astype(int)
    assert [s for s, _ in frames] == [
        f"epoch {record.epoch[i]:.2f}, step {int(record.step[i])}" for i in keep
    ]
    assert keep[0] == 0 and keep[-1] == record.frames - 1
    assert len(unit_pictures.movie(data)) == min(record.frames, unit_pictures.MAX_FRAMES)
    assert "covers linear-0, linear-1 only" in unit_pictures.movie(conv)
    assert unit_pictures.load(0, None, "linear-0:63", weights_sha256="0" * 64).endswith("no pictures")


@pytest.mark.slow
def test_a_checkpoint_without_training_record_gets_pictures_and_a_message(mnist_root, tmp_path):
    checkpoint = tmp_path / "mine.pt"
    shutil.copy(ROOT / "lenet" / "lenet_mnist" / "fixtures" / "checkpoints" / "seed-0.pt", checkpoint)
    row = make_row(
        "claims/mine.toml",
        "selectivity",
        "holds",
        "passed",
        [criterion("min_auroc", "AUROC(concept vs contrast)", 0.89, 0.85, 0.92, 0.6, "holds", p=1e-40)],
        {**UNIT, "subject": str(checkpoint)},
        checkpoint=str(checkpoint),
    )
    text = render({"results": [row], "counts": {"passed": 1}})
    section = text[text.index('<section class="unit">') :]
    assert (
        "has no training record" in section
        and "training movie:" in section
        and 'class="movie"' not in section
    )
    assert Page(section).having("figure", "means") and Page(section).having("figure", "top-activating")


@pytest.mark.slow
def test_a_unit_shared_by_claims_is_drawn_once(mnist_root):
    rows = [
        make_row(
            f"claims/{name}.toml",
            "selectivity",
            "holds",
            "passed",
            [criterion("min_auroc", "AUROC(concept vs contrast)", 0.89, 0.85, 0.92, 0.6, "holds", p=1e-40)],
            dict(UNIT),
        )
        for name in ("first", "second")
    ]
    page = Page(render({"results": rows, "counts": {"passed": 2}}))
    assert len(page.having("div", "movie")) == 1 and len(page.having("figure", "means")) == 1
    assert [a["href"] for a in page.having("a") if a["href"].startswith("#unit-")][
        -1
    ] == "#unit-claims-first-toml-linear-0-63"


CLAIM = """format = 1
claim = "Unit linear-0:63 fires more on crossed sevens than on plain ones"
unit = "linear-0:63"
concept = "seven/crossed"
contrast = "seven/plain"

[selectivity]
min_auroc = 0.6

[invariance]
min_auroc = 0.95
max_shift = 4
max_rotation = 30
examples = 15
images = 100
"""


@pytest.fixture(scope="module")
def real_run(tmp_path_factory, mnist_root):
    """A claim file run by ``pytest --claims-report --claims-json`` in a subprocess:
    (results document, report text, path)."""
    folder = tmp_path_factory.mktemp("run")
    (folder / "claims").mkdir()
    (folder / "claims" / "u63.toml").write_text(CLAIM)
    env = {**os.environ, "LENET_MNIST_ROOT": mnist_root}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "claims/",
            "-p",
            "no:cacheprovider",
            "--claims-report",
            "out/report.html",
            "--claims-json",
            "results.json",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert f"claims report: {folder / 'out' / 'report.html'}" in done.stdout, done.stdout + done.stderr
    return (
        json.loads((folder / "results.json").read_text()),
        (folder / "out" / "report.html").read_text(),
        folder / "out" / "report.html",
    )


@pytest.mark.slow
def test_report_of_a_real_run(real_run):
    document, text, _ = real_run
    page = Page(text)
    rows = {r["check"]: r for r in document["results"]}
    assert (
        rows["selectivity"]["outcome"] == "holds" and rows["invariance"]["outcome"] == "refuted"
    )  # as in development runs
    assert [c["id"] for c in page.having("details", "claim")] == ["claim-claims-u63-toml"]
    sel = rows["selectivity"]
    assert report.statistic_text(sel) in text and f"[{sel['low']:.3g}, {sel['high']:.3g}]" in text
    assert f"untrained networks: {sel['verdict']['details']['baseline']['p99']:.3g}" in text
    details = rows["invariance"]["verdict"]["details"]
    assert details["counterexample"] in text and len(page.having("figure", "counterexample")) == 1
    assert (
        len(page.having("div", "movie")) == 1 and len(page.having("img")) == 4 + 1 + unit_pictures.MAX_FRAMES
    )  # unit, counterexample, movie
    assert page.having("input")[0]["max"] == str(unit_pictures.MAX_FRAMES - 1)
    assert_self_contained(text, page)


@pytest.mark.slow
def test_chromium_renders_the_report(real_run, tmp_path):
    """Headless Chromium: the DOM after scripts ran holds the claims and outcomes;
    the screenshot is not blank."""
    from PIL import Image

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail(
            "chromium is not installed: install it with `sudo apt-get install -y chromium` (Debian/Ubuntu); "
            ".ci/run installs it when missing.",
            pytrace=False,
        )
    _, _, path = real_run
    url = path.as_uri() + "#claim-claims-u63-toml"  # the hash opens the claim (inline script)

    def chromium_run(*args: str) -> subprocess.CompletedProcess:
        profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
        return subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=60,
        )

    dom = chromium_run("--dump-dom").stdout
    assert "claims/u63.toml" in dom and 'class="badge holds"' in dom and 'class="badge refuted"' in dom
    assert f"frame 1/{unit_pictures.MAX_FRAMES}: epoch" in dom  # written by the movie's script: it ran
    assert '<details class="claim failed" id="claim-claims-u63-toml" open="">' in dom  # opened by the hash
    shot = tmp_path / "shot.png"
    done = chromium_run("--screenshot=" + str(shot), "--window-size=1200,2000")
    assert shot.is_file(), done.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    assert (
        pixels.shape == (2000, 1200) and pixels.std() > 20 and (pixels < 128).mean() > 0.01
    )  # text and pictures, not blank
