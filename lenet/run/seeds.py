"""Claims across training seeds: which seeds a claim's ``::seeds`` item checks,
each seed's result, and "k of n seeds".

- **Plan**: the seeds come from the claim's ``[seeds]`` table, or from
  ``--claims-seeds``, which replaces the list and scales ``min_holding`` by the
  file's fraction, rounded up: ``ceil(min_holding x n_given / n_listed)`` (the
  file's 4 of 5 becomes 8 of 10, or 3 of 3). A *shard* (``--claims-shard K/N``)
  checks every N-th seed of that list, starting at the K-th; ``lenet merge``
  joins the shards.
- **One seed** (``run_seed``): the claim's units are carried to the seed (named
  units through their ``lenet.subject.match`` counterparts, ``select`` rules re-selected
  on the seed's discovery split, layers as they are), then every check runs
  there. The claim holds on a seed when every check that ran holds; a named unit
  without a counterpart is its own outcome (``no-counterpart``). Expensive checks (``EXPENSIVE``)
  run on the claim's own seed only, unless ``[seeds] expensive = true``.
- **Verdict** (``tally``): *holds* when at least ``min_holding`` seeds hold;
  *refuted* when even every inconclusive seed and every seed without a counterpart holding would leave
  fewer; *inconclusive* otherwise. A seed without a counterpart is reported, never counted against the
  claim: the matching null bounds false matches, not false non-matches, so "no counterpart" is not
  evidence that the claim fails there. Each seed is judged at ``seed_confidence``, so that the count keeps the
  claim's rates: a false "holds" needs one of up to n - m + 1 seeds to hold falsely, a false "refuted"
  one of up to m seeds to be refuted falsely (measured while choosing it: 4 of 5 with four seeds on the
  threshold and every seed at the claim's 0.99 was refuted falsely 35 times in 2,000, 3.5x its rate;
  docs/statistics.md). The bound is per criterion: a claim with
  several checks refutes a seed when any of them refutes, so its false "refuted" is not covered. The
  fraction holding comes with a
  Clopper-Pearson interval, reported, not compared. The same function judges one run, a shard set merged
  by ``lenet merge``, and its tests.
- **Retraining** (``retrain``): trains a seed again from scratch into the cache
  and compares the weights with the committed reference, which they must equal
  on the machine kind and library versions that made it.

Importing this module is light (no torch); the work imports what it needs.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EXPENSIVE",
    "SEED_OUTCOMES",
    "Plan",
    "plan",
    "scaled_min_holding",
    "seed_confidence",
    "run_seed",
    "Tally",
    "tally",
    "Retrained",
    "retrain",
    "compare",
    "retrain_once",
    "prepare",
]

EXPENSIVE = frozenset(
    {"invariance"}
)  # checks run on the claim's own seed only, unless [seeds] expensive = true
SEED_OUTCOMES = ("holds", "refuted", "inconclusive", "no-counterpart", "error")  # a claim on one seed
NOT_RUN = "not run"  # a check's entry for a seed it skipped (expensive)


@dataclass(frozen=True)
class Plan:
    """Which seeds a claim's ``::seeds`` item checks and how many must hold."""

    seeds: tuple[int, ...]  # the verdict's seeds: the file's list, or --claims-seeds
    min_holding: int  # of those seeds (scaled from the file's when --claims-seeds replaced the list)
    file_seeds: tuple[int, ...]  # as the [seeds] table lists them
    file_min_holding: int
    expect: str  # the expected outcome of the seeds verdict
    expensive: bool  # run expensive checks on every seed
    confidence: float  # of the Clopper-Pearson interval
    shard: tuple[int, int] | None = None  # (K, N): this run checks shard K of N; None: every seed
    population: str | None = None  # "CHECK.KEY": the item is decided by that criterion's pooled mean effect
    reselect: str | None = None  # named units: the score whose top-N rule is re-applied on each seed

    @property
    def seed_confidence(self) -> float:
        """The confidence each seed's checks run at (``seed_confidence``)."""
        return seed_confidence(self.confidence, self.min_holding, len(self.seeds))

    @property
    def run(self) -> tuple[int, ...]:
        """The seeds this run checks: all of them, or the shard's: positions K-1, K-1+N, ... of the list."""
        if self.shard is None:
            return self.seeds
        index, count = self.shard
        return self.seeds[index - 1 :: count]

    def as_dict(self) -> dict:
        """The plan as the ``seeds`` object of a result row describes it (docs/claims-json.md)."""
        return {
            "seeds": list(self.seeds),
            "min_holding": self.min_holding,
            "file": {"seeds": list(self.file_seeds), "min_holding": self.file_min_holding},
            "expect": self.expect,
            "expensive": self.expensive,
            "confidence": self.confidence,
            "seed_confidence": self.seed_confidence,
            "shard": None
            if self.shard is None
            else {"index": self.shard[0], "count": self.shard[1], "seeds": list(self.run)},
            "population": self.population,
            "reselect": self.reselect,
        }


