"""Discovery: scan, suggest and new, as library calls and as `lenet` commands;
none of them reads the test split."""

from __future__ import annotations

import shlex
from types import SimpleNamespace

import numpy as np
import pytest

from lenet import discovery
from lenet.checks import CHECKS
from lenet.claims import load
from lenet.claims.scaffold import default_checks, scaffold
from lenet.cli import main
from lenet.errors import InvalidConfig
from lenet.lenet_mnist import concepts, data
from lenet.lenet_mnist.model import LAYERS
from lenet.lenet_mnist.subject import LenetMnist
from lenet.run import dispatch
from lenet.stats import estimates
from lenet.subject.units import UnitSet

LOAD_SPLIT = data.load_split


@pytest.fixture
def discovery_only(mnist_root, monkeypatch, cache_dir):
    """Seed 0 with reading the test split made an error,
    and a small (fast) baseline sample in a private cache."""

    def train_only(name, *args, **kwargs):
        if name == "test":
            pytest.fail("discovery read the test split")
        return LOAD_SPLIT(name, *args, **kwargs)

    monkeypatch.setattr(data, "load_split", train_only)
    monkeypatch.setattr(discovery, "BASELINE_IMAGES", 40)
    return LenetMnist.load(0)


def test_scan_ranks_every_unit_by_its_train_split_auroc(discovery_only):
    subject = discovery_only
    result = discovery.scan(subject, "linear-0", "seven/crossed", "seven/plain")
    c, d = (
        concepts.concept("seven/crossed").indices("train"),
        concepts.concept("seven/plain").indices("train"),
    )
    values = subject.values("linear-0", "train", site="post")  # the scan's default site
    assert sorted(s.unit for s in result.units) == list(range(120)) and result.sizes == (len(c), len(d))
    aurocs = [s.auroc.value for s in result.units]
    assert aurocs == sorted(aurocs, reverse=True)
    best = result.units[0]
    assert best.auroc == estimates.auroc(values[c, best.unit], values[d, best.unit], 0.99)
    assert best.concept_mean == pytest.approx(values[c, best.unit].mean(), rel=1e-5)
    assert 0.5 < result.unit_bar < result.best_bar < 1 and result.networks == 200


def test_the_scan_ablation_column_is_one_unit_zeroed_concept_minus_contrast(discovery_only):
    subject = discovery_only
    result = discovery.scan(subject, "linear-1", "digit/1", "digit/7")
    c, d = concepts.concept("digit/1").indices("train"), concepts.concept("digit/7").indices("train")
    score = result.units[3]
    damage = subject.intervene(
        UnitSet("linear-1", (score.unit,), LAYERS), "zero", split="train", site="post"
    ).damage("logit:true")
    assert score.ablation == pytest.approx(damage[c].mean() - damage[d].mean(), abs=1e-4)


def test_overlapping_groups_are_refused(discovery_only):
    with pytest.raises(InvalidConfig, match="share training images; choose disjoint sets"):
        discovery.scan(discovery_only, "linear-0", "digit/7", "seven/crossed", ablate=False)


class _Recorded:
    """A stand-in subject whose training record has three planted units."""

    def __init__(self) -> None:
        frames, rng = 40, np.random.default_rng(0)
        grads = rng.normal(0, 1e-4, (frames, 10, 84)).astype(np.float32)
        acts = np.tile(np.linspace(-1, 1, 10)[None, :, None], (frames, 1, 84)).astype(
            np.float32
        )  # class 9 fires most
        grads[:, 8, 5] = 5e-3  # unit 5: pushed up for 8 every frame ...
        acts[:, 8, 5], acts[:, 1, 5] = (
            -2.0,
            3.0,
        )  # ... yet fires least for 8 and most for 1 (the original's unit 8)
        grads[:, 9, 6] = 5e-3  # unit 6: pushed for 9, which it fires most for: no anomaly
        grads[:, 2, 7] = 5e-3 * np.where(
            np.arange(frames) % 2, 1, -1
        )  # unit 7: pushed both ways for 2: inconsistent
        acts[:, 2, 7] = -2.0
        epoch = np.arange(1, frames + 1) / 10
        self._record = SimpleNamespace(
            gradient={"linear-1": grads}, activation={"linear-1": acts}, epoch=epoch
        )

    layers = LenetMnist.layer_table()  # the real subject's layer table
    layer = LenetMnist.layer
    recorded_layers = ("linear-1",)

    def record(self):
        return self._record


def test_gradient_anomalies_find_a_planted_pushed_but_silent_unit():
    found = discovery.gradient_anomalies(_Recorded(), "linear-1")
    assert [(a.unit, a.pushed, a.rank, a.top_class) for a in found][:1] == [(5, 8, 10, 1)]
    assert found[0].consistency == 1.0 and found[0].activation == pytest.approx(-2.0)
    assert 6 not in [a.unit for a in found] and 7 not in [a.unit for a in found]


