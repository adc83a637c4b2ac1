"""Interventions against an independent LeNet-5 forward pass written out with torch.nn.functional.

Every case runs on a randomly initialised network with random images (fast)
and on the reference checkpoint with the first 300 test images (slow: it loads
MNIST). The discovery split that ``mean`` averages over is replaced by a small
one, except in the one slow test that checks the full training split.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from lenet.errors import InvalidConfig
from lenet.lenet_mnist.data import Split
from lenet.lenet_mnist.interventions import intervene, sweep, sweep_damage
from lenet.lenet_mnist.model import LAYERS, LeNet5
from lenet.subject.effects import Effects, draw_sources, output
from lenet.subject.units import UnitSet, parse_units

TOL = dict(rtol=1e-5, atol=1e-5)
UNITS = {
    "conv-0": (1, 4),
    "conv-1": (3, 0, 15),
    "linear-0": (58, 28, 8),
    "linear-1": (0, 83),
    "linear-2": (7,),
}


# --- the independent reference ------------------------------------------------------------------


@torch.no_grad()
def reference(model: LeNet5, images: torch.Tensor, layer: str | None = None, edit=None):
    """Logits ``(N, 10)`` and every pre-activation (unedited),
    with ``edit`` applied to ``layer``'s pre-activation."""
    p = {name: value.detach() for name, value in model.state_dict().items()}
    pre = {}

    def site(name, z):
        pre[name] = z
        return edit(z.clone()) if name == layer else z

    x = (images - 0.1307) / 0.3081
    z = site("conv-0", F.conv2d(x, p["conv0.weight"], p["conv0.bias"], padding=2))  # (N, 6, 28, 28)
    z = site(
        "conv-1", F.conv2d(F.max_pool2d(F.relu(z), 2), p["conv1.weight"], p["conv1.bias"])
    )  # (N, 16, 10, 10)
    z = site(
        "linear-0", F.linear(F.max_pool2d(F.relu(z), 2).flatten(1), p["linear0.weight"], p["linear0.bias"])
    )
    z = site("linear-1", F.linear(F.relu(z), p["linear1.weight"], p["linear1.bias"]))
    z = site("linear-2", F.linear(F.relu(z), p["linear2.weight"], p["linear2.bias"]))
    return z, pre


def setting(values):
    """An edit that writes ``values`` (broadcast to ``(N, units, *map)``) into the chosen units."""

    def edit(idx):
        def apply(z):
            z[:, list(idx)] = values(z, idx)
            return z

        return apply

    return edit


# --- cases: (model, key, split, discovery split) -------------------------------------------------


def _random_case():
    torch.manual_seed(0)
    model = LeNet5().eval()
    gen = torch.Generator().manual_seed(1)
    split = Split(
        "synthetic-test",
        torch.rand(300, 1, 28, 28, generator=gen),
        torch.randint(0, 10, (300,), generator=gen),
    )
    train = Split(
        "synthetic-train",
        torch.rand(400, 1, 28, 28, generator=gen),
        torch.randint(0, 10, (400,), generator=gen),
    )
    return model, "random-lenet-seed-0", split, train


def _reference_case():
    from lenet.lenet_mnist.subject import LenetMnist

    subject = LenetMnist.load(0)
    test, train = subject.split("test"), subject.split("train")
    head = Split("test[:300]", test.images[:300], test.labels[:300])
    return subject.model, subject.key, head, Split("train[:1000]", train.images[:1000], train.labels[:1000])


_CASES = {}


@pytest.fixture(params=["random", pytest.param("seed-0", marks=pytest.mark.slow)])
def case(request):
    if request.param == "seed-0":
        request.getfixturevalue("mnist_root")
    if request.param not in _CASES:
        _CASES[request.param] = _random_case() if request.param == "random" else _reference_case()
    model, key, split, train = _CASES[request.param]
    return model, key, split, train


def _expected(model, split, train, layer, idx, method, sources=None, value=None):
    """Logits of the reference pass with ``idx`` of ``layer`` replaced as ``method`` says."""
    if method == "zero":

        def values(z, i):
            return 0.0
    elif method == "mean":
        mean = reference(model, train.images)[1][layer].mean(0)  # layer.shape

        def values(z, i):
            return mean[list(i)]
    elif method == "resample":
        own = reference(model, split.images)[1][layer]

        def values(z, i):
            return own[torch.as_tensor(sources)][:, list(i)]
    else:

        def values(z, i):
            return value

    return reference(model, split.images, layer, setting(values)(idx))[0]


