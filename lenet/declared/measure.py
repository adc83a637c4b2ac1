"""Reading and editing a declared subject's values, streamed in batches.

``capture`` keeps reduced unit values only (``(N, units)`` per layer): a batch's full maps are the
most it holds at once, ``batch x`` the layer's per-image size, so a layer whose maps over a whole
split would not fit in memory still runs. ``edited_outputs`` reruns the network with some units of
one value replaced (zero, mean, resample, clamp; ``lenet.subject.effects.METHODS``), several units
per pass when ``together`` > 1 (each copy of the batch edits one unit). Every captured value is
copied at once, so an in-place operation later in the network cannot change it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InvalidConfig
from ..subject.effects import METHODS
from .graph import Graph

__all__ = ["reduce", "capture", "outputs", "mean_maps", "maps", "Edit", "edited_outputs"]


def reduce(values: torch.Tensor, reducer: str) -> torch.Tensor:
    """One number per image and unit: ``(N, C, ...) -> (N, C)`` by the spatial mean or max; ``(N, F)``
    kept."""
    if values.dim() <= 2:
        return values.detach().clone()
    flat = values.detach().flatten(2)
    return flat.amax(2) if reducer == "max" else flat.mean(2)


@torch.no_grad()
def capture(
    graph: Graph, images: torch.Tensor, nodes: Sequence[str], reducer: str, batch: int
) -> dict[str, np.ndarray]:
    """Reduced values ``(N, units)`` of each node for ``images``: a pass per runner, ``batch`` images at a
    time."""
    found: dict[str, list[torch.Tensor]] = {node: [] for node in nodes}
    for group in (
        [n for n in nodes if graph.points[n].traced],
        [n for n in nodes if not graph.points[n].traced],
    ):
        if not group:
            continue

        def keeper(node):
            return lambda value: found[node].append(reduce(value, reducer))

        with graph.hooks({node: keeper(node) for node in group}) as runner:
            for start in range(0, len(images), batch):
                runner(images[start : start + batch])
    return {node: torch.cat(parts).float().numpy() for node, parts in found.items()}


@torch.no_grad()
def outputs(graph: Graph, images: torch.Tensor, batch: int) -> torch.Tensor:
    """The network's outputs (logits) ``(N, classes)``."""
    return torch.cat(
        [_logits(graph.model(images[start : start + batch])) for start in range(0, len(images), batch)]
    )


def _logits(out) -> torch.Tensor:
    if not isinstance(out, torch.Tensor) or out.dim() != 2:
        raise InvalidConfig(
            f"the model returned {type(out).__name__} {getattr(out, 'shape', '')}; a subject's model must "
            "return logits (N, classes). Wrap it so forward returns them."
        )
    return out.detach().float()


@torch.no_grad()
def mean_maps(graph: Graph, images: torch.Tensor, node: str, batch: int) -> torch.Tensor:
    """Every unit's mean value (a channel's mean map) over ``images``: the node's per-image shape."""
    total: list[torch.Tensor] = []

    def add(value):
        total.append(value.detach().double().sum(0))

    with graph.hooks({node: add}) as runner:
        for start in range(0, len(images), batch):
            runner(images[start : start + batch])
    return (torch.stack(total).sum(0) / len(images)).float()


@torch.no_grad()
def maps(graph: Graph, images: torch.Tensor, node: str, units: Sequence[int]) -> torch.Tensor:
    """The units' full values for ``images`` (one batch): ``(N, len(units), ...)``."""
    kept: list[torch.Tensor] = []
    with graph.hooks({node: lambda value: kept.append(value[:, list(units)].detach().clone())}) as runner:
        runner(images)
    return kept[0]


@dataclass(frozen=True)
class Edit:
    """Units of one value to replace: ``method`` with what it needs (``means``: the node's mean maps;
    ``levels``: a clamp level per unit; ``sources``: per image of the run, the image to take values from)."""

    units: tuple[int, ...]
    method: str
    means: torch.Tensor | None = None
    levels: tuple[float, ...] | None = None
    sources: np.ndarray | None = None

    def __post_init__(self):
        if self.method not in METHODS:
            raise InvalidConfig(f"method={self.method!r} is unknown; use one of {', '.join(METHODS)}.")
        needs = {"mean": self.means, "clamp": self.levels, "resample": self.sources}
        if self.method in needs and needs[self.method] is None:
            raise InvalidConfig(
                {
                    "mean": "method='mean' needs the mean over the discovery split.",
                    "clamp": "clamp needs a value to drive the unit to, e.g. value=2.5.",
                    "resample": "resample needs `sources`: one source image per image (see draw_sources).",
                }[self.method]
            )

    def new(self, current: torch.Tensor, resampled: torch.Tensor | None) -> torch.Tensor:
        """The replacement of ``current`` (``(B, k, ...)``, the units' values in this batch)."""
        if self.method == "zero":
            return torch.zeros_like(current)
        if self.method == "mean":
            return self.means[list(self.units)].to(current.dtype).expand_as(current)
        if self.method == "clamp":
            shape = (1, len(self.units)) + (1,) * (current.dim() - 2)
            return torch.tensor(self.levels, dtype=current.dtype).view(shape).expand_as(current)
        return resampled.to(current.dtype)


@torch.no_grad()
def edited_outputs(
    graph: Graph,
    images: torch.Tensor,
    node: str,
    edits: Sequence[Edit],
    batch: int,
    source_images: Callable[[np.ndarray], torch.Tensor] | None = None,
) -> torch.Tensor:
    """Outputs ``(E, N, classes)``, edit ``e`` applied to ``images``; the ``E`` edits run as copies of each
    batch in one forward pass. ``source_images(indices)``: the images a ``resample`` edit's sources index."""
    copies = len(edits)
    step = max(1, batch // copies)
    out = []
    for start in range(0, len(images), step):
        rows = np.arange(start, min(start + step, len(images)))
        resampled = {
            e: maps(graph, source_images(edit.sources[rows]), node, edit.units)
            for e, edit in enumerate(edits)
            if edit.method == "resample"
        }

        def replace(value, rows=rows, resampled=resampled):
            value = value.clone()  # never write into a tensor the network may go on to change in place
            grouped = value.view(copies, len(rows), *value.shape[1:])
            for e, edit in enumerate(edits):
                index = list(edit.units)
                grouped[e][:, index] = edit.new(grouped[e][:, index], resampled.get(e))
            return value

        chunk = images[rows]
        with graph.hooks({node: replace}) as runner:
            logits = _logits(runner(chunk.repeat(copies, *([1] * (chunk.dim() - 1)))))
        out.append(logits.view(copies, len(rows), -1))
    return torch.cat(out, 1)
