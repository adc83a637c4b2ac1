"""Hand labels of digit styles (``lenet/lenet_mnist/fixtures/labels/*.tsv``),
their tuning and reporting parts, and detector quality.

A label file is a TSV with ``#`` header lines (who labelled what, how) and the
columns ``index`` (position in the split named in the file name, e.g.
``sevens-test.tsv``: the test split) and ``label``; an optional ``part``
column (``tune`` or ``report``) assigns rows explicitly. Rows without one are
assigned by ``assign_parts``: within each label, sorted by index, alternate
rows go to tune (1st, 3rd, ...) and report (2nd, 4th, ...). Detectors may be
tuned on the tuning part only; quality is reported on the reporting part only,
so the reported numbers are not flattered by the tuning. ``unclear`` labels
never count.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import paths
from ..errors import InvalidConcept
from ..stats.estimates import clopper_pearson

__all__ = [
    "PARTS",
    "UNCLEAR",
    "LabelSet",
    "Rate",
    "Quality",
    "labels_dir",
    "assign_parts",
    "load_labels",
    "measure",
]

PARTS = ("tune", "report")
UNCLEAR = "unclear"


def labels_dir() -> Path:
    """The folder of hand-label files (``lenet_mnist/fixtures/labels``; ``$LENET_FIXTURES`` moves it)."""
    return paths.fixtures_dir() / "labels"


@dataclass(frozen=True)
class LabelSet:
    """Hand labels of some images of one split: indices ``(L,)`` int64, labels and parts ``(L,)`` str."""

    name: str  # file stem, e.g. "sevens-test"
    split: str  # the split the indices refer to ("test")
    indices: np.ndarray
    labels: np.ndarray
    parts: np.ndarray

    def counts(self) -> dict[tuple[str, str], int]:
        """(label, part) -> number of images, for reports."""
        pairs = zip(self.labels.tolist(), self.parts.tolist(), strict=False)
        out: dict[tuple[str, str], int] = {}
        for pair in pairs:
            out[pair] = out.get(pair, 0) + 1
        return dict(sorted(out.items()))


@dataclass(frozen=True)
class Rate:
    """A proportion ``successes / trials`` with its two-sided Clopper-Pearson interval at ``confidence``."""

    successes: int
    trials: int
    low: float
    high: float
    confidence: float

    @property
    def value(self) -> float:
        return self.successes / self.trials if self.trials else float("nan")

    def __str__(self) -> str:
        if not self.trials:
            return "n/a (no images)"
        return f"{self.value:.2f} [{self.low:.2f}, {self.high:.2f}] ({self.successes}/{self.trials})"


@dataclass(frozen=True)
class Quality:
    """How a concept agrees with hand labels on one part: precision and recall of ``positive``."""

    labels: str  # label file stem
    positive: str  # the label the concept should select
    part: str  # "report" (honest) or "tune"
    precision: Rate  # labelled images in the concept that carry ``positive``
    recall: Rate  # images labelled ``positive`` that are in the concept


def assign_parts(indices: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The stratified split: within each label, sorted by index, alternate rows tune/report (first: tune)."""
    parts = np.empty(len(indices), dtype=object)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        rows = rows[np.argsort(indices[rows], kind="stable")]
        parts[rows[0::2]] = "tune"
        parts[rows[1::2]] = "report"
    return parts.astype(str)


def _parse(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise InvalidConcept(
            f"{path}: no header row; the first non-comment line must be 'index<TAB>label[<TAB>part]'."
        )
    header = lines[0].split("\t")
    if header[:2] != ["index", "label"]:
        raise InvalidConcept(f"{path}: header {header!r} must start with 'index', 'label' (tab-separated).")
    return header, [line.split("\t") for line in lines[1:]]


@functools.lru_cache(maxsize=16)
def _load(path: Path) -> LabelSet:
    header, rows = _parse(path)
    try:
        indices = np.array([int(row[0]) for row in rows], dtype=np.int64)
    except ValueError as err:
        raise InvalidConcept(
            f"{path}: an index is not an integer ({err}); write one 0-based image index per row."
        ) from None
    labels = np.array([row[1].strip() for row in rows], dtype=str)
    if len(np.unique(indices)) != len(indices):
        raise InvalidConcept(f"{path}: some index appears twice; label each image once.")
    parts = assign_parts(indices, labels)
    if "part" in header:
        column = header.index("part")
        given = np.array([row[column].strip() if len(row) > column else "" for row in rows], dtype=object)
        bad = sorted(set(given) - set(PARTS) - {""})
        if bad:
            raise InvalidConcept(
                f"{path}: part {bad[0]!r} is unknown; use one of {', '.join(PARTS)} (or leave it empty)."
            )
        parts = np.where(given != "", given, parts).astype(str)
    split = path.stem.rsplit("-", 1)[-1]
    if split not in ("train", "test"):
        raise InvalidConcept(
            f"{path}: the file name must end in -train.tsv or -test.tsv (the split its indices refer to)."
        )
    return LabelSet(path.stem, split, indices, labels, parts)


def load_labels(name: str) -> LabelSet:
    """The hand labels in the fixtures' ``labels/NAME.tsv`` (e.g. ``sevens-test``), read once per process."""
    path = labels_dir() / f"{name}.tsv"
    if not path.is_file():
        known = sorted(p.stem for p in labels_dir().glob("*.tsv"))
        raise InvalidConcept(
            f"labels={name!r}: no file {path}; label files are {', '.join(known) or 'none'}."
        )
    return _load(path.resolve())


def measure(
    members: np.ndarray, labels: LabelSet, positive: str, part: str = "report", confidence: float = 0.95
) -> Quality:
    """Precision and recall of a concept
    (its member indices on ``labels.split``) against one part of the labels.

    Only labelled, not-unclear images of that part count: precision = labelled
    members carrying ``positive`` / labelled members; recall = members among the
    images labelled ``positive``. Intervals: Clopper-Pearson at ``confidence``.
    """
    if part not in PARTS:
        raise InvalidConcept(f"part={part!r} is unknown; use one of {', '.join(PARTS)}.")
    rows = (labels.parts == part) & (labels.labels != UNCLEAR)
    chosen = np.isin(labels.indices[rows], np.asarray(members))
    truth = labels.labels[rows] == positive
    hits = int((chosen & truth).sum())

    def rate(successes: int, trials: int) -> Rate:
        return Rate(successes, trials, *clopper_pearson(successes, trials, confidence), confidence)

    return Quality(labels.name, positive, part, rate(hits, int(chosen.sum())), rate(hits, int(truth.sum())))
