"""The parameters of every check: one declaration that validation, defaults and docs/claims.md all read.

A claim file's check table (``[selectivity]``, ``[ablation]``, ...) may hold
exactly the keys declared here for that check, plus ``expect``. Each key has a
type, an allowed range or set of choices, a default (None = required or off)
and an example.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Param", "CheckSpec", "CHECKS", "OUTPUT_FORMS", "EXPECT"]

EXPECT = ("holds", "refuted", "inconclusive")
OUTPUT_FORMS = "'logit:true' (each image's true class), 'logit:N' (class N), 'prob:true' or 'accuracy'"


@dataclass(frozen=True)
class Param:
    """One key of a check table."""

    name: str
    kind: str  # "float", "int", "str", "bool", "list[str]", "list[int]"
    doc: str
    example: object
    default: object = None  # None: required if `required`, else off
    required: bool = False
    low: float | None = None  # inclusive bounds for numbers (exclusive where `open_low`/`open_high`)
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    choices: tuple = ()
    pattern: str | None = None  # regex a string must match (e.g. outputs)


@dataclass(frozen=True)
class CheckSpec:
    """A check users can name as a table in a claim file."""

    name: str
    summary: str
    params: tuple[Param, ...]
    needs: frozenset[str]  # claim keys it needs: "units", "concept", "contrast", "layer", "record"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


OUTPUT = Param(
    "output", "str", f"the output measured: {OUTPUT_FORMS}", "logit:true", default="logit:true",
    pattern=r"^(logit:(true|[0-9])|prob:true|accuracy)$",
)
METHOD = Param("method", "str", "how a unit is removed: zero, mean (its discovery-split mean) or resample (from contrast images)",
               "resample", default="resample", choices=("zero", "mean", "resample"))
PERCENTILE = Param("min_layer_percentile", "float",
                   "effect-size criterion: the unit's effect must rank at or above this percentile of its layer's units (reported, not a p-value)",
                   95, low=0, high=100)

CHECKS: dict[str, CheckSpec] = {
    spec.name: spec
    for spec in [
        CheckSpec(
            "selectivity", "the unit fires more on the concept than on the contrast (AUROC, Mann-Whitney, DeLong CI)",
            (
                Param("min_auroc", "float", "lower bound of the AUROC's CI must reach this", 0.75, required=True,
                      low=0.5, high=1.0, open_low=True),
                Param("baseline", "bool", "also require the CI's lower bound to clear the 99th percentile of untrained networks' units",
                      True, default=True),
            ),
            frozenset({"units", "concept", "contrast"}),
        ),
        CheckSpec(
            "ablation", "necessity: removing the unit hurts the concept more than the contrast",
            (
                METHOD,
                OUTPUT,
                Param("min_effect", "float", "lower CI bound of (mean concept damage - mean contrast damage) must reach this; "
                      "damage = output before - after ablation", 0.5, required=True, low=0.0),
                PERCENTILE,
                Param("max_collateral", "float", "upper CI bound of the accuracy drop on images of other classes must stay below this",
                      0.01, low=0.0, high=1.0),
            ),
            frozenset({"units", "concept", "contrast"}),
        ),
        CheckSpec(
            "activation", "sufficiency: driving the unit on contrast images to its concept level moves the output the claimed way",
            (
                Param("value", "str", "level to drive to: 'concept-median', 'concept-quantile:Q' (Q in 0-1) or a number as a string",
                      "concept-median", default="concept-median", pattern=r"^(concept-median|concept-quantile:(0(\.\d+)?|1(\.0+)?)|-?\d+(\.\d+)?)$"),
                OUTPUT,
                Param("direction", "str", "the claimed direction of the output change", "up", default="up", choices=("up", "down")),
                Param("min_effect", "float", "lower CI bound of the mean output change (in the claimed direction) must reach this",
                      0.2, required=True, low=0.0),
                PERCENTILE,
            ),
            frozenset({"units", "concept", "contrast"}),
        ),
        CheckSpec(
            "training", "training dynamics of one run: the sign of the gradient a unit got for a class, and its activation",
            (
                Param("class", "int", "the digit class", 8, required=True, low=0, high=9),
                Param("gradient", "str", "claimed sign of the mean training gradient for the class (positive = pushed up)",
                      "positive", required=True, choices=("positive", "negative")),
                Param("min_consistency", "float", "fraction of recorded frames whose gradient has that sign", 0.8,
                      default=0.8, low=0.5, high=1.0),
                Param("max_activation", "float", "the unit's final mean activation for the class must be at most this (weak)", 0.0),
                Param("top_class", "int", "the class with the unit's highest final mean activation must be this one", 1, low=0, high=9),
            ),
            frozenset({"units", "record"}),
        ),
        CheckSpec(
            "invariance", "selectivity survives small shifts, rotations and stroke changes (hypothesis searches for the smallest breaking one)",
            (
                Param("min_auroc", "float", "AUROC (point estimate on the perturbed images) that every perturbation must keep", 0.7,
                      required=True, low=0.5, high=1.0, open_low=True),
                Param("max_shift", "int", "largest shift searched, in pixels", 2, default=2, low=0, high=4),
                Param("max_rotation", "float", "largest rotation searched, in degrees", 15, default=15, low=0, high=45),
                Param("max_stroke", "float", "largest stroke thickening/thinning searched, in 3x3 dilation steps (fractions blend)",
                      0.5, default=0.5, low=0, high=2),
                Param("examples", "int", "perturbations hypothesis tries", 60, default=60, low=1, high=1000),
                Param("images", "int", "images per group the search uses (a fixed, seeded subsample)", 200, default=200, low=10, high=5000),
            ),
            frozenset({"units", "concept", "contrast"}),
        ),
        CheckSpec(
            "class-ablation", "ablating a unit set drops one class's accuracy below a bound while other classes stay above one",
            (
                Param("class", "int", "the class whose knowledge is removed", 7, required=True, low=0, high=9),
                Param("ablate", "str", "which units: the claim's units ('units') or all the others in their layer ('complement')",
                      "units", default="units", choices=("units", "complement")),
                METHOD,
                Param("max_accuracy", "float", "upper CI bound of the class's accuracy after ablation must be below this", 0.5, low=0.0, high=1.0),
                Param("min_accuracy", "float", "lower CI bound of the class's accuracy after ablation must reach this (with "
                      "ablate = 'complement': the class is spared; the damage must then fall on the other classes)", 0.8, low=0.0, high=1.0),
                Param("min_other_accuracy", "float", "lower CI bound of every other class's accuracy after ablation must reach this",
                      0.95, low=0.0, high=1.0),
            ),
            frozenset({"units"}),
        ),
        CheckSpec(
            "correlation", "Spearman correlation across a layer's units between two per-unit scores, with a bootstrap CI",
            (
                Param("x", "str", "first per-unit score: 'class-selectivity', 'selectivity:CONCEPT', 'ablation:CLASS'",
                      "class-selectivity", required=True),
                Param("y", "str", "second per-unit score, same forms", "ablation:7", required=True),
                Param("min_rho", "float", "lower CI bound must reach this", 0.3, low=-1.0, high=1.0),
                Param("max_rho", "float", "upper CI bound must stay at or below this ('about zero or below': e.g. 0.1)", 0.1, low=-1.0, high=1.0),
            ),
            frozenset({"layer"}),
        ),
    ]
}
