"""lenet.run.seeds: plans and shards, k-of-n verdicts against scipy,
a claim carried to another seed, and retraining.

Fast tests check the arithmetic; the slow ones run real checks on reference
seeds 0 and 1 (matching on the fixed 5,000-image sample, a 5-network null) and
retrain a tiny configuration.
"""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats as sps

from lenet.claims import load
from lenet.run import seeds

CLAIM = """format = 1
claim = "Unit linear-0:58 matters more for ones than for sevens"
unit = "{unit}"
concept = "digit/1"
contrast = "digit/7"

[ablation]
method = "zero"
output = "logit:true"
min_effect = 0.1

[invariance]
min_auroc = 0.7

[seeds]
seeds = [0, 1, 2, 3, 4]
min_holding = 4
"""
NETWORKS = 5  # untrained networks in the matching null: enough to exercise it, fast


def claim_file(tmp_path, unit="linear-0:58", extra=""):
    path = tmp_path / "claim.toml"
    path.write_text(CLAIM.format(unit=unit) + extra)
    return load(path, tmp_path)


# --- plans and shards ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "least, listed, given",
    [
        (4, 5, 5),
        (4, 5, 10),
        (4, 5, 3),
        (4, 5, 1),
        (1, 5, 10),
        (3, 3, 7),
        (2, 5, 4),
        (5, 5, 2),
        (1, 10, 3),
        (7, 9, 100),
    ],
)
def test_scaled_min_holding_keeps_the_fraction_rounded_up(least, listed, given):
    assert seeds.scaled_min_holding(least, listed, given) == max(
        1, math.ceil(Fraction(least * given, listed))
    )


def test_plan_takes_the_file_or_the_override(tmp_path):
    claim = claim_file(tmp_path)
    own = seeds.plan(claim)
    assert (own.seeds, own.min_holding, own.run, own.expect, own.expensive) == (
        (0, 1, 2, 3, 4),
        4,
        (0, 1, 2, 3, 4),
        "holds",
        False,
    )
    wide = seeds.plan(claim, list(range(10)))
    assert (wide.min_holding, wide.file_seeds, wide.file_min_holding) == (8, (0, 1, 2, 3, 4), 4)
    assert seeds.plan(claim, [4, 3, 2, 1, 0]).min_holding == 4  # the same number of seeds: the same count
    assert wide.as_dict()["file"] == {"seeds": [0, 1, 2, 3, 4], "min_holding": 4}


def test_each_seed_runs_at_the_confidence_that_keeps_the_count_s_rates(tmp_path):
    """Least favourable cases: a false claim with m - 1 seeds far above and n - m + 1 on the threshold holds
    when any of those holds falsely; a true one with m on the threshold and the rest far below is refuted
    when any of the m is. At 0.99 per seed, 4 of 5 refuted 35 of 2,000 such claims (a development run of the
    lenet calibrate cell; docs/statistics.md)."""
    for n in range(1, 11):
        for m in range(1, n + 1):
            each = (1 - seeds.seed_confidence(0.99, m, n)) / 2  # one side of the per-seed interval
            assert 1 - (1 - each) ** (n - m + 1) <= 0.005 + 1e-12  # a false hold
            assert 1 - (1 - each) ** m <= 0.005 + 1e-12  # a false refutation
    assert seeds.seed_confidence(0.99, 4, 5) == pytest.approx(0.9975)
    assert seeds.seed_confidence(0.99, 1, 1) == pytest.approx(0.99)  # one seed: the claim's own
    own = seeds.plan(claim_file(tmp_path))
    assert own.as_dict()["seed_confidence"] == pytest.approx(0.9975) == own.seed_confidence


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 12])
def test_shards_split_the_seeds_once_each_and_evenly(tmp_path, count):
    claim = claim_file(tmp_path)
    given = [9, 3, 0, 7, 1, 5, 2, 8, 4, 6]
    parts = [seeds.plan(claim, given, (k, count)).run for k in range(1, count + 1)]
    assert sorted(s for part in parts for s in part) == sorted(given)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert seeds.plan(claim, given, (count, count)).as_dict()["shard"] == {
        "index": count,
        "count": count,
        "seeds": list(parts[-1]),
    }


