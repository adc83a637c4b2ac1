"""Naming a model's values (lenet.declared.graph): module outputs with call indices, torch.fx nodes, and
hooks that never outlive their block."""

from __future__ import annotations

import pytest
import torch
from declared_toy import images, toy

from lenet.declared.graph import Graph
from lenet.errors import UnknownUnit
from lenet.subject.units import parse_units


@pytest.fixture
def graph():
    return Graph(toy(0), images(2))


def _hooks_left(graph) -> int:
    modules = [*graph.model.modules(), *(graph.traced.modules() if graph.traced is not None else [])]
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in modules)


def test_layers_are_module_outputs_per_call_and_fx_nodes_in_forward_order(graph):
    names = list(graph.layers)
    assert names == [
        "conv", "bn", "act", "mix#0", "relu", "mix#1", "add", "relu_1", "mean", "fc", "relu_2", "out"
    ]  # fmt: skip
    assert graph.layers["mix#0"].units == 4 and graph.layers["mix#0"].kind == "conv"
    assert graph.layers["fc"].units == 6 and graph.layers["fc"].kind == "linear"
    assert graph.points["add"].traced and not graph.points["mix#1"].traced


def test_a_module_called_twice_must_be_named_by_its_call(graph):
    with pytest.raises(UnknownUnit, match=r"'mix' is a module called 2 times .* mix#0, mix#1"):
        parse_units("mix:1", graph.layers)
    assert str(parse_units("mix#1:2", graph.layers)) == "mix#1:2"


def test_a_raw_value_has_one_site_and_a_declared_layer_has_two():
    graph = Graph(toy(0), images(2), {"block": {"post": "relu_1", "pre": "add"}})
    assert graph.node("block", "post") == "relu_1" and graph.node("block", "pre") == "add"
    assert graph.layers["block"].units == 4
    with pytest.raises(UnknownUnit, match="one site"):
        graph.node("add", "pre")
    with pytest.raises(UnknownUnit, match="not a value of this model"):
        Graph(toy(0), images(2), {"block": {"post": "nothing"}})


def test_hooks_are_removed_when_the_block_raises(graph):
    before = _hooks_left(graph)
    with pytest.raises(RuntimeError, match="inside"):
        with graph.hooks({"add": lambda value: None, "mix#1": lambda value: None}) as runner:
            runner(images(3))
            raise RuntimeError("inside")
    assert _hooks_left(graph) == before == 0


def test_hooks_are_removed_when_an_edit_raises_during_the_forward_pass(graph):
    def broken(value):
        raise ValueError("edit failed")

    with pytest.raises(ValueError, match="edit failed"):
        with graph.hooks({"relu": broken}) as runner:
            runner(images(3))
    assert _hooks_left(graph) == 0
    with torch.no_grad():  # and the network runs as before
        assert torch.equal(graph.model(images(3)), toy(0)(images(3)))


def test_an_untraceable_model_offers_its_module_outputs():
    class Branchy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 3)

        def forward(self, x):
            if x.sum() > 0:  # data-dependent control flow: torch.fx cannot trace it
                x = x * 2
            return self.fc(x)

    graph = Graph(Branchy(), torch.ones(2, 4))
    assert graph.traced is None and "could not trace" in graph.untraced
    assert list(graph.layers) == ["fc"]
