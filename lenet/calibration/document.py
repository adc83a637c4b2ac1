"""The calibration results as a page: ``docs/calibration.md`` (tables) and its power-curve figure."""

from __future__ import annotations

from pathlib import Path

from .rule import Count
from .runner import Result

__all__ = ["INTRO", "counts", "table", "figure", "page"]

INTRO = """
A claim file promises three things about its verdicts: a false claim holds at most at its stated rate, a
true effect is refuted at most at its stated rate, and a real effect well above the threshold is found.
This page measures the three, criterion by criterion and for the pipelines claims run, on a real
network; the last paragraphs list what is not measured and why. Each promise is per criterion and over
images of a fixed network.

**Cells.** Each row is a *cell*: a situation with a known truth, run for many trials. A *null* cell
makes the claim false with thresholds off, so only the p-value decides (one class's images split at
random into "concept" and "contrast", or a synthetic null): a hold there is a false hold. A *boundary*
cell puts the true effect exactly on the threshold, the least favourable case for both errors: a
refutation there is a false refutation, and a hold counts as a false hold for an effect just below the
threshold (for the layer rank, whose values are discrete, the hold is counted one rank above the truth).
A *power* point sets the true effect to a multiple of the threshold. The true effect is always the whole
test split's (the pool's, for judge-level cells). Boundary and power cells draw each group's images with
replacement, as many as the pool holds (1,000 images for class-ablation pipelines), so the truth is
exactly the pool's. The others draw differently: a judge-level null splits one class's images at random
("no difference" is true by construction; a pipeline null draws them with replacement first), the
untrained-network pipelines draw a network (and, for a named unit, a unit), the `correlation` boundary
draws half the units without replacement, and synthetic cells draw from distributions with a closed-form
truth.

**The acceptance rule** (the rule of "Verdicts that mean what they say"): a count passes when it is at
most the 99th percentile of Binomial(n, nominal). Nulls: 2,000 trials, nominal 1% (alpha of a 0.99
claim), at most 31. Boundary cells: 4,000 trials, nominal 0.5% per side (one side of a 99% interval), at
most 31 each. A true rate of twice the nominal fails with probability at least 0.9. Every count shows
its 95% Clopper-Pearson interval.

**Levels.** *Judge* cells call the check's own judge on resampled per-image values and effects (real
pools from the network, and synthetic pools with a closed-form truth); the layer-rank cells call the
function both judges compute it with (`percentile_criterion`), and the `[seeds]` cells the ablation
judge once per synthetic seed and then the count (`run.seeds.tally`). *Pipeline* cells run a claim file
end to end through the dispatcher (`run.dispatch.run_on`), on a view of the network whose test split is
the trial's draw (`lenet.calibration.views`; for the two untrained-network pipelines, a view of an
untrained network on every crossed and plain seven, its discovery split cut to the sevens for the
`select` form): the code a claim runs, unchanged. Criteria a pipeline does not calibrate are off in its
claim; a check holds only when all its criteria hold, so that can only raise the false-hold rate
measured, and the random-feature baseline never refutes, so turning it off (every pipeline but the two
on untrained networks) leaves false refutations exactly as they are. A check with several criteria on
their thresholds at once may be refuted by any of them: its false-refutation rate is at most the sum of
theirs. Where one criterion stands for many at once, the check corrects it (Bonferroni) and a cell puts
all of them on the threshold together: every unit of a set for `selectivity`, every other class for
`min_other_accuracy`, every seed that can decide the count for `[seeds]` (each seed is checked at 1 -
alpha / max(m, n - m + 1): 99.75% for 4 of 5 at 0.99).

**What is not a cell, and why.** `training` criteria are exact facts of the recorded run and `[seeds]`
counts are exact counts: no sampling error to calibrate (the tally's propagation of per-seed errors is
calibrated below, on synthetic seeds; its end-to-end run is the golden claims run, 10 claim files on 5
seeds with 9 `::seeds` items, `tests/golden/`: a smoke test, not a rate). The `[seeds]` correction is per
criterion too: a seed of a claim with several checks is refuted when any of them is, so with several
criteria on their thresholds a false "refuted" can be up to that many times the rate (as for several
criteria of one check), and a seed whose unit has no counterpart is counted neither for nor against the
claim (the matching null bounds false matches, not false non-matches); neither is a cell. `invariance`
searches half of the images for a perturbation that breaks the unit and re-measures what it ends with
(its counterexample, else the perturbation that lowered the AUROC most) on the other half with the AUROC
interval: both outcomes rest on that held-out interval, and its cells below put the threshold on a real
unit's AUROC under a fixed perturbation (shift 2 px, rotate 15 degrees), with and without a
counterexample. What they cannot measure is the search itself: a worse perturbation it never tried (a
search per trial costs 10-60 s; 2,000 of them are out of this budget), so "holds" means "the worst
perturbation found keeps the AUROC above the threshold". `normalise = "concept-margin"` divides every
effect by a number fixed on the discovery split, and the intervals are scale-equivariant, so its rates
are the raw rates (its own cells measure it, on independent draws). The class-ablation *pipeline* null
cannot make a real network's class labels meaningless; instead it ablates the 5 units that hurt sevens
most and draws the other digits' images with weights that give their per-image loss exactly the sevens'
distribution, so `selective` has nothing to find (the judge-level nulls relabel one class's images at
random instead). `correlation`'s boundary on real units draws half the 120 units without replacement: the
interval is for the 120 as a population, so it is conservative there (a finite-population correction
would narrow it); the synthetic copula cells have an exact truth.

**How trials share data.** All trials of a cell share one network (reference seed 0 unless
`--checkpoint`/`--seed`; the untrained-network pipelines excepted) and one pool of images: trials are
independent draws *given* that network and pool, so the binomial rule is exact for each cell's own
sampling scheme; resampling the pool (boundary and power cells) stands in for the promise a claim makes,
over new images for a fixed network, as the bootstrap does: the pool is the population. What one network
cannot show is how the rates vary between networks and pools: several real pools per criterion (the most
selective unit, a sparse unit, a mid-ranked unit), synthetic pools with other shapes, untrained networks
(the named-unit pipeline on untrained networks: 400 of them, about 5 trials each, seeds 20,000-20,399;
its `select` form: a network per trial, drawn with replacement from a million seeds from 20,400 on,
about 2 repeated pairs in 2,000, its rate conditional on the one bar the baseline's 200 networks give,
which rank on 500 discovery images per group where the claim's rule ranks on all; both disjoint from the
baselines' 10,000-10,199), and `lenet calibrate --checkpoint` for a user's own network cover that; cells
that read the same pool are not independent replications of each other.

**Cost and reruns.** The judges are called once per trial (what is calibrated is the code claims run;
the interval code itself is vectorised, which its own coverage tests use); trials are drawn chunk by
chunk (200) from generators seeded by the cell and chunk, saved as they finish under
`<cache>/calibration/results/<code digest>/<network key>/`, so a run resumes, `--shard K/N` spreads it
over machines, and `lenet calibrate --report --write-docs` rebuilds this page from what is on disk.
Per-network measurements (sweeps, drives) are cached under `<cache>/calibration/pools/<code digest>/`.
`lenet calibrate --quick` runs the five cells CI runs (`tests/test_calibration_cells.py`), at full n.
A full run takes hours on 2 cores, so a check added after the run this page was written from has its
cells measured on their own (`lenet calibrate --cells NAME`) and reported on its own page until the
next full run: `[concentration]` (issue 19) in
[statistics.md](statistics.md#the-share-of-a-sets-damage-concentration).
"""


