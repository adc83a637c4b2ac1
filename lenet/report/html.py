"""The HTML report of a claims run (``pytest claims/ --claims-report report.html``): one self-contained file.

``render(document)`` turns the ``--claims-json`` document (docs/claims-json.md) into HTML;
``write_html(document, path)`` writes it. The page has a summary table, then one expandable row
(``<details>``) per claim, and inside it one per check: criteria with CIs and thresholds, the baseline,
the invariance counterexample, per-seed results, every other verdict detail. Each claim's units get their
pictures on the discovery (train) split, as in ``lenet inspect``, and their training movie as a slider
over inlined frames (both made by ``lenet.report.unit_pictures``).

This module prepares what is shown (numbers formatted, details picked, pictures as data URIs); the markup
is in the Jinja2 templates lenet/templates/report/ and, shared with the explorer's results page,
lenet/templates/shared/macros.html (the environment: ``lenet.report.templates``).

Traps: the file must work offline and from disk, so images are base64 PNG data
URIs and the few lines of JavaScript are inline; nothing refers to a network
address. Every text from a claim file or verdict is escaped. A picture that
cannot be made (a checkpoint without a training record, a missing file)
becomes a message in the page; the run's results are never lost to it.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np

from .templates import environment, macro

__all__ = ["write_html", "render", "Pictures", "per_seed", "MAX_UNITS"]

MAX_UNITS = 4  # units of one claim that get pictures; unit sets beyond this are listed, not drawn
OUTCOMES = ("holds", "refuted", "inconclusive", "error", "invalid")
STATUS_ORDER = ("failed", "xfailed", "passed")  # a claim's status is its worst item's
SEED_KEYS = ("per_seed", "seeds")  # where a row (or its verdict's details) may carry per-seed results
ROW_KEYS = {
    "nodeid",
    "claim_id",
    "check",
    "claim",
    "expect",
    "outcome",
    "status",
    "headline",
    "statistic",
    "value",
    "low",
    "high",
    "threshold",
    "bound",
    "p",
    "p_holm",
    "seed",
    "checkpoint",
    "checkpoint_sha256",
    "error",
    "verdict",
    "seeds",
}  # docs/claims-json.md; "seeds" (the ::seeds item's plan and per-seed table) is drawn by its own section
SHOWN = {
    "units",
    "subject",
    "weights_sha256",
    "layer",
    "selected",
    "site",
    "baseline",
    "counterexample",
    "counterexample_params",
    "counterexample_auroc",
}  # details drawn by their own section


def num(value, digits: int = 3) -> str:
    """A number in ``digits`` significant digits; other values as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    return f"{value:.{digits}g}"


def slug(text: str) -> str:
    """An HTML id from a claim id or unit name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


def data_uri(image, palette=None) -> str:
    """A PIL image as a ``data:image/png;base64,...`` URI, so the report needs no other file.

    ``palette``: a palette image (``movie_palette``) to map the colours to first, without dithering.
    """
    from PIL import Image

    buffer = io.BytesIO()
    (image.quantize(palette=palette, dither=Image.Dither.NONE) if palette else image).save(
        buffer, format="PNG"
    )
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def movie_palette(frames: list, colors: int = 128):
    """One 128-colour palette for a movie, from its first, middle and last frames (all the same size).

    Movie frames mapped to it are 40% of their RGB size (a pixel moves by at most about 25 of 255, on text
    edges); one palette for all frames costs 1 ms a frame where quantizing each costs 20.
    """
    from PIL import Image

    picked = [frames[0], frames[len(frames) // 2], frames[-1]]
    width, height = picked[0].size
    sheet = Image.new("RGB", (width, height * len(picked)))
    for k, frame in enumerate(picked):
        sheet.paste(frame, (0, height * k))
    return sheet.quantize(colors)


class Pictures:
    """Each unit's pictures, made once per report
    (``lenet.report.unit_pictures``); ``enabled=False`` draws none (numbers only).

    ``drawn`` maps (seed, checkpoint, unit) to the id of the section that drew it: a unit shared by several
    claims is drawn once, and later claims link there (each unit costs seconds and about 0.8 MB).
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._units: dict[tuple, object] = {}
        self.drawn: dict[tuple, str] = {}

    def unit(
        self, seed, checkpoint, name: str, weights_sha256: str | None = None, site: str = "pre", subject=None
    ):
        """The unit's ``UnitData`` at ``site`` on the checked network, or a message saying why there is none.

        ``site``: the checked claim's (rows written before sites existed were all ``pre``).
        """
        from . import unit_pictures

        if not self.enabled:
            return "pictures were not requested for this report"
        key = (seed, checkpoint, name, site, subject)
        if key not in self._units:
            self._units[key] = unit_pictures.load(seed, checkpoint, name, weights_sha256, site, subject)
        return self._units[key]


