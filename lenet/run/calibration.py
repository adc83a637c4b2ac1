"""Calibration: the checks' measured error rates on a real network, so a threshold means what it says.

Null experiments switch effect thresholds off, so only the p-value decides, and
count how often a check passes on claims that are false by construction: the
rate must stay at or below alpha (plus binomial slack), and continuous p-values
should be uniform. Planted-unit experiments measure power: a unit wired to
respond to a known pattern and feed a class logit must pass.

How the nulls are built (they share images and units, so they are not fully
independent; each draws its own split, unit and class):
- selectivity, ablation, activation: one class's test images split at random
  into "concept" and "contrast", a random unit of the layer;
- class-ablation: a random unit set, one class's images split at random into a
  pretend "class" and pretend "other classes";
- correlation: a per-unit score against a random permutation of another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats as sps

from ..checks import ablation, activation, class_ablation, correlation, selectivity
from ..stats import estimates
from ..subject.plant import Plant
from ..subject.subject import Subject

__all__ = [
    "Rate",
    "Plant",
    "power",
    "null_selectivity",
    "null_correlation",
    "null_ablation",
    "null_activation",
    "null_class_ablation",
    "NULLS",
    "CONTINUOUS",
]


@dataclass
class Rate:
    """How often a check passed over ``trials`` claims,
    with a Clopper-Pearson interval and the p-values seen."""

    check: str
    kind: str  # "false positives" (null claims) or "power" (planted units)
    passes: int
    trials: int
    alpha: float
    p_values: list[float] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> float:
        return self.passes / self.trials

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        return estimates.clopper_pearson(self.passes, self.trials, confidence)

    def uniformity(self, alternative: str = "two-sided") -> float:
        """KS test p-value of the null p-values against the uniform distribution (nan without p-values).

        ``alternative="greater"`` asks only whether they are *smaller* than uniform (anti-conservative).
        """
        return (
            float(sps.kstest(self.p_values, "uniform", alternative=alternative).pvalue)
            if self.p_values
            else float("nan")
        )

    def slack_limit(self) -> float:
        """alpha plus three binomial standard errors: the most a calibrated check may pass on nulls."""
        return self.alpha + 3 * np.sqrt(self.alpha * (1 - self.alpha) / self.trials)

    def describe(self) -> str:
        low, high = self.interval()
        ks = (
            f", KS uniform p={self.uniformity():.3f}, KS "
            f"not-anti-conservative p={self.uniformity('greater'):.3f}"
            if self.p_values
            else ""
        )
        return (
            f"{self.check:15s} {self.kind}: {self.passes}/{self.trials} = {self.rate:.4f} "
            f"[95% CI {low:.4f}, {high:.4f}] at alpha {self.alpha:g}{ks}"
        )


def _split(rng: np.random.Generator, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """One class's images split at random into two groups of random sizes (20-80%)."""
    klass = int(rng.integers(10))
    members = rng.permutation(np.flatnonzero(labels == klass))
    cut = int(len(members) * rng.uniform(0.2, 0.8))
    return np.sort(members[:cut]), np.sort(members[cut:]), klass


def null_selectivity(
    subject: Subject, trials: int = 2000, alpha: float = 0.01, layer: str = "linear-0", seed: int = 0
) -> Rate:
    values, labels = subject.values(layer, "test", site=SITE), subject.split("test").labels.numpy()
    rng, rate = np.random.default_rng(seed), Rate("selectivity", "false positives", 0, trials, alpha)
    for i in range(trials):
        a, b, _ = _split(rng, labels)
        u = int(rng.integers(values.shape[1]))
        verdict = selectivity.judge(
            {"u": values[a, u]}, {"u": values[b, u]}, {"min_auroc": None}, confidence=1 - alpha, seed=i
        )
        rate.passes += verdict.outcome == "holds"
        rate.p_values.append(verdict.primary.p)
    return rate


