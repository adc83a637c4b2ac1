"""Old commit against new, alternating in one run: the ablation sweep, a full claim and the claims run.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python benchmarks/paired.py --old 2ad6c09 --pairs 5

The old revision is checked out as a git worktree in a temporary folder (removed at the end); the new
side is this checkout as it is, uncommitted changes included. Every measurement is a subprocess with
PYTHONPATH set to its tree and the same LENET_MNIST_ROOT and LENET_CACHE_DIR, after one untimed run of
each measure per tree (the cache is warm for both). Pair i runs old then new when i is even, new then
old when odd, so a machine that drifts slower or faster during the run favours neither side. Each side
runs its own benchmark script, so a script that changed is noted in the output.

- sweep: the warm time of ``lenet.interventions.sweep`` as ``benchmarks/ablation.py`` measures it
  (its ``_ours``, median of ``--repeat`` calls in one process). The script's naive half, 80 s of plain
  torch forward passes that no library change touches, is left out; a tree without ``_ours`` runs the
  whole script and its ``| ours |`` line is parsed.
- claim: ``benchmarks/claim.py``, the median of its ``| warm |`` totals.
- claims: the wall time of ``python -m pytest claims/ --claims-seeds SEEDS -q -p no:cacheprovider``
  (``--seeds``, default 0-4).

Prints a Markdown table for BENCHMARKS.md (old and new medians, each pair's new/old, the median of the
paired ratios) and exits 1 when a median paired ratio exceeds ``--max-ratio``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs in a subprocess: loads a tree's benchmarks/ablation.py and times its own half of the sweep.
SWEEP_DRIVER = r"""
import importlib.util, statistics, sys
spec = importlib.util.spec_from_file_location("ablation_benchmark", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
if not hasattr(module, "_ours"):
    sys.exit(3)
class Box:  # stands in for the multiprocessing queue _ours reports to
    def put(self, item):
        self.item = item
warm = []
for _ in range(int(sys.argv[2])):
    box = Box()
    module._ours(box)
    warm.append(box.item[2])  # (name, cold, warm, rss0, rss1, logits)
print("warm", statistics.median(warm))
"""


@dataclass(frozen=True)
class Measure:
    key: str  # the name --only takes
    label: str  # the row of the table
    seconds: Callable[[Path, dict, argparse.Namespace], float]  # one measurement of a tree, in a subprocess


def _run(command: list[str], tree: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)


def _failed(what: str, tree: Path, done: subprocess.CompletedProcess) -> RuntimeError:
    return RuntimeError(f"{what} in {tree} exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")


def sweep_seconds(tree: Path, env: dict, args: argparse.Namespace) -> float:
    """Warm seconds of the 120-unit linear-0 zero sweep over the test set."""
    script = tree / "benchmarks" / "ablation.py"
    done = _run([sys.executable, "-c", SWEEP_DRIVER, str(script), str(args.repeat)], tree, env, 900)
    if done.returncode == 3:  # no _ours: the whole script, naive half included
        done = _run([sys.executable, str(script)], tree, env, 900)
        found = re.search(r"^\| ours \| [\d.]+ \| ([\d.]+) \|", done.stdout, re.M)
    else:
        found = re.search(r"^warm ([\d.e-]+)$", done.stdout, re.M)
    if done.returncode or not found:
        raise _failed("the sweep benchmark", tree, done)
    return float(found.group(1))


def claim_seconds(tree: Path, env: dict, args: argparse.Namespace) -> float:
    """Median of benchmarks/claim.py's warm totals (selectivity, ablation and activation of one claim)."""
    done = _run([sys.executable, str(tree / "benchmarks" / "claim.py")], tree, env, 900)
    totals = [float(t) for t in re.findall(r"^\| warm \|.*\| \*\*([\d.]+)\*\* \|$", done.stdout, re.M)]
    if done.returncode or not totals:
        raise _failed("benchmarks/claim.py", tree, done)
    return statistics.median(totals)


def claims_seconds(tree: Path, env: dict, args: argparse.Namespace) -> float:
    """Wall seconds of the claims run on the reference seeds, pytest start-up included."""
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "claims/",
        "--claims-seeds",
        args.seeds,
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    done = _run(command, tree, env, 3600)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: a claim failed, which the golden check reports; timing still holds
        raise _failed("the claims run", tree, done)
    return seconds


MEASURES = {
    m.key: m
    for m in (
        Measure("sweep", "ablation sweep, warm (`benchmarks/ablation.py`, ours)", sweep_seconds),
        Measure("claim", "full claim, warm (`benchmarks/claim.py`)", claim_seconds),
        Measure("claims", "claims run (`pytest claims/ --claims-seeds {seeds}`)", claims_seconds),
    )
}
SCRIPTS = {"sweep": "benchmarks/ablation.py", "claim": "benchmarks/claim.py"}


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _environment(tree: Path, args: argparse.Namespace) -> dict:
    """The subprocess environment of one tree: its code first on the path, the shared data and cache."""
    env = {**os.environ, "PYTHONPATH": str(tree), "LENET_MNIST_ROOT": str(args.mnist_root)}
    if args.cache_dir:
        env["LENET_CACHE_DIR"] = str(args.cache_dir)
    return env


def _check_imports(tree: Path, env: dict) -> None:
    """The tree's own lenet is the one imported (not the editable install's)."""
    done = _run([sys.executable, "-c", "import lenet; print(lenet.__file__)"], tree, env, 120)
    found = done.stdout.strip()
    if done.returncode or not Path(found).resolve().is_relative_to(tree.resolve()):
        raise RuntimeError(
            f"PYTHONPATH={tree} imports lenet from {found or done.stderr[-500:]}, not from that tree"
        )


def _ratios(old: list[float], new: list[float]) -> list[float]:
    return [n / o for o, n in zip(old, new, strict=False)]


def table(results: dict[str, dict[str, list[float]]], seeds: str = "0-4") -> list[str]:
    """The Markdown table: per measure the old and new medians, each pair's new/old and their median."""
    lines = [
        "| measure | old median s | new median s | new/old, each pair | median new/old |",
        "|---|---|---|---|---|",
    ]
    for key, sides in results.items():
        ratios = _ratios(sides["old"], sides["new"])
        old, new = statistics.median(sides["old"]), statistics.median(sides["new"])
        each = ", ".join(f"{r:.3f}" for r in ratios)
        median = statistics.median(ratios)
        lines.append(
            f"| {MEASURES[key].label.format(seeds=seeds)} | "
            f"{old:.3g} | {new:.3g} | {each} | **{median:.3f}** |"
        )
    return lines


def _cpu() -> str:
    try:
        names = re.findall(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    except OSError:
        names = []
    return f"{names[0] if names else platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Old revision against this checkout, alternating: the "
        "ablation sweep, a full claim and the claims run."
    )
    add = parser.add_argument
    add("--old", required=True, metavar="REV", help="the old revision, e.g. 2ad6c09 (before the change)")
    add("--pairs", type=int, default=5, help="old/new pairs per measure (default 5; the issue asks for >= 5)")
    add("--only", default="sweep,claim,claims", help="comma-separated: sweep, claim, claims (default: all)")
    add("--max-ratio", type=float, default=1.05, help="exit 1 when a median paired new/old is above (1.05)")
    add("--repeat", type=int, default=3, help="warm sweeps per sweep measurement, median taken (default 3)")
    add("--seeds", default="0-4", help="--claims-seeds of the claims run (default 0-4)")
    add("--cache-dir", type=Path, help="LENET_CACHE_DIR of both sides (default: the environment's)")
    add("--json", type=Path, help="also write every figure to this JSON file")
    return parser


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = _parser()
    args = parser.parse_args(argv)
    args.only = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in args.only if k not in MEASURES]
    if unknown or not args.only:
        parser.error(
            f"--only={','.join(unknown) or '(empty)'}: the measures are {', '.join(MEASURES)}. "
            "Use e.g. --only sweep,claim."
        )
    if args.pairs < 1 or args.repeat < 1:
        parser.error(
            f"--pairs={args.pairs} and --repeat={args.repeat} must be at least 1. Use e.g. --pairs 5."
        )
    mnist = os.environ.get("LENET_MNIST_ROOT") or (ROOT.parent / "shared" / "mnist")
    args.mnist_root = Path(mnist).resolve()  # absolute: the old tree lies elsewhere
    cache = args.cache_dir or os.environ.get("LENET_CACHE_DIR")
    args.cache_dir = Path(cache).resolve() if cache else None
    return args


