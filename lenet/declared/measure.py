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
from .cut import Cut
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
    functional = any(graph.points[n].traced for n in nodes)
    for group in (
        [n for n in nodes if functional and graph.points[n].in_trace],
        [n for n in nodes if not (functional and graph.points[n].in_trace)],
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


def _repeat(values: torch.Tensor, copies: int) -> torch.Tensor:
    """``copies`` copies of a batch, one after another (a new tensor: edits never reach the original)."""
    return values.repeat(copies, *([1] * (values.dim() - 1)))


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
    cut: Cut | None = None,
    together: int = 8,
) -> torch.Tensor:
    """Outputs ``(E, N, classes)``, edit ``e`` applied to ``images``.

    ``together`` edits run as copies of a batch in one pass. ``cut``: the fast path, recomputing only
    what follows ``node`` (``lenet.declared.cut``): what comes before runs once per batch for every
    edit. ``source_images(indices)``: the images a ``resample`` edit's sources index."""
    groups = [
        list(range(start, min(start + together, len(edits)))) for start in range(0, len(edits), together)
    ]
    step = max(1, batch // max(len(g) for g in groups))
    out: list[list[torch.Tensor]] = [[] for _ in groups]
    for start in range(0, len(images), step):
        rows = np.arange(start, min(start + step, len(images)))
        chunk = images[rows]
        upstream = cut.upstream(chunk) if cut is not None else None
        if upstream is not None and not cut.usable(upstream, len(rows)):
            cut = upstream = None  # something else than per-image values crosses the cut: rerun it all
        for g, group in enumerate(groups):
            resampled = {
                e: maps(graph, source_images(edits[e].sources[rows]), node, edits[e].units)
                for e in group
                if edits[e].method == "resample"
            }

            def replace(value, group=group, rows=rows, resampled=resampled):
                grouped = value.view(len(group), len(rows), *value.shape[1:])
                for position, e in enumerate(group):
                    index = list(edits[e].units)
                    grouped[position][:, index] = edits[e].new(grouped[position][:, index], resampled.get(e))
                return value

            if upstream is not None:
                value, *frontier = upstream
                edited = replace(
                    _repeat(value, len(group))
                )  # a new tensor: the upstream value stays as it was
                logits = cut.downstream(edited, *[_repeat(f, len(group)) for f in frontier])
            else:
                # never write into a tensor the network may go on to change in place
                with graph.hooks({node: lambda value, replace=replace: replace(value.clone())}) as runner:
                    logits = runner(_repeat(chunk, len(group)))
            out[g].append(_logits(logits).view(len(group), len(rows), -1))
    return torch.cat([torch.cat(parts, 1) for parts in out])
