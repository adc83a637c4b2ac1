"""Pipeline cells: claims run end to end through the dispatcher (``run.dispatch.run_on``), as a claim file is.

Each trial is a real claim (a claim file read by the loader, then given the trial's unit, threshold or
concepts) run on a ``TrialSubject``: the network under calibration with its test split drawn with
replacement, so the true effect is the whole split's. The pipelines:

1. a named unit of an *untrained* network, crossed vs plain sevens (a concept that really differs): only
   the random-feature baseline stands between the user and a false "holds" (min_auroc at its floor; the
   baseline criterion's own outcome is counted, not only the check's); and the same for a ``select`` rule
   (top-1 by selectivity), whose bar is the rule replayed in untrained networks;
2. ``select`` top-1 and top-3 by selectivity, chosen on the discovery split, confirmed on the test split;
3. ``select`` top-1 by ablation;
4. ablation of a named unit, zero, mean and resample, raw and normalised;
5. activation of a named unit; 6. class-ablation of a named unit set.

Criteria a pipeline does not calibrate are off in its claim (each is calibrated at judge level). A check
holds only when every criterion holds, so a criterion switched off can only raise the false-hold rate
measured; and the random-feature baseline never refutes, so switching it off (pipelines 2-6) leaves the
false-refutation rate exactly as it is.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np

from ..claims import loader
from ..run.dispatch import run_on
from ..stats import estimates
from .cells import Cell, Context, criterion_outcome
from .pools import cached, draw, split_class
from .views import TrialSubject

__all__ = ["cells", "claim"]

UNTRAINED_FIRST_SEED = 20_000  # untrained networks under test: disjoint from the baselines' 10,000-10,199
UNTRAINED_NETWORKS = 400
#: pipeline 1 for a select rule: one untrained network per trial, drawn from a million seeds from 20,400 on
UNTRAINED_SELECT_FIRST_SEED, UNTRAINED_SELECT_NETWORKS = UNTRAINED_FIRST_SEED + UNTRAINED_NETWORKS, 1_000_000


def claim(text: str):
    """A claim file's text, read by the loader (validated, defaults filled) from a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims" / "calibration.toml"
        path.parent.mkdir()
        path.write_text(text)
        return loader.load(path, root=folder)


def _with(found, check: str, **params):
    """``found`` with check ``check``'s parameters changed (e.g. the trial's threshold)."""
    table = found.checks[check]
    table = dataclasses.replace(table, params={**table.params, **params})
    return dataclasses.replace(found, checks={**found.checks, check: table})


HEADER = (
    'format = 2\nsite = "post"\nclaim = "calibration"\nconcept = "seven/crossed"\ncontrast = "seven/plain"\n'
)


def _named(unit: str, table: str) -> str:
    return f'{HEADER}unit = "{unit}"\n{table}'


def _selected(top: int, by: str, table: str) -> str:
    return f'{HEADER}select = {{ layer = "linear-0", top = {top}, by = "{by}" }}\n{table}'


def _trial_concepts(ctx: Context, rng, klass: int | None = None):
    """Rows and concepts of a null trial: one class's discovery images split at random into
    ``calibration/a`` and ``calibration/b``, and its test images drawn with replacement, then split at
    random the same way, so both groups are draws from one pool (splitting first and drawing within each
    half would compare two fixed halves, whose true difference is not zero: 78 of 2,000 such "nulls" held)."""
    a_train, b_train, klass = split_class(rng, ctx.train_labels, klass)
    rows = draw(rng, np.flatnonzero(ctx.labels == klass))
    order = rng.permutation(len(rows))
    cut = int(len(rows) * rng.uniform(0.2, 0.8))
    concepts = {
        "calibration/a": {"train": a_train, "test": np.sort(order[:cut])},
        "calibration/b": {"train": b_train, "test": np.sort(order[cut:])},
    }
    return rows, concepts


def _null_view(ctx: Context, rng, klass: int | None = None):
    rows, concepts = _trial_concepts(ctx, rng, klass)
    return TrialSubject(ctx.subject, rows, concepts)


