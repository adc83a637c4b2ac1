"""Judge-level cells: every criterion's judge on per-image values and effects resampled from large pools.

Real pools come from the network under calibration (reference seed 0 by default): linear-0 at site post,
crossed vs plain sevens of the test split (a concept that really differs from its contrast), or one
class's images split at random (no concept at all). A trial draws each group with replacement, as many
images as the pool holds, so the true effect is exactly the pool's; a boundary cell sets the threshold to
it. Synthetic pools have a truth known in closed form. The judges are the checks' own, called once per
trial: what is calibrated is the code a claim runs.
"""

from __future__ import annotations

import numpy as np

from ..checks import ablation, activation, class_ablation, concentration, correlation, invariance, selectivity
from ..stats import estimates
from .cells import Cell, Context, criterion_outcome
from .pools import cached, draw, split_class

__all__ = ["cells"]

ALPHA = 0.01
CONFIDENCE = 1 - ALPHA


def _pool_auroc(a: np.ndarray, b: np.ndarray) -> float:
    return float(estimates.auroc_columns(a[:, None], b[:, None])[0])


# --- AUROC: selectivity min_auroc (and invariance's held-out min_auroc, the same estimator) -------------


def _auroc_null(ctx: Context):
    values, labels = ctx.values(), ctx.labels

    def trial(rng):
        a, b, _ = split_class(rng, labels)
        u = int(rng.integers(values.shape[1]))
        v = selectivity.judge(
            {"u": values[a, u]}, {"u": values[b, u]}, {"min_auroc": None}, confidence=CONFIDENCE
        )
        return v.outcome

    return trial


def _auroc_boundary(unit_rule: str):
    def prepare(ctx: Context):
        values = ctx.values()
        crossed, plain = ctx.concept()
        if unit_rule == "best":  # the layer's most selective unit: the truth near the top of the scale
            unit = int(np.argmax(estimates.auroc_columns(values[crossed], values[plain])))
        else:  # a unit silent on most sevens at post: ties at 0 dominate
            silent = (values[np.r_[crossed, plain]] == 0).mean(axis=0)
            aurocs = estimates.auroc_columns(values[crossed], values[plain])
            unit = int(np.argmax(np.where((silent > 0.8) & (silent < 0.97), aurocs, -1)))
        a, b = values[crossed, unit], values[plain, unit]
        truth = _pool_auroc(a, b)

        def trial(rng):
            v = selectivity.judge(
                {"u": draw(rng, a)}, {"u": draw(rng, b)}, {"min_auroc": truth}, confidence=CONFIDENCE
            )
            return v.outcome

        return trial

    return prepare


def _auroc_synthetic(ctx: Context):
    from scipy import stats

    shift = float(np.sqrt(2) * stats.norm.ppf(0.9))  # AUROC of N(shift, 1) vs N(0, 1) is 0.9

    def trial(rng):
        a, b = rng.normal(shift, 1, 30), rng.normal(0, 1, 300)
        return selectivity.judge({"u": a}, {"u": b}, {"min_auroc": 0.9}, confidence=CONFIDENCE).outcome

    return trial


def _auroc_set_synthetic(ctx: Context):
    """Five independent units, each of AUROC exactly 0.9 (30 vs 300 images), threshold 0.9: every unit of a
    set on the threshold at once, the least favourable case for a set that one unit refutes."""
    from scipy import stats

    shift = float(np.sqrt(2) * stats.norm.ppf(0.9))

    def trial(rng):
        a = {f"u{i}": rng.normal(shift, 1, 30) for i in range(5)}
        b = {f"u{i}": rng.normal(0, 1, 300) for i in range(5)}
        return selectivity.judge(a, b, {"min_auroc": 0.9}, confidence=CONFIDENCE).outcome

    return trial


#: the perturbation the invariance cells confirm under: a corner of the default box (shift 2 px, rotate 15
#: degrees), where a search that lowers the AUROC most tends to end
INVARIANCE_BOX = {"max_shift": 2, "max_rotation": 15.0, "max_stroke": 0.5, "examples": 60}


