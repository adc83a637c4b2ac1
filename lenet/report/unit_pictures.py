"""Pictures of one unit of a checked network, for the HTML report:
``lenet inspect``'s figures, the training movie, a perturbation.

Unlike ``lenet.pictures`` (arrays in, images out), this module loads what it
needs: the subject, the discovery (train) split and the training record; it
returns PIL images with their captions and ``lenet.report.html`` inlines them.

- Pictures use the first ``IMAGES`` training images: a forward pass over all
  60,000 costs 5-15 s on 2 busy cores, and the report should add seconds, not
  minutes, to a run. (``lenet inspect`` uses the whole split.)
- The movie is ``lenet movie`` without gradient examples (those need a ~70 s
  retraining): per class, the mean training gradient as bars (scaled per frame)
  above the mean activation, on at most ``MAX_FRAMES`` evenly spaced frames.
- Whatever cannot be made (no such checkpoint, no training record, a layer the
  record does not cover) is returned as a message string, never raised.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

__all__ = ["IMAGES", "TOP", "MAX_FRAMES", "UnitData", "load", "figures", "movie", "counterexample"]

IMAGES = 10_000  # training images the pictures use (the first ones of the discovery split)
TOP = 10  # top-activating and most-negative images shown
MAX_FRAMES = 60  # movie frames kept (evenly subsampled; the first and last always kept): about 1 MB of PNGs


@dataclasses.dataclass
class UnitData:
    """One unit of one network on the first ``IMAGES`` training images:
    values ``(N,)``, images ``(N, 28, 28)``, labels ``(N,)``."""

    subject: object  # a lenet.subject.subject.Subject
    layer: str
    unit: int
    values: np.ndarray
    images: np.ndarray
    labels: np.ndarray
    site: str = "post"  # where ``values`` were read: the checked claim's site

    @property
    def name(self) -> str:
        return f"{self.layer}:{self.unit}"


def load(
    seed: int | None,
    checkpoint: str | None,
    name: str,
    weights_sha256: str | None = None,
    site: str = "pre",
    subject_name: str | None = None,
) -> UnitData | str:
    """The unit ``name`` (e.g. ``linear-0:63``) on the checked network, or why it cannot be drawn.

    ``weights_sha256``: the hash the check reported;
    pictures of other weights would mislead, so a mismatch is a message.
    """
    from .. import subjects
    from ..errors import LenetError
    from ..subject.units import parse_units

    if subject_name not in (None, subjects.DEFAULT):
        return (
            f"no pictures of {name}: the report draws units of {subjects.DEFAULT} only "
            f"(this claim is about {subject_name})"
        )
    try:
        unit = parse_units(name, subjects.layers())
        subject = subjects.load(seed if seed is not None else 0, checkpoint)
        if weights_sha256 and subject.key != weights_sha256:
            return (
                f"{subject.name} now has weights {subject.key[:12]}..., "
                f"not the checked {weights_sha256[:12]}...: no pictures"
            )
        split = subject.split("train")
        values = _layer_values(subject, unit.layer, site)[:, unit.indices[0]]
    except (LenetError, OSError) as err:
        return f"no pictures of {name}: {err}"
    return UnitData(
        subject,
        unit.layer,
        unit.indices[0],
        values,
        split.images[:IMAGES].numpy()[:, 0],
        split.labels[:IMAGES].numpy(),
        site,
    )


@functools.lru_cache(maxsize=4)
def _layer_values(subject, layer: str, site: str) -> np.ndarray:
    """Every unit of ``layer`` at ``site`` on the first ``IMAGES`` training images, ``(N, units)``: one
    forward
    pass per network and layer."""
    images = subject.split(subject.DISCOVERY).images[:IMAGES]
    return subject.image_values(images, layer, site=site, batch=2500)


def record(data: UnitData):
    """The subject's training record if it covers the unit's layer, else a message saying why not."""
    from ..errors import LenetError

    covered = data.subject.recorded_layers
    if data.layer not in covered:
        return f"the training record covers {', '.join(covered)} only, not {data.layer}"
    try:
        return data.subject.record()
    except (LenetError, OSError) as err:
        return str(err)


def figures(data: UnitData) -> list[tuple[str, str, object]]:
    """``(kind, caption, image)`` for the weighted means per class,
    top and most-negative images and training charts.

    ``image`` is None where the picture cannot be made; the caption then says why.
    """
    from .. import pictures as P
    from ..subject.values import top_images, weighted_mean_images

    n = f"{len(data.labels):,}"
    firing = [float((data.values[data.labels == c] > 0).mean()) for c in range(len(data.subject.classes))]
    means = P.class_row(
        weighted_mean_images(data.values, data.images, data.labels),
        labels=[f"{c}: {f:.0%}" for c, f in enumerate(firing)],
    )
    out = [
        (
            "means",
            f"rectified-activation-weighted mean image per class over the first {n} training images "
            f"(label: class: % of it on which the unit fires)",
            means,
        )
    ]
    for lowest, kind in ((False, "top-activating"), (True, "most-negative")):
        picked = top_images(data.values, TOP, lowest=lowest)
        grid = P.digit_grid(data.images[picked], [f"{data.labels[i]}: {data.values[i]:.3g}" for i in picked])
        caption = f"{kind} of the first {n} training images (class: value at site {data.site})"
        out.append((kind, caption, grid))
    found = record(data)
    if isinstance(found, str):
        return out + [("charts", f"training charts: {found}", None)]
    from .. import charts as C

    charts = [
        C.image(C.class_lines(found.epoch, getattr(found, kind)[data.layer][:, :, data.unit], title, ylabel))
        for kind, title, ylabel in (
            ("gradient", "mean training gradient per class", "gradient"),
            ("activation", "mean activation per class, training batches", "activation (site pre)"),
        )
    ]
    caption = "per-class mean gradient (positive: training pushed the unit up) and activation over training"
    return out + [("charts", caption, P.stack(charts, vertical=False, gap=10))]


def movie(data: UnitData, max_frames: int = MAX_FRAMES) -> list[tuple[str, object]] | str:
    """The unit's training movie as ``(stamp, frame)`` pairs,
    at most ``max_frames`` of them; or why there is none."""
    from .. import pictures as P

    found = record(data)
    if isinstance(found, str):
        return found
    keep = np.unique(np.linspace(0, found.frames - 1, min(found.frames, max_frames)).round().astype(int))
    sub = dataclasses.replace(
        found,
        step=found.step[keep],
        epoch=found.epoch[keep],
        count=found.count[keep],
        activation={k: v[keep] for k, v in found.activation.items()},
        gradient={k: v[keep] for k, v in found.gradient.items()},
    )
    frames = P.movie(sub, None, [(data.layer, data.unit)], data.subject.name)
    return [(f"epoch {sub.epoch[i]:.2f}, step {int(sub.step[i])}", frame) for i, frame in enumerate(frames)]


def counterexample(data: UnitData, params: dict) -> tuple[str, object]:
    """``(caption, image)``: a perturbation (the invariance counterexample's parameters) applied to the unit's
    top-activating training images, as they are above and perturbed below,
    each labelled with the unit's value."""
    import torch

    from .. import pictures as P
    from ..subject.perturbation import Perturbation
    from ..subject.values import top_images

    fields = {f.name for f in dataclasses.fields(Perturbation)}
    perturbation = Perturbation(**{k: v for k, v in params.items() if k in fields})
    before = torch.from_numpy(
        data.images[top_images(data.values, TOP)][:, None]
    )  # (k, 28, 28) -> (k, 1, 28, 28)
    rows = []
    for images in (before, data.subject.perturb(before, perturbation)):
        values = data.subject.image_values(images, data.layer, site=data.site)[:, data.unit]
        rows.append(P.digit_grid(images[:, 0].numpy(), [f"{v:.3g}" for v in values]))
    caption = (
        f"{perturbation} applied to {data.name}'s {TOP} top-activating training images "
        f"(top: as they are, bottom: perturbed; label: value at site {data.site})"
    )
    return caption, P.stack(rows)