# --- every intervention against the reference ---------------------------------------------------


def test_the_reference_pass_is_the_model(case):
    model, key, split, train = case
    logits, pre = reference(model, split.images)
    with torch.no_grad():
        mine = model.preactivations(split.images)
    for name in LAYERS:
        torch.testing.assert_close(pre[name], mine[name], **TOL)


@pytest.mark.parametrize("method", ["zero", "mean", "resample", "clamp"])
@pytest.mark.parametrize("layer", list(UNITS))
def test_each_intervention_equals_the_hand_written_forward_pass_with_the_unit_edited(case, layer, method):
    model, key, split, train = case
    units = UnitSet(layer, UNITS[layer], LAYERS)
    sources = draw_sources(np.arange(len(split)), len(split), seed=3)
    effects = intervene(model, split, units, method, sources=sources, value=2.5, key=key, mean_over=train)
    expected = _expected(model, split, train, layer, units, method, sources, 2.5)
    torch.testing.assert_close(effects.after, expected, **TOL)
    torch.testing.assert_close(effects.before, reference(model, split.images)[0], **TOL)
    torch.testing.assert_close(effects.labels, split.labels)
    assert not torch.allclose(effects.after, effects.before)  # the edit did something


@pytest.mark.parametrize("method", ["zero", "mean", "resample", "clamp"])
@pytest.mark.parametrize("layer", ["conv-1", "linear-0"])
def test_rows_select_images_and_sources_are_per_selected_image(case, layer, method):
    model, key, split, train = case
    rows = np.array([5, 0, 299, 17, 17, 100])
    sources = np.array([1, 2, 3, 4, 5, 6])
    units = UnitSet(layer, UNITS[layer], LAYERS)
    effects = intervene(
        model, split, units, method, rows=rows, sources=sources, value=-1.0, key=key, batch=4, mean_over=train
    )
    if method == "resample":  # row 17 appears twice, with different sources: build each row's edit directly
        own = reference(model, split.images)[1][layer][torch.as_tensor(sources)]
        images = split.images[torch.as_tensor(rows)]
        expected = reference(model, images, layer, setting(lambda z, i: own[:, list(i)])(units))[0]
    else:
        expected = _expected(model, split, train, layer, units, method, None, -1.0)[rows]
    torch.testing.assert_close(effects.after, expected, **TOL)
    torch.testing.assert_close(effects.labels, split.labels[rows])


def test_the_mean_is_over_the_discovery_split_not_the_split_intervened_on(case):
    model, key, split, train = case
    train_mean = reference(model, train.images)[1]["linear-0"].mean(0)
    own_means = reference(model, split.images)[1]["linear-0"].mean(0)
    gap = torch.where(train_mean > 0, (train_mean - own_means).abs(), torch.zeros_like(train_mean))
    unit = int(gap.argmax())  # a unit the ReLU passes, where the two means differ most
    units = UnitSet("linear-0", (unit,), LAYERS)
    after = intervene(model, split, units, "mean", key=key, mean_over=train).after
    own_mean = own_means[unit]
    wrong = reference(model, split.images, "linear-0", setting(lambda z, i: own_mean)(units.indices))[0]
    assert not torch.allclose(after, wrong, **TOL)


# --- identities ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["zero", "mean", "resample", "clamp"])
@pytest.mark.parametrize("layer", list(UNITS))
def test_intervening_on_no_units_changes_nothing(case, layer, method):
    model, key, split, train = case
    nothing = parse_units(f"{layer}:*", LAYERS).complement()
    effects = intervene(
        model,
        split,
        nothing,
        method,
        sources=np.zeros(len(split), dtype=int),
        value=9.0,
        key=key,
        mean_over=train,
    )
    torch.testing.assert_close(effects.after, effects.before, rtol=0, atol=1e-6)
    assert (effects.delta_true_prob.abs() < 1e-6).all() and (
        effects.correct_after == effects.correct_before
    ).all()


@pytest.mark.parametrize("layer", list(UNITS))
def test_resampling_every_image_from_itself_is_the_identity(case, layer):
    model, key, split, train = case
    every = parse_units(f"{layer}:*", LAYERS)
    effects = intervene(
        model, split, every, "resample", sources=np.arange(len(split)), key=key, mean_over=train
    )
    torch.testing.assert_close(effects.after, effects.before, rtol=0, atol=1e-6)


def test_zeroing_all_of_linear_1_leaves_only_the_bias_of_linear_2(case):
    model, key, split, train = case
    effects = intervene(model, split, parse_units("linear-1:*", LAYERS), "zero", key=key, mean_over=train)
    torch.testing.assert_close(
        effects.after, model.linear2.bias.detach().expand(len(split), 10), rtol=0, atol=0
    )