def test_population_names_a_threshold_of_one_of_the_claims_checks(tmp_path):
    from lenet.errors import InvalidClaim

    claim = claim_file(tmp_path, extra='population = "ablation.min_effect"\n')
    assert claim.seeds.population == "ablation.min_effect"
    assert seeds.plan(claim).as_dict()["population"] == "ablation.min_effect"
    assert seeds.plan(claim_file(tmp_path)).as_dict()["population"] is None
    for value, message in [
        (
            "activation.min_effect",
            "the claim has no [activation] table; name a threshold of one of its checks: "
            "ablation.min_effect, invariance.min_auroc",
        ),
        (  # a search range, not a threshold
            "invariance.max_shift",
            "[invariance] has no threshold 'max_shift' to pool; use one of invariance.min_auroc",
        ),
        (
            "ablation.min_auroc",
            "[ablation] has no threshold 'min_auroc' to pool; use one of ablation.min_effect",
        ),
        ("ablation", "does not have the expected form (population: decide the item by the mean effect"),
    ]:
        with pytest.raises(InvalidClaim) as found:
            claim_file(tmp_path, extra=f'population = "{value}"\n')
        assert "[seeds] population" in str(found.value)
        assert message in str(found.value), str(found.value)


def test_expect_and_expensive_come_from_the_table_else_the_claim(tmp_path):
    claim = claim_file(tmp_path, extra='expect = "refuted"\nexpensive = true\n')
    assert (claim.seeds.expect, claim.seeds.expensive) == ("refuted", True)
    path = tmp_path / "b.toml"
    path.write_text(
        CLAIM.format(unit="linear-0:58").replace(
            'contrast = "digit/7"', 'contrast = "digit/7"\nexpect = "inconclusive"'
        )
    )
    assert load(path).seeds.expect == "inconclusive"


# --- k of n --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcomes, least, verdict",
    [
        (["holds"] * 5, 4, "holds"),
        (["holds"] * 4 + ["refuted"], 4, "holds"),
        (["holds"] * 3 + ["refuted"] * 2, 4, "refuted"),
        (["holds"] * 3 + ["inconclusive", "refuted"], 4, "inconclusive"),
        (["holds"] * 3 + ["no-counterpart", "inconclusive"], 4, "inconclusive"),
        (["holds"] * 3 + ["no-counterpart"] * 2, 4, "inconclusive"),  # not counted against it
        (["refuted"] + ["no-counterpart"] * 4, 4, "inconclusive"),
        (["refuted"] * 2 + ["holds", "no-counterpart", "no-counterpart"], 4, "refuted"),
        (["refuted"] * 4 + ["no-counterpart"], 4, "refuted"),
        (["inconclusive"] * 5, 4, "inconclusive"),
        (["refuted"] * 5, 1, "refuted"),
        (["holds"] * 4 + ["error"], 4, "error"),
        (["holds"] * 4, 4, "error"),  # seed 4 has no result
    ],
)
def test_tally_outcomes(outcomes, least, verdict):
    counted = seeds.tally(
        [0, 1, 2, 3, 4], least, 0.99, [{"seed": s, "outcome": o} for s, o in enumerate(outcomes)]
    )
    assert counted.outcome == verdict
    assert counted.holding == [s for s, o in enumerate(outcomes) if o == "holds"]
    if verdict != "error":
        assert counted.verdict().outcome == verdict


def test_seeds_without_a_counterpart_are_reported_and_counted_neither_way():
    counted = seeds.tally(
        [0, 1, 2, 3, 4],
        4,
        0.99,
        [
            {"seed": s, "outcome": o}
            for s, o in enumerate(["inconclusive", "refuted"] + ["no-counterpart"] * 3)
        ],
    )
    verdict = counted.verdict()
    assert counted.unmatched == [2, 3, 4] and verdict.outcome == "inconclusive"
    assert verdict.n == {"seeds": 5, "holding": 0, "inconclusive": 1, "no counterpart": 3, "not holding": 1}
    assert "no counterpart on seeds 2, 3, 4 (not counted against it)" in counted.describe()
    assert verdict.to_decide == (
        "4 more of the inconclusive seeds (0) and the seeds without a counterpart (2, 3, 4) "
        "would have to hold; a seed without a counterpart decides nothing as it is: it needs a counterpart "
        "(or [seeds] reselect) to be checked"
    )


