"""Each check's judge on synthetic per-image numbers: the statistics it reports equal direct scipy/numpy ones,
and the outcome follows the decision rule."""

import numpy as np
import pytest
from scipy import stats as sps

from lenet.checks import ablation, activation, class_ablation, concentration, correlation, selectivity
from lenet.stats import estimates


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def test_selectivity_judge_reports_mann_whitney_and_compares_the_baseline(rng):
    x, y = rng.normal(1.5, 1, 80), rng.normal(0, 1, 300)
    verdict = selectivity.judge({"u": x}, {"u": y}, {"min_auroc": 0.75}, bar=0.7, seed=1)
    auroc, base = verdict.criteria
    assert auroc.value == pytest.approx(sps.mannwhitneyu(x, y).statistic / (80 * 300))
    assert (
        auroc.p == estimates.auroc(x, y).p and auroc.p < 1e-12
    )  # the score test (tests/test_stats_estimates.py)
    assert base.threshold == 0.7 and verdict.outcome == "holds"
    too_high = selectivity.judge({"u": x}, {"u": y}, {"min_auroc": 0.75}, bar=0.99)
    assert too_high.outcome == "inconclusive" and too_high.criteria[1].outcome == "inconclusive"


def test_selectivity_judge_needs_every_unit_of_a_set(rng):
    good, bad = rng.normal(2, 1, 60), rng.normal(0, 1, 60)
    contrast = rng.normal(0, 1, 200)
    verdict = selectivity.judge({"a": good, "b": bad}, {"a": contrast, "b": contrast}, {"min_auroc": 0.7})
    assert [c.name for c in verdict.criteria] == ["min_auroc[a]", "min_auroc[b]"]
    assert verdict.outcome == "refuted"


def test_inconclusive_selectivity_says_how_many_more_images_would_decide():
    concept, contrast = np.arange(12) + 4.5, np.arange(12.0)  # AUROC about 0.8 from 12 images each
    verdict = selectivity.judge({"u": concept}, {"u": contrast}, {"min_auroc": 0.6})
    assert verdict.outcome == "inconclusive", verdict.describe()
    need = int(verdict.to_decide.split()[1])
    assert need > 12 and "images per group" in verdict.to_decide


def test_ablation_judge_difference_percentile_and_collateral(rng):
    concept, contrast = rng.exponential(2.0, 120), rng.exponential(0.5, 600)
    layer_effects = rng.normal(0, 0.3, 120)
    collateral = (rng.random(5000) < 0.002).astype(float)
    params = {
        "method": "zero",
        "output": "logit:true",
        "min_effect": 0.5,
        "min_layer_percentile": 95,
        "max_collateral": 0.01,
    }
    verdict = ablation.judge(
        concept, contrast, params, layer_effects=layer_effects, collateral=collateral, seed=3
    )
    effect, percentile, side = verdict.criteria
    assert effect.value == pytest.approx(concept.mean() - contrast.mean()) and effect.p < 0.01
    assert percentile.value == pytest.approx(100 * np.mean(layer_effects < effect.value))
    assert side.value == pytest.approx(collateral.mean()) and side.outcome == "holds"
    assert verdict.outcome == "holds"


def test_activation_judge_signs_the_change_and_tests_selectivity_of_the_drive(rng):
    contrast_changes, concept_changes = rng.normal(-0.8, 0.5, 200), rng.normal(0.0, 0.5, 100)
    params = {"output": "logit:7", "direction": "down", "value": "concept-median", "min_effect": 0.5}
    verdict = activation.judge(contrast_changes, concept_changes, params, seed=2)
    assert verdict.primary.value == pytest.approx(0.8, abs=0.1) and verdict.primary.p < 0.01
    assert verdict.outcome == "holds"
    up = activation.judge(contrast_changes, concept_changes, {**params, "direction": "up"}, seed=2)
    assert up.outcome == "refuted"


def test_class_ablation_judge_uses_clopper_pearson_per_class(rng):
    labels = np.repeat(np.arange(10), 200)
    before = np.ones(2000, bool)
    after = before.copy()
    after[(labels == 3) & (rng.random(2000) < 0.8)] = False
    params = {"class": 3, "max_accuracy": 0.5, "min_other_accuracy": 0.95}
    verdict = class_ablation.judge(before, after, labels, params, seed=1)
    names = [c.name for c in verdict.criteria]
    assert names == ["selective", "max_accuracy", "min_other_accuracy"] and verdict.outcome == "holds"
    ci = sps.binomtest(int(after[labels == 3].sum()), 200).proportion_ci(0.99, method="exact")
    assert (verdict.criteria[1].low, verdict.criteria[1].high) == pytest.approx((ci.low, ci.high))


def test_min_other_accuracy_refutes_only_when_a_class_is_below_after_bonferroni():
    """Nine other classes on the bound at once: plain 99% upper bounds refuted 4.5% of such claims (lenet
    calibrate); a class is now below only when its upper bound at 1 - 0.01 / 9 is."""
    labels = np.repeat(np.arange(10), 1000)
    after = np.ones(len(labels), bool)
    after[(labels == 4) & (np.arange(len(labels)) % 1000 < 70)] = False  # class 4: 930 of 1,000 right
    params = {"class": 0, "min_other_accuracy": 0.95}
    plain_high = sps.binomtest(930, 1000).proportion_ci(0.99, method="exact").high
    strict_high = sps.binomtest(930, 1000).proportion_ci(1 - 0.01 / 9, method="exact").high
    assert plain_high < 0.95 <= strict_high  # refuted before the fix
    verdict = class_ablation.judge(np.ones(len(labels), bool), after, labels, params, permutations=99)
    criterion = verdict.criteria[-1]
    assert criterion.name == "min_other_accuracy" and criterion.outcome == "inconclusive"
    after[(labels == 4) & (np.arange(len(labels)) % 1000 < 80)] = False  # 920 of 1,000: clearly below
    verdict = class_ablation.judge(np.ones(len(labels), bool), after, labels, params, permutations=99)
    assert verdict.criteria[-1].outcome == "refuted"