# --- what the templates draw (lenet/templates/report/, lenet/templates/shared/macros.html) ------------------


def ci_text(c: dict) -> str:
    """``[low, high]`` of a row or criterion, or empty when it has no CI."""
    return f"[{num(c.get('low'))}, {num(c.get('high'))}]" if c.get("low") is not None else ""


def limit_text(c: dict) -> str:
    """``≥ 0.75`` (bound min) or ``≤ 0.1`` (bound max), or empty when there is no threshold."""
    return (
        f"{'≥' if c.get('bound') == 'min' else '≤'} {num(c['threshold'])}"
        if c.get("threshold") is not None
        else ""
    )


def statistic_text(r: dict) -> str:
    """``AUROC = 0.937 [0.903, 0.96] ≥ 0.75``: the primary criterion in one line."""
    if r.get("statistic") is None:
        return ""
    return " ".join(x for x in (f"{r['statistic']} = {num(r.get('value'))}", ci_text(r), limit_text(r)) if x)


def badge_cell(outcome: str, text: str = "") -> dict:
    """A cell drawn as an outcome badge, then ``text``."""
    return {"kind": "badge", "outcome": outcome, "text": text}


def cell(value):
    """Any JSON value as a cell for the ``value`` macro (report/macros.html), compactly: outcomes as badges,
    verdict-like dicts as outcome and primary statistic, unit matches as ``a → b (r = ...)``, long number
    lists summarised, hashes shortened, other dicts as ``key: value`` pairs; plain text is a str."""
    if isinstance(value, str) and re.fullmatch(
        r"[0-9a-f]{64}", value
    ):  # a SHA-256: its start, the rest on hover
        return {"kind": "hash", "text": value}
    if isinstance(value, str):
        return badge_cell(value) if value in OUTCOMES else value
    if isinstance(value, dict) and isinstance(value.get("outcome"), str):
        return outcome_cell(value)
    if isinstance(value, dict) and "unit" in value and "counterpart" in value:
        found = value["counterpart"]
        r = (
            f" (r = {num(value['correlation'])})"
            if isinstance(value.get("correlation"), (int, float))
            else ""
        )
        why = f": {value['reason']}" if value.get("reason") and not found else ""
        return f"{value['unit']} → {found or 'no counterpart'}{r}{why}"
    if isinstance(value, dict):
        return {"kind": "pairs", "pairs": [(k, cell(v)) for k, v in value.items()]}
    if isinstance(value, list):
        numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(value) > 12 and len(numbers) == len(value):
            return (
                f"{len(value)} values, min {num(min(numbers))}, mean "
                f"{num(float(np.mean(numbers)))}, max {num(max(numbers))}"
            )
        return {"kind": "list", "cells": [cell(v) for v in value[:12]], "more": len(value) > 12}
    return num(value)


def outcome_cell(verdict: dict) -> dict:
    """A verdict-like cell (e.g. one check on one seed): its outcome, its first criterion's value and CI, any
    note."""
    first = (verdict.get("criteria") or [None])[0]
    text = (
        f"{num(first['value'])} {ci_text(first)}".strip()
        if isinstance(first, dict) and isinstance(first.get("value"), (int, float))
        else ""
    )
    note = f"({verdict['note']})" if verdict.get("note") else ""
    return badge_cell(verdict["outcome"], " ".join(x for x in (text, note) if x))


