"""A subject a project declares (lenet.declared.subject, .declaration, lenet.subjects, lenet.project):
declared once in pyproject.toml, named by claim files, loaded by seed; errors name file, key and fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import torch
from declared_project import TABLE, make_project

from lenet import subjects
from lenet.claims import load
from lenet.errors import InvalidClaim, InvalidConfig, LenetError
from lenet.run import dispatch


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project declaring subject ``toy`` (the network of tests/declared_toy.py, seed 0's weights saved)."""
    return make_project(tmp_path, monkeypatch)


def test_a_declared_subject_loads_by_seed_and_names_the_models_values(project):
    kind = subjects.get("toy")
    assert "mix#1" in kind.layer_table() and "add" in kind.layer_table()
    assert "toy" in subjects.names()
    subject = subjects.load(0, name="toy")
    assert subject.name == "toy seed 0" and subject.classes == ("low", "mid", "high")
    assert subject.key != subject.fresh(0).key != subject.fresh(1).key
    assert kind.reference_seeds() == [0]
    assert len(subject.members("class/mid", "test")) == 60
    assert len(subject.members("class/not-mid", "test")) == 120
    assert list(subject.members("class/1", "test")) == list(subject.members("class/mid", "test"))


@pytest.mark.parametrize(
    "extra, table, message",
    [
        ('colour = "red"', None, r"\[tool.lenet.subjects.toy\] colour: unknown key"),
        ('reducer = "median"', None, r"reducer: 'median' is unknown; use one of mean, max"),
        ("batch = 0", None, r"batch: 0 must be a whole number"),
        ('device = "cuda"', None, r"device: 'cuda': declared subjects run on the CPU only"),
        ('layers = { block = { pre = "add" } }', None, r"layers: must map a name to its sites"),
        ("", '[tool.lenet.subjects.toy]\ndata = "toy_net:splits"\n', r"model: missing; write e\.g\."),
        ("", '[tool.lenet.subjects.toy]\nmodel = "toy_net.toy"\ndata = "toy_net:splits"\n', r"not \"package"),
        (
            "",
            '[tool.lenet.subjects.toy]\nmodel = "nowhere_at_all:toy"\ndata = "toy_net:splits"\n',
            "cannot import",
        ),
        (
            "",
            '[tool.lenet.subjects.toy]\nmodel = "toy_net:nothing"\ndata = "toy_net:splits"\n',
            "has no 'nothing'",
        ),
        ("", '[tool.lenet.subjects.lenet-mnist]\nmodel = "a:b"\ndata = "a:b"\n', "is built in"),
        (
            "",
            TABLE.format(extra="").replace(":toy", ":ignores_the_seed"),
            "seeds the random number generator",
        ),
    ],
)
def test_a_bad_declaration_names_the_file_the_key_and_the_fix(project, extra, table, message):
    root = project(extra, table)
    with pytest.raises(InvalidConfig, match=message) as caught:
        subjects.get("toy").layer_table()
    assert str(root / "pyproject.toml") in str(caught.value)


def test_an_unknown_subject_lists_the_known_ones_and_where_to_declare_it(project):
    with pytest.raises(InvalidConfig, match=r"subject='nope' is unknown; subjects are lenet-mnist, toy\."):
        subjects.get("nope")


def _without_trainer() -> str:
    return "\n".join(line for line in TABLE.format(extra="batch = 64").splitlines() if "trainer" not in line)