def _seed_row(seed: int, value: float, half: float, outcome: str = "holds") -> dict:
    criterion = {"name": "min_effect", "value": value, "low": value - half, "high": value + half}
    criterion |= {"threshold": 0.5, "bound": "min", "statistic": "damage", "outcome": outcome, "p": 0.001}
    return {
        "seed": seed,
        "outcome": outcome,
        "checks": {"ablation": {"outcome": outcome, "criteria": [criterion]}},
    }


def _population_row(per_seed: list[dict], expect: str = "holds"):
    from lenet.run.rows import Row

    plan = {"seeds": [r["seed"] for r in per_seed], "min_holding": len(per_seed) - 1, "expect": expect}
    plan |= {
        "confidence": 0.99,
        "seed_confidence": 0.9975,
        "shard": None,
        "population": "ablation.min_effect",
    }
    plan |= {"file": {"seeds": plan["seeds"], "min_holding": plan["min_holding"]}, "expensive": False}
    claim = type("Claim", (), {"id": "claims/x.toml", "sentence": "x", "subject": "lenet-mnist", "seed": 0})
    return Row.from_seeds("claims/x.toml::seeds", claim, plan, per_seed)


def test_a_population_claim_is_decided_by_the_mean_effect_across_seeds_not_the_count():
    from lenet.stats.population import random_effects, standard_errors

    values = [0.9, 1.1, 0.8, 1.2, 1.0, 0.95, 1.05, 0.9, 1.1, 1.0]
    rows = [_seed_row(s, v, 0.6, "inconclusive") for s, v in enumerate(values)]  # no seed clears 0.5 alone
    row = _population_row(rows)
    expected = random_effects(
        values, standard_errors([v - 0.6 for v in values], [v + 0.6 for v in values], 0.9975)
    )
    assert row.outcome == "holds" and row.value == pytest.approx(expected.estimate.value)
    assert row.low == pytest.approx(expected.estimate.low) and row.low > 0.5
    assert row.verdict["criteria"][0]["name"] == "population ablation.min_effect"
    assert "mean over 10 training runs" in row.headline and "count: holds on 0 of 10" in row.headline
    assert row.verdict["details"]["count"]["outcome"] == "inconclusive"  # reported, not compared


def test_a_population_leaves_out_seeds_without_a_counterpart_and_says_so():
    rows = [_seed_row(s, v, 0.2) for s, v in enumerate([0.1, 0.2, 0.15, 0.05])]
    rows.append({"seed": 4, "outcome": "no-counterpart", "checks": {}})
    row = _population_row(rows, expect="refuted")
    details = row.verdict["details"]
    assert row.outcome == "refuted" and [e["seed"] for e in details["effects"]] == [0, 1, 2, 3]
    assert details["left_out"] == [{"seed": 4, "why": "no-counterpart"}]
    assert "left out: seed 4 (no-counterpart)" in row.verdict["criteria"][0]["note"]


def test_a_population_of_one_seed_is_inconclusive():
    rows = [_seed_row(0, 2.0, 0.1)] + [{"seed": s, "outcome": "no-counterpart", "checks": {}} for s in (1, 2)]
    row = _population_row(rows, expect="inconclusive")
    assert row.outcome == "inconclusive" and "at least 2 seeds" in row.verdict["criteria"][0]["note"]


@pytest.mark.parametrize(
    "k, n, confidence", [(0, 5, 0.99), (3, 5, 0.99), (5, 5, 0.99), (4, 5, 0.95), (7, 10, 0.9), (1, 1, 0.99)]
)
def test_interval_is_clopper_pearson(k, n, confidence):
    counted = seeds.tally(
        list(range(n)),
        1,
        confidence,
        [{"seed": s, "outcome": "holds" if s < k else "refuted"} for s in range(n)],
    )
    reference = sps.binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
    assert counted.interval() == pytest.approx((reference.low, reference.high), abs=1e-9)
    criterion = counted.verdict().primary
    assert (criterion.value, criterion.threshold) == (k / n, 1 / n)
    assert f"holds on {k} of {n} seeds (needs 1; {confidence:.0%} CI" in counted.describe()


# --- a claim carried to another seed (real checks) ----------------------------------------------


@pytest.fixture(scope="module")
def small_cache(tmp_path_factory, mnist_root):
    """A cache for the module (the matching null is computed once),
    and matching on its 5,000-image sample only."""
    from lenet.subject import match

    def sample_values(
        subject, layer, site="pre"
    ):  # the values matching uses, without capturing all 60,000 training images
        train = subject.split("train")
        return match.direct_values(subject, train.images[match.sample_rows(len(train))], site)[layer]

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LENET_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        patch.setattr(match, "sample_values", sample_values)
        yield


