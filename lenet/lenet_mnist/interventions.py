"""The built-in subject's interventions on units: zero, mean,
resample and clamp, recomputing only what follows the edited layer.

An intervention replaces the value of some units of one layer at a site (``pre``:
the pre-activation; ``post``: after the ReLU, what the next layer reads; a conv
unit's whole map) and recomputes the logits from there, reusing the cached
pre-activation of that layer (``activations.capture``): the layers before it
are never run again. Methods:

- ``zero``: the unit's value becomes 0 (the same at both sites, since relu(0) = 0);
- ``mean``: its mean at the site over the discovery (training) split, given as ``mean_over``
  (conv: the mean map); the one method whose result depends on the site;
- ``resample``: each image gets the unit's value from another image,
  given by ``sources`` (per-image indices into the split; ``lenet.subject.effects.draw_sources`` draws
  them from a reference set with a seed);
- ``clamp``: a given value (conv: the whole map), e.g. a quantile of the unit's
  values on a concept set: "drive" the unit (at ``post`` never below 0).

Effects are kept per image (``lenet.subject.effects.Effects``) so statistics can use them:
the change of each class logit, of the true-class probability, of correctness.
``sweep`` ablates each unit of a layer in turn as a few large batched
computations; for ``linear-0`` and ``linear-1`` one unit's edit is a rank-1
update of the next pre-activation, so no layer is rerun at all.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from ..errors import InvalidConfig
from ..subject.effects import METHODS, Effects, output
from ..subject.units import UnitSet
from .activations import capture
from .data import Split
from .model import LAYERS, LeNet5, at_site, rectified
from .model import layer as layer_info

__all__ = ["intervene", "sweep", "sweep_damage"]


def _at(model: LeNet5, split: Split, layer: str, key: str | None, site: str) -> torch.Tensor:
    """The captured values of ``layer`` on ``split`` at ``site`` (``post``: after the ReLU)."""
    return at_site(layer, capture(model, split, layer, key), site)


def _mean_map(model: LeNet5, layer: str, key: str | None, mean_over: Split | None, site: str) -> torch.Tensor:
    """The mean value at ``site`` of every unit over the discovery split ``mean_over``: ``layer.shape``."""
    if mean_over is None:
        raise InvalidConfig(
            "method='mean' needs `mean_over`: the split to average over (the discovery split)."
        )
    return _at(model, mean_over, layer, key, site).mean(0)


def _replacement(
    model, split, layer, units, method, rows, key, sources, value, mean_over, site="pre"
) -> torch.Tensor:
    """The values that replace ``units``' values at ``site`` on ``rows``: ``(len(rows), len(units),
    *map)``."""
    pre = _at(model, split, layer, key, site)
    idx = list(units)
    if method == "zero":
        return torch.zeros_like(pre[rows][:, idx])
    if method == "mean":
        return _mean_map(model, layer, key, mean_over, site)[idx].expand_as(pre[rows][:, idx]).clone()
    if method == "resample":
        if sources is None or len(sources) != len(rows):
            raise InvalidConfig("resample needs `sources`: one source image per image (see draw_sources).")
        return pre[torch.as_tensor(sources)][:, idx]
    if method == "clamp":
        if value is None:
            raise InvalidConfig("clamp needs a value to drive the unit to, e.g. value=2.5.")
        if float(value) < 0 and rectified(layer, site):
            raise InvalidConfig(
                f"clamp value={float(value):g} is below 0, which {layer}'s values never are at site "
                "'post' (after the ReLU); drive to a level >= 0, or use site = \"pre\"."
            )
        return torch.full_like(pre[rows][:, idx], float(value))
    raise InvalidConfig(f"method={method!r} is unknown; use one of {', '.join(METHODS)}.")


@torch.no_grad()
def intervene(
    model: LeNet5,
    split: Split,
    units: UnitSet,
    method: str = "zero",
    *,
    rows: np.ndarray | None = None,
    sources: np.ndarray | None = None,
    value: float | None = None,
    key: str | None = None,
    mean_over: Split | None = None,
    batch: int = 5000,
    site: str = "pre",
) -> Effects:
    """Replace ``units``' values at ``site`` on ``rows`` of ``split`` (all images if None); recompute
    downstream.

    ``mean_over``: the discovery split, whose mean (at ``site``) the ``mean`` method uses.
    """
    rows = np.arange(len(split)) if rows is None else np.asarray(rows)
    pre = _at(model, split, units.layer, key, site)
    replacement = _replacement(
        model, split, units.layer, units, method, rows, key, sources, value, mean_over, site
    )
    before = capture(model, split, "linear-2", key)[rows]
    after = []
    for start in range(0, len(rows), batch):
        edited = pre[rows[start : start + batch]].clone()
        edited[:, list(units)] = replacement[start : start + batch]
        after.append(model.forward_from(units.layer, edited))
    return Effects(before, torch.cat(after), split.labels[rows])


def _sweep_rank1(
    model: LeNet5,
    split: Split,
    layer: str,
    method: str,
    key,
    sources,
    chunk: int,
    values,
    rows,
    mean_over,
    site: str,
) -> torch.Tensor:
    """linear-0/linear-1: editing unit u changes the next pre-activation by (relu(new) - relu(old)) * W[:, u].

    ``new`` is the replacement at ``site``; at ``post`` it is never negative, so relu(new) = new.
    """
    pre = capture(model, split, layer, key)[rows]  # (N, U)
    if method == "clamp":
        new = torch.as_tensor(np.asarray(values), dtype=pre.dtype).expand_as(
            pre
        )  # unit u driven to values[u]
    else:
        full = _replacement(
            model,
            split,
            layer,
            range(pre.shape[1]),
            method,
            np.arange(len(split)),
            key,
            sources,
            None,
            mean_over,
            site,
        )
        new = full[rows]
    delta = (F.relu(new) - F.relu(pre)).T  # (U, N): change of each unit's output per image
    if layer == "linear-1":
        logits = capture(model, split, "linear-2", key)[rows]
        return logits + delta[:, :, None] * model.linear2.weight.T[:, None, :]  # (U, N, 10)
    z1 = capture(model, split, "linear-1", key)[rows]  # (N, 84)
    w1, w2, b2 = model.linear1.weight.T.contiguous(), model.linear2.weight.T.contiguous(), model.linear2.bias
    delta = delta.contiguous()
    out = torch.empty(len(delta), len(rows), 10)
    for start in range(0, len(delta), chunk):  # small chunks stay in cache: 4 x 10,000 x 84 floats = 13 MB
        stop = min(start + chunk, len(delta))
        edited = torch.addcmul(
            z1, delta[start:stop, :, None], w1[start:stop, None, :]
        ).relu_()  # (chunk, N, 84)
        torch.addmm(
            b2, edited.view(-1, edited.shape[-1]), w2, out=out[start:stop].view(-1, 10)
        )  # one GEMM per chunk
    return out


@torch.no_grad()
def sweep(
    model: LeNet5,
    split: Split,
    layer: str,
    method: str = "zero",
    *,
    sources: np.ndarray | None = None,
    values: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    key: str | None = None,
    mean_over: Split | None = None,
    chunk: int = 4,
    site: str = "pre",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Intervene on each unit of ``layer`` alone at ``site``: logits after ``(U, N, 10)`` and before ``(N,
    10)``.

    ``method="clamp"`` drives unit u to ``values[u]``. ``rows``: the images (all
    if None). ``chunk`` units are computed at once; with N = 10,000 a linear-0
    chunk of 4 holds 4 x 10,000 x 84 floats (13 MB; chunks of 16 fall out of
    the CPU cache and run 40% slower): peak memory stays far below 2 GiB.
    """
    rows = np.arange(len(split)) if rows is None else np.asarray(rows)
    units = layer_info(layer).units
    if method == "clamp" and (values is None or len(values) != units):
        raise InvalidConfig(
            f"a clamp sweep needs one value per unit of {layer} "
            f"({units}); got {None if values is None else len(values)}."
        )
    before = capture(model, split, "linear-2", key)[rows]
    if layer in ("linear-0", "linear-1"):
        after = _sweep_rank1(model, split, layer, method, key, sources, chunk, values, rows, mean_over, site)
        return after, before
    after = [
        intervene(
            model,
            split,
            UnitSet(layer, (u,), LAYERS),
            method,
            rows=rows,
            sources=None if sources is None else sources[rows],
            value=None if values is None else float(values[u]),
            key=key,
            mean_over=mean_over,
            site=site,
        ).after
        for u in range(units)
    ]
    return torch.stack(after), before


def sweep_damage(
    model: LeNet5, split: Split, layer: str, method: str, output_name: str, **kwargs
) -> np.ndarray:
    """Per-unit, per-image damage ``(U, N)``
    (output before - after) of intervening on each unit of ``layer`` alone."""
    after, before = sweep(model, split, layer, method, **kwargs)
    rows = kwargs.get("rows")
    labels = split.labels if rows is None else split.labels[np.asarray(rows)]
    return (output(before, labels, output_name)[None, :] - output(after, labels, output_name)).numpy()
