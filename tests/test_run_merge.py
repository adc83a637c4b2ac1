"""The ``::seeds`` item through the plugin, shards and ``lenet merge``:
a sharded run merges into the rows and exit status of one run.

A fake ``lenet.run.dispatch.run`` (installed by a generated conftest.py) gives each
(claim file, check, seed) a fixed outcome, so these tests exercise the seeds
glue, not the checks; networks are the committed reference seeds 0-4 (their
weights' hashes go into the per-seed rows).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_plugin import _validate, documented_schema

from lenet.cli import main

FAKE = """
import lenet.run.dispatch
from lenet.errors import MissingRecord
from lenet.stats.verdict import Criterion, Verdict

OUTCOMES = {  # (claim file stem, check, seed) -> outcome; everything else holds
    ("b", "ablation", 2): "refuted", ("b", "selectivity", 4): "inconclusive",
    ("c", "ablation", 0): "refuted", ("c", "ablation", 1): "refuted",
}


def fake_run(claim, check, checkpoint=None, seed=None):
    seed = claim.seed if seed is None else seed
    if "error" in claim.tags and seed == 3:
        raise MissingRecord("seed 3 has no training record. Train it with `lenet train --seed 3`.")
    outcome = OUTCOMES.get((claim.path.stem, check, seed), "holds")
    low, high = {"holds": (0.8, 0.9), "refuted": (0.6, 0.7), "inconclusive": (0.7, 0.8)}[outcome]
    crit = Criterion(name="min_auroc", statistic="AUROC(concept vs contrast)",
                     value=(low + high) / 2 + seed / 1000, low=low, high=high, threshold=0.75, bound="min",
                     outcome=outcome, p=0.001 * (1 + seed))
    return Verdict(check, [crit], {"concept": 134, "contrast": 600}, claim.confidence, 4242, "fake rule",
                   {"units": [f"linear-0:{10 + seed}"], "subject": f"seed {seed}"})


# (module, attribute, name of the fake here), restored afterwards
PATCHES = [(lenet.run.dispatch, "run", "fake_run")]
_saved = []


def pytest_configure(config):
    for module, name, fake in PATCHES:
        _saved.append((module, name, getattr(module, name)))
        setattr(module, name, globals()[fake])


def pytest_unconfigure(config):
    while _saved:
        module, name, real = _saved.pop()
        setattr(module, name, real)
