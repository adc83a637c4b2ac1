"""Calibration on the real reference model: null pass rates <= alpha
(+ slack), uniform p-values, planted units found.

Nulls share images and units (each null draws its own class split, unit and
seed; see lenet.run.calibration), so the binomial slack is approximate; the KS
test checks the whole null p-value distribution, not only its tail.
"""

import numpy as np
import pytest

from lenet.lenet_mnist import concepts
from lenet.lenet_mnist.subject import LenetMnist
from lenet.run import calibration

pytestmark = pytest.mark.slow
ALPHA = 0.01


@pytest.fixture(scope="module")
def subject():
    return LenetMnist.load(0)


TRIALS = {
    "selectivity": 2000,
    "ablation": 1000,
    "activation": 500,
    "class-ablation": 300,
    "correlation": 1000,
}


@pytest.mark.parametrize("check", list(calibration.NULLS))
def test_null_claims_pass_at_most_alpha(subject, check):
    rate = calibration.NULLS[check](subject, trials=TRIALS[check], alpha=ALPHA)
    print(rate.describe())
    assert rate.rate <= rate.slack_limit(), rate.describe()
    assert rate.uniformity("greater") > 0.001, f"null p-values are anti-conservative: {rate.describe()}"
    if check in calibration.CONTINUOUS:
        assert rate.uniformity() > 0.001, f"null p-values are not uniform: {rate.describe()}"


def test_planted_crossbar_units_pass_and_untouched_units_do_not_pass_ablation(subject):
    sel, abl, spurious = calibration.power(subject, alpha=ALPHA)
    for rate in (sel, abl, spurious):
        print(rate.describe())
    assert sel.passes == sel.trials == len(calibration.PLANTS), sel.describe()
    assert abl.passes == abl.trials, abl.describe()
    assert spurious.passes <= 1, spurious.describe()


def test_planting_leaves_untouched_units_selectivity_verdicts_as_they_were(subject):
    """Untouched linear-0 units compute exactly what they did:
    any that pass a crossbar claim are the network's own."""
    crossed, plain = concepts.concept("seven/crossed"), concepts.concept("seven/plain")
    spec = calibration.PLANTS[0]
    planted = subject.planted(spec, crossed.indices("train"), plain.indices("train"))
    before, after = (
        subject.values("linear-0", "test", site="pre"),
        planted.values("linear-0", "test", site="pre"),
    )
    untouched = [u for u in range(120) if u != spec.unit]
    np.testing.assert_array_equal(before[:, untouched], after[:, untouched])


def test_lenet_calibrate_prints_every_checks_rate_with_an_interval(capsys):
    from lenet.cli import main

    assert main(["calibrate", "--n", "40"]) in (
        0,
        1,
    )  # 40 nulls per check: the exit code says whether any rate is too high
    out = capsys.readouterr().out
    for check in calibration.NULLS:
        assert f"{check}" in out and "false positives" in out
    assert "power (planted units)" in out and "95% CI" in out


def test_lenet_calibrate_refuses_bad_numbers(capsys):
    from lenet.cli import main

    assert main(["calibrate", "--alpha", "0.7"]) == 2
    assert "--alpha 0.7 must lie in (0, 0.5)" in capsys.readouterr().err
