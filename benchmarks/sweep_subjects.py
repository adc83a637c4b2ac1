"""Single-unit zero-ablation sweeps of a declared subject, per layer: the fast path against the naive loop.

Naive: one unit per forward pass of the whole network, a hook zeroing it (``lenet.declared.measure``
without a cut). Fast: ``Declared.sweep_damage``, which cuts the traced graph at the layer's value
(``lenet.declared.cut``), runs what comes before once per batch and what follows once per group of
8 units. Both give every image's logits for every unit, and the benchmark checks they agree.
The FLOP ratio is the naive loop's FLOPs over the fast path's (torch.utils.flop_counter on one batch):
``U x full`` against ``full + U x downstream``.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python benchmarks/sweep_subjects.py [--images 2000]

Run from the checkout; it declares the example project (examples/resnet-mnist) itself.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["relu", "block.relu#0", "add", "block.relu#1", "relu_1", "flatten", "fc", "relu_2"]


def _flops(function) -> int:
    with FlopCounterMode(display=False) as counter:
        function()
    return counter.get_total_flops()


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000, help="test images per sweep (default 2000)")
    args = parser.parse_args()
    os.environ.setdefault("LENET_PROJECT_ROOT", str(ROOT / "examples" / "resnet-mnist"))
    torch.set_num_threads(2)
    from lenet import subjects
    from lenet.declared import measure
    from lenet.declared.cut import Cut
    from lenet.subject.effects import output

    subject = subjects.load(0, name="resnet-mnist")
    subject.outputs("test")  # the logits before any edit, computed once (the sweeps below reuse them)
    images = subject.split("test").images[: args.images]
    labels = subject.split("test").labels[: args.images]
    rows = torch.arange(args.images).numpy()
    batch = subject.DECLARATION.batch
    probe = images[:batch]
    full = _flops(lambda: subject.model(probe))
    print(f"resnet-mnist seed 0, {args.images} test images, batch {batch}, torch {torch.__version__}")
    print("| layer | units | naive s | fast s | measured ratio | FLOP ratio | max abs difference |")
    print("|---|---|---|---|---|---|---|")
    for layer in LAYERS:
        units = subject.layers[layer].units
        node = subject.graph.node(layer, "post")
        start = time.perf_counter()
        naive = torch.stack(
            [
                output(
                    measure.edited_outputs(subject.graph, images, node, [measure.Edit((u,), "zero")], batch)[
                        0
                    ],
                    labels,
                    "logit:true",
                )
                for u in range(units)
            ]
        )
        naive_s = time.perf_counter() - start
        start = time.perf_counter()
        fast = subject.sweep_damage(layer, "zero", "logit:true", site="post", rows=rows)
        fast_s = time.perf_counter() - start
        before = output(subject._logits("test")[rows], labels, "logit:true")
        difference = float((torch.as_tensor(fast) - (before[None, :] - naive)).abs().max())
        cut = Cut.at(subject.graph, node)
        value, *frontier = cut.upstream(probe)
        down = _flops(lambda cut=cut, value=value, frontier=frontier: cut.downstream(value, *frontier))
        ratio = units * full / (full + units * down)
        print(
            f"| `{layer}` | {units} | {naive_s:.2f} | {fast_s:.2f} | {naive_s / fast_s:.1f}x | "
            f"{ratio:.1f}x | {difference:.1e} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
