"""lenet.run.text: the summary table, per-seed tables and rerun commands that runs print."""

from __future__ import annotations

from test_run_rows import make


def test_summary_table_lines_up_statistic_ci_threshold_outcome_and_holm_p():
    from lenet.run.text import summary_lines

    rows = [
        make(
            statistic="AUROC(concept vs contrast)",
            value=0.91234,
            low=0.85,
            high=0.95,
            threshold=0.75,
            bound="min",
            p_holm=0.0012,
        ),
        make(
            "claims/b.toml::ablation",
            statistic="x" * 50,
            value=0.1,
            threshold=0.2,
            bound="max",
            outcome="refuted",
            status="xfailed",
        ),
    ]
    header, first, second = summary_lines(rows)
    assert header.split() == ["claim", "check", "statistic", "CI", "threshold", "outcome", "p", "(Holm)"]
    assert first.split() == [
        "claims/a.toml",
        "ablation",
        "AUROC(concept",
        "vs",
        "contrast)",
        "=",
        "0.912",
        "[0.85,",
        "0.95]",
        ">=",
        "0.75",
        "holds",
        "0.0012",
    ]
    assert ("x" * 39 + "… = 0.1") in second and second.split()[-4:] == ["<=", "0.2", "refuted", "(xfailed)"]
    assert header.index("statistic") == first.index("AUROC") == second.index("xxx")  # one column start


def test_seeds_rows_show_k_of_n_and_their_per_seed_table():
    from lenet.run.text import run_summary_lines

    results = [
        {"seed": s, "outcome": "holds", "units": ["linear-0:5"], "matches": [], "checks": {}}
        for s in (0, 1, 2)
    ]
    seeds = {"seeds": [0, 1, 2], "min_holding": 2, "holding": [0, 1], "shard": None, "per_seed": results}
    row = make("claims/a.toml::seeds", seeds=seeds, headline="HOLDS; holds on 2 of 3 seeds")
    lines = run_summary_lines([row])
    assert lines[1].split() == [
        "claims/a.toml",
        "seeds",
        "holds",
        "on",
        "2",
        "of",
        "3",
        "seeds",
        ">=",
        "2",
        "of",
        "3",
        "holds",
    ]
    assert lines[2:4] == ["", "claims/a.toml::seeds: HOLDS; holds on 2 of 3 seeds"]
    assert lines[4].split()[:4] == ["seed", "claim", "units", "match"]
    sharded = {**seeds, "shard": {"index": 1, "count": 2, "seeds": [0, 2]}, "holding": [0]}
    line = run_summary_lines([make("claims/a.toml::seeds", seeds=sharded)])[1]
    assert "shard 1/2: holds on 1 of 2 seeds" in line and ">= 2 of 3 (merged)" in line


def test_rerun_command_keeps_the_options_that_change_the_item():
    from lenet.run.text import rerun_command

    options = {
        "claims_checkpoint": None,
        "claims_json": "/tmp/x.json",
        "claims_mnist_root": "/data",
        "claims_seeds": "0-9",
        "claims_shard": "2/3",
        "claims_retrain": True,
    }
    assert rerun_command("claims/a.toml::ablation", options) == (
        "pytest 'claims/a.toml::ablation' --claims-mnist-root /data"
    )
    assert rerun_command("claims/a.toml::seeds", options) == (
        "pytest 'claims/a.toml::seeds' --claims-mnist-root /data --claims-seeds 0-9 --claims-shard 2/3 "
        "--claims-retrain"
    )


def test_per_seed_table_shows_units_matches_and_missing_counterparts():
    from lenet.run.text import seed_table_lines

    match = {
        "unit": "linear-0:21",
        "candidate": "linear-0:64",
        "correlation": 0.54,
        "rank": 1,
        "of": 120,
        "null_bar": 0.63,
    }
    per_seed = [
        {
            "seed": 0,
            "outcome": "holds",
            "units": ["linear-0:21", "linear-0:5"],
            "matches": [],
            "error": None,
            "retrained": None,
            "checks": {"ablation": {"outcome": "holds"}, "invariance": {"outcome": "holds"}},
        },
        {
            "seed": 1,
            "outcome": "no-counterpart",
            "units": [],
            "checks": {},
            "error": None,
            "retrained": None,
            "matches": [
                {**match, "counterpart": None, "reason": "r=0.540 is no better than in untrained networks"}
            ],
        },
        {
            "seed": 2,
            "outcome": "refuted",
            "units": ["linear-0:9"],
            "error": None,
            "retrained": None,
            "matches": [{**match, "counterpart": "linear-0:9", "correlation": 0.81, "reason": None}],
            "checks": {"ablation": {"outcome": "refuted"}, "invariance": {"outcome": "not run"}},
        },
    ]
    lines = seed_table_lines({"per_seed": per_seed})
    assert lines[0].split() == ["seed", "claim", "units", "match", "ablation", "invariance"]
    assert lines[1].split() == ["0", "holds", "linear-0:21,5", "-", "holds", "holds"]
    assert "linear-0:21 -> none (linear-0:64 r=0.54, untrained networks reach 0.63)" in lines[2] and lines[
        2
    ].split()[:3] == ["1", "no-counterpart", "-"]
    assert lines[3].split() == [
        "2",
        "refuted",
        "linear-0:9",
        "linear-0:21",
        "->",
        "linear-0:9",
        "r=0.81",
        "refuted",
        "not",
        "run",
    ]