@pytest.mark.slow
def test_a_named_unit_is_checked_on_its_counterpart(small_cache, tmp_path):
    from lenet.lenet_mnist.subject import LenetMnist
    from lenet.run import dispatch
    from lenet.subject import match

    layer = match.match_layer(LenetMnist.load(0), LenetMnist.load(1), "linear-0", networks=NETWORKS)
    unit = int(
        np.argmax(np.where(layer.matched, layer.candidate_correlations, -1.0))
    )  # the best-matched unit of seed 0
    claim = claim_file(tmp_path, unit=f"linear-0:{unit}")
    verdict = dispatch.run(
        claim, "ablation"
    )  # known verdicts of the claim's own seed are reused as given (the real
    own = seeds.run_seed(
        claim, 0, networks=NETWORKS, known={"ablation": verdict, "invariance": verdict}
    )  # invariance: ~15 s)
    assert (
        own["units"] == [f"linear-0:{unit}"]
        and own["matches"] == []
        and own["weights_sha256"] == LenetMnist.load(0).key
    )
    assert own["checks"]["ablation"]["criteria"] == [dataclasses.asdict(c) for c in verdict.criteria]
    assert (
        own["checks"]["invariance"]["outcome"] == verdict.outcome
    )  # expensive checks count on the claim's own seed
    # at the seeds' own confidence the claim's verdicts are not reused: the seed is checked again at it
    quick = dataclasses.replace(claim, checks={"ablation": claim.checks["ablation"]})
    strict = seeds.run_seed(quick, 0, networks=NETWORKS, known={"ablation": verdict}, confidence=0.9975)
    assert (
        strict["checks"]["ablation"]["criteria"]
        == [
            dataclasses.asdict(c)
            for c in dispatch.run(dataclasses.replace(quick, confidence=0.9975), "ablation").criteria
        ]
        != own["checks"]["ablation"]["criteria"]
    )

    found = match.match_unit(LenetMnist.load(0), LenetMnist.load(1), "linear-0", unit, networks=NETWORKS)
    assert found.counterpart is not None, found
    other = seeds.run_seed(claim, 1, networks=NETWORKS)
    moved = dataclasses.replace(claim, units=f"linear-0:{found.counterpart}")
    assert (
        other["units"] == [f"linear-0:{found.counterpart}"]
        and other["weights_sha256"] == LenetMnist.load(1).key
    )
    assert other["matches"][0]["counterpart"] == f"linear-0:{found.counterpart}"
    assert (
        other["matches"][0]["correlation"] == pytest.approx(found.correlation)
        and other["matches"][0]["rank"] == found.rank
    )
    assert other["checks"]["ablation"]["criteria"] == [
        dataclasses.asdict(c) for c in dispatch.run(moved, "ablation", seed=1).criteria
    ]
    assert (
        other["checks"]["invariance"]["outcome"] == "not run"
        and "expensive" in other["checks"]["invariance"]["note"]
    )
    assert (
        other["outcome"] == other["checks"]["ablation"]["outcome"]
    )  # invariance did not run, so it does not count
    json.dumps(other)  # a per-seed row is plain JSON


@pytest.mark.slow
def test_a_unit_without_counterpart_is_its_own_outcome(small_cache, tmp_path):
    from lenet.lenet_mnist.subject import LenetMnist
    from lenet.subject import match

    layer = match.match_layer(LenetMnist.load(0), LenetMnist.load(1), "linear-0", networks=NETWORKS)
    lonely = int(np.flatnonzero(~layer.matched)[0])
    claim = claim_file(tmp_path, unit=f"linear-0:{lonely}")
    result = seeds.run_seed(claim, 1, networks=NETWORKS)
    assert result["outcome"] == "no-counterpart" and result["checks"] == {}
    assert (
        result["matches"][0]["counterpart"] is None
        and result["matches"][0]["reason"] == layer.match(lonely).reason
    )
    assert seeds.tally([1], 1, 0.99, [result]).outcome == "inconclusive"  # not counted against the claim


RESELECT = """format = 2
site = "post"
claim = "The unit named, found by ablation, matters for crossed sevens"
unit = "{unit}"
concept = "seven/crossed"
contrast = "seven/plain"

[ablation]
method = "zero"
output = "logit:true"
min_effect = 0.1

[seeds]
seeds = [0, 1]
min_holding = 1
reselect = "ablation"
"""


