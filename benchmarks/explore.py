"""`lenet explore`'s speed targets (issue 20), against a real server started by the real command.

Starts `lenet explore --no-browser --port P` in a subprocess and measures, over HTTP on 127.0.0.1:
- the first page: seconds from the command's start to the first 200 on `/`;
- the warm-up: seconds until `/status` says warm (every layer's values at both sites on the discovery
  split, and the match seeds' networks), then until every layer is matched to the match seeds (site post);
- a layer ranking: the first one for a concept pair (the untrained networks' bar from the disk cache or
  computed) and then each score warm;
- unit views: the first view of each of ``--units`` distinct units (nothing served from a cache of its own
  earlier view: each unit is viewed once): the page (its data and charts) plus the training movie's first
  frame, which the page loads as its own image, 50th/95th percentile;
- an ask of selectivity plus ablation (zero, raw) on distinct units: the first (the named-unit baseline
  for the pair is computed or read) and the rest, 50th/95th percentile.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python benchmarks/explore.py [--units 50] [--match-seeds 1-4]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAIR = {"concept": "seven/crossed", "contrast": "seven/plain"}


def _bytes(url: str, timeout: float = 600) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def _get(url: str, timeout: float = 600) -> str:
    return _bytes(url, timeout).decode()


def _post(url: str, data: dict, token: str) -> str:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, body, {"X-Lenet-Token": token})
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.read().decode()


def _timed(fn, *args) -> tuple[float, str]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--asks", type=int, default=10)
    parser.add_argument("--match-seeds", default="1-4")
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(ROOT / ".venv" / "bin" / "lenet"), "explore", "--no-browser", "--port", str(port)]
    command += ["--match-seeds", args.match_seeds] if args.match_seeds else []
    start = time.perf_counter()
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        while True:
            try:
                first = _get(url + "/", timeout=5)
                break
            except OSError:
                if server.poll() is not None:
                    print(server.stderr.read(), file=sys.stderr)
                    return 1
                time.sleep(0.05)
        first_page = time.perf_counter() - start
        token = re.search(r'"X-Lenet-Token": "([^"]+)"', first).group(1)
        while "warm:" not in _get(url + "/status"):
            time.sleep(0.2)
        warm = time.perf_counter() - start
        while "hx-trigger" in _get(url + "/status"):  # the layers' matches to the other seeds
            time.sleep(0.2)
        matched = time.perf_counter() - start
        layer = {"layer": "linear-0", **PAIR}
        rankings = {}
        for score in ("selectivity", "selectivity", "ablation", "ablation", "mismatch"):
            query = urllib.parse.urlencode({**layer, "score": score})
            seconds, _ = _timed(_get, f"{url}/layer?{query}")
            rankings.setdefault(score, []).append(seconds)
        units = np.random.default_rng(0).permutation(120)[: args.units]
        views = []
        for u in units:
            t0 = time.perf_counter()
            page = _get(f"{url}/unit/linear-0/{u}?site=post")
            frame = re.search(r'id="movie" alt="[^"]*" src="([^"]+)"', page).group(1)
            assert _bytes(url + frame.replace("&amp;", "&")).startswith(b"\x89PNG")
            views.append(time.perf_counter() - t0)
        asks = []
        for u in units[: args.asks]:
            form = {
                "unit": f"linear-0:{u}",
                "site": "post",
                **PAIR,
                "checks": ["selectivity", "ablation"],
                "selectivity.min_auroc": "0.6",
                "ablation.method": "zero",
                "ablation.normalise": "raw",
                "ablation.min_effect": "0.1",
            }
            t0 = time.perf_counter()
            job = re.search(r'id="job-(\d+)"', _post(url + "/ask", form, token)).group(1)
            while "hx-trigger" in _get(f"{url}/jobs/{job}"):
                time.sleep(0.02)
            asks.append(time.perf_counter() - t0)
    finally:
        server.terminate()
        server.wait(10)

    def pct(xs, q):
        return float(np.percentile(np.asarray(xs) * 1000, q))

    print(
        f"first page after start: {first_page:.2f} s; warm after {warm:.1f} s; every layer matched to seeds "
        f"{args.match_seeds} after {matched:.1f} s"
    )
    for score, times in rankings.items():
        print(
            f"ranking by {score}: " + ", ".join(f"{t * 1000:.0f} ms" for t in times) + " (first, then warm)"
        )
    print(
        f"unit view (page + movie frame), {len(views)} distinct units' first views: "
        f"p50 {pct(views, 50):.0f} ms, p95 {pct(views, 95):.0f} ms, max {max(views) * 1000:.0f} ms"
    )
    print(
        f"ask selectivity + ablation: first {asks[0]:.2f} s; next {len(asks) - 1}: "
        f"p50 {pct(asks[1:], 50):.0f} ms, p95 {pct(asks[1:], 95):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
