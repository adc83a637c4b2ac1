"""One explorer session: the network explored, what has been computed, the questions asked and the jobs.

Everything the pages show is computed on ``view`` (an ``Exploration``: discovery split only). Computations
share one lock: interventions hook the one model, so two at once would see each other's edits. Long asks
run as jobs in a thread, report which check they are on, and can be cancelled (between checks: a check
under way finishes; those that finished are kept). ``questions`` logs every ranking, ask and tried image
(a ranking screens a whole layer), and a claim saved from the session records the counts and the ranking
that listed its unit, so readers can judge how much searching preceded it.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .exploration import Exploration
from .painter import Painter

__all__ = ["Session", "Job", "KEPT_JOBS"]

KEPT_JOBS = 100  # finished jobs kept for /jobs/{id}; older ones are dropped as new ones start
_MISSING = object()


@dataclass
class Job:
    """A long computation: its steps, which one it is on, its result or error, and a cancel flag."""

    id: str
    what: str
    steps: list[str]
    step: int = 0
    started: float = field(default_factory=time.monotonic)
    result: object = None
    error: str | None = None
    done: bool = False
    stopped: bool = False  # cancelled before every step ran (set by the work itself)
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def state(self) -> str:
        if self.error:
            return "failed"
        if self.done:
            return "cancelled" if self.stopped else "done"
        return "cancelling" if self.cancel.is_set() else "running"


class Session:
    """The explorer's state for one network (``subject``), its project ``root`` and the seeds to match."""

    def __init__(
        self,
        subject,
        *,
        subject_name: str,
        seed: int,
        root: Path,
        match_seeds: tuple[int, ...] = (),
        checkpoint: str | None = None,
        painter: Painter | None = None,
    ):
        self.subject, self.view = subject, Exploration(subject)
        self.subject_name, self.seed, self.root = subject_name, seed, Path(root)
        self.checkpoint = checkpoint  # the explored network's file, when it is not a seed's
        # the explored seed's own network needs no match; a checkpoint's seed is another network
        self.match_seeds = tuple(s for s in match_seeds if checkpoint or s != seed)
        self.token = secrets.token_urlsafe(24)  # state-changing requests must carry it
        self.painter = painter or Painter()  # charts drawn in worker processes (lenet.explore.painter)
        self.compute = threading.RLock()
        self.questions: list[tuple[str, str]] = []  # (kind, what): kind is ranking, ask or image
        self.jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._memo: dict = {}
        self._others: dict[int, object] = {}
        self.warm = {
            "state": "starting",  # then warming, warm or failed
            "done": [],  # layer/site pairs and seeds loaded
            "seconds": 0.0,
            "error": None,
            "matching": "none" if not self.match_seeds else "waiting",  # then running, done or failed
            "matched": [],  # layers matched to every match seed at site post
            "matched_seconds": None,
        }

    @property
    def network(self) -> str:
        """The network explored, in words: "lenet-mnist seed 0" or "lenet-mnist checkpoint PATH"."""
        where = f"checkpoint {self.checkpoint}" if self.checkpoint else f"seed {self.seed}"
        return f"{self.subject_name} {where}"

    def asked(self, kind: str, what: str) -> None:
        """Log a question (``ranking``, ``ask`` or ``image``)."""
        self.questions.append((kind, what))

    def tally(self) -> str:
        """The questions asked so far, in words: "12 questions (3 rankings, 8 asks, 1 image tried)"."""
        counts = {kind: sum(k == kind for k, _ in self.questions) for kind in ("ranking", "ask", "image")}
        total = len(self.questions)
        parts = [f"{counts['ranking']} ranking{'' if counts['ranking'] == 1 else 's'}"]
        parts += [f"{counts['ask']} ask{'' if counts['ask'] == 1 else 's'}"]
        parts += [f"{counts['image']} image{'' if counts['image'] == 1 else 's'} tried"]
        return f"{total} question{'' if total == 1 else 's'} ({', '.join(parts)})"

    def ranking_of(self, unit: str) -> str | None:
        """The last ranking whose table listed ``unit``, as "LAYER at site S by SCORE, A vs B: rank k of N",
        or None."""
        for kind, what in reversed(self.questions):
            head, _, listed = what.partition(": ")
            if kind == "ranking" and unit in listed.split():
                total = head.rsplit(" of ", 1)[-1]
                return f"{head.rsplit(', top ', 1)[0]}: rank {listed.split().index(unit) + 1} of {total}"
        return None

    def memo(self, key, compute: Callable):
        """``compute()`` once per key for the session (layer values, rankings' scores, matches); a key
        already computed is answered without waiting for the compute lock."""
        found = self._memo.get(key, _MISSING)
        if found is not _MISSING:
            return found
        with self.compute:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    # warm-up --------------------------------------------------------------------------------------

    def warm_up(self, layers: list[str] | None = None, progress: Callable[[str], None] = print) -> None:
        """Compute every layer's values at both sites on the discovery split and load each match seed's
        network (then ``warm`` is "warm"), then match every layer's units to those seeds at site post;
        ``warm`` says how far it got (the first page shows it)."""
        start = time.monotonic()
        layers = layers or list(self.view.layers)
        self.warm["state"] = "warming"
        self.painter.start()  # the chart workers spawn while the values are computed
        try:
            for layer in layers:
                for site in ("post", "pre"):
                    try:
                        self.view.check_site(layer, site)
                    except Exception:  # a layer without that site: nothing to precompute there
                        continue
                    with self.compute:
                        self.view.values(layer, "train", site=site)
                    self.warm["done"].append(f"{layer} {site}")
                    progress(f"lenet explore: values of {layer} at {site} ({time.monotonic() - start:.1f} s)")
            for seed in self.match_seeds:
                self.other(seed)
                self.warm["done"].append(f"seed {seed}")
                progress(f"lenet explore: seed {seed} loaded for matching ({time.monotonic() - start:.1f} s)")
        except Exception as err:  # the server stays up; the page says what failed
            self.warm["state"], self.warm["error"] = "failed", f"{type(err).__name__}: {err}"
            self.warm["seconds"] = time.monotonic() - start
            self.warm["matching"] = "none"  # nothing is matched in the background: unit views match on demand
            progress(f"lenet explore: warm-up failed: {err}")
            return
        self.warm["state"], self.warm["seconds"] = "warm", time.monotonic() - start
        progress(f"lenet explore: warm after {self.warm['seconds']:.1f} s")
        if self.match_seeds:
            self._warm_matches(layers, start, progress)

    def _warm_matches(self, layers: list[str], start: float, progress: Callable[[str], None]) -> None:
        """Each layer's units matched to every match seed at site post (the unit view's default; linear-0,
        the first page's layer, first), so a layer's first unit view does not wait for them. Each step
        holds the compute lock (a few seconds): a request meanwhile waits for it."""
        self.warm["matching"] = "running"
        order = sorted(layers, key=lambda name: name != "linear-0")
        try:
            for layer in order:
                try:
                    self.view.check_site(layer, "post")
                except Exception:  # no post site here: matched on demand at the site asked
                    continue
                for seed in self.match_seeds:
                    self.match_table(seed, layer, "post")
                self.warm["matched"].append(layer)
                seeds = ", ".join(map(str, self.match_seeds))
                progress(
                    f"lenet explore: {layer} matched to seeds {seeds} ({time.monotonic() - start:.1f} s)"
                )
            self.warm["matching"] = "done"
        except Exception as err:  # the unit view matches on demand and shows what fails there
            self.warm["matching"], self.warm["error"] = "failed", f"{type(err).__name__}: {err}"
            progress(f"lenet explore: matching failed: {err}")
        self.warm["matched_seconds"] = time.monotonic() - start

    # other seeds ------------------------------------------------------------------------------------

    def other(self, seed: int):
        """Seed ``seed``'s network of the same subject (loaded once; only its discovery split is read)."""
        from .. import subjects

        with self.compute:
            if seed not in self._others:
                self._others[seed] = subjects.load(seed, None, self.subject_name)
            return self._others[seed]

    def matches(self, layer: str, unit: int, site: str) -> list[tuple[int, object]]:
        """``(seed, Match)`` of the unit in each match seed (each layer's assignment computed once)."""
        return [(seed, self.match_table(seed, layer, site).match(unit)) for seed in self.match_seeds]

    def match_table(self, seed: int, layer: str, site: str):
        """``layer``'s assignment to seed ``seed``'s units at ``site`` (``lenet.subject.match``), once."""
        from ..subject.match import match_layer

        return self.memo(
            ("match", seed, layer, site),
            lambda: match_layer(self.subject, self.other(seed), layer, site=site),
        )

    # jobs ---------------------------------------------------------------------------------------------

    def start(self, what: str, steps: list[str], work: Callable[[Job], object]) -> Job:
        """Run ``work(job)`` in a thread under the compute lock; the job records its result or error.
        Only the last ``KEPT_JOBS`` finished jobs are kept (their answers are on the page that asked)."""
        job = Job(str(next(self._ids)), what, steps)
        finished = [key for key, old in self.jobs.items() if old.done]
        for key in finished[: max(0, len(finished) - KEPT_JOBS + 1)]:
            del self.jobs[key]
        self.jobs[job.id] = job

        def run() -> None:
            try:
                with self.compute:
                    job.result = work(job)
            except Exception as err:  # one failing check never stops the server
                job.error = f"{type(err).__name__}: {err}"
            finally:
                job.done = True

        threading.Thread(target=run, name=f"lenet-explore-job-{job.id}", daemon=True).start()
        return job
