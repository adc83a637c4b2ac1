"""The explorer's web app (Starlette): pages rendered on the server from Jinja2 templates, htmx swaps parts.

Routes: ``/`` (pick a layer, concept and contrast), ``/layer`` (the ranking), ``/unit/{layer}/{index}`` (a
unit's view) and its ``/movie`` frames, ``/ask`` and ``/jobs/{id}`` (checks on the discovery split, with
progress and cancel), ``/try`` (one image with and without the unit), ``/claims`` (save as a claim file),
``/results`` (browse a claims JSON). Safe by default:

- every request's Host header must name this machine (127.0.0.1 or localhost): DNS rebinding is refused;
- POST requests carry the session's token (header ``X-Lenet-Token`` or form field ``token``);
- bad input answers 400 with a message naming the field; a request naming the confirmation split, 403;
  anything else that fails, 500 with one line, never a traceback page; the server keeps running;
- files are written only inside the project's ``claims/`` folder, under sanitised names, never overwriting.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import secrets
from pathlib import Path

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import charts
from ..errors import LenetError
from . import answers
from .exploration import ConfirmationRefused, refuse_confirmation
from .session import Session

__all__ = ["create_app", "ALLOWED_HOSTS"]

HERE = Path(__file__).parent
TEMPLATES = HERE.parent / "templates"  # shared with the static report (lenet.report): explore/, report/
ALLOWED_HOSTS = ("127.0.0.1", "localhost")
TOKEN_HEADER = "X-Lenet-Token"
TOP_ROWS = 20  # units listed in a ranking's table (the chart shows all)
TOP_IMAGES = 10
MAX_FRAMES = 60


class BadRequest(LenetError, ValueError):
    """A request the explorer cannot answer as asked: 400, with what to change."""


def uri(image) -> str:
    """A PNG (bytes, or a PIL image) as a data URI for an ``<img>``."""
    if not isinstance(image, bytes):
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)  # served locally: speed over size
        image = out.getvalue()
    return "data:image/png;base64," + base64.b64encode(image).decode()


def _int(
    form, key: str, default: int | None = None, low: int | None = None, high: int | None = None
) -> int | None:
    raw = form.get(key)
    if raw in (None, ""):
        if default is None and low is not None:
            raise BadRequest(f"{key} is missing: give a whole number.")
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise BadRequest(f"{key}={raw!r} is not a whole number.") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadRequest(f"{key}={value} is out of range: use {low}-{high}.")
    return value


def _text(form, key: str, default: str | None = None, required: bool = False) -> str | None:
    raw = form.get(key)
    if raw in (None, ""):
        if required:
            raise BadRequest(f"{key} is missing.")
        return default
    if len(str(raw)) > 200:
        raise BadRequest(f"{key} is too long (at most 200 characters).")
    return str(raw)


def _check_params(form, checks: list[str]) -> dict[str, dict]:
    """``{check: {param: value}}`` from form fields ``check.param``, typed by the check's spec; unknown
    fields are refused (a typo must not silently fall back to a default)."""
    from ..checks import CHECKS

    params: dict[str, dict] = {c: {} for c in checks}
    for key, raw in form.multi_items():
        if "." not in key or raw == "":
            continue
        check, name = key.split(".", 1)
        if check not in checks:
            continue
        spec = {p.name: p for p in CHECKS[check].SPEC.params}
        if name not in spec:
            raise BadRequest(f"{key}: [{check}] has no parameter {name!r}; it has {', '.join(spec)}.")
        kind = spec[name].kind
        if kind == "bool":
            if str(raw).lower() not in ("true", "false", "on", "off"):
                raise BadRequest(f"{key}={raw!r} is not true or false.")
            params[check][name] = str(raw).lower() in ("true", "on")
            continue
        try:
            params[check][name] = int(raw) if kind == "int" else float(raw) if kind == "float" else str(raw)
        except ValueError:
            raise BadRequest(
                f"{key}={raw!r} is not {'a whole number' if kind == 'int' else 'a number'}."
            ) from None
    return params


def _checks(form) -> list[str]:
    checks = [c for c in form.getlist("checks") if c]
    if not checks:
        raise BadRequest(f"checks is missing: choose one or more of {', '.join(answers.ASKABLE)}.")
    unknown = [c for c in checks if c not in answers.ASKABLE]
    if unknown:
        raise BadRequest(
            f"checks: {', '.join(unknown)} cannot be asked here; choose from {', '.join(answers.ASKABLE)}."
        )
    return list(dict.fromkeys(checks))


def safe_name(name: str) -> str:
    """A claim file name from what the user typed: lower-case letters, digits and dashes, ``.toml``."""
    stem = re.sub(r"\.toml$", "", name.strip().lower())
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")[:80]
    if not stem:
        raise BadRequest(
            f"name={name!r} leaves no file name; use letters, digits and dashes, e.g. linear-0-95-crossed."
        )
    return stem + ".toml"


def create_app(session: Session, *, claims_json: str | None = None) -> Starlette:
    """The explorer for ``session``; ``claims_json``: a results file offered on the results page."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(token=session.token, token_header=TOKEN_HEADER, session=session)
    view = session.view

    def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
        return templates.TemplateResponse(request, template, context, status_code=status)

    def require_token(request: Request, form) -> None:
        given = request.headers.get(TOKEN_HEADER) or form.get("token") or ""
        if not secrets.compare_digest(str(given).encode("utf-8", "replace"), session.token.encode()):
            raise HTTPException(403, "this request needs the session's token (reload the page to get it)")

    async def compute(fn, *args):
        def locked():
            with session.compute:
                return fn(*args)

        return await run_in_threadpool(locked)

    def common(query) -> dict:
        refuse_confirmation(query.get("split"))
        return {"concepts": view.concepts(), "layers": list(view.layers), "scores": answers.SCORES}

    # pages -------------------------------------------------------------------------------------------

    async def index(request: Request):
        q = request.query_params
        context = common(q)
        layer = q.get("layer") or ("linear-0" if "linear-0" in view.layers else context["layers"][0])
        return page(
            request,
            "explore/index.html",
            **context,
            layer=layer,
            concept=q.get("concept") or "",
            contrast=q.get("contrast") or "",
            claims_json=claims_json,
        )

    async def status(request: Request):
        return page(request, "explore/status.html")

    async def layer_view(request: Request):
        q = request.query_params
        common(q)
        layer = _text(q, "layer", required=True)
        concept, contrast = _text(q, "concept", required=True), _text(q, "contrast", required=True)
        score, site = _text(q, "score", "selectivity"), _text(q, "site", "post")
        klass = _int(q, "class", None, 0, len(view.classes) - 1) if q.get("class") else None
        found = await compute(
            answers.ranking, view, session.memo, layer, concept, contrast, score, site, klass
        )
        rows = []
        for rank, (unit, value) in enumerate(
            zip(found.units[:TOP_ROWS], found.scores[:TOP_ROWS], strict=True)
        ):
            rows.append({"rank": rank + 1, "unit": int(unit), "score": float(value)})
        listed = " ".join(f"{found.layer}:{r['unit']}" for r in rows)
        session.asked(
            "ranking",
            f"{found.layer} at site {site} by {score}, {concept} vs {contrast}, top {len(rows)} of "
            f"{len(found.units)}: {listed} ",
        )
        chart = await run_in_threadpool(
            session.painter.draw, "ranking", found.scores, answers.SCORES[score], found.bar, found.bar_label
        )
        return page(
            request,
            "explore/layer.html",
            ranking=found,
            rows=rows,
            chart=uri(chart),
            describe=answers.SCORES[score],
        )

    async def unit_view(request: Request):
        q = request.query_params
        common(q)
        name = f"{request.path_params['layer']}:{request.path_params['unit']}"
        layer, unit = answers.parse_unit(view, name)
        site = answers.check_site(view, layer, _text(q, "site", "post"))
        data = await compute(_unit_data, layer, unit, site)
        return page(
            request,
            "explore/unit.html",
            **data,
            concept=q.get("concept") or "",
            contrast=q.get("contrast") or "",
            concepts=view.concepts(),
            askable=answers.ASKABLE,
        )

    def _unit_data(layer: str, unit: int, site: str) -> dict:
        from .. import pictures as P
        from ..subject.values import top_images

        stats = answers.unit_stats(view, layer, unit, site)
        classes = tuple(stats["classes"])
        bars = session.painter.redraw("per_class_chart", (classes, site), (stats["means"], stats["firing"]))
        record, no_record = None, None
        if layer in view.recorded_layers:
            try:
                record = session.memo(("record",), view.record)  # read from disk once (an error: each time)
            except LenetError as err:
                no_record = str(err)
        training = []
        if record is not None:  # the charts draw in the workers while the images are made here
            training = [
                (
                    series,
                    session.painter.redraw(
                        "training_chart",
                        (classes, series),
                        (record.epoch, getattr(record, series)[layer][:, :, unit]),
                    ),
                )
                for series in charts.TRAINING_SERIES
            ]
        split = view.split("train")
        images = session.memo(
            ("images",), lambda: split.images[:, 0].numpy() if split.images.shape[1] == 1 else None
        )
        values, labels = stats["values"], stats["labels"]
        out = {
            "layer": layer,
            "unit": unit,
            "name": f"{layer}:{unit}",
            "site": site,
            "classes": stats["classes"],
            "per_class": [
                {
                    "klass": c,
                    "mean": float(stats["means"][k]),
                    "firing": float(stats["firing"][k]),
                    "n": int(stats["counts"][k]),
                }
                for k, c in enumerate(stats["classes"])
            ],
            "bars": None,
            "images": None,
            "training": [],
            "frames": 0 if record is None else len(_frames(record)),
            "matches": [],
            "no_record": no_record,
            "canvas": images is not None and images.shape[1:] == (28, 28),
            "n_images": len(values),
        }
        matches = session.matches(layer, unit, site)
        if images is not None:
            blocks = session.memo(
                ("blocks",), lambda: answers.ClassBlocks(images, labels, len(stats["classes"]))
            )
            columns = [values] + [
                session.other(seed).values(layer, "train", site=site)[:, m.candidate]
                for seed, m in matches
                if m.reason is None
            ]
            means = blocks.weighted_means(np.stack(columns))  # one pass over the images for every unit
            out["images"] = {
                "means": uri(
                    P.class_row(means[0], labels=[f"{c}: {f:.0%}" for c, f in enumerate(stats["firing"])])
                ),
                "top": uri(_grid(P, images, values, labels, top_images(values, TOP_IMAGES))),
                "negative": uri(
                    _grid(P, images, values, labels, top_images(values, TOP_IMAGES, lowest=True))
                ),
            }
            counterpart_means = iter(means[1:])
        for seed, match in matches:
            row = {"seed": seed, "match": match, "means": None}
            if match.reason is None and images is not None:
                row["means"] = uri(P.class_row(next(counterpart_means)))
            out["matches"].append(row)
        out["bars"] = uri(bars.png())
        out["training"] = [{"series": series, "chart": uri(drawing.png())} for series, drawing in training]
        return out

    def _grid(P, images, values, labels, picked):
        return P.digit_grid(images[picked], [f"{labels[i]}: {values[i]:.3g}" for i in picked])

    def _frames(record) -> np.ndarray:
        return np.unique(
            np.linspace(0, record.frames - 1, min(record.frames, MAX_FRAMES)).round().astype(int)
        )

    async def movie_frame(request: Request):
        name = f"{request.path_params['layer']}:{request.path_params['unit']}"
        layer, unit = answers.parse_unit(view, name)
        if layer not in view.recorded_layers:
            raise BadRequest(
                f"{layer} is not in the training record ({', '.join(view.recorded_layers)}): no movie."
            )

        def draw() -> bytes:
            from .. import pictures as P

            record = session.memo(("record",), view.record)
            keep = _frames(record)
            frame = _int(request.query_params, "frame", 0, 0, len(keep) - 1)
            f = int(keep[frame])
            act, grad = record.activation[layer][:, :, unit], record.gradient[layer][:, :, unit]
            stamp = f"{name}  epoch {record.epoch[f]:.2f}  step {int(record.step[f])}"
            stamp += f"  frame {frame + 1}/{len(keep)}"
            rows = [(name, None, act[f], grad[f], float(np.abs(act).max()), float(np.abs(grad[f]).max()))]
            out = io.BytesIO()
            P.movie_frame(stamp, rows).save(out, format="PNG", compress_level=1)
            return out.getvalue()

        # the record is read once and only read after: a frame never waits behind an ask's compute lock
        return Response(await run_in_threadpool(draw), media_type="image/png")

    # questions ---------------------------------------------------------------------------------------

    def _question(form) -> tuple[str, list[str], dict, dict]:
        refuse_confirmation(form.get("split"))
        unit = _text(form, "unit", required=True)
        layer, index = answers.parse_unit(view, unit)
        site = answers.check_site(view, layer, _text(form, "site", "post"))
        checks = _checks(form)
        params = _check_params(form, checks)
        if "class-ablation" in checks and "class" not in params["class-ablation"]:
            raise BadRequest("class-ablation.class is missing: the class whose knowledge is removed (0-9).")
        where = {"concept": _text(form, "concept"), "contrast": _text(form, "contrast"), "site": site}
        return f"{layer}:{index}", checks, params, where

    def _text_for(unit, checks, params, where, discovered: str, sentence: str | None = None, saving=False):
        """The question as a claim's text; a checkpoint is named relative to claims/ when saving (absolute
        for an ask, which is never written)."""
        checkpoint, base = session.checkpoint, None
        if checkpoint and saving:
            base = (session.root / "claims").resolve()
            checkpoint = os.path.relpath(checkpoint, base)
        return answers.claim_text(
            session.subject_name,
            unit,
            checks,
            params,
            concept=where["concept"],
            contrast=where["contrast"],
            site=where["site"],
            seed=session.seed,
            discovered=discovered,
            sentence=sentence,
            checkpoint=checkpoint,
            checkpoint_base=base,
        )

    async def ask(request: Request):
        form = await request.form()
        require_token(request, form)
        unit, checks, params, where = _question(form)
        try:
            text = _text_for(unit, checks, params, where, "exploration")
        except LenetError as err:
            raise BadRequest(str(err)) from None
        claim = answers.load_claim(text)
        session.asked(
            "ask", f"{unit} {'+'.join(checks)} {where['concept'] or ''} vs {where['contrast'] or ''}".strip()
        )

        def work(job):
            def step(i, check):
                job.step = i

            verdicts = answers.ask(view, claim, checks, step, job.cancel.is_set)
            job.stopped = len(verdicts) < len(checks)
            job.step = len(checks)
            return verdicts

        job = session.start(f"{unit}: {', '.join(checks)}", checks, work)
        return page(request, "explore/job.html", job=job)

    async def job_view(request: Request):
        job = session.jobs.get(request.path_params["job"])
        if job is None:
            raise BadRequest(f"no job {request.path_params['job']!r} in this session.")
        rows = []
        if job.done and job.result:
            for verdict in job.result:
                for c in verdict.criteria:
                    rows.append(
                        {
                            "check": verdict.check,
                            "name": c.name,
                            "value": c.value,
                            "low": c.low,
                            "high": c.high,
                            "threshold": c.threshold,
                            "outcome": c.outcome,
                            "note": c.note,
                            "statistic": c.statistic,
                        }
                    )
        shown = [r for r in rows if r["value"] is not None]
        chart = uri(await run_in_threadpool(session.painter.draw, "criterion", shown)) if rows else None
        return page(request, "explore/job.html", job=job, rows=rows, chart=chart)

    async def cancel(request: Request):
        form = await request.form()
        require_token(request, form)
        job = session.jobs.get(request.path_params["job"])
        if job is None:
            raise BadRequest(f"no job {request.path_params['job']!r} in this session.")
        if not job.done:  # a finished job keeps its results
            job.cancel.set()
        return page(request, "explore/job.html", job=job)

    async def try_image(request: Request):
        form = await request.form()
        require_token(request, form)
        refuse_confirmation(form.get("split"))
        layer, unit = answers.parse_unit(view, _text(form, "unit", required=True))
        site = answers.check_site(view, layer, _text(form, "site", "post"))
        split = view.split("train")
        if form.get("pixels"):
            image = _pixels(form.get("pixels"), tuple(split.images.shape[1:]))
            where, label = "the drawn image", None
        else:
            index = _int(form, "index", None, 0, len(split.images) - 1)
            image, where, label = (
                split.images[index : index + 1],
                f"discovery image {index}",
                int(split.labels[index]),
            )
        found = await compute(answers.try_image, view, image, layer, unit, site)
        session.asked("image", f"{where} on {layer}:{unit}")
        chart = uri(
            await run_in_threadpool(
                session.painter.draw,
                "logits",
                list(view.classes),
                found["before"],
                found["after"],
                f"{layer}:{unit}",
            )
        )
        shown = None
        if image.shape[1] == 1:
            from .. import pictures as P

            shown = uri(P.ink_tile(image[0, 0].numpy(), 3))
        return page(
            request,
            "explore/try.html",
            found=found,
            chart=chart,
            where=where,
            label=label,
            image=shown,
            classes=view.classes,
            name=f"{layer}:{unit}",
            site=site,
        )

    def _pixels(raw: str, shape: tuple) -> object:
        import torch

        if shape != (1, 28, 28):
            raise BadRequest(
                f"pixels: drawing is offered for 28x28 single-channel images; this subject's are {shape}."
            )
        try:
            values = np.array([float(v) for v in str(raw).split(",")], dtype=np.float32)
        except ValueError:
            raise BadRequest("pixels must be 784 comma-separated numbers in [0, 1].") from None
        if values.size != 784 or not np.isfinite(values).all() or values.min() < 0 or values.max() > 1:
            raise BadRequest(f"pixels must be 784 comma-separated numbers in [0, 1] (got {values.size}).")
        return torch.from_numpy(values.reshape(1, 1, 28, 28))

    async def save_claim(request: Request):
        form = await request.form()
        require_token(request, form)
        unit, checks, params, where = _question(form)
        folder = (session.root / "claims").resolve()
        path = folder / safe_name(_text(form, "name", required=True))
        if path.parent != folder:  # cannot happen after safe_name; kept as the last line of defence
            raise BadRequest("name: the file must lie directly in the project's claims/ folder.")
        asked = session.tally()
        listed = session.ranking_of(unit)
        discovered = (
            f"lenet explore on {session.network}, discovery split; {asked} in the session before saving"
            + (f"; listed by: {listed}" if listed else "; not listed by a ranking in this session")
        )
        try:
            text = _text_for(unit, checks, params, where, discovered, _text(form, "claim"), saving=True)
        except LenetError as err:
            raise BadRequest(str(err)) from None
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="utf-8") as out:  # never overwrite
                out.write(text)
        except FileExistsError:
            raise BadRequest(
                f"claims/{path.name} exists; choose another name (the explorer never overwrites)."
            ) from None
        relative = path.relative_to(session.root.resolve()).as_posix()
        return page(request, "explore/saved.html", path=relative, text=text, asked=asked)

    def _results_file(raw: str) -> Path:
        """The claims JSON named by ``raw``: the ``--claims-json`` file, or a file inside the project."""
        path = Path(raw)
        path = (session.root / path if not path.is_absolute() else path).resolve()
        allowed = path == Path(claims_json).resolve() if claims_json else False
        if not allowed and not path.is_relative_to(session.root.resolve()):
            raise BadRequest(
                f"path={raw!r} lies outside the project ({session.root}); open a claims JSON inside it, or "
                "start "
                "the explorer with --claims-json FILE."
            )
        if not path.is_file():
            raise BadRequest(
                f"path={raw!r}: no such file; give a claims JSON written by "
                "`pytest claims/ --claims-json FILE`."
            )
        return path

    async def results(request: Request):
        q = request.query_params
        raw = _text(q, "path", claims_json)
        if not raw:
            return page(request, "explore/results.html", document=None, rows=[], path="")
        path = _results_file(raw)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise BadRequest(f"path={raw!r} is not a claims JSON: {err}") from None
        results = document.get("results") if isinstance(document, dict) else None
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise BadRequest(
                f"path={raw!r} has no list of results: it is not a claims JSON written by "
                "`pytest claims/ --claims-json`."
            )
        rows = []
        for row in results:
            verdict = row.get("verdict") if isinstance(row.get("verdict"), dict) else {}
            details = verdict.get("details") if isinstance(verdict.get("details"), dict) else {}
            names = details.get("units") if isinstance(details.get("units"), list) else []
            ours = row.get("subject", session.subject_name) == session.subject_name and (
                row.get("seed") == session.seed and not row.get("checkpoint") and not session.checkpoint
            )
            units = []
            for name in names:
                layer, _, index = str(name).partition(":")
                if ours and layer in view.layers and index.isdigit():
                    site = details.get("site") or "post"
                    units.append({"name": name, "href": f"/unit/{layer}/{index}?site={site}"})
                else:
                    units.append({"name": name, "href": None})
            criteria = verdict.get("criteria") if isinstance(verdict.get("criteria"), list) else []
            rows.append(
                {
                    **row,
                    "verdict": {**verdict, "criteria": [c for c in criteria if isinstance(c, dict)]},
                    "unit_links": units,
                }
            )
        return page(request, "explore/results.html", document=document, rows=rows, path=str(raw))

    # errors and safety -------------------------------------------------------------------------------

    async def lenet_error(request: Request, err: Exception):
        status = 403 if isinstance(err, ConfirmationRefused) else 400
        message = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        return page(request, "explore/error.html", status, message=message, status_code=status)

    async def http_error(request: Request, err: HTTPException):
        return PlainTextResponse(f"{err.status_code}: {err.detail}", status_code=err.status_code)

    async def server_error(request: Request, err: Exception):
        message = f"{type(err).__name__}: {err}. The server keeps running; its terminal shows the traceback."
        return PlainTextResponse(f"500: {message}", status_code=500)

    routes = [
        Route("/", index),
        Route("/status", status),
        Route("/layer", layer_view),
        Route("/unit/{layer}/{unit}", unit_view),
        Route("/unit/{layer}/{unit}/movie", movie_frame),
        Route("/ask", ask, methods=["POST"]),
        Route("/jobs/{job}", job_view),
        Route("/jobs/{job}/cancel", cancel, methods=["POST"]),
        Route("/try", try_image, methods=["POST"]),
        Route("/claims", save_claim, methods=["POST"]),
        Route("/results", results),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        session.painter.close()  # the chart workers stop with the server

    app = Starlette(
        routes=routes,
        exception_handlers={LenetError: lenet_error, HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    return HostCheck(app)


class HostCheck:
    """Refuse requests from elsewhere: a Host header that is not this machine (DNS rebinding: a page
    resolving its own name to 127.0.0.1) and requests a browser marks as made by another site
    (``Sec-Fetch-Site`` cross-site or same-site: an ``<img>`` or form on any other page, another port of
    localhost included), which would otherwise start computations or probe files."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host
            fetched_from = headers.get(b"sec-fetch-site", b"").decode("latin-1")
            message = None
            if name not in ALLOWED_HOSTS:
                message = (
                    f"400: Host {host!r} is not this machine; open the explorer at http://127.0.0.1:PORT/ as "
                    "`lenet explore` printed it."
                )
            elif fetched_from in ("cross-site", "same-site"):
                message = (
                    f"400: a request from another site ({fetched_from}) is refused; use the explorer's own "
                    "pages."
                )
            if message:
                await PlainTextResponse(message, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)
