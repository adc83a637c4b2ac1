"""What the explorer's pages show, computed on the discovery split through an ``Exploration``.

One function per question: a layer's ranking, a unit's view, an ask (checks run through the dispatcher, as
a claim file runs them, but on the discovery split), an image tried with and without the unit. They return
plain data; ``lenet.explore.app`` renders it. Every input is validated here with an error naming the field.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InvalidConfig
from ..stats import estimates
from ..subject.subject import DISCOVERY

__all__ = [
    "SCORES",
    "ASKABLE",
    "Ranking",
    "ranking",
    "unit_stats",
    "claim_text",
    "ask",
    "try_image",
    "parse_unit",
    "ClassBlocks",
]

#: how a layer's units can be ranked, in words
SCORES = {
    "selectivity": "AUROC of concept vs contrast",
    "ablation": "zero-ablation damage to the true logit, concept minus contrast",
    "mismatch": "training pushed the class up more than its activation shows (z-scores over classes)",
}
#: the checks an ask can run (group checks need a concept and contrast; class-ablation a class)
ASKABLE = ("selectivity", "ablation", "activation", "class-ablation")


def parse_unit(subject, text: str) -> tuple[str, int]:
    """``layer:index`` on the subject, or an error listing what is valid."""
    from ..subject.units import parse_units

    units = parse_units(text, subject.layers)
    if len(units.indices) != 1:
        raise InvalidConfig(f"unit={text!r}: name one unit (layer:index), e.g. linear-0:58.")
    return units.layer, int(units.indices[0])


def check_site(subject, layer: str, site: str) -> str:
    if site not in ("post", "pre"):
        raise InvalidConfig(f"site={site!r}: use 'post' (after the nonlinearity) or 'pre' (before it).")
    subject.check_site(layer, site)
    return site


def groups(subject, concept: str, contrast: str) -> tuple[np.ndarray, np.ndarray]:
    """The concept's and contrast's discovery images; unknown or overlapping sets are refused."""
    known = subject.concepts()
    for key, name in (("concept", concept), ("contrast", contrast)):
        if not name:
            raise InvalidConfig(f"{key} is missing; choose one of: {', '.join(known)}.")
        subject.check_concept(name)
    c, d = subject.members(concept, DISCOVERY), subject.members(contrast, DISCOVERY)
    if np.intersect1d(c, d).size:
        raise InvalidConfig(
            f"concept {concept} and contrast {contrast} share images; choose disjoint sets, e.g. "
            "seven/crossed against seven/plain."
        )
    if len(c) < 2 or len(d) < 2:
        raise InvalidConfig(
            f"concept {concept} ({len(c)} images) or contrast {contrast} ({len(d)}) is too small."
        )
    return c, d


@dataclass
class Ranking:
    """A layer's units ranked by one score on the discovery split (best first), with the untrained bar."""

    layer: str
    concept: str
    contrast: str
    score: str
    site: str
    units: np.ndarray  # unit indices, best first
    scores: np.ndarray  # their scores, same order
    bar: float | None  # what the layer's best unit must beat in untrained networks (None: no bar)
    bar_label: str
    sizes: tuple[int, int]
    klass: int | None = None  # the class a mismatch score is about
    extra: dict = field(default_factory=dict)  # per unit: e.g. the AUROC CI of the top ones


