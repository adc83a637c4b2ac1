"""The check registry: one module per claim-file table, each with the same entry point, registered once,
and importable without torch (claim files are read at collection)."""

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from lenet.checks import CHECKS, common
from lenet.keys import CheckSpec
from lenet.run import dispatch

ROOT = Path(__file__).resolve().parent.parent
SIGNATURE = ["subject", "target", "concept", "contrast", "params", "seed", "confidence"]


@pytest.mark.parametrize("name", list(CHECKS))
def test_a_table_name_leads_to_its_module_in_one_hop(name):
    module = CHECKS[name]
    assert module.__name__ == f"lenet.checks.{name.replace('-', '_')}"
    assert isinstance(module.SPEC, CheckSpec) and module.SPEC.name == name
    assert list(inspect.signature(module.check).parameters) == SIGNATURE
    assert callable(module.judge)
    assert len({p.name for p in module.SPEC.params}) == len(module.SPEC.params)


def test_the_registry_lists_every_check_once_in_the_documented_order():
    assert list(CHECKS) == [
        "selectivity",
        "ablation",
        "activation",
        "training",
        "invariance",
        "class-ablation",
        "correlation",
        "concentration",
    ]
    assert dispatch.run.__module__ == "lenet.run.dispatch"


def test_shared_keys_are_declared_once():
    shared_keys = [
        ("ablation", common.METHOD),
        ("ablation", common.OUTPUT),
        ("ablation", common.PERCENTILE),
        ("activation", common.OUTPUT),
        ("activation", common.PERCENTILE),
        ("class-ablation", common.METHOD),
        ("concentration", common.METHOD),
        ("concentration", common.OUTPUT),
    ]
    for name, shared in shared_keys:
        assert CHECKS[name].SPEC.param(shared.name) is shared


def test_importing_the_registry_and_the_claims_package_loads_no_torch_or_scipy():
    code = (
        "import sys, lenet.checks, lenet.claims; "
        "heavy = {'torch', 'scipy', 'hypothesis'} & set(sys.modules); assert not heavy, sorted(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