def _invariance_boundary(found: bool):
    """The held-out confirmation invariance's verdict rests on (under the counterexample, ``found``, or the
    worst perturbation tried), on the most selective unit's values under a fixed perturbation, crossed vs
    plain: the threshold on the pool's AUROC."""

    def prepare(ctx: Context):
        from ..subject.perturbation import Perturbation

        where = Perturbation(dx=2, dy=0, degrees=15.0, stroke=0.0)
        unit, (crossed, plain) = ctx.best_unit(), ctx.concept()
        images = ctx.subject.split(ctx.subject.CONFIRMATION).images

        def under() -> np.ndarray:
            rows = np.r_[crossed, plain]
            moved = ctx.subject.perturb(images[rows], where)
            return ctx.subject.image_values(moved, ctx.LAYER, site=ctx.SITE)[:, unit]

        values = cached(ctx.subject.key, "perturbed", [ctx.LAYER, ctx.SITE, unit, vars(where)], under)
        a, b = values[: len(crossed)], values[len(crossed) :]
        truth = _pool_auroc(a, b)
        params = {**INVARIANCE_BOX, "min_auroc": truth}

        def trial(rng):
            x, y = draw(rng, a), draw(rng, b)
            confirmation = estimates.auroc(x, y, CONFIDENCE)
            held_out = (len(x), len(y))
            if found:
                search = invariance.Search(truth, held_out, where, truth, confirmation, held_out)
            else:
                search = invariance.Search(truth, held_out, None, None, confirmation, held_out, where, truth)
            return invariance.judge(search, params, confidence=CONFIDENCE).outcome

        return trial

    return prepare


# --- means of per-image effects: ablation min_effect ------------------------------------------------------


ABLATION = {"method": "zero", "output": "logit:true", "min_effect": None}


def _ablation_null(ctx: Context):
    damage, labels = ctx.damage(), ctx.labels

    def trial(rng):
        a, b, _ = split_class(rng, labels)
        u = int(rng.integers(len(damage)))
        return ablation.judge(damage[u, a], damage[u, b], ABLATION, confidence=CONFIDENCE).outcome

    return trial


def _damage_pools(ctx: Context, which: str):
    damage = ctx.damage()
    crossed, plain = ctx.concept()
    diff = damage[:, crossed].mean(axis=1) - damage[:, plain].mean(axis=1)
    if which == "best":
        unit = int(np.argmax(diff))
    else:  # sparse: the unit with the largest effect among those damaging at most 5% of crossed sevens
        damaged = (damage[:, crossed] != 0).mean(axis=1)
        unit = int(np.argmax(np.where((damaged > 0) & (damaged <= 0.05), diff, -np.inf)))
    return damage[unit, crossed], damage[unit, plain]


def _ablation_boundary(which: str):
    def prepare(ctx: Context):
        a, b = _damage_pools(ctx, which)
        params = {**ABLATION, "min_effect": float(a.mean() - b.mean())}

        def trial(rng):
            return criterion_outcome(
                ablation.judge(draw(rng, a), draw(rng, b), params, confidence=CONFIDENCE), "min_effect"
            )

        return trial

    return prepare


def _ablation_synthetic(ctx: Context):
    """30 concept images of which 20% carry Beta(0.5, 2) damage vs 700 contrast images of which 3% carry a
    tenth of it: sparse, skewed, known truth."""

    def trial(rng):
        a = np.where(rng.random(30) < 0.2, rng.beta(0.5, 2, 30), 0.0)
        b = np.where(rng.random(700) < 0.03, 0.1 * rng.beta(0.5, 2, 700), 0.0)
        truth = 0.2 * 0.2 - 0.03 * 0.1 * 0.2
        params = {**ABLATION, "min_effect": truth}
        return criterion_outcome(ablation.judge(a, b, params, confidence=CONFIDENCE), "min_effect")

    return trial


def _ablation_mirror_null(ctx: Context):
    """Equal means, the contrast's effects rare and ten times larger than the concept's many small ones:
    a short contrast group is bounded by the pooled scale, which must not make a null hold."""

    def trial(rng):
        a = np.where(rng.random(700) < 0.03, 0.1 * rng.beta(0.5, 2, 700), 0.0)
        b = np.where(rng.random(30) < 0.003, rng.beta(0.5, 2, 30), 0.0)  # mean 0.0006, as the concept's
        return ablation.judge(a, b, ABLATION, confidence=CONFIDENCE).outcome

    return trial