def _on(found, concepts: bool):
    return (
        dataclasses.replace(found, concept="calibration/a", contrast="calibration/b") if concepts else found
    )


def _sevens(ctx: Context, tested: tuple[int, int], train: tuple[np.ndarray, np.ndarray]) -> dict:
    """A view's crossed and plain sevens when its test rows are ``tested`` = (crossed, plain) counts, crossed
    first, and its discovery rows are ``train``."""
    crossed, plain = tested
    return {
        ctx.CONCEPT: {"train": train[0], "test": np.arange(crossed)},
        ctx.CONTRAST: {"train": train[1], "test": crossed + np.arange(plain)},
    }


def _drawn_view(ctx: Context, rng, train: bool = False, network=None):
    """Crossed and plain sevens drawn with replacement on the test split (and on the discovery split when
    ``train``, so a `select` rule chooses afresh), seen on ``network`` (default the one under calibration)."""
    crossed, plain = ctx.concept()
    rows = np.r_[draw(rng, crossed), draw(rng, plain)]
    if train:
        discovery = tuple(np.sort(draw(rng, members)) for members in ctx.concept("train"))
    else:
        discovery = ctx.concept("train")
    tested = (len(crossed), len(plain))
    return TrialSubject(ctx.subject if network is None else network, rows, _sevens(ctx, tested, discovery))


# 1. a named unit of an untrained network ------------------------------------------------------------------


def _untrained(ctx: Context):
    found = claim(_named("linear-0:0", "[selectivity]\nmin_auroc = 0.501\nbaseline = true\n"))
    crossed, plain = ctx.concept()
    rows = np.r_[crossed, plain]
    concepts = _sevens(ctx, (len(crossed), len(plain)), ctx.concept("train"))
    units = ctx.values().shape[1]
    views: dict = {}

    def trial(rng):
        network = UNTRAINED_FIRST_SEED + int(rng.integers(UNTRAINED_NETWORKS))
        if network not in views:
            if len(views) > 8:
                views.pop(next(iter(views)))
            views[network] = TrialSubject(ctx.subject.fresh(network), rows, concepts, compute_values=True)
        unit = int(rng.integers(units))
        verdict = run_on(views[network], dataclasses.replace(found, units=f"linear-0:{unit}"), "selectivity")
        # the baseline criterion's own outcome: the check holds only when it does (and min_auroc, which
        # a real difference clears here), so this is the larger of the two false-hold rates
        return criterion_outcome(verdict, "baseline")

    return trial


def _untrained_select(ctx: Context):
    """Pipeline 1 for a ``select`` rule: top-1 by selectivity chosen in an untrained network (on every
    discovery seven, as a claim's rule does), whose bar is the rule replayed in the baseline's 200 untrained
    networks (on at most 500 discovery images per group: the bar a claim faces, mismatch included). Each
    trial is another untrained network on the same images, the randomness the bar is about; the rate is
    conditional on the one bar those 200 networks give. Seeds are drawn with replacement from a million
    (about 2 repeated pairs in 2,000 trials)."""
    found = claim(_selected(1, "selectivity", "[selectivity]\nmin_auroc = 0.501\nbaseline = true\n"))
    crossed, plain = ctx.concept()
    crossed_train, plain_train = ctx.concept("train")
    rows, discovery = np.r_[crossed, plain], np.r_[crossed_train, plain_train]
    # discovery positions in the cut split, crossed first, as the test rows
    train = (np.arange(len(crossed_train)), len(crossed_train) + np.arange(len(plain_train)))
    concepts = _sevens(ctx, (len(crossed), len(plain)), train)

    def trial(rng):
        network = ctx.subject.fresh(
            UNTRAINED_SELECT_FIRST_SEED + int(rng.integers(UNTRAINED_SELECT_NETWORKS))
        )
        # the discovery split cut to the sevens: the rule reads only those, and a network met once is
        # measured on them rather than on all 60,000 images
        view = TrialSubject(network, rows, concepts, compute_values=True, discovery=discovery)
        verdict = run_on(view, found, "selectivity")
        return criterion_outcome(verdict, "baseline")

    return trial


# 2-3. select rules ---------------------------------------------------------------------------------------


