"""Power curves and the seeds aggregation.

A power point is a claim whose true effect is a set multiple (``ratio``) of its threshold: the fraction
holding, from 0.5x (the claim is false: it should hardly ever hold) to 3x. True effects are the whole
test split's; trials draw the test images with replacement and run the claim through the dispatcher.
Planted units (``Subject.planted``) carry a known effect: through a cleared relay (``route="relay"``) or
written into the linear-1 units that already feed the logit, beside every other unit's contribution
(``"shared"``), so ablating them is not a clean cut. Selectivity uses a moderately selective unit of the
network itself (AUROC about 0.7: a 0.5x threshold is 2 x AUROC - 0.5, which no AUROC above 0.75 allows; a
plant's linear discriminant sits near 0.98 whatever its strength).

``::seeds`` is calibrated at judge level on synthetic per-seed effects (thousands of trained networks are
out of reach): five seeds, 4 must hold, each seed's ablation effects drawn from the real damage pool
scaled to the seed's truth, its verdict by the ablation judge at ``run.seeds.seed_confidence`` (what a
``::seeds`` item runs each seed at), the five counted by ``run.seeds.tally``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import ablation
from ..run.dispatch import run_on
from ..stats import estimates
from ..subject.plant import Plant
from .cells import Cell, Context
from .judge_cells import CONFIDENCE, _damage_pools
from .pipeline_cells import ACTIVATION, _drawn_view, _named, _top_set, _with, claim
from .pools import draw
from .views import TrialSubject

__all__ = ["cells", "RATIOS", "PLANTS"]

RATIOS = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
PLANTS = {"relay": Plant(5, 3, route="relay"), "shared": Plant(40, 10, route="shared")}


def _planted(ctx: Context, route: str):
    crossed, plain = ctx.concept("train")
    return ctx.memo(f"planted-{route}", lambda: ctx.subject.planted(PLANTS[route], crossed, plain))


def _selectivity(ratio: float):
    def prepare(ctx: Context):
        values = ctx.values()
        crossed, plain = ctx.concept()
        # a moderately selective unit (test-split AUROC nearest 0.7, the truth the trials resample): its 0.5x
        # threshold, 2 x AUROC - 0.5, must be an AUROC at all; picking it by the truth is not selection
        # inside a trial, which draws from the pool the truth was measured on
        aurocs = estimates.auroc_columns(values[crossed], values[plain])
        unit = int(np.nanargmin(np.abs(aurocs - 0.7)))
        truth = float(aurocs[unit])
        threshold = 0.5 + (truth - 0.5) / ratio  # the effect is the AUROC's distance from 0.5
        if not 0.5 < threshold <= 1:
            raise ValueError(
                f"unit {unit}'s AUROC {truth:.3f} has no threshold at {ratio}x; pick another unit"
            )
        found = _with(
            claim(_named(f"linear-0:{unit}", "[selectivity]\nmin_auroc = 0.75\nbaseline = false\n")),
            "selectivity",
            min_auroc=threshold,
        )

        def trial(rng):
            return run_on(_drawn_view(ctx, rng), found, "selectivity").outcome

        return trial

    return prepare


def _ablation(route: str, ratio: float):
    def prepare(ctx: Context):
        network = _planted(ctx, route)
        crossed, plain = ctx.concept()
        unit = PLANTS[route].unit
        damage = network.intervene(_unitset(network, unit), "zero", site=ctx.SITE).damage("logit:true")
        truth = float(damage[crossed].mean() - damage[plain].mean())
        table = '[ablation]\nmethod = "zero"\noutput = "logit:true"\nmin_effect = 0.1\n'
        found = _with(claim(_named(f"linear-0:{unit}", table)), "ablation", min_effect=truth / ratio)

        def trial(rng):
            return run_on(_drawn_view(ctx, rng, network=network), found, "ablation").outcome

        return trial

    return prepare


def _unitset(subject, unit: int):
    from ..subject.units import UnitSet

    return UnitSet("linear-0", (unit,), subject.layers)


def _activation(route: str, ratio: float):
    def prepare(ctx: Context):
        from ..checks.activation import level

        network = _planted(ctx, route)
        unit = PLANTS[route].unit
        crossed_train = ctx.concept("train")[0]
        plain = ctx.concept()[1]
        drive = level(
            network.values("linear-0", "train", site=ctx.SITE)[crossed_train, unit], "concept-median"
        )
        change = network.intervene(
            _unitset(network, unit), "clamp", rows=plain, value=drive, site=ctx.SITE
        ).change("logit:7")
        found = _with(
            claim(_named(f"linear-0:{unit}", ACTIVATION)),
            "activation",
            min_effect=float(change.mean()) / ratio,
        )

        def trial(rng):
            return run_on(_drawn_view(ctx, rng, network=network), found, "activation").outcome

        return trial

    return prepare


def _class_ablation(ratio: float):
    def prepare(ctx: Context):
        from ..subject.units import UnitSet

        units = _top_set(ctx, 15)  # sevens' accuracy 0.99 -> 0.59 on the test split (5 units: only -> 0.96)
        effects = ctx.subject.intervene(UnitSet("linear-0", units, ctx.subject.layers), "zero", site=ctx.SITE)
        sevens = ctx.labels == 7
        before = float(effects.correct_before.numpy()[sevens].mean())
        drop = before - float(effects.correct_after.numpy()[sevens].mean())
        names = ",".join(map(str, units))
        text = (
            'format = 2\nsite = "post"\nclaim = "calibration"\n'
            f'units = "linear-0:{names}"\n[class-ablation]\nclass = 7\nmethod = "zero"\nmax_accuracy = 0.5\n'
        )
        found = _with(claim(text), "class-ablation", max_accuracy=before - drop / ratio)

        def trial(rng):
            view = TrialSubject(ctx.subject, draw(rng, np.arange(len(ctx.labels)), 1000))
            return run_on(view, found, "class-ablation").outcome

        return trial

    return prepare


SEEDS, MIN_HOLDING = 5, 4


def _seeds(ratios: tuple[float, ...] | None):
    """``ratios`` None: every seed's effect zero (pools exchanged), thresholds off; else seed i's true effect
    is ``ratios[i]`` times the threshold (the real damage pool scaled)."""

    def prepare(ctx: Context):
        from ..run.seeds import seed_confidence, tally

        each = seed_confidence(CONFIDENCE, MIN_HOLDING, SEEDS)

        a, b = _damage_pools(ctx, "best")
        truth = float(a.mean() - b.mean())
        both = np.r_[a, b]

        def trial(rng):
            rows = []
            for seed in range(SEEDS):
                if ratios is None:
                    x, y = draw(rng, both, len(a)), draw(rng, both, len(b))
                else:
                    x, y = ratios[seed] * draw(rng, a), ratios[seed] * draw(rng, b)
                params = {
                    "method": "zero",
                    "output": "logit:true",
                    "min_effect": None if ratios is None else truth,
                }
                outcome = ablation.judge(x, y, params, confidence=each).outcome
                rows.append({"seed": seed, "outcome": outcome})
            return tally(list(range(SEEDS)), MIN_HOLDING, CONFIDENCE, rows).outcome

        return trial

    return prepare


def _population(seeds: int, tau: float | None):
    """``[seeds] population = "ablation.min_effect"`` on ``seeds`` synthetic seeds: seed i's true effect is
    the threshold plus ``tau`` x the threshold x a normal draw (a population of training runs whose mean
    sits on the threshold), realised by shifting the real damage pool's concept side; each seed judged by
    the ablation judge at its seed confidence, the criteria pooled by ``run.seeds.population``. ``tau``
    None: the null, every seed's effect zero (pools exchanged), thresholds off (only the p-value decides)."""

    def prepare(ctx: Context):
        from ..run.seeds import population, seed_confidence

        each = seed_confidence(CONFIDENCE, MIN_HOLDING * seeds // SEEDS, seeds)
        a, b = _damage_pools(ctx, "best")
        truth = float(a.mean() - b.mean())
        both = np.r_[a, b]

        def trial(rng):
            rows = []
            shifts = np.zeros(seeds) if tau is None else tau * truth * rng.standard_normal(seeds)
            for seed in range(seeds):
                if tau is None:
                    x, y = draw(rng, both, len(a)), draw(rng, both, len(b))
                else:
                    x, y = draw(rng, a) + shifts[seed], draw(rng, b)
                params = {
                    "method": "zero",
                    "output": "logit:true",
                    "min_effect": None if tau is None else truth,
                }
                verdict = ablation.judge(x, y, params, confidence=each)
                criteria = [dataclasses.asdict(c) for c in verdict.criteria]
                rows.append(
                    {"seed": seed, "outcome": verdict.outcome, "checks": {"ablation": {"criteria": criteria}}}
                )
            return population(rows, "ablation.min_effect", CONFIDENCE, each)[0].outcome

        return trial

    return prepare


def cells() -> list[Cell]:
    out = [
        Cell("seeds min_holding", "4 of 5 seeds, every seed's effect zero", "judge", "null", _seeds(None)),
        Cell(
            "seeds min_holding",
            "4 of 5, only 3 truly above (3x; two at 0.3x)",
            "judge",
            "null",
            _seeds((3, 3, 3, 0.3, 0.3)),
        ),
        Cell(
            "seeds min_holding",
            "4 of 5 seeds, every seed on the threshold",
            "judge",
            "boundary",
            _seeds((1,) * 5),
        ),
        Cell(
            "seeds min_holding",
            "4 of 5, exactly 4 truly above (3x; one at 0.3x)",
            "judge",
            "boundary",
            _seeds((3, 3, 3, 3, 0.3)),
            hold_is_false=False,
        ),
        # the least favourable cases of the count: any one of the seeds on the threshold decides it
        Cell(
            "seeds min_holding",
            "4 of 5, three far above (3x), two on the threshold: a hold is false",
            "judge",
            "boundary",
            _seeds((3, 3, 3, 1, 1)),
        ),
        Cell(
            "seeds min_holding",
            "4 of 5, four on the threshold, one far below (0.3x)",
            "judge",
            "boundary",
            _seeds((1, 1, 1, 1, 0.3)),
        ),
        Cell("seeds population", "5 seeds, every seed's effect zero", "judge", "null", _population(5, None)),
        Cell(
            "seeds population", "10 seeds, every seed's effect zero", "judge", "null", _population(10, None)
        ),
        Cell(
            "seeds population",
            "5 seeds, mean on the threshold, no spread",
            "judge",
            "boundary",
            _population(5, 0.0),
        ),
        Cell(
            "seeds population",
            "10 seeds, mean on the threshold, between-seed SD 0.5x the threshold",
            "judge",
            "boundary",
            _population(10, 0.5),
        ),
        Cell(
            "seeds population",
            "5 seeds, mean on the threshold, between-seed SD 0.5x the threshold",
            "judge",
            "boundary",
            _population(5, 0.5),
        ),
    ]
    for ratio in RATIOS:
        out.append(
            Cell(
                "selectivity",
                "a unit of AUROC about 0.7 (its own)",
                "power",
                "power",
                _selectivity(ratio),
                ratio,
                curve="selectivity (own unit)",
            )
        )
        for route in PLANTS:
            out.append(
                Cell(
                    "ablation",
                    f"planted unit, {route} path",
                    "power",
                    "power",
                    _ablation(route, ratio),
                    ratio,
                    curve=f"ablation ({route})",
                )
            )
            out.append(
                Cell(
                    "activation",
                    f"planted unit, {route} path",
                    "power",
                    "power",
                    _activation(route, ratio),
                    ratio,
                    curve=f"activation ({route})",
                )
            )
        out.append(
            Cell(
                "class-ablation",
                "sevens' accuracy drop, 15 units",
                "power",
                "power",
                _class_ablation(ratio),
                ratio,
                curve="class-ablation max_accuracy",
            )
        )
        out.append(
            Cell(
                "seeds",
                "4 of 5 seeds, synthetic",
                "power",
                "power",
                _seeds((ratio,) * SEEDS),
                ratio,
                curve="seeds (4 of 5)",
            )
        )
    return out