def test_an_intervention_on_a_set_and_one_on_its_complement_together_cover_the_layer(case):
    model, key, split, train = case
    units = parse_units("linear-1:0,5,9,40", LAYERS)
    rest = units.complement()
    # zero both halves, one after the other, through the reference: the same as zeroing the whole layer
    both = reference(model, split.images, "linear-1", setting(lambda z, i: 0.0)([*units, *rest]))[0]
    whole = intervene(model, split, parse_units("linear-1:*", LAYERS), "zero", key=key, mean_over=train).after
    torch.testing.assert_close(whole, both, **TOL)


# --- sweeps -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["zero", "mean", "resample"])
@pytest.mark.parametrize(
    "layer", ["linear-0", "linear-1", "conv-1"]
)  # rank-1 path, rank-1 path, generic path
def test_a_sweep_equals_intervening_on_each_unit_alone(case, layer, method):
    model, key, split, train = case
    sources = draw_sources(np.arange(len(split)), len(split), seed=4)
    after, before = sweep(model, split, layer, method, sources=sources, key=key, chunk=7, mean_over=train)
    assert after.shape == (LAYERS[layer].units, len(split), 10)
    for unit in range(LAYERS[layer].units):
        alone = intervene(
            model, split, UnitSet(layer, (unit,), LAYERS), method, sources=sources, key=key, mean_over=train
        ).after
        torch.testing.assert_close(after[unit], alone, **TOL)
    torch.testing.assert_close(before, reference(model, split.images)[0], **TOL)


@pytest.mark.parametrize("layer", ["linear-0", "linear-1", "conv-1", "linear-2"])
def test_a_clamp_sweep_drives_each_unit_to_its_own_value(case, layer):
    model, key, split, train = case
    values = np.linspace(-2, 3, LAYERS[layer].units)
    after, _ = sweep(model, split, layer, "clamp", values=values, key=key, mean_over=train)
    for unit in (0, LAYERS[layer].units - 1):
        expected = _expected(model, split, train, layer, (unit,), "clamp", value=float(values[unit]))
        torch.testing.assert_close(after[unit], expected, **TOL)


@pytest.mark.parametrize("layer", ["linear-0", "conv-1"])
def test_a_sweep_over_rows_is_the_full_sweep_at_those_rows(case, layer):
    model, key, split, train = case
    rows = np.array([3, 1, 250, 7])
    sources = draw_sources(np.arange(len(split)), len(split), seed=5)
    full, before = sweep(model, split, layer, "resample", sources=sources, key=key, mean_over=train)
    part, part_before = sweep(
        model, split, layer, "resample", sources=sources, rows=rows, key=key, mean_over=train
    )
    torch.testing.assert_close(part, full[:, rows], **TOL)
    torch.testing.assert_close(part_before, before[rows])


def test_sweep_damage_is_the_output_before_minus_after(case):
    model, key, split, train = case
    after, before = sweep(model, split, "linear-1", "zero", key=key, mean_over=train)
    damage = sweep_damage(model, split, "linear-1", "zero", "prob:true", key=key, mean_over=train)
    rows = np.arange(len(split))
    labels = split.labels.numpy()
    p_before = before.softmax(-1).numpy()[rows, labels]
    p_after = after.softmax(-1).numpy()[:, rows, labels]
    np.testing.assert_allclose(damage, p_before[None] - p_after, atol=1e-6)


@pytest.mark.slow
def test_mean_ablation_averages_over_the_whole_training_split(mnist_root):
    from lenet.lenet_mnist.subject import LenetMnist

    subject = LenetMnist.load(0)
    test, train = subject.split("test"), subject.split("train")
    head = Split("test[:200]", test.images[:200], test.labels[:200])
    mean = torch.cat(
        [
            reference(subject.model, train.images[i : i + 5000])[1]["linear-0"]
            for i in range(0, len(train), 5000)
        ]
    ).mean(0)
    expected = reference(
        subject.model, head.images, "linear-0", setting(lambda z, i: mean[list(i)])((58, 28))
    )[0]
    after = intervene(
        subject.model, head, UnitSet("linear-0", (58, 28), LAYERS), "mean", key=subject.key, mean_over=train
    ).after
    torch.testing.assert_close(after, expected, **TOL)


# --- effects and outputs ------------------------------------------------------------------------