def test_the_pushed_class_rule_finds_units_pushed_for_a_class_with_a_negative_mean_for_it():
    """The original's unit-58 rule: pushed up for the class on most frames, its mean activation negative."""
    found = discovery.gradient_anomalies(_Recorded(), "linear-1", pushed_class=8)
    assert [(a.unit, a.pushed, a.most_pushed, a.top_class) for a in found] == [(5, 8, 8, 1)]
    assert discovery.gradient_anomalies(_Recorded(), "linear-1", pushed_class=9) == []  # unit 6 fires for 9
    assert discovery.gradient_anomalies(_Recorded(), "linear-1", pushed_class=2) == []  # unit 7: inconsistent


def test_layers_without_a_training_record_have_no_gradient_anomalies():
    assert discovery.gradient_anomalies(_Recorded(), "conv-1") == []


def test_style_pairs_compare_each_style_with_its_plain_digit():
    pairs = discovery.style_pairs()
    assert ("seven/crossed", "seven/plain") in pairs and ("two/looped", "two/plain") in pairs
    assert all(c.split("/")[0] == d.split("/")[0] and d.endswith("/plain") for c, d in pairs)


def test_style_candidates_clear_their_bar(discovery_only):
    found = discovery.style_candidates(discovery_only, "linear-0", per_style=2)
    assert all(c.auroc.low > c.bar and (c.concept, c.contrast) in discovery.style_pairs() for c in found)


# --- scaffolds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("check", list(CHECKS))
def test_a_scaffold_for_each_check_loads_with_its_values(tmp_path, check):
    unit = {"correlation": "linear-0", "concentration": "linear-0:7,3"}.get(check, "linear-0:7")
    params = {"training": {"class": 8, "gradient": "negative"}, "class-ablation": {"class": 7}}
    text = scaffold(
        unit, "a sentence", [check], concept="seven/crossed", contrast="seven/plain", seed=2, params=params
    )
    path = tmp_path / "c.toml"
    path.write_text(text)
    claim = load(path, tmp_path)
    assert list(claim.checks) == [check] and claim.seed == 2
    for name, value in params.get(check, {}).items():
        assert claim.checks[check].params[name] == value
    for param in CHECKS[check].SPEC.params:  # every parameter is written, with its meaning
        assert f"{param.name} = " in text and param.doc in text


@pytest.mark.parametrize("check,bar", [("ablation", 0.05), ("activation", 0.02)])
def test_effect_scaffolds_are_in_the_normalised_form(tmp_path, check, bar):
    text = scaffold("linear-0:7", "a sentence", [check], concept="seven/crossed", contrast="seven/plain")
    path = tmp_path / "c.toml"
    path.write_text(text)
    params = load(path, tmp_path).checks[check].params
    assert params["normalise"] == "concept-margin" and params["min_effect"] == bar
    assert "of the concept's median margin" in text
    raw = scaffold(
        "linear-0:7",
        "s",
        [check],
        concept="seven/crossed",
        contrast="seven/plain",
        params={check: {"normalise": "raw", "min_effect": 0.5}},
    )
    assert 'normalise = "raw"' in raw and "min_effect = 0.5" in raw
    given = scaffold(
        "linear-0:7",
        "s",
        [check],
        concept="seven/crossed",
        contrast="seven/plain",
        params={check: {"min_effect": 0.5}},
    )  # a bar given without normalise keeps its raw meaning
    assert 'normalise = "concept-margin"' not in given and "min_effect = 0.5" in given


def test_default_checks_follow_the_arguments():
    assert default_checks("seven/crossed", None) == ["selectivity", "ablation", "activation", "invariance"]
    assert default_checks(None, 8) == ["training"]
    assert default_checks(None, None) == []


