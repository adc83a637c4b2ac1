"""Charts drawn in worker processes: a unit view's charts at once on two cores, never on the event loop.

matplotlib holds the GIL while it lays out text and rasterises (about 0.1 s per axes on 2 cores), so
threads would draw one chart after another. ``Painter`` hands ``lenet.charts`` functions and their arrays to
a small process pool (spawned, so no worker inherits torch's threads or the server's sockets) and returns
PNG bytes. When a worker dies, its chart is drawn in the calling thread and the pool replaced; ``workers=0``
draws in the calling thread (the same bytes, one after another).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .. import charts

__all__ = ["Painter", "Drawing", "WORKERS"]

WORKERS = 2  # a unit view has two charts; more workers would only compete for the same 2 cores


def _warm(parent: int) -> None:
    """A worker's start: it exits when the server that spawned it is gone (however that ended: a killed
    server runs no shutdown), and draws its first chart (fonts loaded, caches filled) before any request
    waits on it."""
    import time

    import numpy as np

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="lenet-painter-watch", daemon=True).start()
    charts.per_class([str(c) for c in range(10)], np.zeros(10), np.zeros(10), "post")


def _ready() -> None:
    """Nothing: a task that makes the pool spawn a worker (``Painter.start``)."""


def _draw(name: str, args: tuple, kwargs: dict) -> bytes:
    return getattr(charts, name)(*args, **kwargs)


_KEPT: dict[tuple, charts.Chart] = {}  # this process's kept charts, by (factory, layout)
_KEPT_MAX = 16
_KEPT_LOCK = threading.Lock()  # with workers=0 the calling threads share them


def _redraw(factory: str, layout: tuple, data: tuple) -> bytes:
    """``charts.<factory>(*layout)``, built once per process and layout, drawn with ``data``."""
    with _KEPT_LOCK:
        key = (factory, layout)
        chart = _KEPT.pop(key, None) or getattr(charts, factory)(*layout)
        _KEPT[key] = chart  # most recently used last
        while len(_KEPT) > _KEPT_MAX:
            _KEPT.pop(next(iter(_KEPT)))
        return chart.draw(*data)


class Drawing:
    """A chart being drawn: ``png()`` waits for its bytes."""

    def __init__(self, painter: Painter, call: tuple, future: Future | None, pool=None):
        self._painter, self._call, self._future, self._pool = painter, call, future, pool

    def png(self) -> bytes:
        """The chart's PNG bytes; drawn in this thread when its worker died (the pool is then replaced)."""
        if self._future is not None:
            try:
                return self._future.result()
            except (BrokenProcessPool, CancelledError):  # a dead worker, or a pool closed meanwhile
                self._painter.restart(self._pool)
        fn, *args = self._call
        return fn(*args)


class Painter:
    """Draws ``lenet.charts`` charts (by name) in ``workers`` processes; ``start`` at server start."""

    def __init__(self, workers: int = WORKERS):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Spawn the workers now (each imports matplotlib and draws one chart: about a second, in the
        background), so the first unit view does not wait for them."""
        if self.workers <= 0:
            return
        with self._lock:
            if self._pool is None:
                import multiprocessing

                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm,
                    initargs=(os.getpid(),),
                )
                for _ in range(self.workers):  # the pool spawns a worker per task waiting: all of them now
                    self._pool.submit(_ready)

    def submit(self, name: str, *args, **kwargs) -> Drawing:
        """Start drawing ``charts.<name>(*args, **kwargs)``."""
        if name not in charts.__all__:
            raise ValueError(f"lenet.charts has no chart {name!r}; one of {', '.join(charts.__all__)}")
        return self._start((_draw, name, args, kwargs))

    def redraw(self, factory: str, layout: tuple, data: tuple) -> Drawing:
        """Start drawing ``charts.<factory>(*layout).draw(*data)``, the chart built once per worker and
        layout (``charts.Chart``: the same picture as a new one, in about half the time)."""
        if not factory.endswith("_chart") or factory not in charts.__all__:
            raise ValueError(f"lenet.charts has no chart factory {factory!r}")
        return self._start((_redraw, factory, tuple(layout), tuple(data)))

    def draw(self, name: str, *args, **kwargs) -> bytes:
        """``charts.<name>(*args, **kwargs)`` as PNG bytes, drawn by a worker."""
        return self.submit(name, *args, **kwargs).png()

    def _start(self, call: tuple) -> Drawing:
        future, pool = None, None
        if self.workers > 0:
            self.start()
            with self._lock:
                pool = self._pool
            try:
                future = pool.submit(*call) if pool is not None else None
            except (BrokenProcessPool, RuntimeError):  # a dead worker, or a pool shut down meanwhile
                self.restart(pool)
        return Drawing(self, call, future, pool)

    def restart(self, broken=None) -> None:
        """Replace the pool after a worker died: only if ``broken`` is still the current pool (three
        drawings of one view that met the same dead worker replace it once)."""
        with self._lock:
            if self._pool is None or (broken is not None and self._pool is not broken):
                return
            self._pool.shutdown(wait=False, cancel_futures=False)
            self._pool = None
        self.start()

    def close(self) -> None:
        """Stop the workers (charts under way are dropped)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