# --- activation: min_effect (a mean) and selective (a difference, p only) ---------------------------------


def _drive_pools(ctx: Context, unit: int, concept_train: np.ndarray, rows: np.ndarray, output: str):
    """Per-image output change of driving ``unit`` to the median of its discovery values on
    ``concept_train``, on test images ``rows``."""
    from ..subject.units import UnitSet

    level = float(np.median(ctx.values("train")[concept_train, unit]))
    spec = [ctx.LAYER, ctx.SITE, unit, level, output, rows.tolist()]
    return cached(
        ctx.subject.key,
        "drive",
        spec,
        lambda: ctx.subject.intervene(
            UnitSet(ctx.LAYER, (unit,), ctx.subject.layers), "clamp", rows=rows, value=level, site=ctx.SITE
        ).change(output),
    )


ACTIVATION = {"output": "logit:7", "direction": "up", "value": "concept-median", "min_effect": None}


def _activation_boundary(ctx: Context):
    crossed, plain = ctx.concept()
    unit = ctx.best_unit()
    change = _drive_pools(ctx, unit, ctx.concept("train")[0], np.r_[plain, crossed], "logit:7")
    b, a = change[: len(plain)], change[len(plain) :]
    params = {**ACTIVATION, "min_effect": float(b.mean())}

    def trial(rng):
        return criterion_outcome(
            activation.judge(draw(rng, b), draw(rng, a), params, confidence=CONFIDENCE), "min_effect"
        )

    return trial


def _activation_null(ctx: Context):
    """A random unit of 12 driven to the median of its class's discovery values, that class's test images
    split at random: the drive moves both halves alike, so ``selective`` must not hold."""
    labels, train_labels = ctx.labels, ctx.train_labels
    units = np.random.default_rng(0).choice(ctx.values().shape[1], 12, replace=False)
    pools = {}

    def pool(klass: int, unit: int) -> np.ndarray:
        """Every logit's change ``(N, 10)`` on the test split (zero outside the class)."""
        if (klass, unit) not in pools:
            from ..subject.units import UnitSet

            rows = np.flatnonzero(labels == klass)
            level = float(np.median(ctx.values("train")[train_labels == klass, unit]))
            change = np.zeros((len(labels), 10), np.float32)
            change[rows] = cached(
                ctx.subject.key,
                "drive-logits",
                [ctx.LAYER, ctx.SITE, int(unit), level, klass],
                lambda: ctx.subject.intervene(
                    UnitSet(ctx.LAYER, (int(unit),), ctx.subject.layers),
                    "clamp",
                    rows=rows,
                    value=level,
                    site=ctx.SITE,
                ).delta_logits.numpy(),
            )
            pools[klass, unit] = change
        return pools[klass, unit]

    def trial(rng):
        a, b, klass = split_class(rng, labels)
        unit, logit = int(rng.choice(units)), int(rng.integers(10))
        output = f"logit:{logit}"
        direction = "up" if rng.random() < 0.5 else "down"
        found = pool(klass, unit)[:, logit]
        changes = found[b], found[a]
        params = {**ACTIVATION, "output": output, "direction": direction}
        return criterion_outcome(activation.judge(*changes, params, confidence=CONFIDENCE), "selective")

    return trial


# --- the layer rank: min_layer_percentile (ablation and activation share percentile_bounds) ---------


def _rank_outcome(
    paired: np.ndarray, contrast: np.ndarray | None, columns, truth: float, upper: float
) -> str:
    """The layer rank's outcome through the checks' own ``percentile_bounds`` and ``percentile_criterion``.

    ``paired`` ``(U - 1, N)``: per image, the unit's effect minus each other unit's (``contrast`` the same
    for the contrast images, or None for a one-group effect); ``columns``: the trial's images. Ranks are
    discrete, so the two errors face two thresholds: a hold is false one rank above the truth (``truth``), a
    refutation is false at the truth counted with ties in the unit's favour (``upper``)."""
    from ..checks.common import percentile_criterion

    a, b = columns
    bounds = estimates.percentile_bounds(
        paired[:, a], None if contrast is None else contrast[:, b], CONFIDENCE
    )
    population = np.zeros(paired.shape[0])  # the point rank is clipped into the bounds; only they decide
    held = percentile_criterion("rank", 0.0, population, truth + 1e-9, bounds, {}).outcome
    refuted = percentile_criterion("rank", 0.0, population, upper - 1e-9, bounds, {}).outcome
    return "holds" if held == "holds" else "refuted" if refuted == "refuted" else "inconclusive"