def counts(result: Result) -> dict[str, Count]:
    """The counts a result is judged by: false holds (null cells: 1%; at the threshold, one CI side: 0.5%)
    and false refutations (at the threshold: 0.5%); a power point's holding fraction, not judged."""
    n, out = result.trials, result.outcomes
    kind = result.cell.kind
    if kind == "power":
        return {"holds": Count(out.get("holds", 0), n, None)}
    if kind == "null":
        return {"false holds": Count(out.get("holds", 0), n, 0.01)}
    holds = Count(out.get("holds", 0), n, 0.005 if result.cell.hold_is_false else None)
    return {"holds at the threshold": holds, "false refutations": Count(out.get("refuted", 0), n, 0.005)}


def _cell(count: Count | None) -> str:
    if count is None:
        return "-"
    low, high = count.interval()
    mark = "" if count.passes else " **FAILS**"
    limit = "" if count.limit is None else f" (<= {count.limit})"
    return f"{count.events} / {count.trials}{limit} [{low:.4f}, {high:.4f}]{mark}"


def _decided(result: Result) -> str:
    """The fraction of trials that decided (held or were refuted): a cell that never decides passes the
    rule trivially, and the reader should see it."""
    decided = result.outcomes.get("holds", 0) + result.outcomes.get("refuted", 0)
    return f"{decided / result.trials:.1%}"


