"""The acceptance rule: at most the 99th percentile of Binomial(n, nominal) false outcomes."""

import numpy as np

from lenet.calibration.rule import Count, limit


def test_the_acceptance_rule_limits():
    assert limit(2000, 0.01) == 31 and limit(4000, 0.005) == 31
    assert Count(31, 4000, 0.005).passes and not Count(32, 4000, 0.005).passes
    assert Count(400, 400, None).passes  # a power point is reported, never judged
    low, high = Count(20, 2000, 0.01).interval()
    assert low < 0.01 < high
    assert np.isclose(Count(20, 2000, 0.01).rate, 0.01)
