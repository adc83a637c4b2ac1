"""Fuzzing claim files: hundreds of malformed files, one pytest run,
each a clean ``file:line`` error; a valid file still runs.

Hypothesis (derandomized, so the files are the same on every run) mutates a
valid claim: drops, renames and retypes keys, puts numbers out of range, names
unknown units, layers, concepts and checks, changes the format version, adds a
second selector, and breaks the TOML itself. The files are collected in one
in-process pytest run (one run per file would take minutes).
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lenet.claims import InvalidClaim, load

# (table, key, TOML value): the valid claim every mutation starts from
BASE = [
    ("", "format", "1"),
    ("", "claim", '"Unit linear-0:58 detects crossed sevens"'),
    ("", "unit", '"linear-0:58"'),
    ("", "concept", '"seven/crossed"'),
    ("", "contrast", '"seven/plain"'),
    ("", "tags", '["sevens"]'),
    ("", "confidence", "0.99"),
    ("selectivity", "min_auroc", "0.75"),
    ("ablation", "method", '"resample"'),
    ("ablation", "output", '"logit:true"'),
    ("ablation", "min_effect", "0.5"),
    ("seeds", "seeds", "[0, 1, 2]"),
    ("seeds", "min_holding", "2"),
]
REQUIRED = {
    "format",
    "claim",
    "unit",
    "concept",
    "contrast",
    "min_auroc",
    "min_effect",
    "seeds",
    "min_holding",
}
WRONG_TYPES = {  # values of another type than the key takes
    "format": ['"1"', "1.0", "true"],
    "claim": ["3", "[]", "{ a = 1 }"],
    "unit": ["58", "true", "{ layer = 1 }"],
    "concept": ["7", "false"],
    "contrast": ["[1]", "0.5"],
    "tags": ['"sevens"', "[1, 2]", "[]"],
    "confidence": ['"high"', "true"],
    "min_auroc": ['"0.9"', "true", "[0.9]"],
    "method": ["1", '"drop"'],
    "output": ['"logits"', "7"],
    "min_effect": ['"big"', "false"],
    "seeds": ["3", "[]", '["a"]', "[0, 0]"],
    "min_holding": ["2.5", '"two"'],
}
OUT_OF_RANGE = {
    "format": ["0", "2", "-1", "99"],
    "confidence": ["0.5", "1.0", "0.9999", "-3", "inf", "nan"],
    "min_auroc": ["0.5", "1.2", "0", "-0.7"],
    "min_effect": ["-0.1", "-1e9"],
    "min_holding": ["0", "4", "100"],
    "seeds": ["[-1, 2]"],
}
TOML_SYMBOLS = list("=[]{}\"'#,.\\\n") + ["[[", '"""', "= =", "\x00", "ä"]

unit_text = st.one_of(
    st.sampled_from(
        [
            "linear-9:1",
            "linear-0:120",
            "conv-0:6",
            "linear-0",
            "linear0:5",
            "linear-0:",
            ":5",
            "linear-0:1,linear-1:2",
            "linear-0:-1",
            "linear-0:*:1",
            "dense-1:3",
            "linear-2:10",
            " ",
            "",
        ]
    ),
    st.text(alphabet="linear-0123456789:,*", min_size=1, max_size=12).filter(
        lambda s: not re.fullmatch(r"linear-[0-2][:-]\d{1,2}", s)
    ),
)
concept_text = st.one_of(
    st.sampled_from(["seven/crosed", "digit/10", "../etc", "/abs", "seven/", "", "Seven/Crossed"]),
    st.text(alphabet="abcdefghij/._-", min_size=1, max_size=10),
)


def render(entries) -> str:
    tables: dict[str, list[str]] = {}
    for table, key, value in entries:
        tables.setdefault(table, []).append(f"{key} = {value}")
    out = tables.pop("", [])
    for table, lines in tables.items():
        out += ["", f"[{table}]", *lines]
    return "\n".join(out) + "\n"


