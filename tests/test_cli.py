"""The `lenet` command: every subcommand has help with examples; train, cache and data work end to end."""

import pytest

from lenet.cli import commands, main


@pytest.mark.parametrize("command", list(commands()))
def test_every_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "examples:" in capsys.readouterr().out


def test_train_into_the_cache_then_info_and_clear(mnist_root, cache_dir, capsys):
    args = ["train", "--seed", "2", "--epochs", "1", "--subset", "512", "--mnist-root", mnist_root]
    assert main(args) == 0
    out = capsys.readouterr()
    assert "seed 2: trained in" in out.out and "train seed 2" in out.err  # the result, and progress on stderr
    assert main(args) == 0 and "seed 2: already cached" in capsys.readouterr().out
    assert main(["cache", "info"]) == 0
    info = capsys.readouterr().out
    assert str(cache_dir) in info and "seed 2" in info and "subset 512" in info
    assert main(["cache", "clear", "--seed", "2"]) == 0 and "removed 1 entry" in capsys.readouterr().out


def test_retraining_a_reference_seed_reports_whether_weights_are_identical(
    mnist_root, cache_dir, tmp_path, monkeypatch, capsys
):
    from lenet.lenet_mnist import reference
    from lenet.lenet_mnist.train import TrainConfig, train

    monkeypatch.setenv("LENET_FIXTURES", str(tmp_path))
    config = TrainConfig(epochs=1, subset=512)
    result = train(4, config, mnist_root, progress=False)
    reference.write(result, result.provenance(), tmp_path / "checkpoints")
    assert main(["train", "--seed", "4", "--epochs", "1", "--subset", "512", "--mnist-root", mnist_root]) == 0
    assert "seed 4: identical to the reference checkpoint" in capsys.readouterr().out


def test_train_out_writes_reference_checkpoints_and_manifest(mnist_root, tmp_path, capsys):
    out = tmp_path / "refs"
    assert (
        main(
            [
                "train",
                "--seed",
                "0,1",
                "--epochs",
                "1",
                "--subset",
                "256",
                "--out",
                str(out),
                "--mnist-root",
                mnist_root,
            ]
        )
        == 0
    )
    from lenet.lenet_mnist import reference

    assert reference.seeds(out) == [0, 1] and (out / "seed-1.record.npz").is_file()
    assert reference.load(1, out).meta["source"] == "reference"


@pytest.mark.parametrize("seeds", ["x", "3-", "-1", "", "4-2", "1,,2"])
def test_bad_seed_lists_are_one_line_errors(seeds, cache_dir, capsys):
    assert (
        main(["train", "--seed", seeds, "--epochs", "1", "--subset", "64"]) == 2
    )  # never a long training if parsing slips
    err = capsys.readouterr().err
    assert err.startswith("lenet train: error: seeds=") and "0-4" in err and "Traceback" not in err


def test_missing_data_is_a_one_line_error_with_the_fix(tmp_path, capsys):
    assert main(["data", "--mnist-root", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "MNIST not found" in err and "LENET_MNIST_ROOT" in err and "Traceback" not in err


def test_only_the_cli_imports_the_cli():
    """Only ``lenet/cli`` imports ``lenet.cli``: the commands build on the library, never the reverse."""
    import ast
    from pathlib import Path

    import lenet

    package = Path(lenet.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.is_relative_to(package / "cli"):
            continue
        here = ["lenet", *path.parent.relative_to(package).parts]  # where relative imports start from
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = (here[: len(here) - node.level + 1] if node.level else []) + (node.module or "").split(
                    "."
                )
                imported = [".".join(part for part in [*base, alias.name] if part) for alias in node.names]
            else:
                continue
            found = [name for name in imported if name.split(".")[:2] == ["lenet", "cli"]]
            offenders += [f"{path.relative_to(package)}: {name}" for name in found]
    assert offenders == []


def test_calibrate_lists_cells_and_refuses_bad_shards_and_unknown_cells(capsys):
    assert main(["calibrate", "--quick", "--list"]) == 0
    out = capsys.readouterr().out
    assert "judge-null-selectivity" in out and "5 cells, 18000 trials" in out
    assert main(["calibrate", "--shard", "3/2"]) == 2
    assert "--shard '3/2' must be K/N with 1 <= K <= N" in capsys.readouterr().err
    assert main(["calibrate", "--cells", "no-such-cell"]) == 2
    assert "matches no cell; `lenet calibrate --list` lists them" in capsys.readouterr().err
    assert main(["calibrate", "--checkpoint", "/nonexistent.pt", "--list"]) == 2
    assert "--checkpoint /nonexistent.pt: no such file" in capsys.readouterr().err


def test_calibrate_report_refuses_a_seed_it_would_have_to_train(mnist_root, cache_dir, capsys):
    assert main(["calibrate", "--report", "--seed", "99"]) == 2
    assert "seed 99 has no network here (neither committed nor cached)" in capsys.readouterr().err
    assert not list(cache_dir.rglob("*.pt"))  # and nothing was trained


@pytest.mark.slow
def test_calibrate_report_writes_the_page_from_what_is_on_disk(mnist_root, cache_dir, tmp_path, capsys):
    page = tmp_path / "calibration.md"
    assert main(["calibrate", "--report", "--cells", "seeds", "--write-docs", str(page)]) == 0
    text = page.read_text()
    assert "not run yet (0 of 2000)" in text and "## Power" in text  # an empty cache: every cell still to run
    said = capsys.readouterr()
    assert "wrote" in said.out and "nothing on disk under" in said.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--match-seeds", "one"], "--match-seeds 'one': use seeds and ranges"),
        (["--checkpoint", "nowhere.pt"], "--checkpoint nowhere.pt: no such file"),
        (["--port", "70000"], "--port 70000: use 1-65535"),
        (["--seed", "77"], "seed 77 of lenet-mnist has no network here"),
        (["--match-seeds", "1,78"], "seed 78 of lenet-mnist has no network here"),
    ],
)
def test_explore_refuses_bad_arguments_before_loading_anything(args, message, cache_dir, capsys):
    assert main(["explore", "--no-browser", "--port", "0", *args]) == 2
    assert message in capsys.readouterr().err


def test_explore_refuses_a_port_in_use(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["explore", "--no-browser", "--port", str(port)]) == 2
    assert f"--port {port}: cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
