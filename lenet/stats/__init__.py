"""Statistics and verdicts: ``estimates`` (AUROC, means, permutation and exact tests, intervals, Holm),
``means`` (the sparse-effect interval behind ``estimates.mean``), ``population`` (per-seed effects pooled
into the mean effect of a training run) and ``verdict`` (criteria against thresholds: holds, refuted or
inconclusive). Import the modules; nothing is re-exported."""
