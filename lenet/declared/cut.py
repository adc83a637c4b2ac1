"""The fast path for interventions: the traced model cut at one value, so an edit recomputes only what
follows it.

``Cut.at(graph, node)`` cuts the traced copy (``lenet.declared.graph``) into ``upstream`` (images ->
the value and the *frontier*: every earlier value that later nodes read, such as a residual path's
input) and ``downstream`` (the value and the frontier -> the logits). A sweep runs upstream once per
batch and downstream once per group of edited units, the batch repeated once per unit. Where the
model was not traced, the value is made by a module fx traced through, an in-place operation runs
after the value but before the cut (it could change the value or a frontier tensor after they were
read), or the frontier holds something that is not a per-image tensor (a shape read with
``x.size(0)``), there is no cut and interventions rerun the whole network (``lenet.declared.measure``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import fx

from .graph import Graph

__all__ = ["Cut"]


@dataclass
class Cut:
    """``upstream(images) -> (value, *frontier)``; ``downstream(value, *frontier) -> logits``."""

    upstream: fx.GraphModule
    downstream: fx.GraphModule
    frontier: int  # how many earlier values downstream reads besides the edited one

    @staticmethod
    def at(graph: Graph, node: str) -> Cut | None:
        """The cut at layer value ``node``, or None where there is none (see the module docstring)."""
        point = graph.points[node]
        if graph.traced is None or not point.in_trace:
            return None
        nodes = list(graph.traced.graph.nodes)
        target = _target(nodes, point)
        if target is None:
            return None
        down: list[fx.Node] = []
        seen = {target}
        for item in nodes[nodes.index(target) + 1 :]:
            if item.op != "output" and any(a in seen for a in item.all_input_nodes):
                down.append(item)
                seen.add(item)
        later = nodes[nodes.index(target) + 1 :]
        if any(_in_place(n, graph.traced) for n in later if n not in seen):
            return None  # an in-place operation run before the cut could change the value or the frontier
        output = next(n for n in nodes if n.op == "output")
        frontier: list[fx.Node] = []
        for item in [*down, output]:
            for arg in item.all_input_nodes:
                if arg not in seen and arg not in frontier:
                    frontier.append(arg)
        upstream = fx.Graph()
        env: dict[fx.Node, fx.Node] = {}
        for item in nodes:
            if item.op != "output" and item not in seen - {target}:
                env[item] = upstream.node_copy(item, lambda a: env[a])
        upstream.output((env[target], *[env[f] for f in frontier]))
        downstream = fx.Graph()
        env = {target: downstream.placeholder("edited")}
        for i, item in enumerate(frontier):
            env[item] = downstream.placeholder(f"frontier_{i}")
        for item in [*down, output]:
            env[item] = downstream.node_copy(item, lambda a: env[a])
        return Cut(
            fx.GraphModule(graph.traced, upstream).eval(),
            fx.GraphModule(graph.traced, downstream).eval(),
            len(frontier),
        )

    def usable(self, values: tuple, batch: int) -> bool:
        """Whether every value upstream returned is a per-image tensor (else a shape or constant crosses the
        cut, and repeating the batch would break it)."""
        return all(isinstance(v, torch.Tensor) and v.dim() >= 1 and len(v) == batch for v in values)


def _in_place(node: fx.Node, root: torch.nn.Module) -> bool:
    """Whether ``node`` may write into an input (``x.relu_()``, ``x += y``, ``ReLU(inplace=True)``)."""
    if node.op == "call_method":
        return str(node.target).endswith("_") and not str(node.target).endswith("__")
    if node.op == "call_function":
        name = getattr(node.target, "__name__", "")
        return (
            bool(node.kwargs.get("inplace"))
            or name.startswith("i")
            and name[1:] in _OPERATORS
            or (name.endswith("_") and not name.endswith("__"))
        )
    if node.op == "call_module":
        return bool(getattr(root.get_submodule(str(node.target)), "inplace", False))
    return False


_OPERATORS = {
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "and",
    "or",
    "xor",
    "lshift",
    "rshift",
    "matmul",
}


def _target(nodes: list[fx.Node], point) -> fx.Node | None:
    """The fx node whose output is the layer's value: its tap, or the ``call``-th call of its module."""
    if point.traced:
        return next((n for n in nodes if n.op == "call_module" and n.target == point.module), None)
    calls = [n for n in nodes if n.op == "call_module" and n.target == point.module]
    return calls[point.call] if point.call < len(calls) else None
