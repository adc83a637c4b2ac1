"""The concept registry: built-ins, index-file and predicate concepts,
bad input, the minimum size rule and `lenet concepts`."""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import stats as sps

from lenet.cli import main
from lenet.errors import InvalidConcept, UnknownConcept
from lenet.lenet_mnist import concepts, data

STYLES = ["seven/crossed", "seven/hooked", "seven/plain", "two/looped", "two/plain"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project root for user concepts, and no concepts registered from Python."""
    monkeypatch.setenv(concepts.PROJECT_ENV, str(tmp_path))
    monkeypatch.setattr(concepts, "_PROGRAMMATIC", {})
    return tmp_path


def write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_builtin_names_in_order(project):
    assert (
        concepts.known() == [f"digit/{k}" for k in range(10)] + [f"digit/not-{k}" for k in range(10)] + STYLES
    )


def test_not_a_digit_is_every_other_image(project):
    seven, rest = concepts.concept("digit/7").indices("test"), concepts.concept("digit/not-7").indices("test")
    assert len(seven) + len(rest) == 10_000 and not set(seven) & set(rest)
    assert all(concepts.concept(name).description for name in concepts.known())


@pytest.mark.slow
@pytest.mark.parametrize("split", ["train", "test"])
def test_digits_match_mnist_labels_and_styles_partition_their_digit(mnist_root, project, split):
    labels = data.load_split(split).labels.numpy()
    for digit in range(10):
        assert np.array_equal(
            concepts.concept(f"digit/{digit}").indices(split), np.flatnonzero(labels == digit)
        )
    for digit, styles in (
        (7, ["seven/crossed", "seven/hooked", "seven/plain"]),
        (2, ["two/looped", "two/plain"]),
    ):
        parts = [concepts.concept(name).indices(split) for name in styles]
        joined = np.concatenate(parts)
        assert len(np.unique(joined)) == len(joined), "styles of one digit must not overlap"
        assert np.array_equal(np.sort(joined), np.flatnonzero(labels == digit))
        assert all(len(part) >= concepts.MIN_SIZE for part in parts)


@pytest.mark.slow
def test_indices_are_sorted_int64_and_callers_cannot_spoil_the_cache(mnist_root, project):
    crossed = concepts.concept("seven/crossed")
    first = crossed.indices("test")
    assert first.dtype == np.int64 and np.all(np.diff(first) > 0)
    first[:] = 0
    assert np.array_equal(crossed.indices("test"), np.unique(crossed.indices("test")))
    assert crossed.indices("test")[-1] > 0


def test_index_file_concept(mnist_root, project):
    write(
        project,
        {
            "fixtures/concepts/mine/odd.train.txt": (
                "# three training images\n5\n3\n\n1  # trailing comment\n"
            ),
            "fixtures/concepts/mine/odd.test.txt": "9\n",
        },
    )
    assert "mine/odd" in concepts.known()
    odd = concepts.concept("mine/odd")
    assert odd.indices("train").tolist() == [1, 3, 5] and odd.indices("test").tolist() == [9]
    assert odd.quality() is None


def test_predicate_concept_from_lenet_concepts_module(mnist_root, project):
    write(
        project,
        {
            concepts.MODULE_NAME: (
                "import numpy as np\n"
                "from lenet.lenet_mnist.concepts import register\n\n"
                "@register('seven/inky', description='sevens with more ink than 100 pixel units')\n"
                "def inky(images, labels):\n"
                "    return (labels == 7) & (images.sum(axis=(1, 2)) > 100)\n"
            )
        },
    )
    inky = concepts.concept("seven/inky")
    assert (
        inky.description == "sevens with more ink than 100 pixel units"
        and inky.origin == concepts.MODULE_NAME
    )
    test = data.load_split("test")
    expected = np.flatnonzero((test.labels.numpy() == 7) & (test.images.sum(dim=(1, 2, 3)).numpy() > 100))
    assert 0 < len(expected) < 1028 and np.array_equal(inky.indices("test"), expected)


def test_register_from_python_and_a_second_definition_is_refused(project):
    @concepts.register("scratch/none")
    def nothing(images, labels):
        """Nothing at all."""
        return np.zeros(len(labels), dtype=bool)

    assert concepts.concept("scratch/none").description == "Nothing at all."
    with pytest.raises(InvalidConcept, match="'scratch/none' is defined twice"):
        concepts.register("scratch/none")(nothing)


PREDICATE = (
    "from lenet.lenet_mnist.concepts import register\n\n"
    "@register('odd/shape')\ndef f(images, labels):\n    return {body}\n"
)

# (files in the project, name asked for, error, message)
BAD = [
    (
        {},
        "seven/crossd",
        UnknownConcept,
        r"Unknown concept 'seven/crossd'; concepts are digit/0, .*seven/crossed",
    ),
    ({}, "../secret", InvalidConcept, r"concept name '../secret' is not allowed"),
    ({}, "/etc/passwd", InvalidConcept, r"concept name '/etc/passwd' is not allowed"),
    ({}, "seven/../digit", InvalidConcept, "no '..'"),
    (
        {"fixtures/concepts/a.test.txt": "1\nseven\n"},
        "a",
        InvalidConcept,
        r"a.test.txt:2: 'seven' is not an image index of the test split",
    ),
    (
        {"fixtures/concepts/a.test.txt": "10000\n"},
        "a",
        InvalidConcept,
        r"'10000' is not an image index .* \[0, 9999\]",
    ),
    ({"fixtures/concepts/a.test.txt": "-1\n"}, "a", InvalidConcept, r"'-1' is not an image index"),
    ({"fixtures/concepts/a.test.txt": "4\n4\n"}, "a", InvalidConcept, "some index appears twice"),
    (
        {"fixtures/concepts/a.train.txt": "4\n"},
        "a",
        InvalidConcept,
        r"no index file for split 'test' .* create .*a\.test\.txt",
    ),
    ({"fixtures/concepts/digit/7.test.txt": "4\n"}, "digit/7", InvalidConcept, "'digit/7' is defined twice"),
    ({"fixtures/concepts/bad name.test.txt": "4\n"}, "digit/7", InvalidConcept, "'bad name' is not allowed"),
    (
        {
            "fixtures/concepts/odd/shape.test.txt": "4\n",
            concepts.MODULE_NAME: PREDICATE.format(body="labels == 1"),
        },
        "odd/shape",
        InvalidConcept,
        "defined twice",
    ),
    (
        {concepts.MODULE_NAME: PREDICATE.format(body="labels[:5] == 1")},
        "odd/shape",
        InvalidConcept,
        r"shape \(5,\); it must return a boolean mask of shape \(10000,\)",
    ),
    ({concepts.MODULE_NAME: PREDICATE.format(body="labels")}, "odd/shape", InvalidConcept, "returned int64"),
    (
        {concepts.MODULE_NAME: "raise RuntimeError('oops')\n"},
        "digit/1",
        InvalidConcept,
        r"lenet_concepts.py: importing it failed with RuntimeError: oops",
    ),
    (
        {concepts.MODULE_NAME: "from lenet.lenet_mnist.concepts import register\nregister('digit/1')(len)\n"},
        "digit/1",
        InvalidConcept,
        "'digit/1' is defined twice",
    ),
]


@pytest.mark.parametrize(
    "files,name,error,message", BAD, ids=[f"{case[1]}-{i}" for i, case in enumerate(BAD)]
)
def test_bad_names_and_files_are_clear_errors(mnist_root, project, files, name, error, message):
    write(project, files)
    with pytest.raises(error, match=message):
        concepts.concept(name).indices("test")


def test_index_file_linked_from_outside_the_project_is_refused(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "list.test.txt"
    outside.write_text("1\n")
    (project / "fixtures" / "concepts").mkdir(parents=True)
    os.symlink(outside, project / "fixtures" / "concepts" / "sneaky.test.txt")
    with pytest.raises(InvalidConcept, match="points outside"):
        concepts.known()


def test_min_size_rule_gives_the_promised_power():
    """Simulated: at MIN_SIZE a shift with AUROC 0.75 is detected
    (p < 0.01) in >= 80% of runs; at half of it, not."""
    shift = np.sqrt(2) * sps.norm.ppf(0.75)  # N(shift, 1) vs N(0, 1) has AUROC 0.75
    rng = np.random.default_rng(5)

    def power(n: int) -> float:
        runs = [
            sps.mannwhitneyu(rng.normal(shift, 1, n), rng.normal(0, 1, 2000), alternative="greater").pvalue
            < 0.01
            for _ in range(300)
        ]
        return float(np.mean(runs))

    assert concepts.MIN_SIZE == concepts.min_concept_size(0.01, 0.8, 0.75) == 14
    assert power(concepts.MIN_SIZE) >= 0.8
    assert power(concepts.MIN_SIZE // 2) < 0.8


@pytest.mark.slow
def test_cli_table_matches_the_library(mnist_root, project, tmp_path, capsys):
    sheet = tmp_path / "sheet.png"
    assert main(["concepts", "--sheet", str(sheet)]) == 0
    out = capsys.readouterr().out
    for name in concepts.known():
        item = concepts.concept(name)
        row = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert row.split()[1:3] == [str(item.size("train")), str(item.size("test"))]
        if item.validation:
            quality = item.quality("report")
            assert str(quality.precision) in row and str(quality.recall) in row
    from PIL import Image

    with Image.open(sheet) as picture:
        assert picture.size[1] == len(concepts.known()) * (28 * 2 + 2)


@pytest.mark.slow
def test_cli_prints_indices_one_per_line(mnist_root, project, capsys):
    assert main(["concepts", "seven/crossed", "--split", "test", "--indices"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines() == [str(i) for i in concepts.concept("seven/crossed").indices("test")]


def test_cli_warns_about_small_concepts_and_names_unknown_ones(mnist_root, project, capsys):
    write(
        project,
        {
            "fixtures/concepts/tiny.train.txt": "1\n2\n3\n",
            "fixtures/concepts/tiny.test.txt": "".join(f"{i}\n" for i in range(20)),
        },
    )
    assert main(["concepts", "tiny", "--no-sheet"]) == 0
    captured = capsys.readouterr()
    assert "tiny" in captured.out and "contact sheet" not in captured.out
    assert f"warning: tiny has 3 images on the train split, fewer than {concepts.MIN_SIZE}" in captured.err
    assert "test split" not in captured.err  # 20 images are enough there
    assert main(["concepts", "tiny/typo"]) == 2
    assert "Unknown concept 'tiny/typo'; concepts are digit/0" in capsys.readouterr().err
    assert main(["concepts", "--indices"]) == 2
