"""Run cells in chunks that are saved as they finish: a run can stop and resume, or be split into shards.

A cell's trials are cut into chunks of ``CHUNK``; chunk j of a cell draws its trials from a generator
seeded by the cell's id and j, so any machine computes the same chunk identically. Each finished chunk
is a small JSON file under ``<cache>/calibration/results/<code>/`` (``code``: a digest of the lenet
source, so results of other code are never mixed in); ``--shard K/N`` runs the chunks j with
j mod N = K - 1, and a later run without ``--shard`` (or ``lenet calibrate --report``) collects them.
"""

from __future__ import annotations

import json
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import cache_dir
from .cells import Cell, Context
from .digest import code_digest

__all__ = ["CHUNK", "Result", "code_digest", "results_dir", "run", "collect"]

CHUNK = 200


def results_dir(subject_key: str) -> Path:
    return cache_dir() / "calibration" / "results" / code_digest() / subject_key[:16]


@dataclass
class Result:
    """A cell's outcomes over the chunks found so far, and the CPU seconds they took."""

    cell: Cell
    outcomes: Counter
    trials: int
    seconds: float

    @property
    def complete(self) -> bool:
        return self.trials >= self.cell.trials


def _chunks(cell: Cell) -> int:
    return -(-cell.trials // CHUNK)


def _path(folder: Path, cell: Cell, j: int) -> Path:
    return folder / cell.id / f"{j:03d}.json"


def run(cells: list[Cell], context: Context, shard: tuple[int, int] | None = None, progress=print) -> None:
    """Compute every chunk of ``cells`` this shard owns and that is not on disk yet, saving each as it
    finishes; ``progress`` gets a line per chunk."""
    folder = results_dir(context.subject.key)
    todo = [
        (cell, j)
        for cell in cells
        for j in range(_chunks(cell))
        if (shard is None or j % shard[1] == shard[0] - 1) and not _path(folder, cell, j).is_file()
    ]
    prepared: dict[str, object] = {}
    started = time.monotonic()
    for done, (cell, j) in enumerate(todo, 1):
        t0 = time.process_time()
        if cell.id not in prepared:
            prepared[cell.id] = cell.prepare(context)
        trial = prepared[cell.id]
        rng = np.random.default_rng([zlib.crc32(cell.id.encode()), j])
        count = min(CHUNK, cell.trials - j * CHUNK)
        outcomes = Counter(trial(rng) for _ in range(count))
        path = _path(folder, cell, j)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"outcomes": outcomes, "trials": count, "seconds": time.process_time() - t0})
        )
        tmp.replace(path)
        elapsed = time.monotonic() - started
        progress(
            f"[{done}/{len(todo)}] {cell.level} {cell.kind}: {cell.criterion} ({cell.what}"
            f"{'' if cell.ratio is None else f', x{cell.ratio:g}'}) chunk {j + 1}/{_chunks(cell)}: "
            f"{dict(outcomes)}; {elapsed:.0f} s, about {elapsed / done * (len(todo) - done):.0f} s left"
        )


def collect(cells: list[Cell], subject_key: str) -> list[Result]:
    """Every cell's outcomes from the chunks on disk (a cell with chunks missing is incomplete)."""
    folder = results_dir(subject_key)
    results = []
    for cell in cells:
        outcomes, trials, seconds = Counter(), 0, 0.0
        for j in range(_chunks(cell)):
            path = _path(folder, cell, j)
            if path.is_file():
                found = json.loads(path.read_text())
                outcomes.update(found["outcomes"])
                trials += found["trials"]
                seconds += found["seconds"]
        results.append(Result(cell, outcomes, trials, seconds))
    return results
