"""Training speed: our trainer (recorder on and off) against a plain PyTorch loop, in one run.

Same model, optimiser (Adam, one-cycle), batch size and thread count for all;
the plain loop has no recorder, no determinism switches and no progress. Each
variant reports seconds per epoch (test evaluation excluded) and the training
time until test accuracy first reaches 99% at an epoch's end.

    LENET_MNIST_ROOT=../shared/mnist .venv/bin/python benchmarks/train.py
"""

from __future__ import annotations

import argparse
import math
import time

import torch
from torch.nn import functional as F

from lenet.lenet_mnist import data
from lenet.lenet_mnist.model import LeNet5
from lenet.lenet_mnist.train import TrainConfig, evaluate, train


class EpochClock:
    """Per-epoch training seconds (wall and process CPU) and test accuracy, with evaluation time left out.

    CPU seconds (both threads together) are what this process used, so other
    processes on the machine disturb them far less than wall seconds.
    """

    def __init__(self, test: data.Split) -> None:
        self.test, self.seconds, self.cpu, self.accuracy = test, [], [], []
        self.reset()

    def reset(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.process_time()

    def __call__(self, epoch: int, model: LeNet5) -> None:
        self.seconds.append(time.perf_counter() - self.last)
        self.cpu.append(time.process_time() - self.last_cpu)
        self.accuracy.append(evaluate(model, self.test))
        self.reset()

    def summary(self, name: str) -> str:
        per_epoch, cpu = sum(self.seconds) / len(self.seconds), sum(self.cpu) / len(self.cpu)
        reached = next((i for i, a in enumerate(self.accuracy) if a >= 0.99), None)
        to99 = (
            f"{sum(self.seconds[: reached + 1]):.1f} s (epoch {reached + 1})"
            if reached is not None
            else "not reached"
        )
        return f"| {name} | {per_epoch:.2f} | {cpu:.2f} | {to99} | {self.accuracy[-1]:.2%} |"


def plain_loop(seed: int, config: TrainConfig, clock: EpochClock) -> None:
    train_split = data.load_split("train")
    torch.manual_seed(seed)
    model = LeNet5()
    order = torch.Generator().manual_seed(seed)
    steps = math.ceil(len(train_split) / config.batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=config.epochs * steps
    )
    clock.reset()
    for epoch in range(config.epochs):
        model.train()
        permutation = torch.randperm(len(train_split), generator=order)
        for i in range(steps):
            idx = permutation[i * config.batch_size : (i + 1) * config.batch_size]
            loss = F.cross_entropy(model(train_split.images[idx]), train_split.labels[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        clock(epoch, model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=TrainConfig().epochs)
    args = parser.parse_args()
    config = TrainConfig(epochs=args.epochs)
    test = data.load_split("test")
    torch.set_num_threads(config.threads)
    rows = []
    for name, run in [
        ("plain PyTorch loop", lambda c: plain_loop(args.seed, config, c)),
        ("lenet.train, recorder on", lambda c: train(args.seed, config, progress=False, on_epoch=c)),
        (
            "lenet.train, recorder off",
            lambda c: train(args.seed, config, progress=False, record=False, on_epoch=c),
        ),
        (
            "lenet.train, recorder + gradient examples",
            lambda c: train(args.seed, config, progress=False, examples=True, on_epoch=c),
        ),
    ]:
        clock = EpochClock(test)
        run(clock)
        rows.append(clock.summary(name))
        print(rows[-1], flush=True)
    plain_wall, plain_cpu = (float(rows[0].split("|")[i]) for i in (2, 3))
    print(
        f"\nseed {args.seed}, {config.epochs} epochs, batch {config.batch_size}, "
        f"{config.threads} threads, torch {torch.__version__}"
    )
    print(
        "| trainer | wall s / epoch | CPU s / epoch | training time to "
        "99% test accuracy | final accuracy |\n|---|---|---|---|---|"
    )
    print("\n".join(rows))
    for row in rows[1:]:
        cells = row.split("|")
        print(
            f"{cells[1].strip()}: {float(cells[2]) / plain_wall:.3f}x "
            f"(wall), {float(cells[3]) / plain_cpu:.3f}x (CPU) the plain loop"
        )


if __name__ == "__main__":
    main()
