"""Library versions and machine kind: part of every checkpoint's provenance and cache key, and of a run's.

The machine kind is the architecture, the CPU model and the instruction set torch's kernels use
(``torch.backends.cpu.get_cpu_capability()``, e.g. ``AVX512``): float32 training is bit-reproducible
only on the same kind, so retrained weights are compared bit for bit only there (``lenet.run.seeds``).
"""

from __future__ import annotations

import platform

__all__ = ["versions", "cpu_model", "KIND_KEYS"]

#: the keys of ``versions()`` that must all agree before two trainings are expected to be bit-identical
KIND_KEYS = ("torch", "numpy", "python", "machine", "cpu", "isa")


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what ``platform`` says, else ``unknown``."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions() -> dict[str, str]:
    """Library versions and machine kind: part of every checkpoint's provenance and cache key."""
    import numpy as np
    import torch

    capability = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    return {
        "torch": str(torch.__version__),  # TorchVersion is not weights_only-loadable
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "isa": str(capability()) if capability is not None else "unknown",
    }
