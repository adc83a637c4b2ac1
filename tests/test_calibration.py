"""Calibration on the real reference model: null pass rates <= alpha (+ slack), uniform p-values, planted units found.

Nulls share images and units (each null draws its own class split, unit and
seed; see lenet.calibration), so the binomial slack is approximate; the KS
test checks the whole null p-value distribution, not only its tail.
"""

import numpy as np
import pytest

from lenet import calibration, concepts
from lenet.checks import selectivity
from lenet.subject import Subject

pytestmark = pytest.mark.slow
ALPHA = 0.01


@pytest.fixture(scope="module")
def subject():
    return Subject.load(0)


def assert_calibrated(rate: calibration.Rate) -> None:
    assert rate.rate <= rate.slack_limit(), rate.describe()
    assert rate.uniformity() > 0.001, f"null p-values are not uniform: {rate.describe()}"


def test_selectivity_null_passes_at_most_alpha(subject):
    assert_calibrated(calibration.null_selectivity(subject, trials=2000, alpha=ALPHA))


def test_correlation_null_passes_at_most_alpha(subject):
    assert_calibrated(calibration.null_correlation(subject, trials=1000, alpha=ALPHA))


@pytest.mark.parametrize("unit,relay,strength", [(5, 3, 1.0), (40, 10, 0.5), (99, 60, 2.0)])
def test_a_planted_crossbar_unit_passes_selectivity_and_random_units_do_not(subject, unit, relay, strength):
    crossed, plain = concepts.concept("seven/crossed"), concepts.concept("seven/plain")
    planted = calibration.plant(subject, calibration.Plant(unit, relay, strength=strength),
                                crossed.indices("train"), plain.indices("train"))
    values = planted.values("linear-0", "test")
    c, p = crossed.indices("test"), plain.indices("test")
    params = {"min_auroc": 0.75}
    assert selectivity.judge({"u": values[c, unit]}, {"u": values[p, unit]}, params).outcome == "holds"
    others = [u for u in np.random.default_rng(unit).choice(120, 20, replace=False) if u != unit]
    passing = [u for u in others if selectivity.judge({"u": values[c, u]}, {"u": values[p, u]}, params).outcome == "holds"]
    assert len(passing) <= 2, f"untouched units {passing} pass a crossbar claim on the planted model"