def null_correlation(
    subject: Subject, trials: int = 1000, alpha: float = 0.01, layer: str = "linear-0", seed: int = 0
) -> Rate:
    values, labels = subject.values(layer, "test", site=SITE), subject.split("test").labels.numpy()
    rng, rate = np.random.default_rng(seed), Rate("correlation", "false positives", 0, trials, alpha)
    means = np.stack(
        [np.maximum(values[labels == c], 0).mean(axis=0) for c in range(len(subject.classes))]
    )  # (C, U)
    selectivity_index = np.array(
        [estimates.class_selectivity_index(means[:, u]) for u in range(values.shape[1])]
    )
    for i in range(trials):
        other = rng.permutation(
            means[int(rng.integers(len(subject.classes)))]
        )  # a real per-unit score, decoupled from the units
        verdict = correlation.judge(
            selectivity_index,
            other,
            {"x": "class-selectivity", "y": "shuffled"},
            confidence=1 - alpha,
            seed=i,
        )
        rate.passes += verdict.outcome == "holds"
        rate.p_values.append(verdict.primary.p)
    return rate


# where these rates were measured; calibrating every site is a later step (see docs/statistics.md)
SITE = "pre"
PLANTS = (Plant(5, 3, strength=1.0), Plant(40, 10, strength=0.5), Plant(99, 60, strength=2.0))


def power(
    subject: Subject, alpha: float = 0.01, plants: tuple[Plant, ...] = PLANTS, untouched: int = 20
) -> list[Rate]:
    """Planted crossbar units must pass selectivity (min_auroc 0.75, with the baseline) and ablation (zero,
    logit:7, min_effect 0.5); untouched units must not pass ablation. (Untouched units' *selectivity* is the
    network's own: planting leaves their values unchanged,
    and a trained LeNet may well have real crossbar detectors.)"""
    from ..subject.baseline import baseline

    c, p = subject.members("seven/crossed", "test"), subject.members("seven/plain", "test")
    rates = {
        name: Rate(check, kind, 0, 0, alpha)
        for name, check, kind in [
            ("sel", "selectivity", "power (planted units)"),
            ("abl", "ablation", "power (planted units)"),
            ("spurious", "ablation", "passes on untouched units"),
        ]
    }
    bar = baseline(subject, "linear-0", "test", c, p, site=SITE).bar(False)
    ablation_params = {"method": "zero", "output": "logit:7", "min_effect": 0.5}
    for spec in plants:
        planted = subject.planted(
            spec, subject.members("seven/crossed", "train"), subject.members("seven/plain", "train")
        )
        values = planted.values("linear-0", "test", site=SITE)
        damage = planted.sweep_damage("linear-0", "zero", "logit:7", site=SITE)
        verdict = selectivity.judge(
            {"u": values[c, spec.unit]},
            {"u": values[p, spec.unit]},
            {"min_auroc": 0.75},
            bar=bar,
            confidence=1 - alpha,
        )
        rates["sel"].trials += 1
        rates["sel"].passes += verdict.outcome == "holds"
        rates["abl"].trials += 1
        rates["abl"].passes += (
            ablation.judge(
                damage[spec.unit, c],
                damage[spec.unit, p],
                ablation_params,
                confidence=1 - alpha,
            ).outcome
            == "holds"
        )
        for u in np.random.default_rng(spec.unit).choice(values.shape[1], untouched, replace=False):
            if u != spec.unit:
                rates["spurious"].trials += 1
                rates["spurious"].passes += (
                    ablation.judge(damage[u, c], damage[u, p], ablation_params, confidence=1 - alpha).outcome
                    == "holds"
                )
    return list(rates.values())


