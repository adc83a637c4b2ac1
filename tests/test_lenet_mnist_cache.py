"""The checkpoint cache: train once, load after; damaged files reported; safe under pytest-xdist."""

import json

import pytest

from lenet.errors import CorruptCheckpoint
from lenet.lenet_mnist import cache


def test_first_call_trains_later_calls_load_the_same_weights(mnist_root, tiny_config, cache_dir):
    first = cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    second = cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    assert (first.meta["source"], second.meta["source"]) == ("trained", "cache")
    assert first.weights_sha256 == second.weights_sha256
    assert cache.training_record(7, tiny_config, mnist_root).frames == tiny_config.frames_per_epoch
    [entry] = cache.entries()
    assert entry.seed == 7 and entry.folder.parent.parent == cache_dir
    assert set(entry.meta["files"]) == {"model.pt", "record.npz"}


def test_key_changes_with_the_config(mnist_root, tiny_config, cache_dir):
    cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    other = type(tiny_config)(**{**tiny_config.as_dict(), "lr": 1e-3})
    assert cache.checkpoint(7, other, mnist_root, progress=False).meta["source"] == "trained"
    assert len(cache.entries()) == 2


@pytest.mark.parametrize("damage", ["truncate", "alter"])
def test_damaged_cached_checkpoint_is_reported_not_used_not_replaced(
    mnist_root, tiny_config, cache_dir, damage
):
    cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    [entry] = cache.entries()
    model = entry.folder / "model.pt"
    blob = model.read_bytes()
    model.write_bytes(blob[:-100] if damage == "truncate" else blob[:-100] + bytes(100))
    with pytest.raises(
        CorruptCheckpoint, match=r"model\.pt: cached file has SHA-256 .*lenet cache clear --seed 7"
    ):
        cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    assert model.read_bytes() != blob  # left for the user to inspect, not silently replaced


def test_incomplete_entry_is_trained_again_and_says_so(mnist_root, tiny_config, cache_dir, capsys):
    cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    [entry] = cache.entries()
    (entry.folder / "entry.json").unlink()  # as if a run died before finishing the entry
    assert cache.checkpoint(7, tiny_config, mnist_root, progress=False).meta["source"] == "trained"
    assert "incomplete" in capsys.readouterr().err


def test_gradient_examples_are_regenerated_and_match_the_cached_run(mnist_root, tiny_config, cache_dir):
    plain = cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    examples = cache.gradient_examples(7, tiny_config, mnist_root, progress=False)
    assert examples.scaled.shape == (tiny_config.frames_per_epoch, 10, 120, 28, 28)
    assert examples.source == "reference"  # no reference for this config: nothing to differ from
    [entry] = cache.entries()
    assert entry.meta["weights_sha256"] == plain.weights_sha256  # the retraining reproduced the run


def test_find_never_trains_and_entry_trains_once_or_again_when_asked(mnist_root, tiny_config, cache_dir):
    assert cache.find(7, tiny_config, mnist_root) is None
    made, trained = cache.entry(7, tiny_config, mnist_root, progress=False)
    assert trained and cache.find(7, tiny_config, mnist_root) == made == cache.entries()[0]
    again, trained = cache.entry(7, tiny_config, mnist_root, progress=False)
    assert not trained and again == made
    fresh, trained = cache.entry(7, tiny_config, mnist_root, progress=False, retrain=True)
    assert trained and fresh.folder == made.folder and fresh.meta["created"] >= made.meta["created"]
    assert fresh.meta["weights_sha256"] == made.meta["weights_sha256"]  # deterministic training


def test_clear_removes_entries(mnist_root, tiny_config, cache_dir):
    cache.checkpoint(7, tiny_config, mnist_root, progress=False)
    cache.checkpoint(8, tiny_config, mnist_root, progress=False)
    assert len(cache.clear(seed=7)) == 1 and [e.seed for e in cache.entries()] == [8]
    cache.clear()
    assert cache.entries() == []


def test_concurrent_xdist_workers_train_a_seed_once(pytester, mnist_root, tmp_path):
    """Four tests on two xdist workers ask for one uncached checkpoint at once: exactly one trains."""
    log = tmp_path / "sources.log"
    pytester.makepyfile(
        f"""
        import os, pytest
        from lenet.lenet_mnist import cache
        from lenet.lenet_mnist.train import TrainConfig

        @pytest.mark.parametrize("i", range(4))
        def test_ask(i):
            config = TrainConfig(epochs=1, subset=1024, frames_per_epoch=4)
            got = cache.checkpoint(9, config, {mnist_root!r}, progress=False)
            worker = os.environ.get("PYTEST_XDIST_WORKER", "-")
            with open({str(log)!r}, "a") as fh:
                fh.write(got.meta["source"] + " " + worker + " " + got.weights_sha256 + "\\n")
        """
    )
    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "xdist", f"--claims-cache-dir={tmp_path / 'shared-cache'}"
    )
    result.assert_outcomes(passed=4)
    rows = [line.split() for line in log.read_text().splitlines()]
    assert sorted(r[0] for r in rows) == ["cache", "cache", "cache", "trained"]
    assert (
        len({r[1] for r in rows}) == 2 and len({r[2] for r in rows}) == 1
    )  # both workers, one set of weights


def test_gradient_examples_of_a_reference_seed_are_checked_against_its_weights(
    mnist_root, tiny_config, cache_dir, tmp_path, monkeypatch, capsys
):
    """Regenerated frames match the reference when the retraining reproduces it,
    and say so plainly when not."""
    from lenet.lenet_mnist import reference
    from lenet.lenet_mnist.train import train

    monkeypatch.setenv("LENET_FIXTURES", str(tmp_path / "fixtures"))
    result = train(3, tiny_config, mnist_root, progress=False)
    reference.write(result, result.provenance(), tmp_path / "fixtures" / "checkpoints")
    assert cache.gradient_examples(3, tiny_config, mnist_root, progress=False).source == "reference"

    manifest = tmp_path / "fixtures" / "checkpoints" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["seeds"]["3"]["weights_sha256"] = "f" * 64  # as if the reference came from another machine kind
    manifest.write_text(json.dumps(data))
    cache.clear(seed=3)
    examples = cache.gradient_examples(3, tiny_config, mnist_root, progress=False)
    assert examples.source.startswith("retrained run") and "differ from reference seed 3" in examples.source
    assert "The gradient examples show that run, not the reference checkpoint" in capsys.readouterr().err
