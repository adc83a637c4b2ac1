"""lenet.explore.painter: charts drawn in worker processes are the charts drawn here; a worker that dies
costs one chart drawn in the calling thread, not the server."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from lenet import charts
from lenet.explore.painter import Painter

CLASSES = tuple(str(c) for c in range(10))


@pytest.fixture(scope="module")
def painter():
    found = Painter(workers=2)
    found.start()
    yield found
    found.close()


def test_workers_draw_the_same_bytes_as_the_calling_thread(painter):
    means, firing = np.linspace(-1, 2, 10), np.linspace(0, 1, 10)
    epoch, series = np.arange(20.0), np.outer(np.arange(20.0), np.arange(10.0))
    drawings = [
        painter.redraw("per_class_chart", (CLASSES, "post"), (means, firing)),
        painter.redraw("training_chart", (CLASSES, "activation"), (epoch, series)),
        painter.submit("ranking", np.linspace(1, 0, 30), "AUROC", 0.9, "bar"),
    ]
    assert drawings[0].png() == charts.per_class(list(CLASSES), means, firing, "post")
    assert drawings[1].png() == charts.training(epoch, series, list(CLASSES), "activation")
    assert drawings[2].png() == charts.ranking(np.linspace(1, 0, 30), "AUROC", 0.9, "bar")
    assert painter.draw("ranking", np.linspace(1, 0, 30), "AUROC", 0.9, "bar") == drawings[2].png()


def test_a_dead_worker_costs_one_chart_drawn_here_then_the_pool_is_replaced(painter):
    painter.draw("ranking", np.linspace(1, 0, 5), "AUROC", None, "")  # the workers are up
    for pid in list(painter._pool._processes):
        os.kill(pid, signal.SIGKILL)
    means, firing = np.zeros(10), np.ones(10)
    expected = charts.per_class(list(CLASSES), means, firing, "pre")
    assert painter.redraw("per_class_chart", (CLASSES, "pre"), (means, firing)).png() == expected
    assert painter.redraw("per_class_chart", (CLASSES, "pre"), (means, firing)).png() == expected


def test_in_the_calling_thread_when_asked_and_unknown_charts_are_refused():
    inline = Painter(workers=0)
    assert inline.draw("ranking", np.linspace(1, 0, 5), "AUROC", None, "").startswith(b"\x89PNG")
    assert inline._pool is None
    with pytest.raises(ValueError, match="no chart 'pie'"):
        inline.submit("pie")
    with pytest.raises(ValueError, match="no chart factory 'ranking'"):
        inline.redraw("ranking", (), ())


def test_workers_exit_when_the_server_that_started_them_is_killed(tmp_path):
    """A server killed with SIGKILL runs no shutdown: its workers notice and exit on their own."""
    import subprocess
    import sys
    import time

    script = tmp_path / "server.py"
    script.write_text(
        "import sys, time\n"
        "from lenet.explore.painter import Painter\n"
        "if __name__ == '__main__':\n"
        "    painter = Painter(workers=2)\n"
        "    painter.start()\n"
        "    painter.draw('ranking', [1.0, 0.5], 'AUROC', None, '')\n"
        "    print(' '.join(str(pid) for pid in painter._pool._processes), flush=True)\n"
        "    time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True) as server:
        workers = [int(pid) for pid in server.stdout.readline().split()]
        server.kill()
    assert len(workers) == 2
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (exited, not yet reaped) is not alive
        return stat.read().split(") ")[-1][0] != "Z"


def test_drawings_that_met_one_dead_pool_replace_it_once():
    painter = Painter(workers=1)
    painter.start()
    try:
        painter.draw("ranking", np.linspace(1, 0, 5), "AUROC", None, "")
        pool = painter._pool
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGKILL)
        drawings = [
            painter.redraw("per_class_chart", (CLASSES, "post"), (np.zeros(10), np.ones(10)))
            for _ in range(3)
        ]
        expected = charts.per_class(list(CLASSES), np.zeros(10), np.ones(10), "post")
        assert all(d.png() == expected for d in drawings)
        replaced = painter._pool
        assert replaced is not None and replaced is not pool
        painter.restart(pool)  # a late report about the old pool changes nothing
        assert painter._pool is replaced
    finally:
        painter.close()