def _select_null(top: int, by: str):
    def prepare(ctx: Context):
        table = (
            "[selectivity]\nmin_auroc = 0.75\nbaseline = false\n"
            if by == "selectivity"
            else '[ablation]\nmethod = "zero"\noutput = "logit:true"\nmin_effect = 0.5\n'
        )
        check = "selectivity" if by == "selectivity" else "ablation"
        found = _with(
            claim(_selected(top, by, table)),
            check,
            **{"min_auroc" if by == "selectivity" else "min_effect": None},
        )
        found = _on(found, True)

        def trial(rng):
            return run_on(_null_view(ctx, rng, 7 if by == "ablation" else None), found, check).outcome

        return trial

    return prepare


def _select_boundary(top: int, by: str):
    def prepare(ctx: Context):
        crossed, plain = ctx.concept()
        if by == "selectivity":
            found = claim(_selected(top, by, "[selectivity]\nmin_auroc = 0.75\nbaseline = false\n"))
            values = ctx.values()
            truth = estimates.auroc_columns(values[crossed], values[plain])  # every unit's whole-split AUROC
            key, check = "min_auroc", "selectivity"
        else:
            found = claim(
                _selected(top, by, '[ablation]\nmethod = "zero"\noutput = "logit:true"\nmin_effect = 0.5\n')
            )
            damage = ctx.damage()
            truth = damage[:, crossed].mean(axis=1) - damage[:, plain].mean(axis=1)
            key, check = "min_effect", "ablation"
        from ..checks.select import select

        def trial(rng):
            view = _drawn_view(ctx, rng, train=True)
            chosen = select(
                view,
                "linear-0",
                top,
                by,
                view.members(ctx.CONCEPT, "train"),
                view.members(ctx.CONTRAST, "train"),
                site=ctx.SITE,
            )
            threshold = float(
                min(truth[list(chosen.units)])
            )  # the chosen units' truth: the worst on the line
            return run_on(view, _with(found, check, **{key: threshold}), check).outcome

        return trial

    return prepare


# 4. ablation of a named unit ----------------------------------------------------------------------------


def _ablation_truth(ctx: Context, unit: int, method: str, normalise: str) -> float:
    """The whole test split's concept-minus-contrast damage to the true logit; for resample, averaged over
    32 independent draws of every image's source (what a trial's expected damage is)."""
    from ..checks.common import effect_scale
    from ..checks.target import Members
    from ..subject.effects import draw_sources
    from ..subject.units import UnitSet

    crossed, plain = ctx.concept()
    chosen = UnitSet(ctx.LAYER, (unit,), ctx.subject.layers)

    def compute():
        draws = 32 if method == "resample" else 1
        total = 0.0
        for i in range(draws):
            sources = draw_sources(plain, len(ctx.labels), 1000 + i) if method == "resample" else None
            damage = ctx.subject.intervene(chosen, method, sources=sources, site=ctx.SITE).damage(
                "logit:true"
            )
            total += damage[crossed].mean() - damage[plain].mean()
        return np.array([total / draws])

    raw = float(cached(ctx.subject.key, "ablation-truth", [ctx.LAYER, ctx.SITE, unit, method], compute)[0])
    members = Members(ctx.CONCEPT, *[ctx.subject.members(ctx.CONCEPT, s) for s in ("train", "test")])
    scale, _ = effect_scale(ctx.subject, members, normalise, "logit:true")
    return raw / scale


def _ablation_table(method: str, normalise: str) -> str:
    return (
        f'[ablation]\nmethod = "{method}"\noutput = "logit:true"\nnormalise = "{normalise}"\n'
        "min_effect = 0.1\n"
    )


def _ablation_boundary(method: str, normalise: str):
    def prepare(ctx: Context):
        unit = ctx.best_unit()
        truth = _ablation_truth(ctx, unit, method, normalise)
        found = _with(
            claim(_named(f"linear-0:{unit}", _ablation_table(method, normalise))),
            "ablation",
            min_effect=truth,
        )

        def trial(rng):
            verdict = run_on(_drawn_view(ctx, rng), found, "ablation")
            return verdict.outcome

        return trial

    return prepare


