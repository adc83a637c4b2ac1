"""Deterministic training of LeNet-5 from a seed, with the training-dynamics recorder.

Same seed, config, machine kind and library versions give bit-identical
weights on the CPU: the seed alone fixes the initialisation and the batch
order, the thread count is part of the config, and deterministic algorithms
are enforced while training (global torch state is restored afterwards).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields

import torch
from torch.nn import functional as F

from ..errors import InvalidConfig
from ..progress import Progress
from ..versions import versions
from . import data
from .model import LeNet5
from .recorder import GradientExamples, Recorder, TrainingRecord

__all__ = ["TrainConfig", "TrainResult", "train", "evaluate"]


@dataclass(frozen=True)
class TrainConfig:
    """Everything besides the seed that changes the trained weights."""

    epochs: int = 6  # passes over the training images
    batch_size: int = 128
    lr: float = 3e-3  # peak learning rate of Adam under a one-cycle schedule
    weight_decay: float = 0.0
    frames_per_epoch: int = 10  # recorder frames per epoch (each epoch's end is one of them)
    subset: int = 0  # train on the first `subset` training images only (0 = all); for tiny test configs
    threads: int = 2  # CPU threads: fixed, because float reductions depend on how work is split

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "frames_per_epoch", "threads"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise InvalidConfig(f"{name}={getattr(self, name)!r} must be a whole number >= 1.")
        if not isinstance(self.subset, int) or self.subset < 0:
            raise InvalidConfig(f"subset={self.subset!r} must be 0 (all images) or a positive count.")
        if not (self.lr > 0 and self.weight_decay >= 0):
            raise InvalidConfig(f"lr={self.lr!r} must be > 0 and weight_decay={self.weight_decay!r} >= 0.")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidConfig(f"Unknown training config keys {unknown}; known keys are {sorted(known)}.")
        return cls(**values)


@dataclass
class TrainResult:
    """A trained model with its record and (if asked for) gradient examples."""

    model: LeNet5
    record: TrainingRecord | None  # None only when trained with record=False
    examples: GradientExamples | None
    test_accuracy: float
    seconds: float
    seed: int
    config: TrainConfig
    device: str
    data_sha256: dict[str, str]

    def provenance(self) -> dict:
        """Plain-data description of this run, stored in its checkpoint and manifest entry."""
        return {
            "seed": self.seed,
            "config": self.config.as_dict(),
            "device": self.device,
            "test_accuracy": self.test_accuracy,
            "train_seconds": round(self.seconds, 2),
            "versions": versions(),
            "data_sha256": self.data_sha256,
        }


@contextlib.contextmanager
def _deterministic(threads: int, seed: int) -> Iterator[None]:
    """Fix threads, deterministic algorithms and the global RNG for the block; restore them afterwards."""
    old_threads = torch.get_num_threads()
    old_det = torch.are_deterministic_algorithms_enabled()
    old_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_det, warn_only=old_warn)


@torch.no_grad()
def evaluate(model: LeNet5, split: data.Split, batch: int = 2000) -> float:
    """Fraction of ``split`` the model classifies correctly."""
    model.eval()
    device = next(model.parameters()).device
    correct = 0
    for start in range(0, len(split), batch):
        images = split.images[start : start + batch].to(device)
        correct += (model(images).argmax(1).cpu() == split.labels[start : start + batch]).sum().item()
    return correct / len(split)


def train(
    seed: int,
    config: TrainConfig = TrainConfig(),
    mnist_root=None,
    device: str = "cpu",
    examples: bool = False,
    progress: bool = True,
    record: bool = True,
    on_epoch: Callable[[int, LeNet5], None] | None = None,
) -> TrainResult:
    """Train LeNet-5 from ``seed``; record training dynamics (and gradient examples if ``examples``).

    ``record=False`` turns the recorder off (benchmarks only); ``on_epoch(epoch, model)``
    is called after each epoch, e.g. to measure accuracy, and must not change the model.
    """
    train_split = data.load_split("train", mnist_root)
    test_split = data.load_split("test", mnist_root)
    count = config.subset or len(train_split)
    images = train_split.images[:count].to(device)
    labels = train_split.labels[:count].to(device)
    steps_per_epoch = math.ceil(count / config.batch_size)
    every = max(1, math.ceil(steps_per_epoch / config.frames_per_epoch))
    started = time.monotonic()
    with _deterministic(config.threads, seed):
        model = LeNet5().to(device)  # initialised from the seeded global RNG
        order = torch.Generator().manual_seed(seed)  # batch order, independent of the init stream
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.lr, total_steps=config.epochs * steps_per_epoch
        )
        bar = Progress(config.epochs * steps_per_epoch, f"train seed {seed}", enabled=progress)
        recorder = Recorder(model, examples=examples) if record else None
        with recorder or contextlib.nullcontext():
            for epoch in range(config.epochs):
                model.train()
                permutation = torch.randperm(count, generator=order).to(device)
                for i in range(steps_per_epoch):
                    idx = permutation[i * config.batch_size : (i + 1) * config.batch_size]
                    loss = F.cross_entropy(model(images[idx]), labels[idx])
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    if recorder is not None:
                        recorder.accumulate(images[idx], labels[idx])
                    optimizer.step()
                    schedule.step()
                    if recorder is not None and ((i + 1) % every == 0 or i + 1 == steps_per_epoch):
                        recorder.frame(epoch * steps_per_epoch + i + 1, epoch + (i + 1) / steps_per_epoch)
                    bar.update(
                        epoch * steps_per_epoch + i + 1,
                        f"epoch {epoch + 1}/{config.epochs} loss {loss.item():.3f}",
                    )
                if on_epoch is not None:
                    on_epoch(epoch, model)
        accuracy = evaluate(model, test_split)
        bar.close(f"test accuracy {accuracy:.2%}")
    model = model.cpu().eval()
    return TrainResult(
        model,
        recorder.record() if recorder else None,
        recorder.gradient_examples() if recorder else None,
        accuracy,
        time.monotonic() - started,
        seed,
        config,
        device,
        data.checksums(mnist_root),
    )
