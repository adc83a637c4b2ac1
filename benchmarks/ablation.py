"""Single-unit ablation sweep of all 120 linear-0 units
over the 10,000 test images: ours against the naive way.

Naive: a forward hook on linear-0 that zeroes one unit, and a full forward pass
of the test set, once per unit. Ours: ``lenet.lenet_mnist.interventions.sweep`` (the
cached linear-1 pre-activation plus a rank-1 update per unit). Both keep every
image's logits for every unit, and the benchmark checks they agree. Each runs
in its own child process so its peak resident memory is its own.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python benchmarks/ablation.py
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import time

import torch

LAYER, UNITS = "linear-0", 120


def _setup():
    torch.set_num_threads(2)
    from lenet import subjects
    from lenet.lenet_mnist import data

    subject = subjects.load(0)
    return subject, data.load_split("test")


@torch.no_grad()
def _naive(queue) -> None:
    subject, test = _setup()
    model = subject.model.eval()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    out = torch.empty(UNITS, len(test), 10)
    for unit in range(UNITS):

        def zero(module, args, output, unit=unit):
            output = output.clone()
            output[:, unit] = 0.0
            return output

        handle = model.linear0.register_forward_hook(zero)
        try:
            out[unit] = model(test.images)
        finally:
            handle.remove()
    seconds = time.perf_counter() - start
    queue.put(
        (
            "naive",
            seconds,
            seconds,
            rss0,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            out[:, :200].numpy().copy(),
        )
    )


def _ours(queue) -> None:
    from lenet.lenet_mnist.interventions import sweep

    subject, test = _setup()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    after, _ = sweep(
        subject.model, test, LAYER, "zero", key=subject.key
    )  # cold: captures the activations first
    cold = time.perf_counter() - start
    start = time.perf_counter()
    after, _ = sweep(subject.model, test, LAYER, "zero", key=subject.key)  # warm: activations cached
    warm = time.perf_counter() - start
    queue.put(
        (
            "ours",
            cold,
            warm,
            rss0,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            after[:, :200].numpy().copy(),
        )
    )


def _run(target):
    queue = mp.get_context("spawn").Queue()
    process = mp.get_context("spawn").Process(target=target, args=(queue,))
    process.start()
    result = queue.get()
    process.join()
    return result


def macs_per_image() -> dict[str, int]:
    """Multiply-accumulates of each stage for one image
    (bias adds, ReLU and pooling left out: they are small)."""
    return {
        "conv-0": 6 * 28 * 28 * 1 * 5 * 5,
        "conv-1": 16 * 10 * 10 * 6 * 5 * 5,
        "linear-0": 400 * 120,
        "linear-1": 120 * 84,
        "linear-2": 84 * 10,
    }


def main() -> None:
    naive, ours = _run(_naive), _run(_ours)
    torch.testing.assert_close(torch.from_numpy(ours[5]), torch.from_numpy(naive[5]), rtol=1e-4, atol=1e-4)
    macs = macs_per_image()
    full = sum(macs.values())
    downstream = 84 + macs["linear-2"]  # rank-1 update of linear-1 (one column of W1), then linear-2
    print("| approach | cold s | warm s | peak RSS MiB (before sweep) |\n|---|---|---|---|")
    for name, cold, warm, rss0, rss1, _ in (naive, ours):
        print(f"| {name} | {cold:.2f} | {warm:.2f} | {rss1 / 1024:.0f} ({rss0 / 1024:.0f}) |")
    print(f"\nspeed-up: {naive[2] / ours[1]:.0f}x cold, {naive[2] / ours[2]:.0f}x warm")
    print(
        f"MACs per image per unit: full forward {full:,}, downstream "
        f"rank-1 {downstream:,}; ratio {full / downstream:.0f}x"
    )


if __name__ == "__main__":
    main()