def _ablation_null(method: str, normalise: str):
    def prepare(ctx: Context):
        unit = ctx.best_unit()
        found = _on(
            _with(
                claim(_named(f"linear-0:{unit}", _ablation_table(method, normalise))),
                "ablation",
                min_effect=None,
            ),
            True,
        )

        def trial(rng):
            return run_on(_null_view(ctx, rng, 7), found, "ablation").outcome

        return trial

    return prepare


# 5. activation of a named unit -----------------------------------------------------------------------------

ACTIVATION = (
    '[activation]\nvalue = "concept-median"\noutput = "logit:7"\ndirection = "up"\nmin_effect = 0.1\n'
)


def _activation_boundary(ctx: Context):
    from ..checks.activation import level
    from ..subject.units import UnitSet

    unit = ctx.best_unit()
    crossed, plain = ctx.concept()
    drive = level(ctx.values("train")[ctx.concept("train")[0], unit], "concept-median")
    change = ctx.subject.intervene(
        UnitSet(ctx.LAYER, (unit,), ctx.subject.layers), "clamp", rows=plain, value=drive, site=ctx.SITE
    ).change("logit:7")
    found = _with(
        claim(_named(f"linear-0:{unit}", ACTIVATION)), "activation", min_effect=float(change.mean())
    )

    def trial(rng):
        return run_on(_drawn_view(ctx, rng), found, "activation").outcome

    return trial


def _activation_null(ctx: Context):
    """The drive's selectivity on one class split at random: min_effect off, so `selective` decides."""
    unit = ctx.best_unit()
    found = _on(_with(claim(_named(f"linear-0:{unit}", ACTIVATION)), "activation", min_effect=None), True)

    def trial(rng):
        return run_on(_null_view(ctx, rng), found, "activation").outcome

    return trial


# 6. class-ablation of a named unit set ---------------------------------------------------------------------

CLASS_IMAGES = 1000  # test images drawn per trial (its permutation test over all 10,000 takes 0.5 s a trial)


def _top_set(ctx: Context, size: int = 5) -> tuple[int, ...]:
    """The ``size`` linear-0 units whose zero ablation hurts sevens most over other digits."""
    damage, labels = ctx.damage(), ctx.labels
    sevens = labels == 7
    order = np.argsort(-(damage[:, sevens].mean(axis=1) - damage[:, ~sevens].mean(axis=1)))
    return tuple(int(u) for u in order[:size])


def _class_boundary(key: str):
    def prepare(ctx: Context):
        from ..subject.units import UnitSet

        units = _top_set(ctx)
        effects = ctx.subject.intervene(UnitSet(ctx.LAYER, units, ctx.subject.layers), "zero", site=ctx.SITE)
        after, labels = effects.correct_after.numpy(), ctx.labels
        truth = float(after[labels == 7].mean())
        if key == "min_other_accuracy":
            truth = float(min(after[labels == c].mean() for c in range(10) if c != 7))
        names = ",".join(map(str, units))
        # method "zero", the ablation the truth was measured with (the check's default is "resample")
        text = (
            f'{HEADER}units = "linear-0:{names}"\n[class-ablation]\nclass = 7\nmethod = "zero"\n{key} = 0.5\n'
        )
        found = _with(claim(text), "class-ablation", **{key: truth})

        def trial(rng):
            view = TrialSubject(ctx.subject, draw(rng, np.arange(len(labels)), CLASS_IMAGES))
            return run_on(view, found, "class-ablation").outcome

        return trial

    return prepare