def _heading(args: argparse.Namespace, old: str, argv: list[str]) -> list[str]:
    dirty = " with uncommitted changes" if _git("status", "--porcelain") else ""
    new = _git("rev-parse", "--short=9", "HEAD")
    return [
        f"Command: `python benchmarks/paired.py {shlex.join(argv)}`",
        f"{datetime.date.today()}, {_cpu()}, torch {metadata.version('torch')}, "
        f"Python {platform.python_version()}; "
        f"old {old[:9]} against new {new}{dirty}, {args.pairs} pair{'s' * (args.pairs != 1)}, "
        "order alternating, "
        f"cache {args.cache_dir or 'default'}.",
    ]


def measure(trees: dict[str, Path], args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    """Every figure: measure -> side -> one value per pair."""
    envs = {side: _environment(tree, args) for side, tree in trees.items()}
    for side, tree in trees.items():
        _check_imports(tree, envs[side])
    for key in args.only:
        for side in ("old", "new"):
            seconds = MEASURES[key].seconds(trees[side], envs[side], args)
            print(f"warm-up {key} {side}: {seconds:.3f} s", file=sys.stderr, flush=True)
    results = {key: {"old": [], "new": []} for key in args.only}
    for pair in range(args.pairs):
        for key in args.only:
            for side in ("old", "new") if pair % 2 == 0 else ("new", "old"):
                seconds = MEASURES[key].seconds(trees[side], envs[side], args)
                results[key][side].append(seconds)
                print(
                    f"pair {pair + 1}/{args.pairs} {key} {side}: {seconds:.3f} s", file=sys.stderr, flush=True
                )
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _options(argv)
    old = _git("rev-parse", "--verify", f"{args.old}^{{commit}}")
    folder = Path(tempfile.mkdtemp(prefix="lenet-paired-"))
    tree = folder / "old"
    _git("worktree", "add", "--detach", str(tree), old)
    try:
        trees = {"old": tree, "new": ROOT}
        scripts = [SCRIPTS[k] for k in args.only if k in SCRIPTS]
        changed = [s for s in scripts if (tree / s).read_bytes() != (ROOT / s).read_bytes()]
        results = measure(trees, args)
    finally:
        _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(folder, ignore_errors=True)
    lines = [*_heading(args, old, argv), "", *table(results, args.seeds)]
    if changed:
        lines += ["", f"{', '.join(changed)} differ between old and new; each side ran its own."]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"old": old, "args": argv, "results": results}, indent=2) + "\n")
    over = [k for k, v in results.items() if statistics.median(_ratios(v["old"], v["new"])) > args.max_ratio]
    for key in over:
        print(f"{key}: median paired new/old exceeds --max-ratio {args.max_ratio}", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