def criteria(r: dict) -> list[dict]:
    """Every criterion of the verdict; a row without a verdict has its primary statistic as its one."""
    return (r.get("verdict") or {}).get("criteria") or (
        [{**r, "name": "primary", "note": ""}] if r.get("statistic") else []
    )


def facts(r: dict) -> list[tuple[str, object]]:
    """n, confidence, the check's seed, rule, Holm p, what would decide it: those the verdict has."""
    verdict = r.get("verdict") or {}
    items = [
        ("headline", r.get("headline")),
        ("expect", r.get("expect")),
        ("n", ", ".join(f"{k} = {v}" for k, v in (verdict.get("n") or {}).items())),
        ("confidence", verdict.get("confidence")),
        ("check seed", verdict.get("seed")),
        ("rule", verdict.get("rule")),
        ("p (Holm-adjusted over the run)", num(r.get("p_holm")) if r.get("p_holm") is not None else None),
        ("to decide", verdict.get("to_decide")),
    ]
    return [(k, str(v)) for k, v in items if v not in (None, "")]


def baseline(details: dict):
    """The random-feature baseline the check compared against, as a cell; None when there is none."""
    found = details.get("baseline")
    if isinstance(found, dict) and "p99" in found:
        return (
            f"99th percentile of the {found.get('kind', 'units')} AUROC over "
            f"{found.get('networks', '?')} untrained networks: {num(found['p99'])}"
        )
    return None if found is None else cell(found)


def _per_seed_source(r: dict):
    """The raw per-seed results of a row (a list of dicts, or a dict of seed -> dict), or None."""
    details = (r.get("verdict") or {}).get("details") or {}
    plan = r.get("seeds") if isinstance(r.get("seeds"), dict) else {}
    for found in [plan.get("per_seed")] + [r.get(k) for k in SEED_KEYS] + [details.get(k) for k in SEED_KEYS]:
        if isinstance(found, list) and found and all(isinstance(x, dict) for x in found):
            return found
        if isinstance(found, dict) and found and all(isinstance(x, dict) for x in found.values()):
            return found
    return None


def per_seed(r: dict) -> list[dict] | None:
    """The row's per-seed results as a list of dicts (one per seed),
    wherever the row carries them; None when it has none.

    Documented place (docs/claims-json.md): ``row["seeds"]["per_seed"]``, a list. Tolerant on purpose, as the
    format may grow: also a list of dicts or a dict of seed -> dict under ``per_seed`` or ``seeds`` in the row
    or in its verdict's details.
    """
    found = _per_seed_source(r)
    if isinstance(found, dict):
        return [v if "seed" in v else {"seed": k, **v} for k, v in found.items()]
    return found


def seeds_plan(r: dict) -> list[tuple[str, object]] | None:
    """The plan of a ``::seeds`` row (seeds, min_holding, the file's, shard, the seeds holding...) as (key,
    cell) pairs; None for other rows."""
    plan = r.get("seeds")
    if not isinstance(plan, dict):
        return None
    return [(k, cell(v)) for k, v in plan.items() if k != "per_seed"]


def per_seed_table(r: dict) -> dict | None:
    """One row of cells per seed, a column per key the seeds report (first-seen order); None: no seeds."""
    rows = per_seed(r)
    if not rows:
        return None
    columns = list(dict.fromkeys(k for row in rows for k in row))
    body = [
        [
            badge_cell(row[c]) if c == "outcome" and isinstance(row.get(c), str) else cell(row.get(c))
            for c in columns
        ]
        for row in rows
    ]
    return {"columns": columns, "rows": body}


def per_seed_html(r: dict) -> str:
    """The per-seed table of a row as HTML; empty when it has none."""
    return macro("report/check.html", "per_seed")(per_seed_table(r))