def ranking(
    subject, memo, layer: str, concept: str, contrast: str, score: str, site: str, klass: int | None = None
) -> Ranking:
    """Rank ``layer``'s units at ``site`` by ``score`` (``SCORES``) on the discovery split."""
    from .. import discovery

    if score not in SCORES:
        raise InvalidConfig(f"score={score!r}: choose one of {', '.join(SCORES)}.")
    layer = subject.layer(layer).name
    check_site(subject, layer, site)
    c, d = groups(subject, concept, contrast)
    if score == "selectivity":
        values = subject.values(layer, DISCOVERY, site=site)
        aurocs = memo(
            ("auroc", layer, site, concept, contrast), lambda: estimates.auroc_columns(values[c], values[d])
        )
        bars = memo(
            ("bar", layer, site, concept, contrast),
            lambda: discovery.untrained_bars(subject, layer, c, d, site),
        )
        order = np.argsort(-aurocs, kind="stable")
        return Ranking(
            layer,
            concept,
            contrast,
            score,
            site,
            order,
            aurocs[order],
            float(bars.best_p99),
            "p99 of untrained networks' best unit",
            (len(c), len(d)),
        )
    if score == "ablation":

        def damage() -> np.ndarray:
            rows = np.concatenate([c, d])
            per_image = subject.sweep_damage(layer, "zero", "logit:true", DISCOVERY, rows=rows, site=site)
            return per_image[:, : len(c)].mean(1) - per_image[:, len(c) :].mean(1)

        diff = memo(("damage", layer, site, concept, contrast), damage)
        order = np.argsort(-diff, kind="stable")
        return Ranking(
            layer,
            concept,
            contrast,
            score,
            site,
            order,
            diff[order],
            None,
            "no untrained bar: an untrained network's logits mean no class",
            (len(c), len(d)),
        )
    return _mismatch(subject, layer, concept, contrast, site, c, d, klass)


def _mismatch(subject, layer, concept, contrast, site, c, d, klass) -> Ranking:
    if layer not in subject.recorded_layers:
        recorded = ", ".join(subject.recorded_layers) or "no layer"
        raise InvalidConfig(
            f"score=mismatch needs the training record, which covers {recorded}, not {layer}; choose a "
            "recorded "
            "layer or another score."
        )
    labels = subject.split(DISCOVERY).labels.numpy()
    if klass is None:  # the concept's most common class
        klass = int(np.bincount(labels[c]).argmax())
    if not 0 <= klass < len(subject.classes):
        raise InvalidConfig(f"class={klass}: choose 0-{len(subject.classes) - 1}.")
    record = subject.record()
    grads = record.gradient[layer].astype(np.float64).mean(0)  # (classes, U)
    final = record.epoch > (np.ceil(record.epoch[-1]) - 1)
    acts = record.activation[layer].astype(np.float64)[final].mean(0)

    def z(x):
        return (x[klass] - x.mean(0)) / np.maximum(x.std(0), 1e-12)

    score = z(grads) - z(acts)
    order = np.argsort(-score, kind="stable")
    return Ranking(
        layer,
        concept,
        contrast,
        "mismatch",
        site,
        order,
        score[order],
        None,
        "no untrained bar: untrained networks have no training record",
        (len(c), len(d)),
        klass,
    )


def unit_stats(subject, layer: str, unit: int, site: str) -> dict:
    """Per-class statistics of one unit on the discovery split: mean value, fraction firing, images."""
    values = subject.values(layer, DISCOVERY, site=site)[:, unit]
    labels = subject.split(DISCOVERY).labels.numpy()
    classes = list(subject.classes)
    means = np.array(
        [values[labels == k].mean() if (labels == k).any() else 0.0 for k in range(len(classes))]
    )
    firing = np.array(
        [(values[labels == k] > 0).mean() if (labels == k).any() else 0.0 for k in range(len(classes))]
    )
    counts = np.bincount(labels, minlength=len(classes))
    return {
        "values": values,
        "labels": labels,
        "classes": classes,
        "means": means,
        "firing": firing,
        "counts": counts,
    }


