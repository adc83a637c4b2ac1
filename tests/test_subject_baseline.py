"""The random-feature baseline against a direct computation
on freshly initialised networks; cached on disk."""

import numpy as np
import pytest
import torch

from lenet.lenet_mnist.model import LeNet5
from lenet.lenet_mnist.subject import LenetMnist
from lenet.stats import estimates
from lenet.subject import baseline as base


@pytest.fixture
def few_networks(monkeypatch):
    monkeypatch.setattr(base, "networks_for", lambda selected: 6 if selected else 3)


def test_baseline_equals_aurocs_of_untrained_networks_and_is_cached(few_networks, cache_dir, mnist_root):
    from lenet.lenet_mnist.data import load_split

    test = load_split("test", mnist_root)
    labels = test.labels.numpy()
    concept, contrast = np.flatnonzero(labels == 7)[:150], np.flatnonzero(labels == 1)[:200]
    got = base.baseline(LenetMnist.load(0), "conv-1", "test", concept, contrast, site="pre")
    assert got.aurocs.shape == (3, 16)
    torch.manual_seed(base.FIRST_SEED + 2)
    with torch.no_grad():
        values = (
            LeNet5().preactivations(test.images)["conv-1"].mean(dim=(2, 3)).numpy()
        )  # spatial mean per channel
    direct = [estimates.auroc(values[concept, u], values[contrast, u]).value for u in range(16)]
    np.testing.assert_allclose(got.aurocs[2], direct, rtol=1e-6)
    assert got.unit_p99 == pytest.approx(np.quantile(got.aurocs, 0.99))
    assert list((cache_dir / "baselines").glob("conv-1-pre-*.npy"))
    post = base.baseline(LenetMnist.load(0), "conv-1", "test", concept, contrast, site="post")
    assert list((cache_dir / "baselines").glob("conv-1-post-*.npy")), "each site has its own cached bars"
    assert not np.array_equal(post.aurocs, got.aurocs)
    again = base.baseline(LenetMnist.load(0), "conv-1", "test", concept, contrast, site="pre")
    np.testing.assert_array_equal(again.aurocs, got.aurocs)


def test_selected_units_face_the_per_network_maximum(few_networks, cache_dir, mnist_root):
    from lenet.lenet_mnist.data import load_split

    test = load_split("test", mnist_root)
    labels = test.labels.numpy()
    concept, contrast = np.flatnonzero(labels == 2)[:100], np.flatnonzero(labels == 3)[:100]
    best = base.baseline(LenetMnist.load(0), "linear-1", "test", concept, contrast, selected=True, site="pre")
    assert best.aurocs.shape == (6, 84)
    assert best.bar(True) == pytest.approx(np.quantile(best.aurocs.max(axis=1), 0.99))
    assert best.bar(True) >= best.bar(False)


def test_a_select_rule_is_replayed_inside_each_untrained_network(few_networks, cache_dir, mnist_root):
    """Issue 16: a top-k selection's rank-r unit faces the untrained rank-r units chosen by the same rule
    (discovery AUROC, same site), measured on the confirmation images, not each network's best unit."""
    from lenet.lenet_mnist.data import load_split
    from lenet.lenet_mnist.model import at_site, untrained

    train, test = load_split("train", mnist_root), load_split("test", mnist_root)
    pick = [np.flatnonzero(split.labels.numpy() == k)[:80] for split in (train, test) for k in (2, 3)]
    subject = LenetMnist.load(0)
    ranked = base.rule_baseline(subject, "linear-1", 3, (pick[0], pick[1]), (pick[2], pick[3]), site="post")
    assert ranked.shape == (6, 3)
    for i in range(6):  # written out for each network
        with torch.no_grad():
            model = untrained(base.FIRST_SEED + i)
            a = at_site("linear-1", model.preactivations(train.images)["linear-1"], "post").numpy()
            b = at_site("linear-1", model.preactivations(test.images)["linear-1"], "post").numpy()
        order = np.argsort(-estimates.auroc_columns(a[pick[0]], a[pick[1]]), kind="stable")[:3]
        np.testing.assert_allclose(
            ranked[i], estimates.auroc_columns(b[pick[2]][:, order], b[pick[3]][:, order])
        )
    np.testing.assert_allclose(base.rank_bars(ranked), np.quantile(ranked, 0.99, axis=0))
    assert list((cache_dir / "baselines").glob("linear-1-post-rule-*.npy"))


def test_a_rule_by_ablation_is_replayed_with_its_own_score(few_networks, cache_dir, mnist_root):
    """A unit chosen by ablation faces untrained units chosen by the same ablation score (zero-ablation
    damage to the true logit, concept minus contrast, on the same discovery images), not every unit."""
    from lenet.checks.select import select
    from lenet.lenet_mnist.data import load_split

    train, test = load_split("train", mnist_root), load_split("test", mnist_root)
    pick = [np.flatnonzero(split.labels.numpy() == k)[:60] for split in (train, test) for k in (2, 3)]
    subject = LenetMnist.load(0)
    rule = (subject, "linear-1", 2, (pick[0], pick[1]), (pick[2], pick[3]))
    ranked = base.rule_baseline(*rule, site="post", by="ablation")
    assert ranked.shape == (6, 2)
    for i in (0, 5):  # the rule written out with `select` itself on the untrained network
        fresh = subject.fresh(base.FIRST_SEED + i)
        chosen = select(fresh, "linear-1", 2, "ablation", pick[0], pick[1], site="post").units
        values = fresh.values("linear-1", "test", site="post")
        np.testing.assert_allclose(
            ranked[i], estimates.auroc_columns(values[pick[2]][:, chosen], values[pick[3]][:, chosen])
        )
    by_selectivity = base.rule_baseline(*rule, site="post")
    assert not np.array_equal(by_selectivity, ranked)  # another rule, another cached null