def test_missing_corrupt_and_mismatched_weights_say_what_to_do(project):
    root = project(table=_without_trainer())
    with pytest.raises(
        LenetError, match=r"no weights for seed 3 \(declared seeds: 0\) and no trainer; add weights\.3"
    ):
        subjects.load(3, name="toy")
    (root / "bad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(LenetError, match="not a readable state dict"):
        subjects.load(0, str(root / "bad.pt"), name="toy")
    torch.save({"fc.weight": torch.zeros(2, 2)}, root / "other.pt")
    with pytest.raises(LenetError, match=r"do not fit .*:toy\(\)"):
        subjects.load(0, str(root / "other.pt"), name="toy")


def test_a_seed_without_weights_is_trained_by_the_declared_trainer_saying_so_first(project, cache_dir, capfd):
    project()
    kind = subjects.get("toy")
    assert kind.prepare(0) == "reference" and "trainer" in kind.OFFERS
    assert kind.prepare(3) == "trained"
    said = capfd.readouterr().err
    assert "lenet: training seed 3 of subject toy with" in said and "no estimate (add train_seconds" in said
    assert "trained in" in said
    assert list(cache_dir.rglob("seed-3.pt"))
    assert kind.prepare(3) == "cache" and "training" not in capfd.readouterr().err  # once, then cached
    assert subjects.load(3, name="toy").key not in (subjects.load(0, name="toy").key, kind.untrained(3).key)


def _claim(root: Path, text: str) -> Path:
    (root / "claims").mkdir(exist_ok=True)
    path = root / "claims" / "c.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_claim_names_its_subject_and_is_checked_against_its_layers_and_concepts(project):
    root = project()
    head = 'format = 2\nclaim = "x"\nsubject = "toy"\nconcept = "class/high"\ncontrast = "class/low"\n'
    with pytest.raises(InvalidClaim, match=r"'mix' is a module called 2 times"):
        load(_claim(root, head + 'unit = "mix:1"\n[selectivity]\nmin_auroc = 0.6\n'), root)
    with pytest.raises(InvalidClaim, match=r"Unknown concept 'class/top'"):
        load(
            _claim(
                root,
                head.replace("class/high", "class/top")
                + 'unit = "mix#1:1"\n[selectivity]\nmin_auroc = 0.6\n',
            ),
            root,
        )
    with pytest.raises(InvalidClaim, match=r"subject='nope': subject='nope' is unknown"):
        load(
            _claim(
                root, head.replace('"toy"', '"nope"') + 'unit = "mix#1:1"\n[selectivity]\nmin_auroc = 0.6\n'
            ),
            root,
        )
    with pytest.raises(
        InvalidClaim, match=r"\[training\] needs a training record, which subject 'toy' does not"
    ):
        load(_claim(root, head + 'unit = "mix#1:1"\n[training]\nclass = 1\n'), root)
    with pytest.raises(InvalidClaim, match=r"\[invariance\] needs image perturbations"):
        load(_claim(root, head + 'unit = "mix#1:1"\n[invariance]\nmin_auroc = 0.6\n'), root)
    project(table=_without_trainer())
    with pytest.raises(
        InvalidClaim, match=r"c.toml:7: subject 'toy' has no network for seed 3 \(its seeds: 0\)"
    ):
        load(_claim(root, head + 'unit = "mix#1:1"\nseed = 3\n[selectivity]\nmin_auroc = 0.6\n'), root)
    with pytest.raises(
        InvalidClaim, match=r"has no network for seeds 1, 2 \(its seeds: 0\) and does not train"
    ):
        load(
            _claim(
                root,
                head + 'unit = "mix#1:1"\n[selectivity]\nmin_auroc = 0.6\n'
                "[seeds]\nseeds = [0, 1, 2]\nmin_holding = 2\n",
            ),
            root,
        )
    claim = load(_claim(root, head + 'unit = "mix#1:1"\n[selectivity]\nmin_auroc = 0.6\n'), root)
    assert claim.subject == "toy" and claim.units == "mix#1:1"


def test_a_claim_about_a_declared_subject_runs_through_the_dispatcher(project):
    root = project()
    claim = load(
        _claim(
            root,
            """
            format = 2
            claim = "The block output channel most selective for the bottom band tells it from the top band"
            subject = "toy"
            select = { layer = "relu_1", top = 1, by = "selectivity" }
            concept = "class/high"
            contrast = "class/low"

            [selectivity]
            min_auroc = 0.6

            [ablation]
            method = "mean"
            output = "logit:true"
            min_effect = 0.0
            min_layer_percentile = 50
            """,
        ),
        root,
    )
    for check in ("selectivity", "ablation"):
        verdict = dispatch.run(claim, check)
        assert verdict.outcome in ("holds", "refuted", "inconclusive")
        assert verdict.details["subject"] == "toy seed 0" and verdict.details["layer"] == "relu_1"
    first, again = dispatch.run(claim, "selectivity"), dispatch.run(claim, "selectivity")
    assert [(c.value, c.low, c.high) for c in first.criteria] == [
        (c.value, c.low, c.high) for c in again.criteria
    ]


def test_class_names_may_come_from_the_data_factory(project):
    project(
        table="\n".join(line for line in _without_trainer().splitlines() if not line.startswith("classes"))
    )
    assert subjects.get("toy").class_names() == ("low", "mid", "high")


def test_what_changes_how_values_are_read_changes_every_cache_key(project):
    keys = {}
    for extra in ("batch = 64", 'reducer = "max"', 'layers = { block = { post = "relu_1", pre = "add" } }'):
        project(extra)
        subject = subjects.load(0, name="toy")
        keys[extra] = (subject.family, subject.key)
    assert len({family for family, _ in keys.values()}) == len({key for _, key in keys.values()}) == 3


def test_a_site_a_value_does_not_have_and_a_broken_declaration_are_refused_at_collection(project):
    root = project()
    head = 'format = 2\nclaim = "x"\nsubject = "toy"\nconcept = "class/high"\ncontrast = "class/low"\n'
    with pytest.raises(InvalidClaim, match=r"site='pre': site = 'pre' on 'add': a value named by its module"):
        load(_claim(root, head + 'unit = "add:1"\nsite = "pre"\n[selectivity]\nmin_auroc = 0.6\n'), root)
    project('batch = 64\nlayers = { block = { post = "relu_1", pre = "add" } }')
    assert load(_claim(root, head + 'unit = "block:1"\nsite = "pre"\n[selectivity]\nmin_auroc = 0.6\n'), root)
    project(table=TABLE.format(extra="").replace("toy_net:toy", "toy_net:missing_factory"))
    with pytest.raises(
        InvalidClaim, match=r"c.toml:3: subject='toy': .*model: toy_net_\d+ has no 'missing_factory'"
    ):
        load(_claim(root, head + 'unit = "add:1"\n[selectivity]\nmin_auroc = 0.6\n'), root)


def test_lenet_inspect_layers_lists_a_declared_subjects_values(project, capsys):
    from lenet.cli import main

    project()
    assert main(["inspect", "--layers", "--subject", "toy"]) == 0
    shown = capsys.readouterr().out
    assert "mix#1" in shown and "call 1 of module mix" in shown and "torch.fx node" in shown
    assert "concepts: class/low, class/mid, class/high" in shown
    assert main(["inspect", "--subject", "toy", "mix#1:0"]) == 2  # unit pictures: the built-in subject only
    assert "lists toy's layers" in capsys.readouterr().err