"""


def claim_text(
    seeds="[0, 1, 2, 3, 4]", least=4, seeds_extra="", top="", ablation_extra="", table=True
) -> str:
    text = (
        f'format = 1\nclaim = "The linear-0 unit most selective for ones detects ones"\n{top}'
        'select = { layer = "linear-0", top = 1 }\nconcept = "digit/1"\ncontrast = "digit/7"\n\n'
        f"[selectivity]\nmin_auroc = 0.75\n\n[ablation]\nmin_effect = 0.5\n{ablation_extra}"
    )
    return text + (f"\n[seeds]\nseeds = {seeds}\nmin_holding = {least}\n{seeds_extra}" if table else "")


# a holds on every seed; b holds on 3 of 5 (one refuted, one inconclusive); c is expected to fail across seeds
CLAIMS = {
    "a": claim_text(),
    "b": claim_text(),
    "c": claim_text(seeds_extra='expect = "refuted"\n', ablation_extra='expect = "refuted"\n'),
}


@pytest.fixture
def project(pytester, monkeypatch, tmp_path):
    monkeypatch.setenv("LENET_CACHE_DIR", str(tmp_path / "cache"))
    pytester.makeconftest(FAKE)
    pytester.makepyprojecttoml('[project]\nname = "x"\n')

    def add(names=CLAIMS, **texts):
        for name, text in {**{n: CLAIMS[n] for n in names}, **texts}.items():
            path = pytester.path / "claims" / f"{name}.toml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    return add


def document(pytester, name: str) -> dict:
    found = json.loads((pytester.path / name).read_text())
    _validate(found, documented_schema())
    return found


def rows(found: dict) -> dict:
    return {r["nodeid"]: r for r in found["results"]}


def test_seeds_item_reports_k_of_n_with_the_per_seed_table(pytester, project):
    project()
    result = pytester.runpytest("--claims-json", "run.json", "-rfx")
    assert result.parseoutcomes() == {"passed": 6, "failed": 1, "xfailed": 2}
    found = rows(document(pytester, "run.json"))
    a, b, c = (found[f"claims/{n}.toml::seeds"] for n in "abc")
    assert (a["outcome"], a["status"], a["seeds"]["holding"]) == ("holds", "passed", [0, 1, 2, 3, 4])
    assert (b["outcome"], b["status"], b["seeds"]["holding"]) == ("inconclusive", "failed", [0, 1, 3])
    assert (c["outcome"], c["status"], c["seeds"]["holding"]) == ("refuted", "xfailed", [2, 3, 4])
    assert [r["outcome"] for r in b["seeds"]["per_seed"]] == [
        "holds",
        "holds",
        "refuted",
        "holds",
        "inconclusive",
    ]
    per_seed = b["seeds"]["per_seed"][2]
    assert per_seed["units"] == ["linear-0:12"] and per_seed["checks"]["ablation"]["outcome"] == "refuted"
    assert per_seed["checks"]["ablation"]["criteria"][0]["value"] == pytest.approx(0.652)
    assert len({r["weights_sha256"] for r in b["seeds"]["per_seed"]}) == 5  # five different networks
    assert (b["value"], b["threshold"], b["bound"]) == (0.6, 0.8, "min") and b["low"] < 0.6 < b["high"]
    assert b["verdict"]["criteria"][0]["name"] == "min_holding" and b["verdict"]["to_decide"].startswith(
        "1 more"
    )
    out = result.stdout.str()
    assert (
        "holds on 3 of 5 seeds (needs 4; 99% CI of the fraction [0.08, 0.98]); inconclusive on seed 4" in out
    )
    assert "claims/b.toml [seeds]" in out and "seeds 0, 1, 2, 3, 4 from [seeds]; min_holding = 4" in out
    assert out.count("seed  claim") >= 3  # per-seed tables: in the failure and in the summary, one per claim
    assert "rerun: pytest 'claims/b.toml::seeds'" in out


def test_claims_seeds_replaces_the_list_and_scales_min_holding(pytester, project):
    project(("a", "b"), d=claim_text(table=False))
    result = pytester.runpytest("--claims-seeds", "0-2", "--claims-json", "run.json")
    found = rows(document(pytester, "run.json"))
    b = found["claims/b.toml::seeds"]
    assert (b["seeds"]["seeds"], b["seeds"]["min_holding"], b["seeds"]["file"]) == (
        [0, 1, 2],
        3,
        {"seeds": [0, 1, 2, 3, 4], "min_holding": 4},
    )
    assert (b["outcome"], b["seeds"]["holding"]) == (
        "refuted",
        [0, 1],
    )  # 2 of 3: 3 needed (4 of 5 scaled, rounded up)
    out = result.stdout.str()
    assert "from --claims-seeds; min_holding = 3 (scaled from the file's 4 of 5)" in out
    rerun = next(line for line in out.splitlines() if line.startswith("rerun: "))
    assert rerun.startswith("rerun: pytest 'claims/b.toml::seeds'") and rerun.endswith(" --claims-seeds 0-2")
    assert "1 claim(s) have no [seeds] table and ran on their own seed only (claims/d.toml)" in out
    assert "claims/d.toml::seeds" not in found


@pytest.mark.parametrize("names, status", [(("a", "b", "c"), 1), (("a", "c"), 0)])
def test_shards_merge_into_the_rows_and_exit_status_of_one_run(pytester, project, names, status, capsys):
    project(names)
    full = pytester.runpytest("--claims-json", "full.json")
    assert full.ret == status
    shards = []
    for k in (1, 2, 3):
        shard = pytester.runpytest("--claims-shard", f"{k}/3", "--claims-json", f"shard-{k}.json")
        assert shard.ret == 0  # a shard cannot decide; it fails only on errors
        shards.append(document(pytester, f"shard-{k}.json"))
    assert [r["nodeid"].split("::")[1] for r in shards[1]["results"]] == ["seeds"] * len(
        names
    )  # check items: shard 1 only
    part = rows(shards[1])["claims/a.toml::seeds"]
    assert (part["outcome"], part["seeds"]["shard"], [r["seed"] for r in part["seeds"]["per_seed"]]) == (
        "partial",
        {"index": 2, "count": 3, "seeds": [1, 4]},
        [1, 4],
    )
    capsys.readouterr()
    files = [str(pytester.path / f"shard-{k}.json") for k in (3, 1, 2)]  # any order
    assert main(["merge", *files, "--json", str(pytester.path / "merged.json")]) == status
    printed = capsys.readouterr().out
    merged, single = document(pytester, "merged.json"), document(pytester, "full.json")
    assert merged["results"] == single["results"]
    assert (
        merged["counts"] == single["counts"] and [s["file"] for s in merged["provenance"]["shards"]] == files
    )
    assert "holds on 5 of 5 seeds" in printed and "merged 3 file(s)" in printed


def test_merge_refuses_what_is_not_one_run(pytester, project, capsys):
    project(("a",))
    for k in (1, 2):
        pytester.runpytest("--claims-shard", f"{k}/2", "--claims-json", f"two-{k}.json")
    pytester.runpytest("--claims-shard", "2/2", "--claims-seeds", "0-3", "--claims-json", "other.json")
    pytester.runpytest("--claims-json", "full.json")
    path = str(pytester.path)
    cases = [
        ([f"{path}/two-1.json"], "shard 2/2 missing (have 1/2); pass every shard's JSON"),
        ([f"{path}/two-1.json", f"{path}/other.json"], "other.json has seeds=[0, 1, 2, 3]"),
        (
            [f"{path}/two-1.json", f"{path}/two-2.json", f"{path}/full.json"],
            "merge either shards or one full run",
        ),
        ([f"{path}/conftest.py"], "cannot read it as JSON"),
    ]
    for files, message in cases:
        capsys.readouterr()
        assert main(["merge", *files]) == 2, files
        assert message in capsys.readouterr().err
    (pytester.path / "stale.json").write_text(
        json.dumps(
            {
                **document(pytester, "two-2.json"),
                "provenance": {
                    **document(pytester, "two-2.json")["provenance"],
                    "git": {"commit": "f" * 40, "dirty": False},
                },
            }
        )
    )
    assert main(["merge", f"{path}/two-1.json", f"{path}/stale.json"]) == 2
    assert "different commits" in capsys.readouterr().err
    old = document(pytester, "two-2.json")  # written before per-seed confidence: its seeds ran at 0.99
    for row in old["results"]:
        if row.get("seeds"):
            del row["seeds"]["seed_confidence"]
    (pytester.path / "old.json").write_text(json.dumps(old))
    assert main(["merge", f"{path}/two-1.json", f"{path}/old.json"]) == 2
    assert "without per-seed confidence" in capsys.readouterr().err
    assert main(["merge", f"{path}/full.json"]) == 0  # one full run merges into itself


def test_xdist_gives_the_same_seeds_rows_and_retrains_each_seed_once(pytester, project):
    project()
    log = fake_retraining(pytester, mismatch=-1)  # every seed reproduces
    serial = pytester.runpytest("--claims-retrain", "--claims-json", "serial.json")
    log.unlink()
    parallel = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--claims-retrain", "--claims-json", "parallel.json"
    )
    assert parallel.parseoutcomes() == serial.parseoutcomes() == {"passed": 6, "failed": 1, "xfailed": 2}
    assert document(pytester, "parallel.json")["results"] == document(pytester, "serial.json")["results"]
    assert log.read_text().split() == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]  # three claims on two workers: each seed once,
    assert (
        "lenet-claims: retrained seed 4: identical to the committed reference" in parallel.stderr.str()
    )  # by the controller
    assert not list(
        (Path(os.environ["LENET_CACHE_DIR"]) / "retrain").glob("*/*.json")
    )  # the run's markers are removed


def test_a_seed_that_errors_fails_the_item_and_is_named(pytester, project):
    project((), e=claim_text(top='tags = ["error"]\n'))
    result = pytester.runpytest("--claims-json", "run.json")
    row = rows(document(pytester, "run.json"))["claims/e.toml::seeds"]
    assert (row["outcome"], row["status"], row["seeds"]["per_seed"][3]["outcome"]) == (
        "error",
        "failed",
        "error",
    )
    assert row["error"] == "seed 3: seed 3 has no training record. Train it with `lenet train --seed 3`."
    assert "ERROR: holds on 4 of 5 seeds" in result.stdout.str() and "ERROR on seed 3" in result.stdout.str()


RETRAIN = '''
import lenet.run.seeds
import lenet.versions
from pathlib import Path


def fake_retrain(seed, progress=True):
    """Records the call; weights identical to the reference except for seed MISMATCH (same machine kind)."""
    with open(Path(__file__).parent / "retrained.txt", "a") as log:
        log.write(f"{seed}\\n")
    kind = lenet.versions.versions()  # the whole machine kind, CPU and instruction set included
    return lenet.run.seeds.Retrained(seed, f"{seed:064d}", f"{seed + (seed == MISMATCH):064d}", kind, kind)


PATCHES.append((lenet.run.seeds, "retrain", "fake_retrain"))
'''


def fake_retraining(pytester, mismatch: int) -> Path:
    """Appends RETRAIN to the root conftest
    (which the xdist controller loads too); returns the log of retrained seeds."""
    with open(pytester.path / "conftest.py", "a") as conftest:
        conftest.write(RETRAIN.replace("MISMATCH", str(mismatch)))
    return pytester.path / "retrained.txt"


def test_claims_retrain_retrains_each_seed_once_and_fails_a_mismatch(pytester, project):
    project(("a", "c"))
    log = fake_retraining(pytester, mismatch=1)  # seed 1 differs
    result = pytester.runpytest("--claims-retrain", "--claims-json", "run.json")
    assert log.read_text().split() == ["0", "1", "2", "3", "4"]  # once per seed, not per claim
    found = rows(document(pytester, "run.json"))
    for name in "ac":
        row = found[f"claims/{name}.toml::seeds"]
        assert (row["outcome"], row["status"]) == ("error", "failed")
        assert "retrained seed 1 has weights" in row["error"] and "not reproducible" in row["error"]
        assert row["seeds"]["per_seed"][0]["retrained"]["identical"] is True
    assert "lenet-claims: retrained seed 0: identical to the committed reference" in result.stderr.str()
    assert "--claims-retrain" in result.stdout.str()  # in the rerun command


PROGRESS = '''
import sys
import lenet.lenet_mnist.cache
import lenet.lenet_mnist.reference

_real_checkpoint = lenet.lenet_mnist.cache.checkpoint


def fake_checkpoint(seed, *args, **kwargs):
    """Seeds beyond the references 'train' at once (as reference seed 0), drawing a progress line."""
    if seed < 5:
        return _real_checkpoint(seed, *args, **kwargs)
    print(f"train seed {seed} [####################] 100% (stand-in for a minute of training)",
          file=sys.stderr, flush=True)
    found = lenet.lenet_mnist.reference.load(0)
    found.meta["source"] = "trained"
    return found


lenet.lenet_mnist.cache.checkpoint = fake_checkpoint
'''


def test_seeds_beyond_the_references_are_trained_first_with_progress_shown(pytester, project):
    project(("a",))
    (pytester.path / "claims" / "conftest.py").write_text(PROGRESS)
    result = pytester.runpytest_subprocess("--claims-seeds", "0,32", "--claims-json", "run.json")
    err = result.stderr.str()
    assert "lenet-claims: loading or training (into the checkpoint cache) seed 32" in err
    assert "train seed 32 [####################] 100%" in err and "lenet-claims: seed 32: trained" in err
    assert [
        r["seed"] for r in rows(document(pytester, "run.json"))["claims/a.toml::seeds"]["seeds"]["per_seed"]
    ] == [0, 32]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--claims-seeds", "x"], "seeds='x' is not a seed list"),
        (["--claims-seeds", "4-2"], "write e.g. 3, 0-4 or 0,2,5-7"),
        (["--claims-shard", "4/3"], "shard='4/3' is not a shard; write K/N"),
    ],
)
def test_bad_seed_options_are_usage_errors(pytester, project, args, message):
    project(("a",))
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_checkpoint_override_skips_the_seeds_item(pytester, project):
    project(("a",))
    result = pytester.runpytest("--claims-checkpoint", "model.pt", "-rs")
    assert result.parseoutcomes() == {"passed": 2, "skipped": 1}
    assert "--claims-checkpoint checks one network file" in result.stdout.str()
