"""A trial's subject answers as the network would on the drawn images: values, outputs, members and every
intervention equal the base network's on those rows, repeats included."""

import numpy as np
import pytest

from lenet.calibration.views import TrialSubject
from lenet.lenet_mnist.subject import LenetMnist
from lenet.subject.effects import draw_sources
from lenet.subject.units import UnitSet

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(mnist_root):
    return LenetMnist.load(0)


@pytest.fixture(scope="module")
def rows():
    return np.random.default_rng(3).integers(10_000, size=300)  # with repeats


def test_values_outputs_and_members_are_the_base_networks_on_the_drawn_rows(base, rows):
    view = TrialSubject(base, rows)
    np.testing.assert_array_equal(
        view.values("linear-0", "test", site="post"), base.values("linear-0", "test", site="post")[rows]
    )
    np.testing.assert_array_equal(view.outputs("test"), base.outputs("test")[rows])
    np.testing.assert_array_equal(view.split("test").labels.numpy(), base.split("test").labels.numpy()[rows])
    sevens = view.members("seven/crossed", "test")
    assert set(rows[sevens]) <= set(base.members("seven/crossed", "test"))
    np.testing.assert_array_equal(
        view.members("seven/crossed", "train"), base.members("seven/crossed", "train")
    )
    computed = TrialSubject(base, rows, compute_values=True).values("linear-0", "test", site="post")
    np.testing.assert_allclose(computed, base.values("linear-0", "test", site="post")[rows], atol=1e-5)


def test_trial_concepts_name_positions_in_the_drawn_rows(base, rows):
    view = TrialSubject(base, rows, {"calibration/a": {"train": np.arange(5), "test": np.arange(10)}})
    np.testing.assert_array_equal(view.members("calibration/a", "test"), np.arange(10))
    assert "calibration/a" in view.concepts()


@pytest.mark.parametrize("method", ["zero", "mean", "resample"])
def test_interventions_equal_the_base_networks_on_the_same_rows_and_sources(base, rows, method):
    view = TrialSubject(base, rows)
    unit = UnitSet("linear-0", (95,), base.layers)
    sources = draw_sources(np.arange(50), len(rows), 1) if method == "resample" else None
    got = view.intervene(unit, method, sources=sources, site="post").damage("logit:true")
    want = base.intervene(
        unit, method, rows=rows, sources=None if sources is None else rows[sources], site="post"
    ).damage("logit:true")
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_a_sweep_equals_one_intervention_per_unit(base):
    rows = np.random.default_rng(4).choice(10_000, 200, replace=False)  # a sweep keeps one source per image
    view = TrialSubject(base, rows)
    sources = draw_sources(np.arange(100), len(rows), 2)
    sweep = view.sweep_damage("linear-0", "resample", "logit:true", sources=sources, site="post")
    for u in (0, 95, 119):
        one = view.intervene(UnitSet("linear-0", (u,), base.layers), "resample", sources=sources, site="post")
        np.testing.assert_allclose(sweep[u], one.damage("logit:true"), atol=1e-4)
    zero = view.sweep_damage("linear-0", "zero", "logit:true", site="post")
    np.testing.assert_allclose(
        zero, base.sweep_damage("linear-0", "zero", "logit:true", site="post")[:, rows], atol=1e-5
    )


def test_a_cut_discovery_split_answers_as_the_base_on_those_images(base, rows):
    discovery = np.sort(np.random.default_rng(5).choice(len(base.split("train")), 400, replace=False))
    concepts = {"calibration/a": {"train": np.arange(7), "test": np.arange(3)}}
    for compute in (False, True):
        view = TrialSubject(base, rows, concepts, compute_values=compute, discovery=discovery)
        np.testing.assert_allclose(
            view.values("linear-0", "train", site="post"),
            base.values("linear-0", "train", site="post")[discovery],
            atol=1e-5,
        )
        np.testing.assert_array_equal(
            view.split("train").labels.numpy(), base.split("train").labels.numpy()[discovery]
        )
    crossed = view.members("seven/crossed", "train")  # positions in the cut split
    np.testing.assert_array_equal(
        discovery[crossed], np.intersect1d(discovery, base.members("seven/crossed", "train"))
    )
    np.testing.assert_array_equal(view.members("calibration/a", "train"), np.arange(7))
    with pytest.raises(ValueError, match="cut discovery split"):  # what it cannot answer, it says
        view.sweep_damage("linear-0", "zero", "logit:true", "train", site="post")