def _class_selective_null(ctx: Context):
    """``selective`` with nothing selective to find: the 5 units that hurt sevens most, and the other digits'
    images drawn with weights that give their per-image loss (correct before, wrong after: 1; fixed: -1;
    else 0) exactly the sevens' distribution; accuracy bounds off, so the permutation test decides."""
    from ..subject.units import UnitSet

    units, labels = _top_set(ctx), ctx.labels
    effects = ctx.subject.intervene(UnitSet(ctx.LAYER, units, ctx.subject.layers), "zero", site=ctx.SITE)
    lost = effects.correct_before.numpy().astype(int) - effects.correct_after.numpy().astype(int)
    sevens, others = np.flatnonzero(labels == 7), np.flatnonzero(labels != 7)
    weights = np.zeros(len(others))
    for value in (-1, 0, 1):
        want, have = (lost[sevens] == value).mean(), lost[others] == value
        if want > 0 and not have.any():
            raise ValueError(
                f"no other digit's image has loss {value}: the sevens' distribution cannot be met"
            )
        weights[have] = want / have.sum()
    n_sevens = round(CLASS_IMAGES * len(sevens) / len(labels))
    names = ",".join(map(str, units))
    text = f'{HEADER}units = "linear-0:{names}"\n[class-ablation]\nclass = 7\nmethod = "zero"\n'
    text += "max_accuracy = 0.5\n"
    found = _with(claim(text), "class-ablation", max_accuracy=None)

    def trial(rng):
        rows = np.r_[draw(rng, sevens, n_sevens), rng.choice(others, CLASS_IMAGES - n_sevens, p=weights)]
        return run_on(TrialSubject(ctx.subject, rows), found, "class-ablation").outcome

    return trial


def cells() -> list[Cell]:
    out = [
        Cell(
            "selectivity baseline",
            "named unit of an untrained network, crossed vs plain (the baseline criterion's outcome)",
            "pipeline",
            "null",
            _untrained,
        ),
        Cell(
            "select baseline",
            "top-1 by selectivity in an untrained network, crossed vs plain (the baseline's outcome)",
            "pipeline",
            "null",
            _untrained_select,
        ),
        Cell(
            "select top-1 by selectivity",
            "one class split at random",
            "pipeline",
            "null",
            _select_null(1, "selectivity"),
        ),
        Cell(
            "select top-3 by selectivity",
            "one class split at random",
            "pipeline",
            "null",
            _select_null(3, "selectivity"),
        ),
        Cell(
            "select top-1 by selectivity",
            "crossed vs plain, both splits drawn",
            "pipeline",
            "boundary",
            _select_boundary(1, "selectivity"),
        ),
        Cell(
            "select top-3 by selectivity",
            "crossed vs plain, both splits drawn",
            "pipeline",
            "boundary",
            _select_boundary(3, "selectivity"),
        ),
        Cell(
            "select top-1 by ablation",
            "sevens split at random",
            "pipeline",
            "null",
            _select_null(1, "ablation"),
        ),
        Cell(
            "select top-1 by ablation",
            "crossed vs plain, both splits drawn",
            "pipeline",
            "boundary",
            _select_boundary(1, "ablation"),
        ),
    ]
    for method in ("zero", "mean", "resample"):
        for normalise in ("raw", "concept-margin"):
            out.append(
                Cell(
                    f"ablation {method} {normalise}",
                    "most selective unit, sevens split at random",
                    "pipeline",
                    "null",
                    _ablation_null(method, normalise),
                )
            )
            out.append(
                Cell(
                    f"ablation {method} {normalise}",
                    "most selective unit, crossed vs plain",
                    "pipeline",
                    "boundary",
                    _ablation_boundary(method, normalise),
                )
            )
    out += [
        Cell(
            "activation",
            "most selective unit, one class split at random",
            "pipeline",
            "null",
            _activation_null,
        ),
        Cell(
            "activation",
            "most selective unit, plain sevens driven to the crossed median",
            "pipeline",
            "boundary",
            _activation_boundary,
            quick=True,
        ),
        Cell(
            "class-ablation selective",
            "5 units that hurt sevens most, other digits drawn to lose as the sevens do",
            "pipeline",
            "null",
            _class_selective_null,
        ),
        Cell(
            "class-ablation max_accuracy",
            "5 units that hurt sevens most, 1,000 test images drawn",
            "pipeline",
            "boundary",
            _class_boundary("max_accuracy"),
        ),
        Cell(
            "class-ablation min_other_accuracy",
            "5 units that hurt sevens most, 1,000 test images drawn",
            "pipeline",
            "boundary",
            _class_boundary("min_other_accuracy"),
        ),
    ]
    return out