@pytest.fixture
def effects():
    gen = torch.Generator().manual_seed(2)
    before, after = torch.randn(50, 10, generator=gen) * 3, torch.randn(50, 10, generator=gen) * 3
    labels = torch.randint(0, 10, (50,), generator=gen)
    after[:5] = before[:5]  # some images unchanged
    return Effects(before, after, labels)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_effects_equal_direct_computations(effects):
    b, a, y = (
        effects.before.numpy().astype(np.float64),
        effects.after.numpy().astype(np.float64),
        effects.labels.numpy(),
    )
    rows = np.arange(len(y))
    np.testing.assert_allclose(effects.delta_logits.numpy(), a - b, atol=1e-6)
    np.testing.assert_allclose(
        effects.delta_true_prob.numpy(), _softmax(a)[rows, y] - _softmax(b)[rows, y], atol=1e-6
    )
    np.testing.assert_array_equal(effects.correct_before.numpy(), b.argmax(1) == y)
    np.testing.assert_array_equal(effects.correct_after.numpy(), a.argmax(1) == y)
    direct = {
        "logit:true": (b[rows, y], a[rows, y]),
        "logit:7": (b[:, 7], a[:, 7]),
        "logit:0": (b[:, 0], a[:, 0]),
        "prob:true": (_softmax(b)[rows, y], _softmax(a)[rows, y]),
        "accuracy": ((b.argmax(1) == y).astype(float), (a.argmax(1) == y).astype(float)),
    }
    for name, (before, after) in direct.items():
        np.testing.assert_allclose(effects.damage(name), before - after, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(effects.change(name), after - before, atol=1e-6, err_msg=name)
    assert (effects.damage("logit:true")[:5] == 0).all()


def test_output_works_on_a_stack_of_sweeps(effects):
    stack = torch.stack([effects.before, effects.after])  # (2, N, 10)
    for name in ("logit:true", "logit:3", "prob:true", "accuracy"):
        got = output(stack, effects.labels, name)
        torch.testing.assert_close(got[1], output(effects.after, effects.labels, name))


@pytest.mark.parametrize("name", ["logit:10", "logit:-1", "prob:7", "probability", "accuracy ", "", "logit"])
def test_unknown_output_names_raise_invalid_config_naming_the_valid_ones(effects, name):
    with pytest.raises(
        InvalidConfig,
        match=r"output=.* is unknown; use 'logit:true', 'logit:N' \(N = 0-9\), 'margin:true', 'prob:true' or "
        r"'accuracy'\.",
    ):
        effects.damage(name)


def test_draw_sources_is_seeded_and_stays_in_the_reference():
    reference_set = np.array([4, 8, 15, 16, 23, 42])
    first = draw_sources(reference_set, 100, seed=7)
    np.testing.assert_array_equal(first, draw_sources(reference_set, 100, seed=7))
    assert set(first) <= set(reference_set) and len(first) == 100
    assert not np.array_equal(first, draw_sources(reference_set, 100, seed=8))


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda m, s, k: intervene(m, s, UnitSet("linear-0", (1,), LAYERS), "resample", key=k),
            r"resample needs `sources`",
        ),
        (
            lambda m, s, k: intervene(
                m, s, UnitSet("linear-0", (1,), LAYERS), "resample", sources=np.arange(3), key=k
            ),
            r"resample needs `sources`",
        ),
        (
            lambda m, s, k: intervene(m, s, UnitSet("linear-0", (1,), LAYERS), "clamp", key=k),
            r"clamp needs a value",
        ),
        (
            lambda m, s, k: intervene(m, s, UnitSet("linear-0", (1,), LAYERS), "erase", key=k),
            r"method='erase' is unknown; use one of zero, mean, resample, clamp\.",
        ),
        (
            lambda m, s, k: sweep(m, s, "linear-0", "clamp", key=k),
            r"a clamp sweep needs one value per unit of linear-0 \(120\); got None\.",
        ),
        (
            lambda m, s, k: sweep(m, s, "conv-1", "clamp", values=np.zeros(3), key=k),
            r"a clamp sweep needs one value per unit of conv-1 \(16\); got 3\.",
        ),
    ],
    ids=[
        "resample-no-sources",
        "resample-wrong-length",
        "clamp-no-value",
        "unknown-method",
        "clamp-sweep-no-values",
        "clamp-sweep-wrong-length",
    ],
)
def test_bad_intervention_settings_raise_invalid_config(call, message):
    model, key, split, _ = _CASES.setdefault("random", _random_case())
    with pytest.raises(InvalidConfig, match=message):
        call(model, split, key)