@st.composite
def mutation(draw):
    """One structural mutation of BASE -> (entries, description)."""
    entries = list(BASE)
    index = draw(st.integers(0, len(entries) - 1))
    table, key, value = entries[index]
    kind = draw(
        st.sampled_from(
            ["drop", "rename", "retype", "range", "unit", "concept", "table", "format", "selector", "extra"]
        )
    )
    if kind == "drop":
        key = draw(st.sampled_from(sorted(REQUIRED)))
        entries = [e for e in entries if e[1] != key]
    elif kind == "rename":
        new = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=12))
        known = {
            "format",
            "claim",
            "unit",
            "units",
            "select",
            "layer",
            "seed",
            "checkpoint",
            "concept",
            "contrast",
            "tags",
            "confidence",
            "expect",
            "discovered",
            "min_auroc",
            "baseline",
            "method",
            "output",
            "min_effect",
            "min_layer_percentile",
            "max_collateral",
            "seeds",
            "min_holding",
        }
        new = new if new not in known and new not in {e[1] for e in entries} else new + "_x"
        entries[index] = (table, new, value)
    elif kind == "retype":
        key = draw(st.sampled_from(sorted(WRONG_TYPES)))
        entries = [(t, k, draw(st.sampled_from(WRONG_TYPES[k])) if k == key else v) for t, k, v in entries]
    elif kind == "range":
        key = draw(st.sampled_from(sorted(OUT_OF_RANGE)))
        entries = [(t, k, draw(st.sampled_from(OUT_OF_RANGE[k])) if k == key else v) for t, k, v in entries]
    elif kind == "unit":
        entries = [(t, k, json.dumps(draw(unit_text)) if k == "unit" else v) for t, k, v in entries]
    elif kind == "concept":
        which = draw(st.sampled_from(["concept", "contrast"]))
        entries = [(t, k, json.dumps(draw(concept_text)) if k == which else v) for t, k, v in entries]
    elif kind == "table":
        name = draw(
            st.sampled_from(
                ["ablaton", "selectivty", "Selectivity", "seed", "checks", "activations", "claim"]
            )
        )
        entries = [
            (name if t == draw(st.sampled_from(["selectivity", "ablation"])) else t, k, v)
            for t, k, v in entries
        ]
    elif kind == "format":
        entries[0] = ("", "format", str(draw(st.integers(-5, 50).filter(lambda n: n != 1))))
    elif kind == "selector":
        extra = draw(
            st.sampled_from(
                [
                    ("units", '"linear-0:1,2"'),
                    ("layer", '"linear-0"'),
                    ("select", '{ layer = "linear-0", top = 2 }'),
                ]
            )
        )
        entries.insert(3, ("", *extra))
    else:  # a key that belongs elsewhere, or a check table asking for more than the claim gives
        entries.append(
            draw(
                st.sampled_from(
                    [
                        ("", "min_auroc", "0.8"),
                        ("ablation", "min_auroc", "0.8"),
                        ("seeds", "top", "3"),
                        ("selectivity", "class", "7"),
                        ("training", "gradient", '"sideways"'),
                    ]
                )
            )
        )
    return entries


@st.composite
def malformed(draw) -> str:
    text = render(draw(mutation()))
    if draw(st.booleans()):
        text = render(draw(mutation())) if draw(st.booleans()) else text
    if draw(st.integers(0, 3)) == 0:  # break the TOML itself
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(TOML_SYMBOLS)) + text[at:]
    return text


FAKE = """
import lenet.run.dispatch
from lenet.stats.verdict import Criterion, Verdict

_real = lenet.run.dispatch.run


def fake_run(claim, check, checkpoint=None, seed=None):
    crit = Criterion(name="min_auroc", statistic="AUROC", value=0.9, low=0.85, high=0.95, threshold=0.75,
                     bound="min", outcome="holds", p=0.001)
    return Verdict(check, [crit], {"concept": 10}, 0.99, 1, "fake")


def pytest_configure(config):
    lenet.run.dispatch.run = fake_run


def pytest_unconfigure(config):
    lenet.run.dispatch.run = _real
"""


def test_malformed_claim_files_fail_cleanly_and_valid_ones_still_run(pytester):
    texts: list[str] = []

    @settings(
        max_examples=1500,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(malformed())
    def generate(text):
        texts.append(text)

    generate()
    folder = pytester.path / "claims" / "fuzz"
    folder.mkdir(parents=True)
    bad: dict[str, str] = {}
    for text in dict.fromkeys(texts):  # distinct, in generation order
        path = folder / f"f{len(bad):04d}.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load(path, pytester.path)
        except InvalidClaim:
            bad[path.relative_to(pytester.path).as_posix()] = text
        except Exception:  # a crash is kept: the run below must show it as a failure of this test
            bad[path.relative_to(pytester.path).as_posix()] = text
        else:
            path.unlink()  # a mutation that happens to stay valid is not a malformed file
    assert len(bad) >= 500, (
        f"only {len(bad)} distinct malformed files of {len(texts)} generated ({len(set(texts))} distinct)"
    )
    (pytester.path / "claims" / "valid.toml").write_text(render(BASE))
    pytester.makeconftest(FAKE)

    result = pytester.runpytest("-q", "--claims-json", "results.json", "-p", "no:cacheprovider")
    out = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in out and "Traceback" not in out and "ERROR collecting" not in out
    rows = {r["nodeid"]: r for r in json.loads((pytester.path / "results.json").read_text())["results"]}
    assert all(
        rows[f"claims/valid.toml::{item}"]["status"] == "passed"
        for item in ("selectivity", "ablation", "seeds")
    )
    assert result.parseoutcomes() == {"passed": 3, "failed": len(bad)}
    for name, text in bad.items():
        row = rows[f"{name}::validate"]
        assert row["outcome"] == "invalid", (name, text)
        for line in row["error"].splitlines():
            found = re.fullmatch(rf"{re.escape(name)}:(\d+): (\S.*)", line)
            assert found, (name, text, row["error"])
            assert 1 <= int(found[1]) <= text.count("\n") + 1, (name, text, line)
