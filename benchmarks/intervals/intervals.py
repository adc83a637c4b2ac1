"""The interval methods coverage.py measures, under the names it uses: those of lenet.stats.

The methods were prototyped here and now live in the package (``lenet.stats.estimates`` for the AUROC,
``lenet.stats.means`` for means and differences of means), so the benchmark measures exactly what the
checks run. Run from the project root, or with the package installed.
"""

from __future__ import annotations

from lenet.stats import estimates, means
from lenet.stats.estimates import Estimate

__all__ = ["Estimate", "MIN_INFORMATIVE", "auroc", "mean", "mean_difference", "informative_count"]

MIN_INFORMATIVE = means.MIN_INFORMATIVE
SKEW_BOOST = means.SKEW_BOOST
informative_count = means.informative_count
_count_ok_rows = means.count_ok
_diff_bounds = means.bounds

_hm_var = estimates._hm_var
_auroc_stats = estimates.auroc_rows
_auroc_bounds = estimates.auroc_bounds
_auroc_p = estimates.auroc_p
auroc = estimates.auroc
mean = estimates.mean
mean_difference = estimates.mean_difference