def null_ablation(
    subject: Subject, trials: int = 1000, alpha: float = 0.01, layer: str = "linear-0", seed: int = 0
) -> Rate:
    """Per-image damage of zero-ablating each unit is computed once (one batched sweep); each null reuses
    it."""
    damage, labels = (
        subject.sweep_damage(layer, "zero", "logit:true", site=SITE),
        subject.split("test").labels.numpy(),
    )
    rng, rate = np.random.default_rng(seed), Rate("ablation", "false positives", 0, trials, alpha)
    params = {"method": "zero", "output": "logit:true", "min_effect": None}
    for i in range(trials):
        a, b, _ = _split(rng, labels)
        u = int(rng.integers(len(damage)))
        verdict = ablation.judge(damage[u, a], damage[u, b], params, confidence=1 - alpha, seed=i)
        rate.passes += verdict.outcome == "holds"
        rate.p_values.append(verdict.primary.p)
    return rate


def null_activation(
    subject: Subject, trials: int = 500, alpha: float = 0.01, layer: str = "linear-0", seed: int = 0
) -> Rate:
    """A random unit driven to the median of a random half of one class's *training* images, on that class's
    test images split at random; a random output and direction."""
    from ..subject.units import UnitSet

    split, train = subject.split("test"), subject.values(layer, "train", site=SITE)
    labels, train_labels = split.labels.numpy(), subject.split("train").labels.numpy()
    rng, rate = np.random.default_rng(seed), Rate("activation", "false positives", 0, trials, alpha)
    for i in range(trials):
        a, b, klass = _split(rng, labels)
        u = int(rng.integers(train.shape[1]))
        half = rng.permutation(np.flatnonzero(train_labels == klass))[: (train_labels == klass).sum() // 2]
        rows = np.concatenate([b, a])
        params = {
            "output": f"logit:{int(rng.integers(10))}",
            "direction": "up" if rng.random() < 0.5 else "down",
            "value": "concept-median",
            "min_effect": None,
        }
        change = subject.intervene(
            UnitSet(layer, (u,), subject.layers),
            "clamp",
            rows=rows,
            value=float(np.median(train[half, u])),
            site=SITE,
        ).change(params["output"])
        verdict = activation.judge(change[: len(b)], change[len(b) :], params, confidence=1 - alpha, seed=i)
        rate.passes += verdict.outcome == "holds"
        rate.p_values.append(next((c.p for c in verdict.criteria if c.name == "selective"), 1.0))
    return rate


def null_class_ablation(
    subject: Subject, trials: int = 300, alpha: float = 0.01, layer: str = "linear-0", seed: int = 0
) -> Rate:
    """A random set of 5 units ablated;
    one class's test images split at random into a pretend class and pretend others."""
    from ..subject.units import UnitSet

    labels = subject.split("test").labels.numpy()
    units = subject.values(layer, "test", site=SITE).shape[1]
    rng, rate = np.random.default_rng(seed), Rate("class-ablation", "false positives", 0, trials, alpha)
    for i in range(trials):
        a, b, _ = _split(rng, labels)
        effects = subject.intervene(
            UnitSet(layer, tuple(int(u) for u in rng.choice(units, 5, replace=False)), subject.layers),
            "zero",
            site=SITE,
        )
        rows = np.concatenate([a, b])
        pretend = np.r_[np.zeros(len(a), int), np.ones(len(b), int)]
        verdict = class_ablation.judge(
            effects.correct_before.numpy()[rows],
            effects.correct_after.numpy()[rows],
            pretend,
            {"class": 0},
            confidence=1 - alpha,
            seed=i,
            permutations=499,
        )
        rate.passes += verdict.outcome == "holds"
        rate.p_values.append(verdict.primary.p)
    return rate


NULLS = {
    "selectivity": null_selectivity,
    "ablation": null_ablation,
    "activation": null_activation,
    "class-ablation": null_class_ablation,
    "correlation": null_correlation,
}
#: Checks whose statistic is continuous: their null p-values must be uniform. The others have point masses
#: (a unit that does not fire is unchanged by ablation or driving), so theirs pile up at 1: they must only
#: never be anti-conservative (one-sided KS).
CONTINUOUS = ("selectivity", "correlation")
