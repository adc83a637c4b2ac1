"""The training-dynamics recorder: what each unit did, and what training asked of it, per class.

At every *frame* (about ten per epoch, plus each epoch's end) the recorder
closes an interval of training steps and stores, per unit of ``linear-0`` and
``linear-1`` and per class, averaged over that class's training images seen in
the interval:

- ``activation``: the mean pre-activation of the unit;
- ``gradient``: the mean of ``-d loss_i / d z`` where ``loss_i`` is the image's
  own cross-entropy and ``z`` the unit's pre-activation. The sign follows the
  original analysis: *positive means training pushes the unit up* for that
  class. It is zero on images where the unit does not fire (ReLU passes no
  gradient there), and those images still count in the mean.

Optionally, per frame, per ``linear-0`` unit and per class, the *gradient
example*: the mean over the class's images of ``gradient_i * image_i`` (pixels
in [0, 1]), a picture of the inputs training pushed the unit towards (bright)
or away from (dark). These are bulky and live in the cache (see ``cache``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from .model import LAYERS, LeNet5

__all__ = ["RECORDED_LAYERS", "EXAMPLE_LAYER", "TrainingRecord", "GradientExamples", "Recorder"]

RECORDED_LAYERS = ("linear-0", "linear-1")
EXAMPLE_LAYER = "linear-0"
CLASSES = 10


@dataclass
class TrainingRecord:
    """Per-frame, per-class, per-unit scalars of one training run (float32).

    ``activation[layer]`` and ``gradient[layer]`` have shape ``(frames, 10, units)``;
    ``step`` is the global step that closed each frame, ``epoch`` the fractional
    epoch (1.0 = end of the first epoch), ``count`` ``(frames, 10)`` the images
    of each class behind each frame's means.
    """

    # activations are mean pre-activations, gradients are d loss / d pre-activation
    SITE: ClassVar[str] = "pre"

    step: np.ndarray
    epoch: np.ndarray
    count: np.ndarray
    activation: dict[str, np.ndarray] = field(default_factory=dict)
    gradient: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def frames(self) -> int:
        return len(self.step)

    def save(self, path: str | os.PathLike) -> None:
        arrays = {"step": self.step, "epoch": self.epoch, "count": self.count}
        for name in self.activation:
            arrays[f"{name}.activation"] = self.activation[name]
            arrays[f"{name}.gradient"] = self.gradient[name]
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> TrainingRecord:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        layers = sorted({key.split(".")[0] for key in arrays if "." in key})
        return cls(
            step=arrays["step"],
            epoch=arrays["epoch"],
            count=arrays["count"],
            activation={n: arrays[f"{n}.activation"] for n in layers},
            gradient={n: arrays[f"{n}.gradient"] for n in layers},
        )


@dataclass
class GradientExamples:
    """Per-frame gradient examples of ``linear-0``: ``(frames, 10, 120, 28, 28)``, stored compactly.

    Stored as float16 scaled per frame into [-1, 1] (``scale`` holds each frame's
    max |value|); ``frame(f)`` gives float32 values back. ``source`` says which
    run produced them (the reference run, or a retraining whose weights differ).
    """

    scaled: np.ndarray  # (frames, 10, 120, 28, 28) float16
    scale: np.ndarray  # (frames,) float32
    source: str = "reference"

    def frame(self, index: int) -> np.ndarray:
        return self.scaled[index].astype(np.float32) * self.scale[index]

    @classmethod
    def from_frames(cls, frames: list[np.ndarray], source: str = "reference") -> GradientExamples:
        values = np.stack(frames).astype(np.float32)  # (F, 10, 120, 784)
        scale = np.abs(values).reshape(len(frames), -1).max(axis=1)
        safe = np.where(scale > 0, scale, 1.0)[:, None, None, None]
        scaled = (values / safe).astype(np.float16).reshape(len(frames), CLASSES, -1, 28, 28)
        return cls(scaled, scale.astype(np.float32), source)

    def save(self, path: str | os.PathLike) -> None:
        with open(path, "wb") as fh:
            np.savez(fh, scaled=self.scaled, scale=self.scale, source=np.array(self.source))

    @classmethod
    def load(cls, path: str | os.PathLike) -> GradientExamples:
        with np.load(Path(path), allow_pickle=False) as data:
            return cls(data["scaled"], data["scale"], str(data["source"]))


class Recorder:
    """Accumulates the record during training: use as ``with Recorder(model) as rec:``.

    Forward hooks keep each recorded layer's output and ask autograd to retain
    its gradient; call ``accumulate(images, labels)`` after ``loss.backward()``
    and ``frame(step, epoch)`` to close an interval. Hooks are removed on exit,
    even on error. Assumes the loss is the *mean* cross-entropy of the batch.
    """

    def __init__(self, model: LeNet5, examples: bool = False) -> None:
        self.model = model
        self.examples = examples
        self._outputs: dict[str, torch.Tensor] = {}
        self._handles: list = []
        self._frames: list[dict] = []
        self._example_frames: list[np.ndarray] = []
        self._reset()

    def _reset(self) -> None:
        dev = next(self.model.parameters()).device
        self._count = torch.zeros(CLASSES, dtype=torch.float64, device=dev)
        self._act = {
            n: torch.zeros(CLASSES, LAYERS[n].units, dtype=torch.float64, device=dev) for n in RECORDED_LAYERS
        }
        self._grad = {n: torch.zeros_like(self._act[n]) for n in RECORDED_LAYERS}
        units = LAYERS[EXAMPLE_LAYER].units
        self._ex = torch.zeros(CLASSES, units, 28 * 28, device=dev) if self.examples else None

    def __enter__(self) -> Recorder:
        for name in RECORDED_LAYERS:
            self._handles.append(self.model.module(name).register_forward_hook(self._keep(name)))
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self._outputs.clear()

    def _keep(self, name: str):
        def hook(module, inputs, output):
            if output.requires_grad:  # evaluation under no_grad passes through untouched
                output.retain_grad()
                self._outputs[name] = output

        return hook

    @torch.no_grad()
    def accumulate(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        """Add one batch, after ``loss.backward()`` on its mean
        loss. images ``(B, 1, 28, 28)``, labels ``(B,)``."""
        batch = len(labels)
        self._count += torch.bincount(labels, minlength=CLASSES).to(self._count)
        for name in RECORDED_LAYERS:
            z = self._outputs[name]
            push = -z.grad * batch  # d(mean loss)/dz = (1/B) d loss_i/dz_i  -> per-image push
            self._act[name].index_add_(0, labels, z.detach().double())
            self._grad[name].index_add_(0, labels, push.double())
            if name == EXAMPLE_LAYER and self._ex is not None:
                pixels = images.flatten(1)  # (B, 784)
                for c in labels.unique().tolist():
                    rows = labels == c
                    self._ex[c] += push[rows].T @ pixels[rows]  # (U, n_c) @ (n_c, 784)
        self._outputs.clear()

    def frame(self, step: int, epoch: float) -> None:
        """Close the interval since the last frame: store its per-class means and start afresh."""
        n = self._count.clamp(min=1)[:, None]
        self._frames.append(
            {
                "step": step,
                "epoch": epoch,
                "count": self._count.cpu().numpy().astype(np.int64),
                "activation": {k: (v / n).float().cpu().numpy() for k, v in self._act.items()},
                "gradient": {k: (v / n).float().cpu().numpy() for k, v in self._grad.items()},
            }
        )
        if self._ex is not None:
            self._example_frames.append((self._ex / n[:, :, None].float()).cpu().numpy())
        self._reset()

    def record(self) -> TrainingRecord:
        """All frames so far as a ``TrainingRecord``."""
        f = self._frames
        return TrainingRecord(
            step=np.array([x["step"] for x in f], dtype=np.int64),
            epoch=np.array([x["epoch"] for x in f], dtype=np.float32),
            count=np.stack([x["count"] for x in f]) if f else np.zeros((0, CLASSES), np.int64),
            activation={n: np.stack([x["activation"][n] for x in f]) for n in RECORDED_LAYERS} if f else {},
            gradient={n: np.stack([x["gradient"][n] for x in f]) for n in RECORDED_LAYERS} if f else {},
        )

    def gradient_examples(self, source: str = "reference") -> GradientExamples | None:
        """The gradient-example frames, or None when the recorder was made without ``examples``."""
        if not self.examples:
            return None
        return GradientExamples.from_frames(self._example_frames, source)
