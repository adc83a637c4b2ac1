"""Statistics and verdicts: ``estimates`` (AUROC, means, permutation and exact tests, intervals, Holm),
``means`` (the sparse-effect interval behind ``estimates.mean``) and ``verdict`` (criteria against
thresholds: holds, refuted or inconclusive). Import the modules; nothing is re-exported."""
