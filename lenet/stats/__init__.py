"""Statistics and verdicts: ``estimates`` (AUROC, bootstrap, permutation and exact tests, intervals, Holm) and
``verdict`` (criteria against thresholds: holds,
refuted or inconclusive). Import the modules; nothing is re-exported."""
