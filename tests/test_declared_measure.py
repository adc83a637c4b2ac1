"""Reading and editing values of any model (lenet.declared.measure, lenet.declared.cut): the same numbers
as the forward pass written out by hand, with and without the fast path, in any batch size."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from declared_toy import images, manual, toy

from lenet.declared import measure
from lenet.declared.cut import Cut
from lenet.declared.graph import Graph

EDITED = ["bn", "act", "mix#0", "relu", "mix#1", "add", "relu_1", "fc", "relu_2"]


@pytest.fixture
def graph():
    return Graph(toy(0), images(2))


def _edit(method, units, count):
    if method == "zero":
        return measure.Edit(units, "zero")
    if method == "clamp":
        return measure.Edit(units, "clamp", levels=tuple(0.5 + u for u in units))
    if method == "mean":
        return measure.Edit(
            units, "mean", means=torch.linspace(-1, 1, 4 * 36).view(4, 6, 6)[: max(units) + 1]
        )
    return measure.Edit(units, "resample", sources=np.arange(count)[::-1].copy())


def _by_hand(model, x, node, edit, sources):
    def apply(value):
        index = list(edit.units)
        if edit.method == "resample":
            new = {}
            manual(model, sources, node, lambda v: new.setdefault("v", v[:, index].clone()) is None or v)
            value[:, index] = new["v"]
        else:
            value[:, index] = edit.new(value[:, index], None)
        return value

    return manual(model, x, node, apply)


@pytest.mark.parametrize("fast", [False, True], ids=["whole-network", "cut"])
@pytest.mark.parametrize("method", ["zero", "mean", "clamp", "resample"])
@pytest.mark.parametrize("node", EDITED)
def test_an_edit_gives_what_the_forward_pass_written_by_hand_gives(graph, node, method, fast):
    x = images(10)
    if method == "mean" and graph.layers[node].kind == "linear":
        edit = measure.Edit((1, 3), "mean", means=torch.linspace(-1, 1, 6))
    else:
        edit = _edit(method, (1, 3), len(x))
    cut = Cut.at(graph, node) if fast else None
    got = measure.edited_outputs(graph, x, node, [edit], 4, lambda rows: x[rows], cut)[0]
    with torch.no_grad():
        sources = x[torch.as_tensor(edit.sources.copy())] if edit.sources is not None else None
        want = _by_hand(graph.model, x, node, edit, sources)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("node", EDITED)
def test_many_units_per_pass_equal_a_naive_one_unit_per_forward_loop(graph, node):
    x = images(9)
    units = range(graph.layers[node].units)
    edits = [measure.Edit((u,), "zero") for u in units]
    together = measure.edited_outputs(graph, x, node, edits, 8, cut=Cut.at(graph, node))
    for u, edit in zip(units, edits, strict=True):
        alone = measure.edited_outputs(graph, x, node, [edit], 1000)[0]  # hooks, whole network, one unit
        torch.testing.assert_close(together[u], alone, rtol=1e-5, atol=1e-5)


def test_the_fast_path_cuts_residual_and_reused_module_values(graph):
    cuts = {node: Cut.at(graph, node) for node in EDITED}
    assert all(cut is not None for cut in cuts.values())
    assert cuts["mix#1"].frontier == 1  # the residual path's input crosses the cut
    assert cuts["fc"].frontier == 0
    x = images(5)
    for node, cut in cuts.items():
        assert cut.usable(cut.upstream(x), len(x)), node  # so the edits above ran through the cut


def test_an_inplace_relu_leaves_the_captured_value_before_it_alone(graph):
    x = images(8)
    got = measure.capture(graph, x, ["bn", "act"], "mean", 3)
    with torch.no_grad():
        bn = graph.model.bn(graph.model.conv(x))
    assert (got["bn"] < 0).any()  # the ReLU after it writes in place: a captured view would have lost these
    np.testing.assert_allclose(got["bn"], bn.mean((2, 3)).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["act"], bn.clamp(min=0).mean((2, 3)).numpy(), rtol=1e-5, atol=1e-6)


def test_values_do_not_depend_on_the_batch_size(graph):
    x = images(50)
    nodes = ["mix#1", "add", "relu_2"]
    small = measure.capture(graph, x, nodes, "max", 7)
    whole = measure.capture(graph, x, nodes, "max", 50)
    for node in nodes:
        np.testing.assert_allclose(small[node], whole[node], rtol=1e-6)


class _Aliased(torch.nn.Module):
    """``h`` is a view of ``x``, and ``x.relu_()`` (which does not read ``h``) changes it in place."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3, padding=1)
        self.lin, self.lin2 = torch.nn.Linear(32, 3), torch.nn.Linear(32, 3)

    def forward(self, x):
        x = self.conv(x)
        h = x.flatten(1)
        x.relu_()
        return self.lin(h) + self.lin2(x.flatten(1))


def test_no_cut_where_an_inplace_operation_before_it_could_change_the_edited_value():
    torch.manual_seed(0)
    graph = Graph(_Aliased().eval(), torch.randn(3, 1, 4, 4))
    assert Cut.at(graph, "flatten") is None  # so the edit takes the whole-network path, the one semantics
    assert Cut.at(graph, "lin") is not None


class _Gated(torch.nn.Module):
    """``act`` runs first on a parameter (not a per-image value), then on the images."""

    def __init__(self):
        super().__init__()
        self.act = torch.nn.ReLU()
        self.gate = torch.nn.Parameter(torch.tensor([1.0, -1.0, 2.0]))
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x):
        gate = self.act(self.gate).flip(0)  # call 0
        return self.lin(self.act(x) * gate)  # call 1


def test_calls_that_return_no_per_image_value_still_count_for_the_call_index():
    torch.manual_seed(0)
    x = torch.randn(5, 3)
    graph = Graph(_Gated().eval(), x[:3])
    assert "act#1" in graph.layers and "act#0" not in graph.layers  # the gate's call is no value to name
    got = measure.capture(graph, x, ["act#1"], "mean", 100)["act#1"]
    np.testing.assert_allclose(got, torch.relu(x).numpy())