def counterexample(r: dict, pictures: Pictures) -> dict | None:
    """The smallest breaking perturbation the invariance search found, with a picture of it when the unit can
    be drawn (or why not); None when the check searched none."""
    details = (r.get("verdict") or {}).get("details") or {}
    if "counterexample" not in details and "counterexample_params" not in details:
        return None
    params = details.get("counterexample_params") or {}
    items = [
        ("perturbation", details.get("counterexample"), str),
        ("parameters", params, cell),
        ("AUROC under it", details.get("counterexample_auroc"), num),
        ("AUROC unperturbed", details.get("unperturbed_auroc"), num),
        ("search bounds", details.get("bounds"), cell),
    ]
    found = {"pairs": [(k, shown(v)) for k, v, shown in items if v not in (None, "", {})]}
    units = details.get("units") or []
    if len(units) == 1 and params:
        from .unit_pictures import counterexample as draw

        data = pictures.unit(
            r.get("seed"),
            r.get("checkpoint"),
            units[0],
            details.get("weights_sha256"),
            details.get("site", "pre"),
            r.get("subject"),
        )
        if isinstance(data, str):
            found["message"] = data
        else:
            caption, image = draw(data, params)
            found["figure"] = {"kind": "counterexample", "caption": caption, "uri": data_uri(image)}
    return found


def _other_details(r: dict) -> list[list]:
    """Every verdict detail, and every row field beyond the documented ones, not drawn by its own section:
    (key, cell) rows."""
    details = (r.get("verdict") or {}).get("details") or {}
    shown = SHOWN | ({"unperturbed_auroc", "bounds"} if "counterexample" in details else set())
    seeds = _per_seed_source(r)
    rest = [[k, cell(v)] for k, v in details.items() if k not in shown and v is not seeds]
    return rest + [[k, cell(v)] for k, v in r.items() if k not in ROW_KEYS and v is not seeds]


def other_details(r: dict) -> str:
    """The row's other details (``_other_details``) as an HTML table; empty when there are none."""
    rest = _other_details(r)
    return macro("report/macros.html", "table")(["detail", "value"], rest, "details") if rest else ""


def check_view(r: dict, pictures: Pictures) -> dict:
    """What one check's expandable row (report/check.html) draws."""
    details = (r.get("verdict") or {}).get("details") or {}
    drawn = per_seed(r) is None  # units are linked to their pictures, except a per-seed row's (not drawn)
    return {
        "id": slug("check-" + r["nodeid"]),
        "check": r["check"],
        "outcome": r["outcome"],
        "status": r["status"],
        "statistic": statistic_text(r),
        "facts": facts(r),
        "error": r.get("error"),
        "subject": details.get("subject", ""),
        "units": [
            {"name": u, "href": "#" + slug("unit-" + r["claim_id"] + "-" + u) if drawn else None}
            for u in details.get("units") or []
        ],
        "criteria": criteria(r),
        "baseline": baseline(details),
        "counterexample": counterexample(r, pictures),
        "plan": seeds_plan(r),
        "per_seed": per_seed_table(r),
        "details": _other_details(r),
    }


def check_html(r: dict, pictures: Pictures) -> str:
    """One check's expandable row as HTML."""
    return macro("report/check.html", "check")(check_view(r, pictures))


def unit_view(claim_id: str, r: dict, name: str, pictures: Pictures) -> dict:
    """What one unit's section (report/claim.html) draws: its pictures and training movie as data URIs; or the
    section that drew it already; or a message saying why there are none."""
    from . import unit_pictures

    details = r["verdict"]["details"]
    data = pictures.unit(
        r.get("seed"),
        r.get("checkpoint"),
        name,
        details.get("weights_sha256"),
        details.get("site", "pre"),
        r.get("subject"),
    )
    anchor = slug("unit-" + claim_id + "-" + name)
    found = {
        "anchor": anchor,
        "name": name,
        "subject": details.get("subject", ""),
        "site": details.get("site", "pre"),
    }
    if isinstance(data, str):
        return {**found, "message": data}
    first = pictures.drawn.setdefault((r.get("seed"), r.get("checkpoint"), name, data.site), anchor)
    if first != anchor:
        return {**found, "above": first}
    figures = [
        {"kind": kind, "caption": caption, "uri": data_uri(image) if image is not None else None}
        for kind, caption, image in unit_pictures.figures(data)
    ]
    frames = unit_pictures.movie(data)
    if not isinstance(frames, str):
        palette = movie_palette([frame for _, frame in frames])
        frames = [{"stamp": stamp, "uri": data_uri(frame, palette)} for stamp, frame in frames]
    return {**found, "figures": figures, "movie": frames}


