"""A network's identity: the SHA-256 of its weights, on which every subject's key (and every cache) rests."""

from __future__ import annotations

import hashlib

__all__ = ["weights_sha256"]


def weights_sha256(state_dict: dict) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(state_dict):
        tensor = state_dict[name].detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()