def test_lenet_new_writes_a_valid_file_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "claims" / "x.toml"
    argv = [
        "new",
        "linear-0:96",
        "--concept",
        "seven/crossed",
        "--contrast",
        "seven/plain",
        "--discovered",
        "by hand",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    claim = load(out, tmp_path)
    assert (
        claim.units == "linear-0:96"
        and claim.discovered == "by hand"
        and "# How it was discovered: by hand" in out.read_text()
    )
    assert main(argv) == 2
    assert "exists; choose another -o path" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, sentence",
    [
        (
            ["linear-0:5", "--checks", "training", "--class", "3", "--gradient", "negative"],
            "pushes linear-0:5 down",
        ),
        (
            ["linear-0:5", "--checks", "class-ablation", "--class", "7"],
            "removes the network's knowledge of class 7",
        ),
        (["linear-0", "--checks", "correlation"], "in linear-0, the two per-unit scores"),
        (
            ["linear-0:5", "--checks", "selectivity", "--concept", "digit/7", "--contrast", "digit/1"],
            'linear-0:5 fires more for digit/7 than for digit/1"',
        ),
    ],
)
def test_lenet_new_writes_the_sentence_of_the_checks_it_was_given(capsys, argv, sentence):
    assert main(["new", *argv]) == 0
    assert sentence in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["new", "linear-0:120", "--concept", "digit/1", "--contrast", "digit/7"],
            "linear-0 has units 0-119",
        ),
        (["new", "linear-0:1", "--concept", "digit/1"], "give both --concept and --contrast"),
        (["new", "linear-0:1"], "nothing to check"),
        (["new", "linear-0:1", "--checks", "training"], "needs --class N"),
        (
            ["new", "linear-0:1", "--checks", "selectivty", "--concept", "digit/1", "--contrast", "digit/7"],
            "unknown selectivty",
        ),
        (["new", "linear-0:1", "--concept", "digit/11", "--contrast", "digit/7"], "digit/11"),
        (
            ["new", "linear-0:1", "--checks", "class-ablation", "--class", "7", "--top-class", "1"],
            "--top-class set [training] keys, but --checks class-ablation has no training check",
        ),
        (
            ["new", "linear-0", "--concept", "digit/7", "--contrast", "digit/1"],
            "linear-0 is a whole layer, which only [correlation] takes; name a unit for selectivity",
        ),
    ],
)
def test_lenet_new_errors_say_what_to_do(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# --- the commands -------------------------------------------------------------------------------


def test_lenet_scan_prints_the_ranking_the_baseline_and_the_next_command(discovery_only, capsys):
    assert (
        main(["scan", "linear-0", "--concept", "seven/crossed", "--contrast", "seven/plain", "--top", "3"])
        == 0
    )
    out = capsys.readouterr().out
    ranked = discovery.scan(discovery_only, "linear-0", "seven/crossed", "seven/plain", ablate=False).units
    rows = [
        line.split()[1] for line in out.splitlines() if line.strip()[:1].isdigit() and "linear-0:" in line
    ]
    assert rows == [f"linear-0:{s.unit}" for s in ranked[:3]]
    assert "random-feature baseline (200 untrained networks" in out and "test split is not read" in out
    assert f"lenet new linear-0:{ranked[0].unit} --concept seven/crossed --contrast seven/plain" in out


def test_from_suggest_to_a_claim_that_runs(discovery_only, capsys, tmp_path, monkeypatch):
    """The README walkthrough: every command suggest prints scaffolds a claim file that loads and runs."""
    assert main(["suggest", "linear-0", "--per-style", "1"]) == 0
    out = capsys.readouterr().out
    assert "gradient without activation" in out and "style within a class" in out
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("lenet new ")]
    assert commands, out
    monkeypatch.setattr(data, "load_split", LOAD_SPLIT)  # confirmation reads the test split
    for command in commands:
        argv = shlex.split(command)[1:]
        out_path = tmp_path / argv[argv.index("-o") + 1]
        argv[argv.index("-o") + 1] = str(out_path)
        assert main(argv) == 0
        claim = load(out_path, tmp_path)
        assert claim.discovered.startswith("lenet suggest linear-0")
        first = next(iter(claim.checks))
        verdict = dispatch.run(claim, first)
        assert verdict.outcome in ("holds", "refuted", "inconclusive") and verdict.criteria


def test_suggest_pushed_class_lists_the_unit_58_rule_and_scaffolds_its_claim(
    discovery_only, capsys, tmp_path
):
    """`--pushed-class 7`: units pushed for 7, negative for 7; its `lenet new` line records the rule."""
    assert main(["suggest", "linear-0", "--pushed-class", "7", "--per-style", "1"]) == 0
    out = capsys.readouterr().out
    command = next(
        line.strip()
        for line in out.splitlines()
        if line.strip().startswith("lenet new ") and "--class 7" in line
    )
    assert "--max-activation 0" in command and "--pushed-class 7" in command
    argv = shlex.split(command)[1:]
    argv[argv.index("-o") + 1] = str(tmp_path / "pushed.toml")
    assert main(argv) == 0
    claim = load(tmp_path / "pushed.toml", tmp_path)
    params = claim.checks["training"].params
    assert params["max_activation"] == 0 and params["class"] == 7


def test_suggest_refuses_a_pushed_class_that_is_not_a_digit_or_comes_with_min_rank(discovery_only, capsys):
    assert main(["suggest", "linear-0", "--pushed-class", "12"]) == 2
    assert "--pushed-class 12 is not a digit class; give 0-9" in capsys.readouterr().err
    assert main(["suggest", "linear-0", "--pushed-class", "7", "--min-rank", "3"]) == 2
    assert (
        "--pushed-class and --min-rank are two rules for the same list; give one" in capsys.readouterr().err
    )
