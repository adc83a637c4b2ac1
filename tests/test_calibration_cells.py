"""The cells CI runs (``lenet calibrate --quick``), each at the full n of the acceptance rule, on reference
seed 0: false holds of a null at most 31 of 2,000; at the threshold, holds and false refutations each at
most 31 of 4,000 (docs/calibration.md has every cell)."""

import pytest

from lenet.calibration import all_cells, document, runner
from lenet.calibration.cells import Context
from lenet.lenet_mnist.subject import LenetMnist

pytestmark = pytest.mark.slow

QUICK = [cell for cell in all_cells() if cell.quick]


@pytest.mark.parametrize("cell", QUICK, ids=[cell.id[:60] for cell in QUICK])
def test_quick_cell_passes_the_acceptance_rule_at_full_n(cell, tmp_path, monkeypatch, mnist_root):
    monkeypatch.setattr(runner, "results_dir", lambda key: tmp_path / key[:16])  # computed here, not reused
    context = Context(LenetMnist.load(0))
    runner.run([cell], context, progress=lambda line: None)
    (result,) = runner.collect([cell], context.subject.key)
    assert result.complete and result.trials == cell.trials
    for name, count in document.counts(result).items():
        print(cell.id, name, count.describe())
        assert count.passes, f"{cell.id}: {name} {count.describe()}"


def test_the_quick_cells_cover_a_null_a_boundary_a_pipeline_and_a_multi_class_criterion():
    kinds = {(cell.level, cell.kind) for cell in QUICK}
    assert {("judge", "null"), ("judge", "boundary"), ("pipeline", "boundary")} <= kinds
    assert any("min_other_accuracy" in cell.criterion for cell in QUICK)


def test_every_cell_has_a_unique_id_and_every_check_is_calibrated():
    cells = all_cells()
    assert len({cell.id for cell in cells}) == len(cells)
    criteria = " ".join(cell.criterion for cell in cells)
    for check in (
        "selectivity",
        "ablation",
        "activation",
        "class-ablation",
        "correlation",
        "invariance",
        "seeds",
    ):
        assert check in criteria
    # both outcomes of invariance (with and without a counterexample) and a class-ablation pipeline null
    assert sum(c.criterion == "invariance min_auroc" and c.kind == "boundary" for c in cells) == 2
    assert any(c.criterion == "class-ablation selective" and c.level == "pipeline" for c in cells)
    # the random-feature baseline, of a named unit and of a select rule, each on untrained networks
    assert {"selectivity baseline", "select baseline"} <= {cell.criterion for cell in cells}
    curves = {cell.curve for cell in cells if cell.kind == "power"}
    for check in ("selectivity", "ablation", "activation", "class-ablation", "seeds"):
        assert any(curve.startswith(check) for curve in curves), check
    for curve in curves:
        ratios = sorted(c.ratio for c in cells if c.curve == curve)
        assert len(ratios) >= 5 and ratios[0] <= 0.5 and ratios[-1] >= 3, curve
