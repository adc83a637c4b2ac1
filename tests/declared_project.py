"""A temporary project declaring subject ``toy`` (the network of declared_toy.py and a three-class data set),
for the tests of declared subjects and of the explorer on one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

TOY = (Path(__file__).parent / "declared_toy.py").read_text()
DATA = '''

def splits():
    """Three classes of 6x6 images; class c brightens row band c, so units can tell them apart."""
    g = torch.Generator().manual_seed(7)
    out = {}
    for name, count in (("train", 240), ("test", 180)):
        labels = torch.arange(count) % 3
        images = torch.rand(count, 1, 6, 6, generator=g) * 0.5
        for c in range(3):
            images[labels == c, :, 2 * c : 2 * c + 2, :] += 0.5
        out[name] = (images, labels)
    out["classes"] = ["low", "mid", "high"]
    return out


def train_toy(seed):
    """The declared trainer: a network per seed (here just another initialisation)."""
    print("training the toy")
    return toy(1000 + seed)
'''
TABLE = """
[tool.lenet.subjects.toy]
model = "toy_net:toy"
data = "toy_net:splits"
weights = {{ 0 = "weights/seed-0.pt" }}
trainer = "toy_net:train_toy"
classes = ["low", "mid", "high"]
{extra}
"""


def make_project(tmp_path: Path, monkeypatch):
    """Write the toy project into ``tmp_path`` (seed 0's weights saved) and point lenet at it; returns
    ``declare(extra, table)``, which rewrites its pyproject.toml."""
    module = f"toy_net_{abs(hash(tmp_path)) % 10**8}"
    (tmp_path / f"{module}.py").write_text(TOY + DATA)
    (tmp_path / "weights").mkdir()
    spec = importlib.util.spec_from_file_location(module, tmp_path / f"{module}.py")
    toy_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(toy_module)
    torch.save(toy_module.toy(123).state_dict(), tmp_path / "weights" / "seed-0.pt")  # "trained"
    monkeypatch.setenv("LENET_PROJECT_ROOT", str(tmp_path))

    def declare(extra: str = "batch = 64", table: str | None = None) -> Path:
        text = (table if table is not None else TABLE.format(extra=extra)).replace("toy_net", module)
        (tmp_path / "pyproject.toml").write_text(text)
        return tmp_path

    declare()
    return declare
