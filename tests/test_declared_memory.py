"""Capture streams (lenet.declared.measure.capture): a layer whose full maps over the images would take
2.1 GB is captured under a 400 MB cap, measured (about 100 MB on this project's machines), with the
values an unbounded capture gives.

The capture runs in a child process that reads its own peak resident memory (``VmHWM``, reset through
``/proc/self/clear_refs`` just before the capture), so the measurement is the capture's alone.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

IMAGES, SIDE, CHANNELS, BATCH = 4000, 64, 32, 100
FULL_MAPS = IMAGES * CHANNELS * SIDE * SIDE * 4  # bytes of the layer's maps over every image: 2.1 GB
CAP = 400 * 2**20  # what the streamed capture may add to the process's resident memory

SCRIPT = f"""
import json, sys
import torch
from torch import nn
from lenet.declared.graph import Graph
from lenet.declared import measure

class Wide(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, {CHANNELS}, 3, padding=1)
        self.out = nn.Linear({CHANNELS}, 3)
    def forward(self, x):
        return self.out(torch.relu(self.conv(x)).mean((2, 3)))

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

torch.manual_seed(0)
torch.set_num_threads(1)
model = Wide().eval()
images = torch.rand({IMAGES}, 1, {SIDE}, {SIDE}, generator=torch.Generator().manual_seed(1))
graph = Graph(model, images[:2])
measure.capture(graph, images[:{BATCH}], ["conv", "relu"], "mean", {BATCH})  # allocator warmed up
before = status("VmRSS:")
open("/proc/self/clear_refs", "w").write("5")  # the peak (VmHWM) starts again from here
values = measure.capture(graph, images, ["conv", "relu"], "{{reducer}}", {BATCH})
peak = status("VmHWM:")
with torch.no_grad():
    maps = model.conv(images)  # unbounded: every map at once, reduced afterwards
    reduce = (lambda v: v.flatten(2).amax(2)) if "{{reducer}}" == "max" else (lambda v: v.flatten(2).mean(2))
    unbounded = {{"conv": reduce(maps), "relu": reduce(torch.relu(maps))}}
difference = max(float((torch.as_tensor(values[n]) - unbounded[n]).abs().max()) for n in values)
print(json.dumps({{"added": peak - before, "difference": difference, "shape": list(values["conv"].shape)}}))
"""


@pytest.mark.parametrize("reducer", ["mean"])  # the max reducer's batching: tests/test_declared_measure.py
def test_a_streamed_capture_stays_under_its_cap_and_equals_an_unbounded_one(reducer):
    assert FULL_MAPS > 4 * CAP  # the maps could not be held under the cap
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("{reducer}", reducer)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["shape"] == [IMAGES, CHANNELS]
    assert 0 < found["added"] < CAP, (
        f"the capture added {found['added'] / 2**20:.0f} MB (cap {CAP / 2**20:.0f})"
    )
    np.testing.assert_allclose(found["difference"], 0, atol=1e-5)
