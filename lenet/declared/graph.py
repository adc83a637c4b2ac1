"""A model's nameable values, each a layer users can address: module outputs and functional values.

- A module's output is named by its dotted name from ``named_modules()`` (``features.3``). A
  module called more than once per forward pass gets one layer per call, ``block.relu#0``,
  ``block.relu#1``; its bare name is refused with a message listing the calls.
- A value no module returns (a functional ReLU, an addition) is named by its torch.fx node name
  (``relu_1``, ``add``). The model is traced once; an identity ``Tap`` module is inserted after
  every functional node, so those values are hooked like module outputs. A model fx cannot trace
  offers its module outputs only (``Graph.untraced`` says why).

Values are found by running two images through the model (``probe``): a layer has a per-image
shape ``(C, H, W, ...)`` (a channel per unit, reduced over space) or ``(F,)`` (a feature per unit).
Hooks live in ``hooks`` context managers and are removed when the block ends, also on error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch import nn

from ..errors import UnknownUnit
from ..subject.layers import Layer

__all__ = ["Graph", "Point", "LayerTable", "Tap"]

TAPS = "_lenet_taps"  # the submodule of the traced copy holding the taps


class Tap(nn.Module):
    """The identity, inserted after a functional fx node so its value can be hooked."""

    def forward(self, x):
        return x


@dataclass(frozen=True)
class Point:
    """Where a layer's value is made: the ``call``-th call (0-based) of ``module`` in the model, or in
    its traced copy (``traced``: a functional value's tap)."""

    module: str
    call: int
    traced: bool
    in_trace: bool = (
        True  # the value is also made when the traced copy runs (False: a module fx traced through)
    )


class LayerTable(dict):
    """Layer name -> ``Layer``; a reused module's bare name raises an error naming its calls."""

    def __init__(self, layers: dict[str, Layer], reused: dict[str, tuple[int, list[str]]]):
        super().__init__(layers)
        self.reused = reused

    def __missing__(self, name: str):
        if name in self.reused:
            count, calls = self.reused[name]
            raise UnknownUnit(
                f"layer {name!r} is a module called {count} times per forward pass; name one call: "
                f"{', '.join(calls) or '(none of its calls returns a per-image value)'}."
            )
        raise KeyError(name)


class Graph:
    """The nameable values of ``model`` (in eval mode), found by running ``sample`` (a batch of two
    or more images) through it."""

    def __init__(
        self, model: nn.Module, sample: torch.Tensor, aliases: dict[str, dict[str, str]] | None = None
    ):
        self.model = model.eval()
        self.traced, self.untraced = _trace(self.model)
        self.points, layers, reused = _probe(self, sample)
        self.aliases = dict(aliases or {})
        for alias, sites in self.aliases.items():
            for site, node in sites.items():
                if node not in layers:
                    raise UnknownUnit(
                        f"layers.{alias}.{site} = {node!r} is not a value of this model; values are "
                        f"{', '.join(layers)}."
                    )
            if alias in layers:
                raise UnknownUnit(
                    f"layers.{alias}: the name is already a value of this model; choose another."
                )
        table = dict(layers)
        for alias, sites in self.aliases.items():
            post = layers[sites["post"]]
            table[alias] = Layer(alias, sites["post"], post.kind, post.units, post.shape)
        self.layers = LayerTable(table, reused)

    def node(self, layer: str, site: str) -> str:
        """The value a layer's ``site`` reads: a declared layer's ``post``/``pre`` node; any other value has
        only itself (``post``)."""
        if layer in self.aliases:
            sites = self.aliases[layer]
            if site not in sites:
                raise UnknownUnit(
                    f'layer {layer!r} declares no {site!r} site; declare layers.{layer}.{site} = "node", '
                    'or use site = "post".'
                )
            return sites[site]
        self.layers[layer]  # an unknown name raises, listing the layers
        if site != "post":
            raise UnknownUnit(
                f"site = {site!r} on {layer!r}: a value named by its module or node has one site, its own "
                "value "
                '("post"). Declare a layer with both sites (layers.NAME = { post = ..., pre = ... }) to read '
                "before a nonlinearity, or name the node before it."
            )
        return layer

    def runner(self, nodes) -> nn.Module:
        """The module to run to reach ``nodes``: the traced copy for functional values, else the model (a
        module that fx traced through fires its hooks only there)."""
        points = [self.points[n] for n in nodes]
        if not any(p.traced for p in points):
            return self.model
        if not all(p.in_trace for p in points):
            raise ValueError(
                "a functional value and a module fx traced through are reached in separate passes"
            )
        return self.traced

    @contextlib.contextmanager
    def hooks(self, edits: dict[str, Callable[[torch.Tensor], torch.Tensor | None]]) -> Iterator[nn.Module]:
        """Forward hooks calling ``edits[node](value)`` on each node's value (a returned tensor replaces it),
        removed on exit even when the block raises. Yields the module to run (``runner``)."""
        runner = self.runner(edits)
        counts: dict[str, int] = {}
        handles = [runner.register_forward_pre_hook(lambda module, inputs: counts.clear())]
        for node, edit in edits.items():
            point = self.points[node]

            def hook(module, inputs, output, point=point, edit=edit, key=node):
                seen = counts.get(key, 0)
                counts[key] = seen + 1
                if seen == point.call:
                    return edit(output)
                return None

            handles.append(runner.get_submodule(point.module).register_forward_hook(hook))
        try:
            yield runner
        finally:
            for handle in handles:
                handle.remove()


def _trace(model: nn.Module) -> tuple[nn.Module | None, str | None]:
    """A traced copy with a ``Tap`` after every functional node (sharing the model's parameters), or
    ``(None, why)``."""
    try:
        from torch import fx

        traced = fx.symbolic_trace(model)
    except Exception as err:  # dynamic control flow and the like: module outputs stay nameable
        return None, f"torch.fx could not trace the model ({type(err).__name__}: {err})"
    taps = nn.ModuleDict()
    traced.add_submodule(TAPS, taps)
    graph = traced.graph
    for node in list(graph.nodes):
        if node.op not in ("call_function", "call_method"):
            continue
        taps[node.name] = Tap()
        with graph.inserting_after(node):
            tap = graph.call_module(f"{TAPS}.{node.name}", (node,))
        node.replace_all_uses_with(tap, delete_user_cb=lambda user, tap=tap: user is not tap)
    graph.lint()
    traced.recompile()
    return traced.eval(), None


def _probe(graph: Graph, sample: torch.Tensor) -> tuple[dict[str, Point], dict[str, Layer], dict[str, tuple]]:
    """Every tensor value with the batch as its first dimension, in forward order. Every call of a module
    is counted (as the hooks count them), also calls whose output is not such a value."""
    batch = len(sample)
    order: list[tuple[str, int, tuple[int, ...] | None]] = []  # (module, call, shape or None) of the run

    def record(into):
        def make(name):
            def hook(module, inputs, output):
                calls = sum(1 for n, _, _ in into if n == name)
                value = isinstance(output, torch.Tensor) and output.dim() >= 2 and output.shape[0] == batch
                into.append((name, calls, tuple(output.shape[1:]) if value else None))

            return hook

        return make

    handles = []
    try:
        make = record(order)
        for name, module in graph.model.named_modules():
            if name:
                handles.append(module.register_forward_hook(make(name)))
        traced_order: list[tuple[str, int, tuple[int, ...] | None]] = []
        with torch.no_grad():
            graph.model(sample)
            for handle in handles:
                handle.remove()
            handles = []
            if graph.traced is not None:
                make = record(traced_order)
                for name, module in graph.traced.named_modules():
                    if name and (name.startswith(TAPS + ".") or not list(module.children())):
                        handles.append(module.register_forward_hook(make(name)))
                graph.traced(sample)
    finally:
        for handle in handles:
            handle.remove()
    counts: dict[str, int] = {}
    for name, _, _ in order:
        counts[name] = counts.get(name, 0) + 1
    # functional values go right after the module call that precedes them in the traced run
    after: dict[tuple[str, int] | None, list[tuple[str, tuple[int, ...]]]] = {}
    last: tuple[str, int] | None = None
    for name, call, shape in traced_order:
        if name.startswith(TAPS + "."):
            if shape is not None:
                after.setdefault(last, []).append((name.removeprefix(TAPS + "."), shape))
        else:
            last = (name, call)
    points: dict[str, Point] = {}
    layers: dict[str, Layer] = {}

    def add(name: str, point: Point, shape: tuple[int, ...]):
        if name in layers or name in counts:
            return  # a functional node named like a module: the module keeps the name
        points[name] = point
        layers[name] = Layer(name, point.module, "conv" if len(shape) > 1 else "linear", shape[0], shape)

    for node, shape in after.get(None, []):
        add(node, Point(f"{TAPS}.{node}", 0, True), shape)
    leaves = {name for name, _, _ in traced_order if not name.startswith(TAPS + ".")}
    # functional values wait until the containers ending after their module call have been placed
    waiting: list[tuple[str, tuple[int, ...]]] = []
    for name, call, shape in order:
        if name in leaves or graph.traced is None:
            for node, node_shape in waiting:
                add(node, Point(f"{TAPS}.{node}", 0, True), node_shape)
            waiting = []
        if shape is not None:
            label = name if counts[name] == 1 else f"{name}#{call}"
            points[label] = Point(name, call, False, graph.traced is not None and name in leaves)
            layers[label] = Layer(label, name, "conv" if len(shape) > 1 else "linear", shape[0], shape)
        waiting += after.get((name, call), [])
    for node, node_shape in waiting:
        add(node, Point(f"{TAPS}.{node}", 0, True), node_shape)
    if not layers:
        raise UnknownUnit("the model has no value with the batch as its first dimension to name as a layer.")
    reused = {
        name: (n, [label for label in layers if label.startswith(name + "#")])
        for name, n in counts.items()
        if n > 1
    }
    return points, layers, reused
