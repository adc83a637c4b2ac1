"""Runs are resumable and shardable: chunks saved as they finish, the same numbers however they are split."""

from types import SimpleNamespace

import pytest

from lenet.calibration import digest, runner
from lenet.calibration.cells import Cell

_Context = SimpleNamespace(subject=SimpleNamespace(key="0123456789abcdef0123"))  # only the key is read


def _coin(context):
    return lambda rng: "holds" if rng.random() < 0.3 else "inconclusive"


CELL = Cell("test criterion", "a biased coin", "power", "power", _coin, ratio=1.0, curve="coin")


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "results_dir", lambda key: tmp_path / key[:16])
    return tmp_path


def test_shards_together_give_the_numbers_of_one_run(results, tmp_path):
    runner.run([CELL], _Context, shard=(1, 2), progress=lambda line: None)
    half = runner.collect([CELL], _Context.subject.key)[0]
    assert not half.complete and half.trials == 200  # chunks 0 of 0-1: 200 of 400 trials
    runner.run([CELL], _Context, shard=(2, 2), progress=lambda line: None)
    joined = runner.collect([CELL], _Context.subject.key)[0]
    assert joined.complete and joined.trials == CELL.trials
    for path in (tmp_path / _Context.subject.key[:16]).rglob("*.json"):
        path.unlink()
    runner.run([CELL], _Context, progress=lambda line: None)
    whole = runner.collect([CELL], _Context.subject.key)[0]
    assert whole.outcomes == joined.outcomes  # each chunk draws from its own seeded generator


def test_a_run_resumes_without_recomputing_finished_chunks(results):
    lines = []
    runner.run([CELL], _Context, shard=(1, 2), progress=lines.append)
    assert len(lines) == 1
    lines.clear()
    runner.run([CELL], _Context, progress=lines.append)
    assert len(lines) == 1 and "chunk 2/2" in lines[0]  # only the missing chunk, with progress and time left


def test_the_code_digest_ignores_formatting_and_commands_but_not_a_changed_line(tmp_path, monkeypatch):
    package = tmp_path / "lenet"
    for name, text in {"checks/a.py": "X = 1\n", "cli/b.py": "Y = 1\n", "calibration/digest.py": ""}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    monkeypatch.setattr(digest, "__file__", str(package / "calibration" / "digest.py"))
    first = digest.code_digest()
    (package / "checks/a.py").write_text('"""Docs."""\n# a comment\nX = (\n    1\n)\n')  # same syntax tree
    (package / "cli/b.py").write_text("Y = 2\n")  # a command cannot change an outcome
    assert digest.code_digest() == first
    (package / "checks/a.py").write_text("X = 2\n")
    assert digest.code_digest() != first