def test_a_unit_set_is_refuted_by_one_unit_only_below_its_bonferroni_bound(rng):
    """Five units on the threshold at once would be refuted about five times as often as one; a unit of a
    set refutes it only when its upper bound at 1 - alpha / k is below min_auroc."""
    a, b = rng.normal(0.8, 1, 60), rng.normal(0, 1, 400)
    plain = estimates.auroc(a, b, 0.99).high
    strict = estimates.auroc(a, b, 1 - 0.01 / 5).high
    assert plain < strict
    params = {"min_auroc": (plain + strict) / 2}
    assert selectivity.judge({"u": a}, {"u": b}, params).outcome == "refuted"  # alone: below its bound
    several = {f"u{i}": a for i in range(5)}, {f"u{i}": b for i in range(5)}
    verdict = selectivity.judge(*several, params)
    assert [c.outcome for c in verdict.criteria] == [
        "inconclusive"
    ] * 5 and "Bonferroni" in verdict.primary.note
    params = {"min_auroc": strict + 0.01}  # below even the corrected bound: refuted
    assert selectivity.judge(*several, params).outcome == "refuted"


def test_correlation_judge_bounds_rho_from_above_for_about_zero_claims(rng):
    x = rng.normal(size=120)
    y = -0.5 * x + rng.normal(size=120)
    verdict = correlation.judge(x, y, {"x": "a", "y": "b", "max_rho": 0.1}, seed=0)
    assert (
        verdict.primary.value == pytest.approx(sps.spearmanr(x, y).statistic) and verdict.outcome == "holds"
    )
    assert correlation.judge(x, y, {"x": "a", "y": "b", "min_rho": 0.1}, seed=0).outcome == "refuted"


def test_class_ablation_of_the_complement_asks_that_the_class_be_spared():
    labels = np.repeat(np.arange(10), 200)
    before = np.ones(2000, bool)
    after = labels == 7  # every seven still right, every other image broken
    verdict = class_ablation.judge(
        before, after, labels, {"class": 7, "ablate": "complement", "min_accuracy": 0.8}, seed=0
    )
    assert [c.name for c in verdict.criteria] == ["spares", "min_accuracy"]
    assert verdict.outcome == "holds"
    broken = class_ablation.judge(
        before, ~after, labels, {"class": 7, "ablate": "complement", "min_accuracy": 0.8}, seed=0
    )
    assert broken.outcome == "refuted" and broken.criteria[1].outcome == "refuted"


def _shares(rng, share, whole=1.0, n=(120, 700)):
    """Per-image damage of a set's first unit and of the whole set, paired, with the given true share."""
    noise = rng.normal(0, 0.3, (2, sum(n)))
    part, full = share * whole + noise[0], whole + 0.6 * noise[0] + 0.8 * noise[1]
    part[n[0] :] -= share * whole
    full[n[0] :] -= whole
    return part[: n[0]], part[n[0] :], full[: n[0]], full[n[0] :]


def test_concentration_judges_each_bound_on_the_fieller_interval(rng):
    from lenet.stats import ratios

    arrays = _shares(rng, 0.3)
    params = {"method": "resample", "output": "margin:true", "max_share": 0.5, "min_share": 0.1}
    verdict = concentration.judge(*arrays, params)
    most, least = verdict.criteria
    est = ratios.share(*arrays)
    assert (most.value, most.low, most.high) == (est.value, est.low, est.high)
    assert most.name == "max_share" and most.outcome == "holds"  # its upper bound is below 0.5
    assert least.name == "min_share" and least.outcome == "holds" and least.p == est.p
    assert concentration.judge(*arrays, {**params, "min_share": 0.45}).outcome == "refuted"
    assert concentration.judge(*arrays, {**params, "max_share": 0.3, "min_share": None}).outcome == (
        "inconclusive"
    )


def test_concentration_of_a_whole_that_may_be_zero_is_inconclusive_without_an_interval(rng):
    arrays = _shares(rng, 0.5, whole=0.02)
    verdict = concentration.judge(*arrays, {"method": "zero", "output": "logit:true", "max_share": 0.5})
    (criterion,) = verdict.criteria
    assert verdict.outcome == "inconclusive" and criterion.low is None and criterion.high is None
    assert "not clearly above 0" in verdict.to_decide  # the seeds' pooled estimate leaves such a seed out


def test_concentration_of_an_ablation_that_changes_nothing_is_a_no_op():
    zeros = (np.zeros(30), np.zeros(200), np.zeros(30), np.zeros(200))
    verdict = concentration.judge(*zeros, {"method": "zero", "output": "logit:true", "max_share": 0.5})
    assert verdict.outcome == "inconclusive" and verdict.details["no_op"] and "resample" in verdict.to_decide
