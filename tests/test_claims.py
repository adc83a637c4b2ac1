"""Claim files: loading, defaults, every class of malformed file
(with its line), key lines, outcomes and docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lenet.checks import CHECKS
from lenet.claims import InvalidClaim, load
from lenet.claims.docs import EXAMPLE, markdown
from lenet.claims.lines import KeyLines
from lenet.cli import main
from lenet.run.outcome import item_status

ROOT = Path(__file__).resolve().parent.parent

BASE = """\
format = 1
claim = "Unit linear-0:58 detects crossed sevens"
unit = "linear-0:58"
concept = "seven/crossed"
contrast = "seven/plain"

[selectivity]
min_auroc = 0.75

[ablation]
min_effect = 0.5
"""


def write(tmp_path: Path, text: str | bytes, name: str = "claim.toml") -> Path:
    path = tmp_path / "claims" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_valid_file_loads_with_defaults(tmp_path):
    path = write(
        tmp_path,
        BASE.replace('unit = "linear-0:58"', 'unit = "linear-0-58"')
        + "\n[seeds]\nseeds = [0, 1, 2]\nmin_holding = 2\n",
    )
    claim = load(path, tmp_path)
    assert claim.id == "claims/claim.toml"
    assert (claim.sentence, claim.selector, claim.units, claim.layer) == (
        "Unit linear-0:58 detects crossed sevens",
        "unit",
        "linear-0:58",
        "linear-0",
    )
    assert (claim.seed, claim.confidence, claim.expect, claim.tags, claim.checkpoint) == (
        0,
        0.99,
        "holds",
        (),
        None,
    )
    assert list(claim.checks) == ["selectivity", "ablation"]
    assert claim.checks["selectivity"].params == {"min_auroc": 0.75, "baseline": True}
    ablation = claim.checks["ablation"]
    assert ablation.params == {
        "method": "resample",
        "output": "logit:true",
        "normalise": "raw",
        "min_effect": 0.5,
        "min_layer_percentile": None,
        "max_collateral": None,
    }
    assert isinstance(ablation.params["min_effect"], float) and ablation.line == 10
    assert (claim.seeds.seeds, claim.seeds.min_holding, claim.seeds.line) == ((0, 1, 2), 2, 13)
    assert (
        claim.line("ablation.min_effect") == 11
        and claim.line("ablation.nothing") == 10
        and claim.line("nothing") == 1
    )


def test_selectors_expect_and_checkpoint(tmp_path):
    (tmp_path / "claims" / "models").mkdir(parents=True)
    (tmp_path / "claims" / "models" / "my.pt").write_bytes(b"weights")
    text = BASE.replace(
        'unit = "linear-0:58"',
        'units = ["linear-0:58", "linear-0:28,8"]\ncheckpoint = "models/my.pt"\nexpect = "refuted"',
    )
    claim = load(write(tmp_path, text + 'expect = "holds"\n'), tmp_path)
    assert (claim.selector, claim.units) == ("units", "linear-0:58,28,8")
    assert claim.checkpoint == str((tmp_path / "claims" / "models" / "my.pt").resolve())
    assert (claim.checks["selectivity"].expect, claim.checks["ablation"].expect) == ("refuted", "holds")
    selected = load(
        write(tmp_path, BASE.replace('unit = "linear-0:58"', 'select = { layer = "conv-1", top = 3 }')),
        tmp_path,
    )
    assert (selected.selector, selected.select, selected.layer, selected.units) == (
        "select",
        {"layer": "conv-1", "top": 3, "by": "selectivity"},
        "conv-1",
        None,
    )
    layer = load(
        write(
            tmp_path,
            'format = 1\nclaim = "c"\nlayer = "linear-1"\n[correlation]\n'
            'x = "class-selectivity"\ny = "ablation:7"\nmax_rho = 0.1\n',
        )
    )
    assert (layer.selector, layer.layer, layer.checks["correlation"].params["min_rho"]) == (
        "layer",
        "linear-1",
        None,
    )


def _swap(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


MIN_AUROC = "min_auroc = 0.75"
UNIT = 'unit = "linear-0:58"'
# (id, file text, line of the error, a fragment of that error line)
BAD = [
    ("toml-syntax", _swap(MIN_AUROC, "min_auroc = "), 8, "TOML syntax error"),
    ("toml-duplicate-key", BASE + "min_effect = 0.6\n", 12, "TOML syntax error"),
    ("not-utf8", b'format = 1\nclaim = "\xff\xfe"\n', 1, "cannot read the file"),
    ("format-missing", BASE.replace("format = 1\n", ""), 1, "format is missing"),
    ("format-version", _swap("format = 1", "format = 3"), 1, "format=3 is not supported"),
    (
        "site-in-format-1",
        BASE.replace("format = 1\n", 'format = 1\nsite = "post"\n'),
        2,
        "site is a format-2 key",
    ),
    ("format-string", _swap("format = 1", 'format = "1"'), 1, 'format="1" must be an integer, not a string'),
    (
        "claim-missing",
        _swap('claim = "Unit linear-0:58 detects crossed sevens"\n', ""),
        1,
        "claim is missing",
    ),
    (
        "claim-type",
        _swap('claim = "Unit linear-0:58 detects crossed sevens"', "claim = 3"),
        2,
        "claim=3 must be a str",
    ),
    (
        "unknown-top-key",
        _swap('contrast = "seven/plain"', 'contrast = "seven/plain"\nconfidance = 0.9'),
        6,
        "Did you mean 'confidence'",
    ),
    (
        "check-key-at-top",
        _swap('contrast = "seven/plain"', 'contrast = "seven/plain"\nmin_auroc = 0.9'),
        6,
        "Move it under [selectivity]",
    ),
    ("unknown-check-key", _swap(MIN_AUROC, "min_aurc = 0.75"), 8, "Did you mean 'min_auroc'"),
    ("missing-required", _swap("min_effect = 0.5\n", ""), 10, "[ablation] min_effect is missing"),
    ("wrong-type", _swap(MIN_AUROC, 'min_auroc = "high"'), 8, 'min_auroc="high" must be a float, not str'),
    (
        "bool-for-float",
        _swap("min_effect = 0.5", "min_effect = true"),
        11,
        "min_effect=true must be a float, not bool",
    ),
    (
        "out-of-range",
        _swap(MIN_AUROC, "min_auroc = 1.7"),
        8,
        "min_auroc=1.7 must lie in (0.5, 1]. Use a value such as 0.75.",
    ),
    ("open-bound", _swap(MIN_AUROC, "min_auroc = 0.5"), 8, "must lie in (0.5, 1]"),
    ("below-low", _swap("min_effect = 0.5", "min_effect = -1"), 11, "min_effect=-1 must be >= 0"),
    ("not-finite", _swap("min_effect = 0.5", "min_effect = nan"), 11, "finite"),
    (
        "bad-choice",
        _swap("min_effect = 0.5", 'min_effect = 0.5\nmethod = "drop"'),
        12,
        'method="drop" must be one of "zero", "mean", "resample"',
    ),
    (
        "bad-pattern",
        _swap("min_effect = 0.5", 'min_effect = 0.5\noutput = "logits"'),
        12,
        'output="logits" does not have the expected form',
    ),
    (
        "bad-expect",
        _swap("min_effect = 0.5", 'min_effect = 0.5\nexpect = "maybe"'),
        12,
        '[ablation] expect="maybe" must be one of',
    ),
    ("bad-top-expect", _swap(UNIT, UNIT + '\nexpect = "false"'), 4, 'expect="false" must be one of'),
    (
        "confidence-range",
        _swap(UNIT, UNIT + "\nconfidence = 0.5"),
        4,
        "confidence=0.5 must lie in [0.8, 0.999]",
    ),
    ("negative-seed", _swap(UNIT, UNIT + "\nseed = -1"), 4, "seed=-1 must be >= 0"),
    ("no-selector", _swap(UNIT + "\n", ""), 1, "no unit selector"),
    (
        "two-selectors",
        _swap(UNIT, UNIT + '\nlayer = "linear-0"'),
        4,
        "unit and layer are both unit selectors",
    ),
    ("unknown-layer", _swap(UNIT, 'unit = "linear-9:1"'), 3, "layer 'linear-9'; layers are conv-0"),
    ("unit-out-of-range", _swap(UNIT, 'unit = "linear-0:120"'), 3, "linear-0 has units 0-119"),
    ("unit-syntax", _swap(UNIT, 'unit = "linear0"'), 3, "is not a unit address"),
    ("unit-several", _swap(UNIT, 'unit = "linear-0:1,2"'), 3, "use units ="),
    ("unit-type", _swap(UNIT, "unit = 58"), 3, "unit=58 must be a string"),
    ("units-two-layers", _swap(UNIT, 'units = ["linear-0:1", "linear-1:2"]'), 3, "one layer"),
    (
        "select-range",
        _swap(UNIT, 'select = { layer = "linear-0", top = 0 }'),
        3,
        "select: top=0 must be >= 1",
    ),
    (
        "select-key",
        _swap(UNIT, 'select = { layer = "linear-0", top = 5, bye = "ablation" }'),
        3,
        "Did you mean 'by'",
    ),
    ("select-layer", _swap(UNIT, 'select = { layer = "dense", top = 5 }'), 3, "layer 'dense'"),
    ("select-not-table", _swap(UNIT, 'select = "linear-0"'), 3, "select must be an inline table"),
    (
        "unknown-concept",
        _swap('concept = "seven/crossed"', 'concept = "seven/crosed"'),
        4,
        "Did you mean 'seven/crossed'",
    ),
    ("bad-concept-name", _swap('concept = "seven/crossed"', 'concept = "../etc"'), 4, "is not allowed"),
    (
        "same-contrast",
        _swap('contrast = "seven/plain"', 'contrast = "seven/crossed"'),
        5,
        "is the concept itself",
    ),
    (
        "check-needs-concept",
        _swap('concept = "seven/crossed"\ncontrast = "seven/plain"\n', ""),
        5,
        "[selectivity] needs concept",
    ),
    ("check-needs-units", _swap(UNIT, 'layer = "linear-0"'), 7, "[selectivity] needs units"),
    (
        "unknown-check",
        _swap("[ablation]", "[ablaton]"),
        10,
        "unknown check table [ablaton]. Did you mean 'ablation'?",
    ),
    (
        "check-not-table",
        _swap("[selectivity]\nmin_auroc = 0.75\n", "selectivity = 0.75\n"),
        7,
        "selectivity must be a table",
    ),
    ("no-check-table", BASE.split("[selectivity]")[0], 1, "no check table"),
    ("tags-type", _swap(UNIT, UNIT + '\ntags = "sevens"'), 4, "must be a non-empty list"),
    ("tag-form", _swap(UNIT, UNIT + '\ntags = ["two words"]'), 4, "does not have the expected form"),
    ("tag-reserved", _swap(UNIT, UNIT + '\ntags = ["skip"]'), 4, "is reserved"),
    (
        "checkpoint-missing",
        _swap(UNIT, UNIT + '\ncheckpoint = "nope.pt"'),
        4,
        "checkpoint='nope.pt': no such file",
    ),
    ("seeds-duplicate", BASE + "\n[seeds]\nseeds = [0, 0]\nmin_holding = 1\n", 14, "lists an item twice"),
    (
        "seeds-min-holding",
        BASE + "\n[seeds]\nseeds = [0, 1]\nmin_holding = 3\n",
        15,
        "min_holding=3 exceeds the 2 seeds",
    ),
    ("seeds-missing", BASE + "\n[seeds]\nmin_holding = 1\n", 13, "[seeds] seeds is missing"),
    ("seeds-not-table", _swap(UNIT, UNIT + "\nseeds = [0, 1]"), 4, "seeds must be a table"),
    (
        "class-ablation-no-bound",
        BASE + "\n[class-ablation]\nclass = 7\n",
        13,
        "[class-ablation] has nothing to decide: set at least one of max_accuracy, min_accuracy, "
        "min_other_accuracy (e.g. max_accuracy = 0.5)",
    ),
    (
        "duplicate-table",
        BASE + "\n[selectivity]\nmin_auroc = 0.8\n",
        13,
        "TOML syntax error: Cannot declare `selectivity` twice",
    ),
    (
        "concentration-one-unit",
        BASE + "\n[concentration]\nmax_share = 0.5\n",
        13,
        "[concentration] needs a set of at least 2 units; this claim names 1",
    ),
    (
        "min-above-max",
        _swap(UNIT, 'units = "linear-0:58,28"') + "\n[concentration]\nmax_share = 0.3\nmin_share = 0.5\n",
        15,
        "[concentration] min_share = 0.5 is above max_share = 0.3: no interval can satisfy both",
    ),
    (
        "min-equals-max",
        _swap(UNIT, 'units = "linear-0:58,28"') + "\n[concentration]\nmax_share = 0.5\nmin_share = 0.5\n",
        15,
        "[concentration] min_share = 0.5 is equal to max_share = 0.5",
    ),
    (
        "concentration-whole-layer",
        _swap(UNIT, 'units = "linear-0:*"') + "\n[concentration]\nmax_share = 0.5\n",
        13,
        "[concentration] measures the set's first unit, and `linear-0:*` names the whole layer",
    ),
    (
        "dotted-key",
        _swap('contrast = "seven/plain"', 'contrast = "seven/plain"\nactivation.min_effect = "x"'),
        6,
        '[activation] min_effect="x" must be a float',
    ),
]


@pytest.mark.parametrize("text, line, fragment", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_malformed_file_gives_clean_error_with_line(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(InvalidClaim) as caught:
        load(path, tmp_path)
    message = str(caught.value)
    assert all(re.match(r"claims/claim\.toml:\d+: \S", m) for m in message.splitlines()), message
    assert any(m.startswith(f"claims/claim.toml:{line}: ") and fragment in m for m in message.splitlines()), (
        message
    )
    assert "Traceback" not in message and isinstance(caught.value, ValueError)


def test_error_lines_are_sorted_and_all_reported(tmp_path):
    text = (
        _swap(MIN_AUROC, "min_auroc = 1.7")
        .replace("min_effect = 0.5", "min_effect = -2")
        .replace("format = 1", "format = 1\nfoo = 1")
    )
    with pytest.raises(InvalidClaim) as caught:
        load(write(tmp_path, text), tmp_path)
    assert [line for line, _ in caught.value.problems] == [2, 9, 12]


def test_key_lines():
    text = '''a = 1
"quoted key" = 2
s = """
b = not a key
"""
t = { x = 1, y = { z = 2 } }
[tab]
c.d = 3
  e = 4
[[arr]]
f = 5
'''
    lines = KeyLines(text)
    assert [
        lines.line("a"),
        lines.line("quoted key"),
        lines.line("s"),
        lines.line("t", "x"),
        lines.line("t", "y"),
    ] == [1, 2, 3, 6, 6]
    assert "b" not in {k[0] for k in lines.lines}
    assert [
        lines.line("tab"),
        lines.line("tab", "c", "d"),
        lines.line("tab", "e"),
        lines.line("tab", "missing"),
        lines.line("arr", "f"),
    ] == [7, 8, 9, 7, 11]
    assert lines.line("nowhere") == 1


@pytest.mark.parametrize(
    "outcome, expect, status, words",
    [
        ("holds", "holds", "passed", "HOLDS"),
        ("refuted", "holds", "failed", "REFUTED"),
        ("inconclusive", "holds", "failed", "INCONCLUSIVE"),
        ("refuted", "refuted", "xfailed", "REFUTED, as the file expects"),
        ("holds", "refuted", "failed", "now HOLDS"),
        ("inconclusive", "refuted", "failed", "INCONCLUSIVE"),
        ("inconclusive", "inconclusive", "xfailed", "still INCONCLUSIVE"),
        ("holds", "inconclusive", "failed", "decided: HOLDS"),
        ("refuted", "inconclusive", "failed", "decided: REFUTED"),
    ],
)
def test_item_status(outcome, expect, status, words):
    judgement = item_status(outcome, expect)
    assert judgement.status == status and words in judgement.headline


def test_docs_are_generated_from_the_schema():
    committed = (ROOT / "docs" / "claims.md").read_text()
    assert committed == markdown(), (
        "docs/claims.md is stale: run `python -m lenet.claims.docs > docs/claims.md`"
    )
    for spec in (module.SPEC for module in CHECKS.values()):
        assert f"### `[{spec.name}]`" in committed
        assert all(f"| `{p.name}` |" in committed for p in spec.params)


def test_docs_example_is_a_valid_claim(tmp_path):
    claim = load(write(tmp_path, EXAMPLE), tmp_path)
    assert (
        list(claim.checks) == ["selectivity", "ablation", "activation"]
        and claim.checks["activation"].expect == "inconclusive"
    )


def test_validate_command(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, BASE, "good.toml")
    assert main(["validate"]) == 0
    assert "ok  claims/good.toml  (format 1, site pre; selectivity, ablation)" in capsys.readouterr().out
    write(tmp_path, _swap(MIN_AUROC, "min_auroc = 2"), "bad.toml")
    assert main(["validate", "claims"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0].startswith("claims/bad.toml:8: [selectivity] min_auroc=2 must lie in")
        and err[-1] == "1 valid, 1 invalid"
    )
    assert main(["validate", "claims/good.toml"]) == 0
    assert main(["validate", "nowhere"]) == 1