def table(results: list[Result], level: str) -> list[str]:
    rows = [r for r in results if r.cell.level == level]
    if not rows:
        return []
    lines = [
        "| criterion | cell | kind | holds counted as false | false refutations | decided | CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if not r.complete:
            lines.append(
                f"| {r.cell.criterion} | {r.cell.what} | {r.cell.kind} | "
                f"not run yet ({r.trials} of {r.cell.trials}) | | | |"
            )
            continue
        c = counts(r)
        holds = c.get("false holds") or c.get("holds at the threshold")
        shown = (
            _cell(holds)
            if holds.limit is not None
            else f"{holds.events} / {holds.trials} (right: not judged)"
        )
        lines.append(
            f"| {r.cell.criterion} | {r.cell.what} | {r.cell.kind} | {shown} | "
            f"{_cell(c.get('false refutations'))} | {_decided(r)} | {r.seconds:.0f} |"
        )
    return lines


def power_table(results: list[Result]) -> list[str]:
    curves: dict[str, dict[float, Result]] = {}
    for r in results:
        if r.cell.kind == "power":
            curves.setdefault(r.cell.curve, {})[r.cell.ratio] = r
    if not curves:
        return []
    ratios = sorted({ratio for points in curves.values() for ratio in points})
    lines = ["| curve | " + " | ".join(f"{x:g}x" for x in ratios) + " |", "|---|" + "---|" * len(ratios)]
    for name, points in curves.items():
        cells = []
        for x in ratios:
            r = points.get(x)
            if r is None or not r.complete:
                cells.append("-")
                continue
            low, high = counts(r)["holds"].interval()
            cells.append(f"{r.outcomes.get('holds', 0) / r.trials:.3f} [{low:.2f}, {high:.2f}]")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _power_trials(results: list[Result]) -> str:
    found = sorted({r.cell.trials for r in results if r.cell.kind == "power"})
    return "/".join(f"{n:,}" for n in found) or "no"


def figure(results: list[Result], path: Path) -> bool:
    """Holding fraction against true effect / threshold, one line per curve, with 95% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    curves: dict[str, list[tuple[float, Count]]] = {}
    for r in results:
        if r.cell.kind == "power" and r.complete:
            curves.setdefault(r.cell.curve, []).append((r.cell.ratio, counts(r)["holds"]))
    if not curves:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for name, points in curves.items():
        points.sort()
        x = [p for p, _ in points]
        y = [c.rate for _, c in points]
        err = [[c.rate - c.interval()[0] for _, c in points], [c.interval()[1] - c.rate for _, c in points]]
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=name)
    ax.axvline(1.0, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("true effect / threshold")
    ax.set_ylabel("fraction of trials holding")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("Power: claims holding as the true effect passes the threshold (95% CIs)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


def page(results: list[Result], subject: str, command: str, seconds: float, intro: str) -> str:
    """The whole of docs/calibration.md."""
    lines = [
        "# Calibration: false holds, false refutations and power",
        "",
        "<!-- written by `lenet calibrate --write-docs`; edit the intro in lenet/calibration/document.py -->",
        "",
        intro.strip(),
        "",
        f"Measured on {subject} with `{command}` (or `--shard K/N` on each of N cores or machines, then "
        f"`{command} --report --write-docs`): {seconds / 60:.0f} CPU minutes for the cells below.",
        "",
        "**Reading the tables.** *holds counted as false*: in a null cell every hold is false; in a "
        "boundary cell the holds at the threshold, false for an effect just below it (where the cell's claim "
        "is true with room, e.g. 4 of 5 seeds truly above with 4 needed, the holds are right and shown as "
        "*not judged*). *false refutations*: refutations in a boundary cell, whose true effect is on the "
        "threshold. Each count shows its limit under the acceptance rule and its 95% interval. *decided*: "
        "the share of trials that held or were refuted (the rest were inconclusive); a cell that rarely "
        "decides passes the rule easily, so it is shown. *CPU s*: the cell's CPU seconds.",
        "",
        "## Judge level",
        "",
        *table(results, "judge"),
        "",
        "## Pipelines, end to end through the dispatcher",
        "",
        *table(results, "pipeline"),
        "",
        "## Power",
        "",
        "Fraction of trials holding, with its 95% Clopper-Pearson interval, "
        f"{_power_trials(results)} trials per point; below 1x",
        "the claim is false, so there a holding trial is a false hold.",
        "",
        *power_table(results),
        "",
        "![power curves](img/calibration-power.png)",
        "",
    ]
    return "\n".join(lines)
