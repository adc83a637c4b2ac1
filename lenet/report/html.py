"""The HTML report of a claims run (``pytest claims/ --claims-report report.html``): one self-contained file.

``render(document)`` turns the ``--claims-json`` document (docs/claims-json.md)
into HTML; ``write_html(document, path)`` writes it. The page has a summary
table, then one expandable row (``<details>``) per claim, and inside it one per
check: criteria with CIs and thresholds, the baseline, the invariance
counterexample, per-seed results, every other verdict detail. Each claim's
units get their pictures on the discovery (train) split, as in ``lenet
inspect``, and their training movie as a slider over inlined frames (both made
by ``lenet.report.unit_pictures``).

Traps: the file must work offline and from disk, so images are base64 PNG data
URIs and the few lines of JavaScript are inline; nothing refers to a network
address. Every text from a claim file or verdict is escaped. A picture that
cannot be made (a checkpoint without a training record, a missing file)
becomes a message in the page; the run's results are never lost to it.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import numpy as np

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


def e(value) -> str:
    """Escaped text of any value (None: empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


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


def figure(image, caption: str, cls: str = "") -> str:
    """A PIL image inlined, with its caption."""
    uri = data_uri(image)
    return (
        f'<figure class="{e(cls)}"><img src="{uri}" '
        f'alt="{e(caption)}"><figcaption>{e(caption)}</figcaption></figure>'
    )


def note(text: str, cls: str = "note") -> str:
    return f'<p class="{cls}">{e(text)}</p>'


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


# --- HTML ---------------------------------------------------------------------------------------------------


def badge(outcome, status=None) -> str:
    """An outcome (coloured when it is one of ``OUTCOMES``)
    with pytest's status when it is not a plain pass."""
    text = e(outcome or "")
    if status and status != "passed":
        text += f" <small>({e(status)})</small>"
    return f'<span class="badge {outcome if outcome in OUTCOMES else "other"}">{text}</span>'


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


def table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells are HTML already (escape first)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def value_html(value) -> str:
    """Any JSON value, compactly: outcomes coloured, verdict-like dicts as outcome and primary statistic, unit
    matches as ``a → b (r = ...)``, long number lists summarised, other dicts as ``key: value`` lists."""
    if isinstance(value, str) and re.fullmatch(
        r"[0-9a-f]{64}", value
    ):  # a SHA-256: its start, the rest on hover
        return f'<span title="{value}">{value[:12]}…</span>'
    if isinstance(value, str):
        return badge(value) if value in OUTCOMES else e(value)
    if isinstance(value, dict) and isinstance(value.get("outcome"), str):
        return outcome_html(value)
    if isinstance(value, dict) and "unit" in value and "counterpart" in value:
        found = value["counterpart"]
        r = (
            f" (r = {num(value['correlation'])})"
            if isinstance(value.get("correlation"), (int, float))
            else ""
        )
        why = f": {value['reason']}" if value.get("reason") and not found else ""
        return e(f"{value['unit']} → {found or 'no counterpart'}{r}{why}")
    if isinstance(value, dict):
        return "; ".join(f"{e(k)}: {value_html(v)}" for k, v in value.items())
    if isinstance(value, list):
        numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(value) > 12 and len(numbers) == len(value):
            return e(
                f"{len(value)} values, min {num(min(numbers))}, mean "
                f"{num(float(np.mean(numbers)))}, max {num(max(numbers))}"
            )
        return "[" + ", ".join(value_html(v) for v in value[:12]) + (", ..." if len(value) > 12 else "") + "]"
    return e(num(value))


def outcome_html(cell: dict) -> str:
    """A verdict-like cell (e.g. one check on one seed):
    its outcome, its first criterion's value and CI, any note."""
    text = badge(cell["outcome"])
    first = (cell.get("criteria") or [None])[0]
    if isinstance(first, dict) and isinstance(first.get("value"), (int, float)):
        text += " " + e(f"{num(first['value'])} {ci_text(first)}".strip())
    return text + (" " + e(f"({cell['note']})") if cell.get("note") else "")


def summary_table(rows: list[dict]) -> str:
    """The run at a glance, as in the terminal: claim, check,
    statistic, CI, threshold, outcome, Holm-adjusted p."""
    body = []
    for r in rows:
        link = f'<a href="#{slug("check-" + r["nodeid"])}">{e(r["check"])}</a>'
        stat = f"{e(r['statistic'])} = {e(num(r.get('value')))}" if r.get("statistic") else ""
        body.append(
            [
                e(r["claim_id"]),
                link,
                stat,
                e(ci_text(r)),
                e(limit_text(r)),
                badge(r["outcome"], r["status"]),
                e(num(r.get("p_holm"))),
            ]
        )
    return table(["claim", "check", "statistic", "CI", "threshold", "outcome", "p (Holm)"], body, "summary")


def criteria_table(r: dict) -> str:
    """Every criterion of the verdict: statistic, value, CI, threshold, outcome, p, note."""
    criteria = (r.get("verdict") or {}).get("criteria") or (
        [{**r, "name": "primary", "note": ""}] if r.get("statistic") else []
    )
    body = [
        [
            e(c.get("name")),
            e(c.get("statistic")),
            e(num(c.get("value"))),
            e(ci_text(c)),
            e(limit_text(c)),
            badge(c.get("outcome")),
            e(num(c.get("p"))),
            e(c.get("note")),
        ]
        for c in criteria
    ]
    return (
        table(
            ["criterion", "statistic", "value", "CI", "threshold", "outcome", "p", "note"], body, "criteria"
        )
        if body
        else ""
    )


def facts(r: dict) -> str:
    """n, confidence, the check's seed, rule, Holm p, what would decide it: a definition list."""
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
    return (
        "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in items if v not in (None, "")) + "</dl>"
    )


def baseline_html(details: dict) -> str:
    """The random-feature baseline the check compared against."""
    found = details.get("baseline")
    if found is None:
        return ""
    if isinstance(found, dict) and "p99" in found:
        text = e(
            f"99th percentile of the {found.get('kind', 'units')} AUROC over "
            f"{found.get('networks', '?')} untrained networks: {num(found['p99'])}"
        )
    else:
        text = value_html(found)
    return f'<div class="baseline"><h4>baseline</h4><p>{text}</p></div>'


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


def seeds_plan_html(r: dict) -> str:
    """The plan of a ``::seeds`` row (seeds, min_holding,
    the file's, shard, the seeds holding...): a definition list."""
    plan = r.get("seeds")
    if not isinstance(plan, dict):
        return ""
    items = "".join(f"<dt>{e(k)}</dt><dd>{value_html(v)}</dd>" for k, v in plan.items() if k != "per_seed")
    return f'<div class="seeds-plan"><h4>seeds</h4><dl>{items}</dl></div>'


def per_seed_html(r: dict) -> str:
    """A table with one row per seed; columns are every key the seeds report, in first-seen order."""
    rows = per_seed(r)
    if not rows:
        return ""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    body = [
        [
            badge(row[c]) if c == "outcome" and isinstance(row.get(c), str) else value_html(row.get(c))
            for c in columns
        ]
        for row in rows
    ]
    return (
        '<div class="seeds"><h4>per-seed results</h4>'
        + table([e(c) for c in columns], body, "per-seed")
        + "</div>"
    )


def counterexample_html(r: dict, pictures: Pictures) -> str:
    """The smallest breaking perturbation the invariance search found,
    with a picture of it when the unit can be drawn."""
    details = (r.get("verdict") or {}).get("details") or {}
    if "counterexample" not in details and "counterexample_params" not in details:
        return ""
    params = details.get("counterexample_params") or {}
    items = [
        ("perturbation", e(details.get("counterexample"))),
        ("parameters", value_html(params)),
        ("AUROC under it", e(num(details.get("counterexample_auroc")))),
        ("AUROC unperturbed", e(num(details.get("unperturbed_auroc")))),
        ("search bounds", value_html(details.get("bounds"))),
    ]
    body = "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in items if v)
    units = details.get("units") or []
    drawn = ""
    if len(units) == 1 and params:
        from .unit_pictures import counterexample

        data = pictures.unit(
            r.get("seed"),
            r.get("checkpoint"),
            units[0],
            details.get("weights_sha256"),
            details.get("site", "pre"),
            r.get("subject"),
        )
        if isinstance(data, str):
            drawn = note(data)
        else:
            caption, image = counterexample(data, params)
            drawn = figure(image, caption, "counterexample")
    return f'<div class="counterexample"><h4>invariance counterexample</h4><dl>{body}</dl>{drawn}</div>'


def other_details(r: dict) -> str:
    """Every verdict detail, and every row field beyond the documented ones,
    not drawn by its own section: a table."""
    details = (r.get("verdict") or {}).get("details") or {}
    shown = SHOWN | ({"unperturbed_auroc", "bounds"} if "counterexample" in details else set())
    seeds = _per_seed_source(r)
    rest = [[e(k), value_html(v)] for k, v in details.items() if k not in shown and v is not seeds]
    rest += [[e(k), value_html(v)] for k, v in r.items() if k not in ROW_KEYS and v is not seeds]
    return table(["detail", "value"], rest, "details") if rest else ""


def check_html(r: dict, pictures: Pictures) -> str:
    """One check's expandable row."""
    details = (r.get("verdict") or {}).get("details") or {}
    summary = (
        f'<summary><span class="check-name">{e(r["check"])}</span> {badge(r["outcome"], r["status"])} '
        f'<span class="stat">{e(statistic_text(r))}</span></summary>'
    )
    parts = [facts(r)]
    if r.get("error"):
        parts.append(f'<pre class="error">{e(r["error"])}</pre>')
    units = details.get("units") or []
    if units:  # linked to their pictures, except a per-seed row's (those units are not drawn)
        drawn = per_seed(r) is None
        links = ", ".join(
            f'<a href="#{slug("unit-" + r["claim_id"] + "-" + u)}">{e(u)}</a>' if drawn else e(u)
            for u in units
        )
        parts.append(f"<p>network: {e(details.get('subject', ''))}; units: {links}</p>")
    parts += [
        criteria_table(r),
        baseline_html(details),
        counterexample_html(r, pictures),
        seeds_plan_html(r),
        per_seed_html(r),
        other_details(r),
    ]
    return f'<details class="check" id="{slug("check-" + r["nodeid"])}">{summary}{"".join(parts)}</details>'


def movie_html(frames: list[tuple[str, object]], name: str) -> str:
    """A scrubbable movie of ``(stamp, image)`` frames: all inlined,
    all but the first hidden; a slider and a play button.

    Works without the script too (the first frame shows);
    the inline script in ``SCRIPT`` wires slider and button.
    """
    palette = movie_palette([frame for _, frame in frames])
    images = "".join(
        f'<img src="{data_uri(frame, palette)}" alt="{e(name)} '
        f'frame {i + 1}: {e(stamp)}" data-stamp="{e(stamp)}"'
        f"{' hidden' if i else ''}>"
        for i, (stamp, frame) in enumerate(frames)
    )
    return (
        f'<div class="movie"><div class="frames">{images}</div><div '
        'class="controls"><button type="button" class="play">play</button> <input '
        f'type="range" min="0" max="{len(frames) - 1}" value="0" step="1" aria-label="frame '
        f'of {e(name)}"> <span class="stamp">{e(frames[0][0])}</span></div></div>'
    )


def unit_html(claim_id: str, r: dict, name: str, pictures: Pictures) -> str:
    """One unit's pictures and training movie, or a message saying why there are none."""
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
    where = (
        f"{e(details.get('subject', ''))}, training split: discovery; site {e(details.get('site', 'pre'))}"
    )
    head = f'<h3 id="{anchor}">{e(name)} <small>({where})</small></h3>'
    if isinstance(data, str):
        return f'<section class="unit">{head}{note(data)}</section>'
    first = pictures.drawn.setdefault((r.get("seed"), r.get("checkpoint"), name, data.site), anchor)
    if first != anchor:
        return (
            f'<section class="unit">{head}<p class="note">drawn '
            f'above: <a href="#{first}">{e(name)}</a></p></section>'
        )
    parts = [
        figure(image, caption, kind) if image is not None else note(caption)
        for kind, caption, image in unit_pictures.figures(data)
    ]
    frames = unit_pictures.movie(data)
    if isinstance(frames, str):
        parts.append(note(f"training movie: {frames}"))
    else:
        parts += [
            f"<h4>training movie ({len(frames)} frames)</h4>",
            movie_html(frames, name),
            note(
                "per class: mean training gradient (scaled per frame) above mean activation; "
                f"gradient examples, which need a retraining, are in `lenet movie {name}`",
                "hint",
            ),
        ]
    return f'<section class="unit">{head}{"".join(parts)}</section>'


def units_html(claim_id: str, rows: list[dict], pictures: Pictures) -> str:
    """Pictures of every unit the claim's checks reported
    (at most ``MAX_UNITS``); a layer-level claim has none."""
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
        return f'<div class="units">{note(why)}</div>'
    names = list(seen)
    parts = [unit_html(claim_id, seen[n], n, pictures) for n in names[:MAX_UNITS]]
    if len(names) > MAX_UNITS:  # every unit keeps an anchor, so the checks' links land somewhere
        others = ", ".join(
            f'<span id="{slug("unit-" + claim_id + "-" + n)}">{e(n)}</span>' for n in names[MAX_UNITS:]
        )
        parts.append(
            f'<p class="note">pictures of the first {MAX_UNITS} '
            f"of {len(names)} units only; not drawn: {others}</p>"
        )
    return '<div class="units"><h3>units</h3>' + "".join(parts) + "</div>"


def claim_html(claim_id: str, rows: list[dict], pictures: Pictures) -> str:
    """One claim's expandable row: its sentence, a badge per check, then each check and the unit pictures."""
    status = min((r["status"] for r in rows), key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 0)
    badges = " ".join(
        f'<span class="pair">{e(r["check"])}: {badge(r["outcome"], r["status"])}</span>' for r in rows
    )
    sentence = next((r["claim"] for r in rows if r.get("claim")), "")
    first = rows[0]
    network = (
        f"checkpoint {first['checkpoint']}" if first.get("checkpoint") else f"seed {first.get('seed')}"
    ) + (f"; weights SHA-256 {first['checkpoint_sha256']}" if first.get("checkpoint_sha256") else "")
    body = f'<p class="network">{e(network)}</p>'
    body += "".join(check_html(r, pictures) for r in rows) + units_html(claim_id, rows, pictures)
    return (
        f'<details class="claim {e(status)}" id="{slug("claim-" + claim_id)}"><summary><span '
        f'class="claim-id">{e(claim_id)}</span> {badges}<br><span '
        f'class="sentence">{e(sentence)}</span></summary>{body}</details>'
    )


def provenance_html(document: dict) -> str:
    """Where the numbers came from (versions, MNIST checksums, git commit, options), collapsed."""
    found = document.get("provenance") or {}
    rows = [[e(k), value_html(v)] for k, v in found.items()]
    return (
        "<details "
        f'class="provenance"><summary>provenance</summary>{table(["", ""], rows, "details")}</details>'
    )


STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:.4em 0}\
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}table.summary td:first-child{white-space:nowrap}\
.badge{padding:0 5px;border-radius:3px;font-weight:600;white-space:nowrap}
.holds{background:#d8f0d8;color:#155d15}.refuted{background:#f7d4d4;color:#8a1414}\
.inconclusive{background:#fbecc4;color:#7a5500}
.error,.invalid{background:#f0c8e8;color:#6a0a5a}.other{background:#e8e8e8;color:#444}details{margin:.3em 0}\
summary{cursor:pointer}
details.claim{border:1px solid #ccc;border-left:6px solid #999;padding:.3em .6em;border-radius:4px}
details.claim.passed{border-left-color:#3a9a3a}details.claim.failed{border-left-color:#c33}\
details.claim.xfailed{border-left-color:#d9a300}
details.check{margin-left:1em;border-left:2px solid #eee;padding-left:.6em}\
.claim-id{font-weight:700;font-family:monospace}
.check-name{font-weight:600;font-family:monospace}.stat{color:#444}.pair{margin-right:.6em}\
.note{color:#666;font-style:italic}
.hint{color:#666}dl{display:grid;grid-template-columns:max-content auto;gap:0 1em;margin:.3em 0}\
dt{color:#555}dd{margin:0}
figure{display:inline-block;margin:.3em 1em .3em 0;vertical-align:top}\
figcaption{color:#555;font-size:12px;max-width:640px}
pre.error{white-space:pre-wrap;padding:.4em}.movie .controls{display:flex;gap:.6em;align-items:center}
.movie input[type=range]{width:420px}section.unit{border-top:1px solid #eee;margin-top:.6em}
"""

SCRIPT = """
document.querySelectorAll('.movie').forEach(function (movie) {
  var frames = movie.querySelectorAll('.frames img'), slider = movie.querySelector('input[type=range]');
  var button = movie.querySelector('button.play'), stamp = movie.querySelector('.stamp'), timer = null;
  function show(i) {
    frames.forEach(function (f, k) { f.hidden = k !== i; });
    slider.value = i; \
stamp.textContent = 'frame ' + (i + 1) + '/' + frames.length + ': ' + frames[i].dataset.stamp;
  }
  slider.addEventListener('input', function () { show(+slider.value); });
  button.addEventListener('click', function () {
    if (timer) { clearInterval(timer); timer = null; button.textContent = 'play'; return; }
    button.textContent = 'pause';
    timer = setInterval(function () { show((+slider.value + 1) % frames.length); }, 150);
  });
  show(0);
});
function openAll(open) { document.querySelectorAll('details.claim, details.check').forEach(function (d) { \
d.open = open; }); }
function openTarget() {
  var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  for (var node = target; node; node = node.parentElement) { \
if (node.tagName === 'DETAILS') node.open = true; }
}
window.addEventListener('hashchange', openTarget); openTarget();
"""


def render(document: dict, pictures: Pictures | None = None) -> str:
    """The report of a ``--claims-json`` document as one HTML page."""
    pictures = pictures or Pictures()
    rows = document.get("results") or []
    claims: dict[str, list[dict]] = {}
    for r in rows:
        claims.setdefault(r["claim_id"], []).append(r)
    counts = ", ".join(f"{v} {k}" for k, v in (document.get("counts") or {}).items())
    git = (document.get("provenance") or {}).get("git") or {}
    commit = (
        "; lenet-claims commit "
        f"{git['commit'][:12]}{' (with uncommitted changes)' if git.get('dirty') else ''}"
        if git.get("commit")
        else ""
    )
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>lenet-claims report ({e(counts)})</title><style>{STYLE}</style></head><body>",
            f"<h1>lenet-claims report</h1><p>{e(len(claims))} claims, {e(len(rows))} items: {e(counts)}. "
            f"Created {e(document.get('created'))}{e(commit)}.</p>",
            summary_table(rows),
            '<p><button type="button" onclick="openAll(true)">expand all</button> '
            '<button type="button" onclick="openAll(false)">collapse all</button></p>',
            "<h2>claims</h2>",
            "".join(claim_html(cid, rs, pictures) for cid, rs in claims.items()),
            provenance_html(document),
            f"<script>{SCRIPT}</script></body></html>\n",
        ]
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