@pytest.mark.slow
def test_a_named_unit_can_reapply_the_rule_that_found_it(small_cache, tmp_path):
    """[seeds] reselect: seed 1 checks the top unit by ablation there, not a matched counterpart; on the
    claim's own seed the rule must give the named unit back."""
    from lenet.lenet_mnist.subject import LenetMnist
    from lenet.run.dispatch import target

    path = tmp_path / "named.toml"
    rule = {"layer": "linear-0", "top": 1, "by": "ablation"}
    probe = dataclasses.replace(load(_write(path, RESELECT.format(unit="linear-0:0")), tmp_path), select=rule)
    found = {seed: target(probe, LenetMnist.load(seed)).units[0] for seed in (0, 1)}
    claim = load(_write(path, RESELECT.format(unit=f"linear-0:{found[0]}")), tmp_path)
    assert seeds.plan(claim).as_dict()["reselect"] == "ablation"
    other = seeds.run_seed(claim, 1)
    assert other["matches"] == [] and other["units"] == [f"linear-0:{found[1]}"], other
    own = seeds.run_seed(claim, 0)
    assert own["outcome"] != "error" and own["units"] == [f"linear-0:{found[0]}"]
    wrong = (found[0] + 1) % 120
    broken = seeds.run_seed(load(_write(path, RESELECT.format(unit=f"linear-0:{wrong}")), tmp_path), 0)
    assert broken["outcome"] == "error"
    assert f"are linear-0:{found[0]}, not the named linear-0:{wrong}" in broken["error"], broken["error"]
    elsewhere = seeds.run_seed(load(_write(path, RESELECT.format(unit=f"linear-0:{wrong}")), tmp_path), 1)
    assert elsewhere["outcome"] == "error"  # a shard without the own seed checks the rule there all the same
    assert f"not the named linear-0:{wrong}" in elsewhere["error"], elsewhere["error"]


def test_reselect_needs_named_units(tmp_path):
    from lenet.errors import InvalidClaim

    text = RESELECT.replace('unit = "{unit}"', 'select = { layer = "linear-0", top = 1, by = "ablation" }')
    with pytest.raises(
        InvalidClaim, match=r"\[seeds\] reselect='ablation' re-applies the rule .* names none"
    ):
        load(_write(tmp_path / "select.toml", text), tmp_path)


def _write(path, text: str):
    path.write_text(text)
    return path


@pytest.mark.slow
def test_select_rules_are_reselected_and_layers_stay(small_cache, tmp_path):
    from lenet.lenet_mnist.subject import LenetMnist
    from lenet.run.dispatch import target

    path = tmp_path / "select.toml"
    path.write_text(
        CLAIM.replace('unit = "{unit}"', 'select = { layer = "linear-0", top = 1 }').replace(
            "[invariance]\nmin_auroc = 0.7\n", ""
        )
    )
    chosen = load(path, tmp_path)
    result = seeds.run_seed(chosen, 2, networks=NETWORKS)
    assert result["matches"] == [] and result["units"] == target(chosen, LenetMnist.load(2)).names()


# --- retraining ----------------------------------------------------------------------------------


