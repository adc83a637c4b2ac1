"""Library versions and machine kind: part of every checkpoint's provenance and cache key, and of a run's."""

from __future__ import annotations

import platform

__all__ = ["versions"]


def versions() -> dict[str, str]:
    """Library versions and machine kind: part of every checkpoint's provenance and cache key."""
    import numpy as np
    import torch

    return {
        "torch": str(torch.__version__),  # TorchVersion is not weights_only-loadable
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