def scaled_min_holding(min_holding: int, listed: int, given: int) -> int:
    """``min_holding`` of ``listed`` seeds carried to ``given``
    seeds at the same fraction, rounded up (at least 1).

    Integer arithmetic, so 4 of 5 is exactly 8 of 10, never 9 by a rounding slip.
    """
    return max(1, -(-min_holding * given // listed))


def seed_confidence(confidence: float, min_holding: int, seeds: int) -> float:
    """The per-seed confidence that keeps "m of n seeds" at the claim's ``confidence``: alpha divided by
    max(m, n - m + 1) (Bonferroni over the seeds that can decide the count wrongly).

    A claim that is false has at most m - 1 seeds truly holding, so a false "holds" needs one of the other
    n - m + 1 to hold falsely; a true one has at least m, and a false "refuted" needs one of those to be
    refuted falsely. 4 of 5 at 0.99 runs each seed at 0.9975; 1 of 1 at the claim's own confidence.
    """
    return 1 - (1 - confidence) / max(min_holding, seeds - min_holding + 1)


def plan(claim, seeds: list[int] | None = None, shard: tuple[int, int] | None = None) -> Plan:
    """The plan of ``claim``'s ``[seeds]`` table; ``seeds`` (``--claims-seeds``) replaces its list."""
    from ..errors import InvalidConfig

    table = claim.seeds
    if table is None:
        raise InvalidConfig(
            f"{claim.id} has no [seeds] table; add one, e.g. "
            "[seeds] seeds = [0, 1, 2, 3, 4] and min_holding = 4."
        )
    chosen = tuple(seeds) if seeds else table.seeds
    least = (
        table.min_holding
        if chosen == table.seeds
        else scaled_min_holding(table.min_holding, len(table.seeds), len(chosen))
    )
    return Plan(
        chosen,
        least,
        table.seeds,
        table.min_holding,
        table.expect,
        table.expensive,
        claim.confidence,
        shard,
        table.population,
        table.reselect,
    )


# --- one seed ------------------------------------------------------------------------------------


def _criteria(verdict) -> dict:
    """A verdict as a per-seed table cell: its outcome, every criterion and what would decide it."""
    return {
        "outcome": verdict.outcome,
        "criteria": [dataclasses.asdict(c) for c in verdict.criteria],
        "n": dict(verdict.n),
        "to_decide": verdict.to_decide if verdict.outcome == "inconclusive" else None,
    }


def _carry(claim, seed: int, networks: int) -> tuple[object | None, list[dict]]:
    """``claim`` with its named units replaced by their counterparts on ``seed``
    (None when one has none), and the matches.

    ``select`` rules, layers and whole layers (``linear-0:*``) need no matching:
    the checks re-select on the seed, or cover every unit anyway.
    """
    from .. import subjects
    from ..subject import match
    from ..subject.units import UnitSet, parse_units

    if claim.units is None or claim.units.endswith(":*"):
        return claim, []
    reselect = claim.seeds.reselect if claim.seeds is not None else None
    if reselect is not None:
        return _reselected(claim, seed, reselect), []
    if seed == claim.seed:
        return claim, []
    reference, other = subjects.load(claim.seed, name=claim.subject), subjects.load(seed, name=claim.subject)
    units = parse_units(claim.units, reference.layers)
    layer = match.match_layer(reference, other, units.layer, networks=networks, site=claim.site)
    found = [layer.match(u) for u in units.indices]
    matches = [
        {
            "unit": f"{m.layer}:{m.unit}",
            "counterpart": None if m.counterpart is None else f"{m.layer}:{m.counterpart}",
            "candidate": f"{m.layer}:{m.candidate}",
            "correlation": m.correlation,
            "rank": m.rank,
            "of": m.units,
            "null_bar": m.null_bar,
            "reason": m.reason,
        }
        for m in found
    ]
    if any(m.counterpart is None for m in found):
        return None, matches
    return dataclasses.replace(
        claim, units=str(UnitSet(units.layer, tuple(m.counterpart for m in found), units.layers))
    ), matches


def _reselected(claim, seed: int, by: str):
    """``claim`` as the rule that found its named units (the top N of their layer by ``by`` on the
    training images), to run on ``seed``; on the claim's own seed the rule must give the named units back
    (an ``InvalidConfig`` saying which it gives otherwise)."""
    from .. import subjects
    from ..errors import InvalidConfig
    from ..subject.units import parse_units
    from .dispatch import target

    units = parse_units(claim.units, subjects.get(claim.subject).layer_table())
    rule = {"layer": units.layer, "top": len(units.indices), "by": by}
    chosen = dataclasses.replace(claim, select=rule, selector="select", units=None)
    key = (str(claim.path), claim.subject, claim.seed, claim.units, by, claim.site)
    if key not in _RULE_GIVES_UNITS:  # checked on the own seed even when a shard runs only other seeds
        picked = target(chosen, subjects.load(claim.seed, name=claim.subject)).units
        if sorted(picked) != sorted(units.indices):
            got = f"{units.layer}:{','.join(map(str, picked))}"
            raise InvalidConfig(
                f"{claim.path}: [seeds] reselect = {by!r}: the top {len(units.indices)} of {units.layer} "
                f"by {by} on seed {claim.seed}'s training images are {got}, not the named {claim.units}: the "
                "rule does not give the file's units back. Name the units the rule gives, or write the claim "
                "as a select rule."
            )
        _RULE_GIVES_UNITS.add(key)
    return claim if seed == claim.seed else chosen


#: (claim, rule) pairs whose rule gave the named units back on their own seed, checked once per process
_RULE_GIVES_UNITS: set[tuple] = set()


def run_seed(
    claim,
    seed: int,
    expensive: bool = False,
    known: dict | None = None,
    networks: int | None = None,
    retrained: Retrained | None = None,
    confidence: float | None = None,
) -> dict:
    """Every check of ``claim`` on training seed ``seed``:
    the per-seed row of the ``::seeds`` item (docs/claims-json.md).

    ``known``: verdicts already computed for the claim's own seed (check -> Verdict),
    reused as they are (checks are deterministic) when ``confidence`` is the claim's.
    ``confidence``: what the checks run at (``Plan.seed_confidence``; default the claim's).
    ``networks``: untrained networks in the matching null (default ``lenet.subject.match.NULL_NETWORKS``;
    fewer only in tests).
    ``retrained``: the seed's ``--claims-retrain`` result; one that breaks
    reproducibility makes the seed an error. A ``LenetError`` on the seed (e.g.
    MNIST missing) makes its outcome ``error``.
    """
    from .. import subjects
    from ..errors import LenetError
    from ..stats.verdict import combine
    from ..subject import match
    from . import dispatch

    result = {
        "seed": seed,
        "outcome": "error",
        "units": [],
        "matches": [],
        "checks": {},
        "weights_sha256": None,
        "error": None,
        "retrained": None if retrained is None else retrained.as_dict(),
    }
    if retrained is not None and retrained.problem:
        result["error"] = retrained.problem
        return result
    if confidence is not None and confidence != claim.confidence:
        claim, known = dataclasses.replace(claim, confidence=confidence), None
    try:
        result["weights_sha256"] = subjects.load(seed, name=claim.subject).key
        on_seed, result["matches"] = _carry(
            claim, seed, match.NULL_NETWORKS if networks is None else networks
        )
        if on_seed is None:
            result["outcome"] = "no-counterpart"
            return result
        for check in claim.checks:
            if check in EXPENSIVE and not expensive and seed != claim.seed:
                result["checks"][check] = {
                    "outcome": NOT_RUN,
                    "note": "expensive: runs on the claim's own seed only "
                    "([seeds] expensive = true runs it on every seed)",
                }
                continue
            reuse = (known or {}).get(check) if seed == claim.seed else None
            verdict = reuse if reuse is not None else dispatch.run(on_seed, check, seed=seed)
            result["checks"][check] = _criteria(verdict)
            result["units"] = result["units"] or list(verdict.details.get("units") or [])
        if retrained is not None and retrained.compare_outcomes:
            differ = _compare_outcomes(on_seed, retrained, result)
            if differ:
                result["error"] = (
                    f"retrained seed {seed}, made on another machine kind, changes outcomes: {differ}; "
                    "the claim depends on training noise here (bits are compared only on the kind that made "
                    "the reference)"
                )
                return result
    except LenetError as err:
        result["error"] = str(err)
        return result
    result["outcome"] = combine([c["outcome"] for c in result["checks"].values() if c["outcome"] != NOT_RUN])
    return result


def _compare_outcomes(on_seed, retrained: Retrained, result: dict) -> str:
    """Every check that ran, again on the retrained weights: their outcomes go into
    ``result["retrained"]["outcomes"]``; returns the differences in words ("" when they agree)."""
    from ..checks import CHECKS
    from . import dispatch

    outcomes, differ = {}, []
    for check, row in result["checks"].items():
        if row["outcome"] == NOT_RUN or "record" in CHECKS[check].SPEC.needs:
            outcomes[check] = "not compared"  # a checkpoint file has no training record
            continue
        outcomes[check] = dispatch.run(on_seed, check, checkpoint=retrained.checkpoint).outcome
        if outcomes[check] != row["outcome"]:
            differ.append(f"{check} {row['outcome']} on the committed weights, {outcomes[check]} retrained")
    result["retrained"]["outcomes"] = outcomes
    return "; ".join(differ)


# --- k of n --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Per-seed outcomes of one claim counted against ``min_holding``."""

    seeds: tuple[int, ...]
    min_holding: int
    confidence: float
    outcomes: dict  # seed -> its outcome (SEED_OUTCOMES); seeds without a result are missing

    def _with(self, *names: str) -> list[int]:
        return [s for s in self.seeds if self.outcomes.get(s) in names]

    @property
    def holding(self) -> list[int]:
        return self._with("holds")

    @property
    def undecided(self) -> list[int]:
        """Inconclusive seeds: they might yet hold."""
        return self._with("inconclusive")

    @property
    def unmatched(self) -> list[int]:
        """Seeds where a named unit has no counterpart: reported, counted neither for nor against."""
        return self._with("no-counterpart")

    @property
    def failed(self) -> list[int]:
        """Seeds where the checks could not run: a broken run, not a result."""
        return self._with("error")

    @property
    def missing(self) -> list[int]:
        return [s for s in self.seeds if s not in self.outcomes]

    @property
    def outcome(self) -> str:
        """holds (k >= min_holding), refuted (k + undecided + unmatched < min_holding),
        inconclusive, or error (a seed failed or is missing)."""
        if self.failed or self.missing:
            return "error"
        k = len(self.holding)
        if k >= self.min_holding:
            return "holds"
        open_seeds = len(self.undecided) + len(self.unmatched)
        return "refuted" if k + open_seeds < self.min_holding else "inconclusive"

    def interval(self) -> tuple[float, float]:
        """Clopper-Pearson interval of the fraction of seeds holding, at the claim's confidence."""
        from ..stats.estimates import clopper_pearson

        return clopper_pearson(len(self.holding), len(self.seeds), self.confidence)

    def describe(self) -> str:
        """``holds on 4 of 5 seeds (needs 4; 99% CI of the fraction [0.35, 1])``,
        plus the seeds that decide it."""
        low, high = self.interval()
        text = (
            f"holds on {len(self.holding)} of {len(self.seeds)} seeds (needs {self.min_holding}; "
            f"{self.confidence:.0%} CI of the fraction [{low:.2f}, {high:.2f}])"
        )
        if self.undecided:
            text += (
                f"; inconclusive on seed{'s' * (len(self.undecided) > 1)} "
                f"{', '.join(map(str, self.undecided))}"
            )
        if self.unmatched:
            text += (
                f"; no counterpart on seed{'s' * (len(self.unmatched) > 1)} "
                f"{', '.join(map(str, self.unmatched))} (not counted against it)"
            )
        if self.failed or self.missing:
            text += "; " + "; ".join(
                part
                for part in (
                    f"ERROR on seed{'s' * (len(self.failed) > 1)} {', '.join(map(str, self.failed))}"
                    if self.failed
                    else "",
                    f"no result for seed{'s' * (len(self.missing) > 1)} {', '.join(map(str, self.missing))}"
                    if self.missing
                    else "",
                )
                if part
            )
        return text

    def verdict(self):
        """The tally as a ``lenet.stats.verdict.Verdict``
        (one criterion: the fraction holding against min_holding / n)."""
        from ..stats.verdict import Criterion, Verdict

        n, k = len(self.seeds), len(self.holding)
        low, high = self.interval()
        outcome = self.outcome
        rule = (
            "holds on at least min_holding seeds; refuted when it cannot, even if every inconclusive "
            "seed and every seed without a counterpart held"
        )
        criterion = Criterion(
            name="min_holding",
            statistic="fraction of seeds where every check holds",
            value=k / n,
            low=low,
            high=high,
            threshold=self.min_holding / n,
            bound="min",
            outcome=outcome,
            note=f"{k} of {n} hold; decided by the count, the Clopper-Pearson CI is reported",
        )
        to_decide = None
        if outcome == "inconclusive":
            parts = []
            if self.undecided:
                parts.append(f"the inconclusive seeds ({', '.join(map(str, self.undecided))})")
            if self.unmatched:
                parts.append(f"the seeds without a counterpart ({', '.join(map(str, self.unmatched))})")
            to_decide = f"{self.min_holding - k} more of {' and '.join(parts)} would have to hold"
            if self.unmatched:
                to_decide += (
                    "; a seed without a counterpart decides nothing as it is: it needs a counterpart "
                    "(or [seeds] reselect) to be checked"
                )
        counts = {
            "seeds": n,
            "holding": k,
            "inconclusive": len(self.undecided),
            "no counterpart": len(self.unmatched),
            "not holding": n - k - len(self.undecided) - len(self.unmatched),
        }
        return Verdict("seeds", [criterion], counts, self.confidence, 0, rule, {}, to_decide)


def tally(seeds: list[int], min_holding: int, confidence: float, per_seed: list[dict]) -> Tally:
    """Count per-seed rows (``run_seed``'s) against ``min_holding``."""
    return Tally(
        tuple(seeds), int(min_holding), float(confidence), {r["seed"]: r["outcome"] for r in per_seed}
    )


# --- the mean effect across training runs -------------------------------------------------------


def population(per_seed: list[dict], key: str, confidence: float, seed_confidence: float):
    """The criterion ``key`` (``CHECK.KEY``, e.g. ``ablation.min_effect``) pooled over the seeds: a
    ``Criterion`` judging the random-effects mean (``lenet.stats.population``) against the key's threshold,
    and the per-seed effects it rests on. Seeds without a counterpart, where the check did not run, or
    whose criterion has no CI are left out (and listed); each seed's CI is at ``seed_confidence``."""
    import numpy as np

    from ..stats.population import random_effects, standard_errors
    from ..stats.verdict import Criterion

    check, name = key.split(".", 1)
    used, left_out, thresholds, bounds = [], [], set(), set()
    for row in per_seed:
        cell = (row.get("checks") or {}).get(check) or {}
        found = next((c for c in cell.get("criteria") or [] if c["name"] == name), None)
        bounds_of = [found.get(k) if found else None for k in ("low", "high")]
        if found is None or not all(isinstance(b, int | float) and math.isfinite(b) for b in bounds_of):
            if row["outcome"] in ("no-counterpart", "error"):
                why = row["outcome"]
            elif not cell or cell.get("outcome") == NOT_RUN:
                why = "check not run"
            else:
                why = "no CI"
            left_out.append({"seed": row["seed"], "why": why})
            continue
        used.append(
            {"seed": row["seed"], "value": found["value"], "low": found["low"], "high": found["high"]}
        )
        thresholds.add(found["threshold"])
        bounds.add(found["bound"])
    values = np.array([u["value"] for u in used], dtype=np.float64)
    ses = standard_errors([u["low"] for u in used], [u["high"] for u in used], seed_confidence)
    for u, se in zip(used, ses, strict=True):
        u["se"] = float(se)
    pooled = random_effects(values, ses, confidence)
    estimate = pooled.estimate
    threshold = min(thresholds, key=str) if thresholds else None
    bound = min(bounds) if bounds else "min"
    if len(thresholds) > 1 or len(bounds) > 1 or threshold is None:
        nan = float("nan")  # decides nothing: no pooled bar to judge against
        why = (
            "the seeds' thresholds differ"
            if len(thresholds) > 1 or len(bounds) > 1
            else estimate.why or "no seed reports this criterion with a threshold"
        )
        estimate = dataclasses.replace(estimate, low=nan, high=nan, p=1.0, why=why)
        threshold = threshold if threshold is not None else nan
    skipped = ", ".join(f"seed {x['seed']} ({x['why']})" for x in left_out)
    note = f"{pooled.seeds} seeds; between-seed SD {pooled.tau:.3g}" + (
        f"; left out: {skipped}" if skipped else ""
    )
    criterion = Criterion.from_estimate(
        f"population {key}",
        f"mean {check} {name} effect across training runs (random effects, Hartung-Knapp)",
        estimate,
        threshold=threshold,
        bound=bound,
        alpha=1 - confidence,
        note=note,
    )
    return criterion, {"effects": used, "left_out": left_out, "tau": pooled.tau, "q": pooled.q}


# --- retraining ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrained:
    """A seed trained again from scratch, compared with its committed reference (if it has one)."""

    seed: int
    weights_sha256: str
    reference_sha256: str | None  # the committed reference's weights, None for seeds without one
    reference_versions: dict | None  # library versions and machine kind that made the reference
    versions: dict  # ours
    checkpoint: str | None = None  # the retrained weights' file (their claims outcomes are compared)

    @property
    def same_kind(self) -> bool | None:
        """Whether the reference was made on this machine kind with these versions (``KIND_KEYS``: CPU model
        and instruction set included); a reference that does not record one of them is not the same kind."""
        from ..versions import KIND_KEYS

        if self.reference_versions is None:
            return None
        return all(
            self.reference_versions.get(k) is not None
            and self.reference_versions.get(k) == self.versions.get(k)
            for k in KIND_KEYS
        )

    @property
    def identical(self) -> bool | None:
        return None if self.reference_sha256 is None else self.reference_sha256 == self.weights_sha256

    @property
    def compare_outcomes(self) -> bool:
        """Bits cannot be compared (another machine kind), so the checks' outcomes are (``run_seed``)."""
        return self.identical is False and not self.same_kind and self.checkpoint is not None

    @property
    def problem(self) -> str | None:
        """Why the retraining fails the run:
        it differs from the reference on the kind of machine that made it."""
        if self.identical is False and self.same_kind:
            return (
                f"retrained seed {self.seed} has weights {self.weights_sha256[:16]}..., the "
                f"committed reference {self.reference_sha256[:16]}..., on the same machine kind "
                f"and versions ({_kind(self.versions)}): training is not reproducible here. "
                f"Compare `lenet train --seed {self.seed}` runs and check the thread count."
            )
        return None

    def note(self) -> str:
        if self.identical is None:
            return f"retrained seed {self.seed} (no committed reference)"
        if self.identical:
            return f"retrained seed {self.seed}: identical to the committed reference"
        kind = (
            ""
            if self.same_kind
            else f"; expected on {_kind(self.versions)} (reference: {_kind(self.reference_versions)})"
        )
        outcomes = (
            ", so the checks' outcomes on the retrained weights are compared with the committed weights'"
            if self.compare_outcomes
            else ""
        )
        return (
            f"retrained seed {self.seed}: differs from the committed "
            f"reference{kind}; claims use the committed weights{outcomes}"
        )

    def as_dict(self) -> dict:
        return {
            "seed": self.seed,
            "weights_sha256": self.weights_sha256,
            "reference_sha256": self.reference_sha256,
            "identical": self.identical,
            "same_kind": self.same_kind,
            "checkpoint": self.checkpoint,
            "note": self.note(),
            "problem": self.problem,
        }


def _kind(versions: dict) -> str:
    return (
        f"{versions.get('machine')} {versions.get('cpu', 'CPU not recorded')} "
        f"({versions.get('isa', 'instruction set not recorded')}), torch {versions.get('torch')}, "
        f"numpy {versions.get('numpy')}, python {versions.get('python')}"
    )


def retrain(
    seed: int,
    config=None,
    mnist_root=None,
    cache_root=None,
    references: Path | None = None,
    progress: bool = True,
) -> Retrained:
    """Train ``seed`` again from scratch into the cache
    (replacing its entry) and compare it with the committed reference."""
    from .. import subjects

    weights, versions, checkpoint = subjects.get().retrain(
        seed, config, mnist_root, cache_root, progress=progress
    )
    return compare(seed, weights, versions, config, references, checkpoint)


def compare(
    seed: int,
    weights_sha256: str,
    versions: dict,
    config=None,
    references: Path | None = None,
    checkpoint: str | None = None,
) -> Retrained:
    """Weights trained here for ``seed``
    (with ``config``) against the committed reference of the same seed and config."""
    from .. import subjects

    ref = subjects.get().reference(seed, config, references)
    return Retrained(
        seed,
        weights_sha256,
        ref["weights_sha256"] if ref else None,
        ref["versions"] if ref else None,
        versions,
        checkpoint,
    )


def retrain_once(seed: int, run_id: str, progress: bool = True) -> Retrained:
    """``retrain(seed)`` once per test run,
    however many items and pytest-xdist workers ask (a marker file per seed)."""
    from filelock import FileLock

    from ..paths import cache_dir

    marker = cache_dir() / "retrain" / run_id / f"seed-{seed}.json"
    marker.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(marker) + ".lock"):
        if marker.is_file():
            return Retrained(
                **{k: v for k, v in json.loads(marker.read_text()).items() if k in _RETRAINED_FIELDS}
            )
        done = retrain(seed, progress=progress)
        marker.write_text(json.dumps(dataclasses.asdict(done)))
    return done


_RETRAINED_FIELDS = {f.name for f in dataclasses.fields(Retrained)}
_SOURCES = {
    "cache": "from the checkpoint cache",
    "trained": "trained",
    "reference": "the committed reference",
}


def prepare(seeds: list[int], stream, retrain_run: str | None = None, subject: str | None = None) -> None:
    """Make every seed's network available before the checks:
    train what the cache lacks (``--claims-retrain``: retrain all).

    Progress and one line per seed go to ``stream``; errors are left for the
    items, which meet them again and report them per seed.
    """
    from .. import subjects
    from ..errors import LenetError

    kind = subjects.get(subject or subjects.DEFAULT)
    todo = [s for s in seeds if retrain_run or s not in kind.reference_seeds()]
    if not todo:
        return
    what = "retraining" if retrain_run else "loading or training (into the checkpoint cache)"
    print(
        f"lenet-claims: {what} seed{'s' * (len(todo) > 1)} {', '.join(map(str, todo))} "
        f"(about a minute per seed trained on 2 cores)",
        file=stream,
        flush=True,
    )
    for seed in todo:
        try:
            if retrain_run:
                print(f"lenet-claims: {retrain_once(seed, retrain_run).note()}", file=stream, flush=True)
            else:
                source = kind.prepare(seed)
                print(f"lenet-claims: seed {seed}: {_SOURCES.get(source, source)}", file=stream, flush=True)
        except LenetError as err:
            print(f"lenet-claims: seed {seed}: {err}", file=stream, flush=True)
