"""What a claims run prints: the summary table, per-seed tables, a failing item's text and its rerun command.

Shared by the pytest plugin and ``lenet merge``, so a merged run prints what one
run over every seed prints. Rows are ``lenet.run.rows.Row``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rows import Row

__all__ = [
    "summary_lines",
    "seed_table_lines",
    "run_summary_lines",
    "failure_text",
    "seeds_failure_text",
    "rerun_command",
]


def _num(value) -> str:
    return "" if value is None else f"{value:.3g}"


def _table(table: list[tuple[str, ...]], indent: str = "") -> list[str]:
    """Rows of cells as left-aligned columns two spaces apart, trailing spaces stripped."""
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    return [
        indent + "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False)).rstrip()
        for line in table
    ]


def summary_lines(rows: list[Row]) -> list[str]:
    """The terminal table: claim, check, statistic, CI, threshold, outcome, Holm-adjusted p."""
    table = [("claim", "check", "statistic", "CI", "threshold", "outcome", "p (Holm)")]
    for r in rows:
        name = r.statistic or ""
        stat = f"{name if len(name) <= 40 else name[:39] + '…'} = {_num(r.value)}" if name else ""
        ci = f"[{_num(r.low)}, {_num(r.high)}]" if r.low is not None else ""
        limit = f"{'>=' if r.bound == 'min' else '<='} {r.threshold:g}" if r.threshold is not None else ""
        if r.seeds:
            stat, limit = _seeds_cells(r.seeds)
        outcome = r.outcome + ("" if r.status == "passed" else f" ({r.status})")
        table.append((r.claim_id, r.check, stat, ci, limit, outcome, _num(r.p_holm)))
    return _table(table)


def run_summary_lines(rows: list[Row]) -> list[str]:
    """The summary table, then each seeds row's headline and per-seed table."""
    lines = summary_lines(rows)
    for r in rows:
        if r.seeds:
            lines += ["", f"{r.nodeid}: {r.headline}", *seed_table_lines(r.seeds)]
    return lines


def _seeds_cells(seeds: dict) -> tuple[str, str]:
    """The statistic and threshold cells of a seeds row: ``holds on 4 of 5 seeds``, ``>= 4 of 5``."""
    shard = seeds.get("shard")
    counted = shard["seeds"] if shard else seeds["seeds"]
    held = f"holds on {len(seeds['holding'])} of {len(counted)} seeds"
    if shard:
        return (
            f"shard {shard['index']}/{shard['count']}: {held}",
            f">= {seeds['min_holding']} of {len(seeds['seeds'])} (merged)",
        )
    return held, f">= {seeds['min_holding']} of {len(seeds['seeds'])}"


def _match_cell(result: dict) -> str:
    """How the claim's units reached this seed: ``linear-0:58 -> linear-0:12 r=0.83``, ``... -> none (...)``.

    ``-`` when the claim names no units.
    """
    cells = []
    for m in result.get("matches") or []:
        r = m["correlation"]
        if m["counterpart"]:
            cells.append(f"{m['unit']} -> {m['counterpart']} r={r:.2f}")
        elif r <= m["null_bar"]:
            cells.append(
                f"{m['unit']} -> none ({m['candidate']} r={r:.2f}, "
                f"untrained networks reach {m['null_bar']:.2f})"
            )
        else:
            cells.append(f"{m['unit']} -> none ({m['candidate']} r={r:.2f}, below the minimum)")
    return "; ".join(cells) or "-"


def _units_cell(names: list[str]) -> str:
    """``linear-0:70,82,118`` for units of one layer (as claim files write them), ``-`` for none."""
    layers = {name.split(":")[0] for name in names}
    if len(layers) == 1:
        return f"{names[0].split(':')[0]}:{','.join(name.split(':')[1] for name in names)}"
    return ",".join(names) or "-"


def seed_table_lines(seeds: dict) -> list[str]:
    """The per-seed table of a row's ``seeds``: seed, claim outcome, units, match, each check's outcome."""
    checks = list(dict.fromkeys(name for result in seeds["per_seed"] for name in result["checks"]))
    table = [("seed", "claim", "units", "match", *checks)]
    for result in seeds["per_seed"]:
        outcomes = [result["checks"].get(name, {}).get("outcome", "") for name in checks]
        table.append(
            (
                str(result["seed"]),
                result["outcome"],
                _units_cell(result["units"]),
                _match_cell(result),
                *outcomes,
            )
        )
    lines = _table(table, indent="  ")
    for result in seeds["per_seed"]:
        if result.get("error"):
            lines.append(f"  seed {result['seed']}: ERROR: {result['error']}")
        if result.get("retrained"):
            lines.append(f"  seed {result['seed']}: {result['retrained']['note']}")
    return lines


def rerun_command(nodeid: str, options: dict) -> str:
    """The shell command that reruns one item with the same claims options."""
    seeds_item = nodeid.endswith("::seeds")
    seed_options = ("claims_seeds", "claims_shard") if seeds_item else ()
    keep = ("claims_checkpoint", "claims_mnist_root", *seed_options)
    flags = "".join(f" --{k.replace('_', '-')} {v}" for k, v in options.items() if v and k in keep)
    if seeds_item and options.get("claims_retrain"):
        flags += " --claims-retrain"
    return f"pytest '{nodeid}'{flags}"


def failure_text(claim, check: str, headline: str, verdict, rerun: str) -> str:
    """What a failing item prints: the claim, each criterion's CI vs threshold, n, baseline, seed, rerun."""
    table = claim.checks[check]
    lines = [
        f"claim: {claim.sentence}",
        f'  ({claim.id}, line {table.line}; expect = "{table.expect}")',
        f"{check}: {headline}",
    ]
    if verdict is not None:
        lines.append(verdict.describe())
        details = verdict.details
        if "baseline" in details:
            lines.append(f"  baseline: {details['baseline']}")
        network = details.get("subject") or (claim.checkpoint or f"seed {claim.seed}")
        units = ", ".join(details.get("units") or []) or (claim.units or claim.layer or "")
        site = details.get("site", claim.site)
        lines.append(f"  network: {network}; units: {units} (site {site}); check seed {verdict.seed}")
    lines.append(f"rerun: {rerun}")
    return "\n".join(lines)


def seeds_failure_text(claim, row: Row, rerun: str) -> str:
    """What a failing ``::seeds`` item prints: the sentence, the verdict, the per-seed table, the rerun."""
    seeds = row.seeds
    origin = "--claims-seeds" if seeds["seeds"] != seeds["file"]["seeds"] else "[seeds]"
    scaled = (
        f" (scaled from the file's {seeds['file']['min_holding']} of {len(seeds['file']['seeds'])})"
        if seeds["min_holding"] != seeds["file"]["min_holding"] or origin == "--claims-seeds"
        else ""
    )
    listed = ", ".join(map(str, seeds["seeds"]))
    lines = [
        f"claim: {claim.sentence}",
        f'  ({claim.id}, line {claim.seeds.line}; expect = "{seeds["expect"]}")',
        f"seeds: {row.headline}",
        f"  seeds {listed} from {origin}; min_holding = {seeds['min_holding']}{scaled}"
        + (
            f"; each seed checked at {seeds['seed_confidence']:.2%} confidence"
            if seeds.get("seed_confidence") not in (None, seeds["confidence"])
            else ""
        ),
        *seed_table_lines(seeds),
    ]
    if row.verdict and row.verdict.get("to_decide"):
        lines.append(f"  to decide: {row.verdict['to_decide']}")
    return "\n".join([*lines, f"rerun: {rerun}"])