def _rank_truths(paired_means: np.ndarray) -> tuple[float, float]:
    """The whole pool's rank (``percentile_bounds``' scale): ``(beats + 0.5) / units`` and, with ties
    counted in the unit's favour, ``(units - beaten - 0.5) / units``."""
    units = len(paired_means) + 1
    return (
        100.0 * ((paired_means > 0).sum() + 0.5) / units,
        100.0 * (units - (paired_means < 0).sum() - 0.5) / units,
    )


def _percentile_boundary(which: str):
    def prepare(ctx: Context):
        damage = ctx.damage()
        crossed, plain = ctx.concept()
        diff = damage[:, crossed].mean(axis=1) - damage[:, plain].mean(axis=1)
        order = np.argsort(-diff)
        unit = int(order[0] if which == "top" else order[len(order) // 10])  # rank 1, or about the 90th pct
        paired = damage[unit] - np.delete(
            damage, unit, axis=0
        )  # (U - 1, N), as the ablation check pairs them
        truth, upper = _rank_truths(paired[:, crossed].mean(axis=1) - paired[:, plain].mean(axis=1))

        def trial(rng):
            return _rank_outcome(paired, paired, (draw(rng, crossed), draw(rng, plain)), truth, upper)

        return trial

    return prepare


def _drive_percentile_boundary(ctx: Context):
    """activation's rank: the most selective unit driven to the crossed sevens' median on plain sevens,
    beside every unit of the layer driven by as many of its own SDs (``activation._drive_layer``'s
    comparison), one group of images."""
    from ..checks.activation import level

    train = ctx.values("train")
    crossed_train = ctx.concept("train")[0]
    plain = ctx.concept()[1]
    unit = ctx.best_unit()
    drive = level(train[crossed_train, unit], "concept-median")
    spread = train.std(axis=0) + 1e-12
    targets = np.maximum(
        train.mean(axis=0) + (drive - train[:, unit].mean()) / spread[unit] * spread, train.min(0)
    )
    change = -cached(
        ctx.subject.key,
        "drive-layer",
        [ctx.LAYER, ctx.SITE, unit, "logit:7"],
        lambda: ctx.subject.sweep_damage(
            ctx.LAYER, "clamp", "logit:7", values=targets, rows=plain, site=ctx.SITE
        ),
    )  # (U, plain): each unit's output change, direction up
    paired = change[unit] - np.delete(change, unit, axis=0)
    truth, upper = _rank_truths(paired.mean(axis=1))
    columns = np.arange(len(plain))

    def trial(rng):
        return _rank_outcome(paired, None, (draw(rng, columns), None), truth, upper)

    return trial


# --- max_collateral (net_loss, an upper bound) --------------------------------------------------------------


def _collateral_boundary(ctx: Context):
    """Correctness lost / gained on other classes' images by ablating the 5 linear-0 units that hurt sevens
    most: the threshold is the pool's net loss; too low a CI (holds when the drop is above) or too high
    (refuted when it is not) both count."""
    from ..subject.units import UnitSet

    damage, labels = ctx.damage(), ctx.labels
    sevens = labels == 7
    top = tuple(
        int(u) for u in np.argsort(-(damage[:, sevens].mean(axis=1) - damage[:, ~sevens].mean(axis=1)))[:5]
    )
    effects = ctx.subject.intervene(UnitSet(ctx.LAYER, top, ctx.subject.layers), "zero", site=ctx.SITE)
    lost = (effects.correct_before.numpy().astype(float) - effects.correct_after.numpy())[~sevens]
    truth = float(lost.mean())
    params = {**ABLATION, "min_effect": None, "max_collateral": truth}

    def trial(rng):
        sample = draw(rng, lost)
        dummy = np.zeros(5)
        verdict = ablation.judge(dummy + 1, dummy, params, collateral=sample, confidence=CONFIDENCE)
        # bound "max": a hold (upper bound <= truth) would be false for a drop just above the threshold, a
        # refutation (lower bound > truth) is false here
        return criterion_outcome(verdict, "max_collateral")

    return trial


# --- class-ablation: selective (permutation test), max/min_accuracy and min_other_accuracy (Clopper-Pearson)


def _class_selective_null(spares: bool):
    """Five random units ablated; one class's images split at random into a pretend class and pretend other
    classes: removing the units must not look selective (``spares``: with ``ablate = "complement"``, must
    not look as if it spared the pretend class)."""

    def prepare(ctx: Context):
        return _class_null_trial(ctx, spares)

    return prepare


def _class_null_trial(ctx: Context, spares: bool):
    from ..subject.units import UnitSet

    labels = ctx.labels
    sets = [
        tuple(int(u) for u in np.random.default_rng(s).choice(ctx.values().shape[1], 5, replace=False))
        for s in range(8)
    ]
    lost = {}

    def trial(rng):
        i = int(rng.integers(len(sets)))
        if i not in lost:
            chosen = UnitSet(ctx.LAYER, sets[i], ctx.subject.layers)
            e = ctx.subject.intervene(chosen.complement() if spares else chosen, "zero", site=ctx.SITE)
            lost[i] = (e.correct_before.numpy(), e.correct_after.numpy())
        a, b, _ = split_class(rng, labels)
        rows = np.r_[a, b]
        pretend = np.r_[np.zeros(len(a), int), np.ones(len(b), int)]
        before, after = lost[i]
        verdict = class_ablation.judge(
            before[rows],
            after[rows],
            pretend,
            {"class": 0, "ablate": "complement" if spares else "units"},
            confidence=CONFIDENCE,
            seed=int(rng.integers(2**31)),
        )
        return criterion_outcome(verdict, "spares" if spares else "selective")

    return trial


def _accuracy_boundary(key: str):
    """Accuracy on sevens after ablating the 5 units that hurt sevens most (a real, large drop): the
    threshold is the pool's accuracy."""

    def prepare(ctx: Context):
        from ..subject.units import UnitSet

        damage, labels = ctx.damage(), ctx.labels
        sevens = labels == 7
        top = tuple(
            int(u)
            for u in np.argsort(-(damage[:, sevens].mean(axis=1) - damage[:, ~sevens].mean(axis=1)))[:5]
        )
        e = ctx.subject.intervene(UnitSet(ctx.LAYER, top, ctx.subject.layers), "zero", site=ctx.SITE)
        before, after = e.correct_before.numpy(), e.correct_after.numpy()
        if key == "min_other_accuracy":  # the worst other class on its threshold, the rest above
            per_class = {c: after[labels == c].mean() for c in range(10) if c != 7}
            truth = float(min(per_class.values()))
        else:
            truth = float(after[sevens].mean())
        params = {"class": 7, key: truth}

        def trial(rng):
            rows = draw(rng, np.arange(len(labels)))
            verdict = class_ablation.judge(
                before[rows], after[rows], labels[rows], params, confidence=CONFIDENCE, permutations=99
            )
            return criterion_outcome(verdict, key)

        return trial

    return prepare


def _other_accuracy_synthetic(ctx: Context):
    """Nine other classes, each with true accuracy exactly 0.95 over 1,000 images: every class on the
    threshold at once, the least favourable case for a criterion over several classes."""

    def trial(rng):
        labels = np.repeat(np.arange(10), 1000)
        after = rng.random(len(labels)) < 0.95
        verdict = class_ablation.judge(
            np.ones(len(labels), bool),
            after,
            labels,
            {"class": 0, "min_other_accuracy": 0.95},
            confidence=CONFIDENCE,
            permutations=99,
        )
        return criterion_outcome(verdict, "min_other_accuracy")

    return trial


# --- correlation: min_rho (Spearman across units) ----------------------------------------------------------


def _unit_scores(ctx: Context):
    values, labels = ctx.values(), ctx.labels
    means = np.stack([np.maximum(values[labels == c], 0).mean(axis=0) for c in range(10)])  # (C, U)
    index = np.array([estimates.class_selectivity_index(means[:, u]) for u in range(values.shape[1])])
    return means, index


def _rho_null(ctx: Context):
    means, index = _unit_scores(ctx)

    def trial(rng):
        other = rng.permutation(means[int(rng.integers(10))])
        return correlation.judge(
            index, other, {"x": "class-selectivity", "y": "shuffled", "min_rho": None}, confidence=CONFIDENCE
        ).outcome

    return trial


def _rho_boundary(ctx: Context):
    """Class selectivity index vs the damage zero-ablation does to sevens, over linear-0's 120 units
    resampled: the threshold is the population's rho."""
    from scipy import stats

    _, index = _unit_scores(ctx)
    damage, labels = ctx.damage(), ctx.labels
    y = damage[:, labels == 7].mean(axis=1)
    truth = float(stats.spearmanr(index, y).statistic)
    params = {"x": "class-selectivity", "y": "ablation:7", "min_rho": truth}

    def trial(rng):  # half the units without replacement: ties from repeats would change what rho estimates
        rows = rng.choice(len(y), len(y) // 2, replace=False)
        return criterion_outcome(
            correlation.judge(index[rows], y[rows], params, confidence=CONFIDENCE), "min_rho"
        )

    return trial


def _rho_synthetic(key: str):
    """Gaussian copula with Pearson 0.5 over 120 units, Spearman's rho (6 / pi) asin(0.25) the bound of
    ``min_rho`` or of ``max_rho`` (a claim of *no more than* a correlation)."""

    def prepare(ctx: Context):
        truth = float(6 / np.pi * np.arcsin(0.25))
        cov = [[1, 0.5], [0.5, 1]]

        def trial(rng):
            xy = rng.multivariate_normal([0, 0], cov, 120)
            params = {"x": "a", "y": "b", key: truth}
            return criterion_outcome(
                correlation.judge(xy[:, 0], xy[:, 1], params, confidence=CONFIDENCE), key
            )

        return trial

    return prepare


# --- the share of a set's damage its first unit carries: concentration max_share / min_share ------------

SHARE = {"method": "resample", "output": "margin:true"}
SHARE_RATIOS = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def _share_pools(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-image damage to the true-class margin of resampling the first unit alone and the whole set, on
    crossed and plain test sevens: the five linear-0 units whose zero ablation hurts crossed sevens most,
    chosen on the discovery split (claims/crossed-seven-top-five-by-necessity.toml's rule)."""
    from types import SimpleNamespace

    from ..checks.common import ablation_effects
    from ..checks.select import select

    crossed, plain = ctx.concept()

    def compute():
        train = ctx.concept("train")
        chosen = select(ctx.subject, ctx.LAYER, 5, "ablation", *train, site=ctx.SITE).units
        target = SimpleNamespace(layer=ctx.LAYER, units=chosen, site=ctx.SITE)
        part = ablation_effects(ctx.subject, target, "resample", plain, 0, chosen[:1]).damage("margin:true")
        whole = ablation_effects(ctx.subject, target, "resample", plain, 0).damage("margin:true")
        return np.stack([part, whole])

    part, whole = ctx.memo(
        "share", lambda: cached(ctx.subject.key, "share", [ctx.LAYER, ctx.SITE, 5], compute)
    )
    return part[crossed], part[plain], whole[crossed], whole[plain]


def _pool_share(pc, px, wc, wx) -> float:
    return float((pc.mean() - px.mean()) / (wc.mean() - wx.mean()))


def _share_trial(pools, key: str, threshold: float):
    pc, px, wc, wx = pools
    params = {**SHARE, "max_share": None, "min_share": None, key: threshold}

    def trial(rng):
        c, x = rng.integers(len(pc), size=len(pc)), rng.integers(len(px), size=len(px))  # paired: one image
        verdict = concentration.judge(pc[c], px[x], wc[c], wx[x], params, confidence=CONFIDENCE)
        return criterion_outcome(verdict, key)

    return trial


def _share_boundary(key: str):
    def prepare(ctx: Context):
        pools = _share_pools(ctx)
        return _share_trial(pools, key, _pool_share(*pools))

    return prepare


def _share_power(ratio: float):
    """min_share at the pool's share / ``ratio``: above 1x the first unit truly carries more than the bar."""

    def prepare(ctx: Context):
        pools = _share_pools(ctx)
        return _share_trial(pools, "min_share", _pool_share(*pools) / ratio)

    return prepare


def _share_synthetic(which: str):
    """``normal``: paired normal damage, true share 0.5 of a whole only about 4 standard errors above 0
    (60 vs 300 images, correlation 0.9), where Fieller's interval is most asymmetric. ``sparse``: the
    first unit moves a quarter of concept images (Exp(1) damage) and 5% of contrast images, the rest of the
    set another half and 10%: zero-inflated, skewed, true share (0.25 - 0.05) / (0.75 - 0.15) = 1/3.
    ``open``: the first unit moves half the concept images and no contrast image, the rest of the set
    another half and 1% of the contrast (about 3 of 300): the share's upper end is open, only min_share
    can decide, and its truth is 0.5 / 0.99."""

    def trial(rng: np.random.Generator) -> str:
        if which == "normal":
            truth, groups = 0.5, []
            for n, whole in ((60, 0.6), (300, 0.0)):
                e = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], size=n)
                groups.append((truth * whole + e[:, 0], whole + e[:, 1]))
        elif which == "sparse":
            truth, groups = 1 / 3, []
            for n, own, rest in ((60, 0.25, 0.5), (300, 0.05, 0.1)):
                part = np.where(rng.random(n) < own, rng.exponential(1.0, n), 0.0)
                groups.append((part, part + np.where(rng.random(n) < rest, rng.exponential(1.0, n), 0.0)))
        else:  # "open": the contrast's damage on about 3 of 300 images, so the share's upper end is open
            truth, groups = 0.5 / 0.99, []
            for n, own, rest in ((60, 0.5, 0.5), (300, 0.0, 0.01)):
                part = np.where(rng.random(n) < own, rng.exponential(1.0, n), 0.0)
                groups.append((part, part + np.where(rng.random(n) < rest, rng.exponential(1.0, n), 0.0)))
        (pc, wc), (px, wx) = groups
        key = "min_share" if which == "open" else "max_share"
        params = {**SHARE, "max_share": None, "min_share": None, key: truth}
        return criterion_outcome(concentration.judge(pc, px, wc, wx, params, confidence=CONFIDENCE), key)

    return lambda ctx: trial


def share_cells() -> list[Cell]:
    """The concentration check's cells: its judge on the real pool and on synthetic pools, at the threshold,
    and a power curve on the real pool."""
    real = "crossed vs plain, the top five by necessity (resample, margin)"
    return [
        Cell("concentration max_share", real, "judge", "boundary", _share_boundary("max_share")),
        Cell("concentration min_share", real, "judge", "boundary", _share_boundary("min_share")),
        Cell(
            "concentration max_share",
            "synthetic paired normals, share 0.5 of a whole about 4 SE above 0, 60 vs 300",
            "judge",
            "boundary",
            _share_synthetic("normal"),
        ),
        Cell(
            "concentration max_share",
            "synthetic zero-inflated Exp(1) damage, share 1/3, 60 vs 300",
            "judge",
            "boundary",
            _share_synthetic("sparse"),
        ),
        Cell(
            "concentration min_share",
            "synthetic, the contrast damaged on about 3 of 300 images (upper end open), share 0.505",
            "judge",
            "boundary",
            _share_synthetic("open"),
        ),
        *(
            Cell(
                "concentration min_share",
                "the judge on the real pool (top five by necessity)",
                "power",
                "power",
                _share_power(ratio),
                ratio,
                curve="concentration min_share (judge, real pool)",
            )
            for ratio in SHARE_RATIOS
        ),
    ]


def cells() -> list[Cell]:
    return [
        Cell(
            "selectivity min_auroc",
            "one class split at random, random unit",
            "judge",
            "null",
            _auroc_null,
            quick=True,
        ),
        Cell(
            "selectivity min_auroc",
            "crossed vs plain, the layer's most selective unit",
            "judge",
            "boundary",
            _auroc_boundary("best"),
            quick=True,
        ),
        Cell(
            "selectivity min_auroc",
            "crossed vs plain, a unit silent on 80-97% of sevens",
            "judge",
            "boundary",
            _auroc_boundary("silent"),
        ),
        Cell(
            "selectivity min_auroc",
            "synthetic Gaussian, AUROC 0.9, 30 vs 300",
            "judge",
            "boundary",
            _auroc_synthetic,
        ),
        Cell(
            "selectivity min_auroc (unit set)",
            "synthetic: five units, each on the threshold (AUROC 0.9)",
            "judge",
            "boundary",
            _auroc_set_synthetic,
        ),
        Cell(
            "invariance min_auroc",
            "nothing broken: the worst perturbation tried, most selective unit, crossed vs plain held out",
            "judge",
            "boundary",
            _invariance_boundary(False),
        ),
        Cell(
            "invariance min_auroc",
            "a counterexample, most selective unit, crossed vs plain held out",
            "judge",
            "boundary",
            _invariance_boundary(True),
        ),
        Cell(
            "ablation min_effect",
            "one class split at random, random unit, zero damage",
            "judge",
            "null",
            _ablation_null,
        ),
        Cell(
            "ablation min_effect",
            "crossed vs plain, the unit with the largest damage difference",
            "judge",
            "boundary",
            _ablation_boundary("best"),
            quick=True,
        ),
        Cell(
            "ablation min_effect",
            "crossed vs plain, a unit damaging at most 5% of crossed sevens",
            "judge",
            "boundary",
            _ablation_boundary("sparse"),
        ),
        Cell(
            "ablation min_effect",
            "synthetic, equal means, the short contrast's rare effects 10x the concept's",
            "judge",
            "null",
            _ablation_mirror_null,
        ),
        Cell(
            "ablation min_effect",
            "synthetic sparse Beta, 30 vs 700",
            "judge",
            "boundary",
            _ablation_synthetic,
        ),
        Cell(
            "activation min_effect",
            "plain sevens driven to the crossed sevens' median, most selective unit",
            "judge",
            "boundary",
            _activation_boundary,
        ),
        Cell(
            "activation selective",
            "one class split at random, random unit, output and direction",
            "judge",
            "null",
            _activation_null,
        ),
        Cell(
            "ablation min_layer_percentile",
            "crossed vs plain zero damage, the top unit",
            "judge",
            "boundary",
            _percentile_boundary("top"),
        ),
        Cell(
            "ablation min_layer_percentile",
            "crossed vs plain zero damage, a unit near the 90th percentile",
            "judge",
            "boundary",
            _percentile_boundary("p90"),
        ),
        Cell(
            "activation min_layer_percentile",
            "plain sevens driven up, most selective unit among the layer driven alike",
            "judge",
            "boundary",
            _drive_percentile_boundary,
        ),
        Cell(
            "ablation max_collateral",
            "other classes' images, 5 units that hurt sevens most",
            "judge",
            "boundary",
            _collateral_boundary,
        ),
        Cell(
            "class-ablation selective",
            "one class split at random, 5 random units",
            "judge",
            "null",
            _class_selective_null(False),
        ),
        Cell(
            "class-ablation spares",
            "one class split at random, all but 5 random units ablated",
            "judge",
            "null",
            _class_selective_null(True),
        ),
        Cell(
            "class-ablation max_accuracy",
            "sevens after ablating the 5 units that hurt them most",
            "judge",
            "boundary",
            _accuracy_boundary("max_accuracy"),
        ),
        Cell(
            "class-ablation min_accuracy",
            "sevens after ablating the 5 units that hurt them most",
            "judge",
            "boundary",
            _accuracy_boundary("min_accuracy"),
        ),
        Cell(
            "class-ablation min_other_accuracy",
            "the worst other class after that ablation",
            "judge",
            "boundary",
            _accuracy_boundary("min_other_accuracy"),
        ),
        Cell(
            "class-ablation min_other_accuracy",
            "synthetic: nine classes all at 0.95, 1,000 images each",
            "judge",
            "boundary",
            _other_accuracy_synthetic,
            quick=True,
        ),
        Cell(
            "correlation min_rho",
            "class selectivity vs a shuffled per-unit score",
            "judge",
            "null",
            _rho_null,
        ),
        Cell(
            "correlation min_rho",
            "class selectivity vs damage to sevens, half the units drawn",
            "judge",
            "boundary",
            _rho_boundary,
        ),
        Cell(
            "correlation min_rho",
            "synthetic Gaussian copula, 120 units",
            "judge",
            "boundary",
            _rho_synthetic("min_rho"),
        ),
        Cell(
            "correlation max_rho",
            "synthetic Gaussian copula, 120 units",
            "judge",
            "boundary",
            _rho_synthetic("max_rho"),
        ),
    ]