class ClassBlocks:
    """A split's images grouped by class once (contiguous float32 rows), so a unit's rectified-activation-
    weighted mean image per class is one matrix product per class, for several units at once: the same
    numbers as ``subject.values.weighted_mean_images``, in a tenth of its time (it copies each class's images
    per call). torch does the products: numpy's OpenBLAS threads spin against the chart workers
    (``lenet.explore.painter``) and took three times as long while they drew."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, classes: int):
        import torch

        self.shape = images.shape[1:]
        self.rows = [np.flatnonzero(labels == c) for c in range(classes)]
        flat = images.reshape(len(images), -1)
        self.blocks = [
            torch.from_numpy(np.ascontiguousarray(flat[rows], dtype=np.float32)) for rows in self.rows
        ]

    def weighted_means(self, values: np.ndarray) -> np.ndarray:
        """``(classes, *image shape)``: each class's images weighted by max(value, 0); blank where it never
        fires. ``values`` ``(k, n)`` (k units at once, one pass over the images): ``(k, classes, ...)``."""
        import torch

        many = np.ndim(values) == 2
        weights = np.atleast_2d(np.maximum(values, 0).astype(np.float32))
        out = np.zeros((len(weights), len(self.rows), int(np.prod(self.shape))), dtype=np.float32)
        for c, (rows, block) in enumerate(zip(self.rows, self.blocks, strict=True)):
            chosen = np.ascontiguousarray(weights[:, rows])
            totals = chosen.sum(axis=1, dtype=np.float64)
            fires = totals > 0
            if fires.any():
                sums = (torch.from_numpy(np.ascontiguousarray(chosen[fires])) @ block).numpy()
                out[fires, c] = sums / totals[fires, None]
        out = out.reshape(len(weights), len(self.rows), *self.shape)
        return out if many else out[0]


def claim_text(
    subject_name: str,
    unit: str,
    checks: list[str],
    params: dict[str, dict],
    *,
    concept: str | None,
    contrast: str | None,
    site: str,
    seed: int,
    discovered: str,
    sentence: str | None = None,
    checkpoint: str | None = None,
    checkpoint_base: Path | None = None,
) -> str:
    """A claim file's text (``lenet new``'s scaffold, validated by the loader) for the question asked;
    ``checkpoint``: the network's file as the claim names it (relative to ``checkpoint_base``)."""
    from ..claims.scaffold import scaffold

    sentence = sentence or _sentence(unit, checks, params, concept, contrast)
    return scaffold(
        unit,
        sentence,
        checks,
        concept=concept,
        contrast=contrast,
        seed=seed,
        site=site,
        discovered=discovered,
        params=params,
        subject=subject_name,
        checkpoint=checkpoint,
        checkpoint_base=checkpoint_base,
    )


def _sentence(unit: str, checks: list[str], params: dict, concept: str | None, contrast: str | None) -> str:
    """The claim in words, from the checks asked (each says only what it tests)."""
    said = {
        "selectivity": f"{unit} fires more for {concept} than for {contrast}",
        "ablation": f"ablating {unit} hurts {concept} more than {contrast}",
        "activation": f"driving {unit} on {contrast} as on {concept} moves the output",
        "class-ablation": f"ablating {unit} removes class {params.get('class-ablation', {}).get('class')}",
    }
    return "; ".join(said[c] for c in checks if c in said) or f"a claim about {unit}"


def load_claim(text: str):
    """The claim file ``text`` read by the loader (validated, defaults filled), from a temporary folder."""
    from ..claims import loader

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims" / "the-question.toml"
        path.parent.mkdir()
        path.write_text(text)
        return loader.load(path, root=folder)


def ask(subject, claim, checks: list[str], on_step=None, cancelled=lambda: False) -> list:
    """Run ``checks`` of ``claim`` on the exploration (discovery split), one at a time: ``on_step(i, check)``
    before each; stops before the next check once ``cancelled()``."""
    from ..run.dispatch import run_on

    verdicts = []
    for i, check in enumerate(checks):
        if cancelled():
            break
        if on_step:
            on_step(i, check)
        verdicts.append(run_on(subject, claim, check))
    return verdicts


def try_image(subject, image, layer: str, unit: int, site: str) -> dict:
    """One image ``(1, C, H, W)``: the unit's value and the outputs as they are and with the unit zeroed."""
    import torch

    last = list(subject.layers)[-1]
    before = subject.image_values(image, last, site="pre")[0]
    value = float(subject.image_values(image, layer, site=site)[0, unit])
    after = before.copy()
    labels = torch.zeros(1, dtype=torch.long)
    for k in range(len(before)):  # damage to logit k of zeroing each unit alone; this unit's
        damage = subject.image_sweep_damage(image, labels, layer, "zero", f"logit:{k}", site=site)
        after[k] = before[k] - float(damage[unit, 0])
    return {
        "value": value,
        "before": before,
        "after": after,
        "predicted": int(before.argmax()),
        "ablated": int(after.argmax()),
    }