def units_view(claim_id: str, rows: list[dict], pictures: Pictures) -> dict:
    """The pictures of every unit the claim's checks reported (at most ``MAX_UNITS``, the rest named); a
    layer-level claim has none, and a message says so."""
    seen: dict[str, dict] = {}
    layers = []
    for r in rows:
        details = (r.get("verdict") or {}).get("details") or {}
        layers.append(details.get("layer"))
        if per_seed(r) is None:  # a per-seed row's units live on other seeds' networks: its table names them
            for name in details.get("units") or []:
                seen.setdefault(name, r)
    if not seen:
        layer = next((x for x in layers if x), None)
        why = (
            f"layer-level claim ({layer}): no single unit, so no unit pictures"
            if layer
            else "no unit pictures: no check reported a unit"
        )
        return {"message": why}
    names = list(seen)
    return {
        "drawn": [unit_view(claim_id, seen[n], n, pictures) for n in names[:MAX_UNITS]],
        "hidden": [{"anchor": slug("unit-" + claim_id + "-" + n), "name": n} for n in names[MAX_UNITS:]],
        "total": len(names),
    }


def claim_view(claim_id: str, rows: list[dict], pictures: Pictures) -> dict:
    """What one claim's expandable row (report/claim.html) draws: its status (its worst item's), sentence,
    network, checks and units."""
    first = rows[0]
    network = (
        f"checkpoint {first['checkpoint']}" if first.get("checkpoint") else f"seed {first.get('seed')}"
    ) + (f"; weights SHA-256 {first['checkpoint_sha256']}" if first.get("checkpoint_sha256") else "")
    return {
        "id": slug("claim-" + claim_id),
        "claim_id": claim_id,
        "status": min(
            (r["status"] for r in rows), key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 0
        ),
        "sentence": next((r["claim"] for r in rows if r.get("claim")), ""),
        "network": network,
        "checks": [check_view(r, pictures) for r in rows],
        "units": units_view(claim_id, rows, pictures),
    }


def render(document: dict, pictures: Pictures | None = None) -> str:
    """The report of a ``--claims-json`` document as one HTML page (report/page.html)."""
    pictures = pictures or Pictures()
    rows = document.get("results") or []
    claims: dict[str, list[dict]] = {}
    for r in rows:
        claims.setdefault(r["claim_id"], []).append(r)
    git = (document.get("provenance") or {}).get("git") or {}
    commit = (
        "; lenet-claims commit "
        f"{git['commit'][:12]}{' (with uncommitted changes)' if git.get('dirty') else ''}"
        if git.get("commit")
        else ""
    )
    return (
        environment()
        .get_template("report/page.html")
        .render(
            counts=", ".join(f"{v} {k}" for k, v in (document.get("counts") or {}).items()),
            items=len(rows),
            created=document.get("created"),
            commit=commit,
            summary=[{"row": r, "href": "#" + slug("check-" + r["nodeid"])} for r in rows],
            claims=[claim_view(cid, rs, pictures) for cid, rs in claims.items()],
            provenance=[[k, cell(v)] for k, v in (document.get("provenance") or {}).items()],
        )
    )


def write_html(document: dict, path: str | Path, pictures: Pictures | None = None) -> None:
    """Write the report of a ``--claims-json`` document to ``path`` (folders made as needed)."""
    from ..errors import InvalidConfig

    path = Path(path)
    text = render(document, pictures)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InvalidConfig(
            f"--claims-report={path}: cannot write it ({err.strerror}); choose a writable path."
        ) from None