def test_retraining_is_compared_with_the_reference(mnist_root, tiny_config, cache_dir, tmp_path):
    from lenet.lenet_mnist import reference
    from lenet.lenet_mnist.train import train
    from lenet.versions import versions

    references = tmp_path / "references"
    made = train(3, tiny_config, mnist_root, progress=False)
    reference.write(made, made.provenance(), references)
    again = seeds.retrain(3, tiny_config, mnist_root, references=references, progress=False)
    assert again.identical and again.same_kind and again.problem is None and "identical" in again.note()
    assert again.weights_sha256 == reference.entry(3, tiny_config, references)["weights_sha256"]

    other = "0" * 64  # weights as if training had gone differently here
    broken = seeds.compare(3, other, versions(), tiny_config, references)
    assert broken.identical is False and "not reproducible" in broken.problem and "seed 3" in broken.problem
    manifest = json.loads((references / "manifest.json").read_text())
    manifest["seeds"]["3"]["versions"] = {**manifest["seeds"]["3"]["versions"], "machine": "elsewhere64"}
    (references / "manifest.json").write_text(json.dumps(manifest))
    elsewhere = seeds.compare(3, other, versions(), tiny_config, references)
    assert (
        elsewhere.problem is None
        and "elsewhere64" in elsewhere.note()
        and "committed weights" in elsewhere.note()
    )
    for change in ({"cpu": "Another CPU 9000"}, {"isa": "AVX2"}):  # the same libraries on another CPU kind
        manifest["seeds"]["3"]["versions"] = {**versions(), **change}
        (references / "manifest.json").write_text(json.dumps(manifest))
        found = seeds.compare(3, other, versions(), tiny_config, references, "retrained.pt")
        assert found.same_kind is False and found.problem is None and found.compare_outcomes
        assert next(iter(change.values())) in found.note() and "outcomes" in found.note()
    manifest["seeds"]["3"]["versions"] = {k: v for k, v in versions().items() if k not in ("cpu", "isa")}
    (references / "manifest.json").write_text(
        json.dumps(manifest)
    )  # a reference that does not record its CPU
    unknown = seeds.compare(3, other, versions(), tiny_config, references)
    assert unknown.same_kind is False and unknown.problem is None and "CPU not recorded" in unknown.note()
    assert (
        seeds.compare(4, other, versions(), tiny_config, references).identical is None
    )  # no reference for seed 4
    assert (
        seeds.compare(3, other, versions(), None, references).identical is None
    )  # nor for seed 3 with another config


def test_retrain_once_per_run(cache_dir, monkeypatch):
    calls = []

    def fake(seed, progress=True):
        calls.append(seed)
        return seeds.Retrained(seed, f"{seed:064d}", None, None, {"machine": "x"})

    monkeypatch.setattr(seeds, "retrain", fake)
    assert seeds.retrain_once(5, "run-a") == seeds.retrain_once(5, "run-a") == fake(5)
    seeds.retrain_once(5, "run-b")
    assert calls == [5, 5, 5]  # once for run-a (plus the direct call), once for run-b


def test_a_retraining_problem_makes_the_seed_an_error(tmp_path):
    from lenet.versions import versions

    claim = claim_file(tmp_path)
    bad = seeds.Retrained(0, "1" * 64, "2" * 64, versions(), versions())
    result = seeds.run_seed(claim, 0, retrained=bad)
    assert (
        result["outcome"] == "error"
        and "not reproducible" in result["error"]
        and result["retrained"]["identical"] is False
    )


@pytest.mark.parametrize("retrained_outcome", ["holds", "refuted"])
def test_on_another_machine_kind_the_outcomes_of_retrained_weights_are_compared(
    tmp_path, monkeypatch, retrained_outcome
):
    from lenet.run import dispatch
    from lenet.stats.verdict import Criterion, Verdict
    from lenet.versions import versions

    def fake_run(claim, check, checkpoint=None, seed=None):  # the committed weights hold; the retrained ones:
        outcome = retrained_outcome if checkpoint == "retrained.pt" else "holds"
        low, high = (0.2, 0.3) if outcome == "holds" else (0.01, 0.05)
        criterion = Criterion("min_effect", "effect", (low + high) / 2, low, high, 0.1, "min", outcome)
        return Verdict(check, [criterion], {"concept": 10}, 0.99, 1, "rule", {"units": ["linear-0:58"]})

    monkeypatch.setattr(dispatch, "run", fake_run)
    claim = claim_file(tmp_path)
    elsewhere = seeds.Retrained(
        0, "1" * 64, "2" * 64, {**versions(), "cpu": "Another CPU"}, versions(), "retrained.pt"
    )
    result = seeds.run_seed(claim, 0, expensive=True, retrained=elsewhere)
    assert result["retrained"]["outcomes"] == {"ablation": retrained_outcome, "invariance": retrained_outcome}
    if retrained_outcome == "holds":
        assert result["outcome"] == "holds" and result["error"] is None
    else:
        assert (
            result["outcome"] == "error"
            and "changes outcomes: ablation holds on the committed" in result["error"]
        )


def test_a_population_no_seed_reports_is_inconclusive_not_a_crash():
    rows = [{"seed": s, "outcome": "no-counterpart", "checks": {}} for s in range(3)]
    row = _population_row(rows, expect="inconclusive")
    assert row.outcome == "inconclusive" and "no threshold" in row.headline
    assert row.verdict["details"]["left_out"] == [{"seed": s, "why": "no-counterpart"} for s in range(3)]
