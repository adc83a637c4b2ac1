"""Read and validate claim files: ``load(path)`` -> ``Claim``, or ``InvalidClaim`` with one line per problem.

Every problem names ``file:line``, the key and its value, what is wrong and the
fix; all problems of a file are reported at once. A wrong ``format`` stops
validation early, since other versions may mean other keys.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import tomllib

from ..checks import CHECKS
from ..errors import InvalidClaim, LenetError
from ..keys import Param
from . import schema
from .addresses import canonical_units, check_layer
from .claim import CheckTable, Claim, SeedsTable
from .lines import KeyLines

__all__ = ["load", "find", "display_path"]

SELECTORS = ("unit", "units", "select", "layer")
_TOP = {p.name: p for p in schema.TOP}
TABLES = ("seeds",)  # reserved tables besides the checks


def display_path(path: Path, root: Path | None = None) -> str:
    """``path`` relative to ``root`` (else the working directory) when inside it, posix; else absolute."""
    path = Path(path).absolute()
    for base in (root, Path.cwd()):
        if base is not None and path.is_relative_to(Path(base).absolute()):
            return path.relative_to(Path(base).absolute()).as_posix()
    return path.as_posix()


def find(paths: list[str | os.PathLike]) -> list[Path]:
    """Claim files under ``paths`` (files as given, ``*.toml`` in folders, recursively, sorted)."""
    found: list[Path] = []
    for path in map(Path, paths):
        found += sorted(path.rglob("*.toml")) if path.is_dir() else [path]
    return found


def _suggest(name: str, options) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


class _Reader:
    """Collects problems with their lines while reading one parsed file."""

    def __init__(self, data: dict, lines: KeyLines) -> None:
        self.data, self.where, self.problems = data, lines, []

    def problem(self, path: tuple[str, ...], text: str) -> None:
        self.problems.append((self.where.line(*path), text))

    def params(
        self,
        table: dict,
        params: tuple[Param, ...],
        path: tuple[str, ...],
        label: str,
        also: tuple[str, ...] = (),
    ) -> dict:
        """Validated values of ``table`` for ``params``
        (defaults filled in); unknown and missing keys reported."""
        known = {p.name: p for p in params}
        for key in table:
            if key not in known and key not in also:
                valid = ", ".join([*known, *also])
                self.problem(
                    path + (key,),
                    f"{label}unknown key {key!r}.{_suggest(key, [*known, *also])} Valid keys here: {valid}.",
                )
        out = {}
        for p in params:
            if p.name not in table:
                if p.required:
                    self.problem(
                        path,
                        f"{label}{p.name} is missing. Add e.g. {p.name} = {schema.example_value(p.example)}.",
                    )
                out[p.name] = p.default
                continue
            out[p.name], problem = schema.check_value(p, table[p.name])
            if problem:
                self.problem(path + (p.name,), label + problem)
        return out


def _format(reader: _Reader, data: dict) -> bool:
    if "format" not in data:
        reader.problem((), f"format is missing. Add `format = {schema.FORMAT}` as the first line.")
        return False
    value = data["format"]
    if isinstance(value, str) and value.strip().isdigit():
        reader.problem(
            ("format",),
            f"format={schema.example_value(value)} must be an integer, not a string: write "
            f"format = {value.strip()} (no quotes).",
        )
        return False
    if value not in schema.FORMATS or isinstance(value, bool):
        shown = schema.example_value(value) if isinstance(value, (int, str, float)) else type(value).__name__
        reader.problem(
            ("format",),
            f"format={shown} is not "
            f"supported; this version of lenet-claims reads formats {', '.join(map(str, schema.FORMATS))}. "
            f"Write format = {schema.FORMAT} "
            f"(and the keys of docs/claims.md), or upgrade lenet-claims.",
        )
        return False
    if value == 1 and "site" in data:
        reader.problem(
            ("site",),
            'site is a format-2 key; format-1 files are read at site "pre". Change `format = 1` to '
            "`format = 2` so this site applies, or delete the site line (then `lenet validate --upgrade "
            'FILE` writes format 2 with site = "pre", the meaning format 1 had).',
        )
    return True


def _unknown_top(reader: _Reader, data: dict) -> None:
    names = [*_TOP, *CHECKS, *TABLES]
    for key, value in data.items():
        if key in names:
            if (key in CHECKS or key in TABLES) and not isinstance(value, dict):
                reader.problem(
                    (key,), f"{key} must be a table: write [{key}] on its own line with its keys below it."
                )
            continue
        owners = [c for c, module in CHECKS.items() if module.SPEC.param(key)]
        if owners and not isinstance(value, dict):
            reader.problem(
                (key,), f"{key} belongs in a check table, not at the top level. Move it under [{owners[0]}]."
            )
        elif isinstance(value, dict):
            reader.problem(
                (key,),
                f"unknown check table [{key}].{_suggest(key, [*CHECKS, *TABLES])} Checks are "
                f"{', '.join(CHECKS)} (and [seeds]).",
            )
        else:
            reader.problem(
                (key,), f"unknown key {key!r}.{_suggest(key, names)} Top-level keys are {', '.join(_TOP)}."
            )


def _selector(
    reader: _Reader, data: dict, subject: str | None
) -> tuple[str | None, str | None, dict | None, str | None]:
    """``(selector, units, select, layer)``; problems reported."""
    given = [k for k in SELECTORS if k in data]
    if not given:
        reader.problem(
            (),
            'no unit selector: add exactly one of unit = "linear-0:58", units = "linear-0:58,28", '
            'select = { layer = "linear-0", top = 5 } or layer = "linear-0".',
        )
        return None, None, None, None
    if len(given) > 1:
        reader.problem(
            (given[1],),
            f"{' and '.join(given)} are {'both' if len(given) == 2 else 'all'} "
            "unit selectors; keep exactly one.",
        )
        return None, None, None, None
    key, value = given[0], data[given[0]]
    try:
        if key in ("unit", "units"):
            items = value if key == "units" and isinstance(value, list) else [value]
            if (
                not items
                or not all(isinstance(v, str) for v in items)
                or (key == "unit" and isinstance(value, list))
            ):
                shown = (
                    schema.example_value(value)
                    if isinstance(value, (str, list, int))
                    else type(value).__name__
                )
                reader.problem(
                    (key,),
                    f"{key}={shown} "
                    f"must be {'a string' if key == 'unit' else 'a string or a list of strings'}. Use e.g. "
                    f"{key} = {schema.example_value(_TOP[key].example)}.",
                )
                return key, None, None, None
            layer, text = canonical_units(items, subject)
            if key == "unit" and ("," in text or text.endswith("*")):
                reader.problem((key,), f"unit={value!r} names several units; use units = {value!r}.")
            return key, text, None, layer
        if key == "select":
            if not isinstance(value, dict):
                reader.problem(
                    (key,),
                    "select must be an inline table. Use e.g. select = { "
                    'layer = "linear-0", top = 5, by = "selectivity" }.',
                )
                return key, None, None, None
            rule = reader.params(value, schema.SELECT, ("select",), "select: ")
            if isinstance(rule.get("layer"), str):
                check_layer(rule["layer"], subject)
            return key, None, rule, rule.get("layer")
        if not isinstance(value, str):
            reader.problem((key,), 'layer must be a string. Use e.g. layer = "linear-0".')
            return key, None, None, None
        return key, None, None, check_layer(value, subject)
    except (LenetError, ValueError) as err:
        shown = schema.example_value(value) if isinstance(value, (str, list)) else type(value).__name__
        reader.problem((key,), f"{key}={shown}: {err} Fix the address.")
        return key, None, None, None


def _subject(reader: _Reader, data: dict, values: dict) -> str | None:
    """The claim's subject name, if it can be loaded (else a problem on ``subject``; units and concepts
    are then not checked)."""
    from .. import subjects

    name = values.get("subject") or subjects.DEFAULT
    if "subject" in data and values.get("format") == 1:
        reader.problem(("subject",), "subject is a format-2 key; change `format = 1` to `format = 2`.")
        return None
    try:
        subjects.get(name).layer_table()  # a declared subject's model and data load here: their errors too
    except LenetError as err:
        reader.problem(("subject",), f"subject={name!r}: {err}")
        return None
    return name


def _site(reader: _Reader, values: dict, layer: str | None, subject: str | None) -> None:
    """A problem on ``site`` when the claim's layer cannot be read there (a declared subject's raw value
    has the ``post`` site only)."""
    from .. import subjects

    if subject is None or layer is None:
        return
    try:
        subjects.get(subject).check_site(layer, values.get("site") or "post")
    except LenetError as err:
        reader.problem(("site",) if "site" in values else ("subject",), f"site={values.get('site')!r}: {err}")


def _concepts(reader: _Reader, values: dict, subject: str | None) -> None:
    from .. import subjects

    if subject is None:
        return
    kind = subjects.get(subject)
    for key in ("concept", "contrast"):
        name = values.get(key)
        if not isinstance(name, str):
            continue
        try:
            kind.check_concept(name)
        except LenetError as err:
            hint = _suggest(name, kind.concepts()) if "Unknown concept" in str(err) else ""
            reader.problem((key,), f"{key}={name!r}: {err}{hint}")
            values[key] = None
    if values.get("concept") and values.get("concept") == values.get("contrast"):
        reader.problem(
            ("contrast",),
            f"contrast={values['contrast']!r} is the concept itself; "
            'name a different set, e.g. contrast = "seven/plain".',
        )


def _unit_count(selector: str | None, units: str | None, select: dict | None) -> int | None:
    """How many units the claim's selector names (None: a layer, a whole-layer `*`, or unreadable)."""
    if selector == "unit":
        return 1
    if selector == "select" and isinstance((select or {}).get("top"), int):
        return select["top"]
    if selector == "units" and units and not units.endswith("*"):
        return len(units.split(":", 1)[1].split(","))
    return None


#: what a check can need that only some subjects offer (``Subject.OFFERS``), in words
CAPABILITIES = {"record": "a training record", "perturbations": "image perturbations"}


def _checks(
    reader: _Reader,
    data: dict,
    values: dict,
    selector: str | None,
    subject: str | None,
    units: str | None,
    count: int | None,
) -> dict[str, CheckTable]:
    from .. import subjects

    offers = subjects.get(subject).OFFERS if subject else frozenset(CAPABILITIES)
    tables = {}
    for name in (k for k in data if k in CHECKS and isinstance(data[k], dict)):
        spec, label = CHECKS[name].SPEC, f"[{name}] "
        params = reader.params(data[name], spec.params, (name,), label, also=("expect",))
        expect = data[name].get("expect", values.get("expect") or "holds")
        if "expect" in data[name]:
            expect, problem = schema.check_value(_TOP["expect"], expect)
            if problem:
                reader.problem((name, "expect"), label + problem)
        for key in ("concept", "contrast"):
            if key in spec.needs and not values.get(key) and key not in data:
                reader.problem(
                    (name,),
                    f'{label}needs {key} = "..." at the top level (the images it compares), '
                    f"e.g. {key} = {schema.example_value(_TOP[key].example)}; `lenet concepts` lists them.",
                )
        for need in sorted(spec.needs & set(CAPABILITIES) - offers):
            reader.problem(
                (name,),
                f"{label}needs {CAPABILITIES[need]}, which subject {subject!r} does not offer; remove the "
                "table, or write the claim about a subject that offers it (lenet-mnist offers both).",
            )
        if "units" in spec.needs and selector == "layer":
            reader.problem(
                (name,),
                f"{label}needs units: replace layer = ... with unit = ..., units = ... or select = {{...}}.",
            )
        if spec.min_units > 1 and selector == "units" and (units or "").endswith("*"):
            reader.problem(
                (name,),
                f"{label}measures the set's first unit, and `{units}` names the whole layer in index order; "
                'list the units with the one it measures first (units = "linear-0:95,70,37") or use select.',
            )
        if count is not None and count < spec.min_units:
            reader.problem(
                (name,),
                f"{label}needs a set of at least {spec.min_units} units; this claim names {count}. Use "
                'units = "linear-0:95,70,37" (the first is the one it measures) or '
                "select = { ..., top = 5 }.",
            )
        for param in spec.thresholds:
            twin = spec.param("max_" + param.name[4:]) if param.name.startswith("min_") else None
            low, high = params.get(param.name), params.get(twin.name) if twin else None
            if isinstance(low, int | float) and isinstance(high, int | float) and low >= high:
                reader.problem(
                    (name, param.name),
                    f"{label}{param.name} = {low:g} is {'above' if low > high else 'equal to'} "
                    f"{twin.name} = {high:g}: no interval can satisfy both; keep the bound the claim is "
                    "about.",
                )
        bars = [p.name for p in spec.thresholds]
        if bars and not any(p.required for p in spec.thresholds) and all(params.get(b) is None for b in bars):
            reader.problem(
                (name,),
                f"{label}has nothing to decide: set at least one of {', '.join(bars)} "
                f"(e.g. {bars[0]} = {schema.example_value(spec.param(bars[0]).example)}).",
            )
        tables[name] = CheckTable(name, params, expect, reader.where.line(name))
    if not tables and not reader.problems:
        reader.problem(
            (),
            "no check table: add at least one, e.g. [selectivity] "
            f"with min_auroc = 0.75. Checks are {', '.join(CHECKS)}.",
        )
    return tables


def _trained(reader: _Reader, key: tuple, seeds: list[int], subject: str | None) -> None:
    """A problem on ``key`` for each seed a subject that cannot train has no network for."""
    from .. import subjects

    if subject is None:
        return
    kind = subjects.get(subject)
    missing = [s for s in seeds if s not in kind.reference_seeds()]
    if missing and "trainer" not in kind.OFFERS:
        known = ", ".join(map(str, kind.reference_seeds())) or "none"
        reader.problem(
            key,
            f"subject {subject!r} has no network for seed{'s' * (len(missing) > 1)} "
            f"{', '.join(map(str, missing))} (its seeds: {known}) and does not train them; add their weights "
            "files to its declaration (docs/subjects.md), or name seeds it has.",
        )


def _seeds(reader: _Reader, data: dict, values: dict, subject: str | None = None) -> SeedsTable | None:
    table = data.get("seeds")
    if not isinstance(table, dict):
        return None
    found = reader.params(table, schema.SEEDS, ("seeds",), "[seeds] ", also=("expect",))
    seeds, least = found.get("seeds"), found.get("min_holding")
    if isinstance(seeds, list) and isinstance(least, int) and least > len(seeds):
        reader.problem(
            ("seeds", "min_holding"),
            f"[seeds] min_holding={least} exceeds the {len(seeds)} seeds listed; "
            f"use at most min_holding = {len(seeds)}.",
        )
    expect = values.get("expect") or "holds"
    if "expect" in table:
        expect, problem = schema.check_value(_TOP["expect"], table["expect"])
        if problem:
            reader.problem(("seeds", "expect"), "[seeds] " + problem)
    if "checkpoint" in data:
        reader.problem(
            ("seeds",),
            "[seeds] checks the claim on training seeds, but checkpoint = ... names one network file. "
            "Remove [seeds], or replace checkpoint with seed = N.",
        )
    if not isinstance(seeds, list) or not isinstance(least, int):
        return None
    _trained(reader, ("seeds", "seeds"), [s for s in seeds if isinstance(s, int)], subject)
    population = found.get("population")
    if isinstance(population, str) and "." in population:
        check, key = population.split(".", 1)
        if check not in data or not isinstance(data.get(check), dict):
            own = [
                f"{name}.{p.name}"
                for name in data
                if name in CHECKS and isinstance(data[name], dict)
                for p in CHECKS[name].SPEC.thresholds
                if p.name in data[name]
            ]
            reader.problem(
                ("seeds", "population"),
                f"[seeds] population={population!r} pools the {check!r} check's {key}, but the claim has no "
                f"[{check}] table; name a threshold of one of its checks"
                + (f": {', '.join(own)}." if own else ', e.g. population = "ablation.min_effect".'),
            )
        else:
            spec = CHECKS.get(check)
            keys = [p.name for p in spec.SPEC.thresholds] if spec else []
            if key not in keys:
                reader.problem(
                    ("seeds", "population"),
                    f"[seeds] population={population!r}: [{check}] has no threshold {key!r} to pool; "
                    f"use one of {', '.join(f'{check}.{k}' for k in keys) or '(none: pick another check)'}.",
                )
    reselect = found.get("reselect")
    named = data.get("unit", data.get("units"))
    if isinstance(reselect, str) and (named is None or str(named).endswith(":*")):
        reader.problem(
            ("seeds", "reselect"),
            f"[seeds] reselect={reselect!r} re-applies the rule that found named units, but the claim "
            "names none (it uses select, layer or a whole layer): remove reselect; a select rule is "
            "re-applied on every seed anyway.",
        )
    return SeedsTable(
        tuple(seeds),
        least,
        reader.where.line("seeds"),
        expect,
        bool(found.get("expensive")),
        population if isinstance(population, str) else None,
        reselect if isinstance(reselect, str) else None,
    )


def _extras(reader: _Reader, data: dict, values: dict, path: Path) -> None:
    """Tags that pytest could misread, and the checkpoint file (relative to the claim file)."""
    for tag in values.get("tags") or ():
        if isinstance(tag, str) and tag in schema.RESERVED_TAGS:
            reader.problem(
                ("tags",),
                f"tags item {tag!r} is reserved (a pytest mark or -m keyword); rename it, e.g. {tag}_claims.",
            )
    checkpoint = values.get("checkpoint")
    if isinstance(checkpoint, str):
        resolved = (path.parent / checkpoint).resolve()
        if not resolved.is_file():
            reader.problem(
                ("checkpoint",),
                f"checkpoint={checkpoint!r}: no such file "
                f"({resolved}). Give a path relative to the claim file.",
            )
        values["checkpoint"] = str(resolved)
        if "seed" in data:
            reader.problem(
                ("seed",),
                "seed and checkpoint both name the network; keep one (a checkpoint file is its own network).",
            )


def _as_written(message: str) -> str:
    """tomllib names keys as Python tuples ("('seeds', 'seeds')"); show them as a file writes them."""
    return re.sub(
        r"\(((?:'[^']*'(?:, )?)+),?\)",
        lambda m: "`" + ".".join(re.findall(r"'([^']*)'", m[1])) + "`",
        message,
    )


def _parse(path: Path, shown: str) -> tuple[dict, KeyLines]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidClaim(
            shown, [(1, f"cannot read the file ({type(err).__name__}: {err}). Save it as UTF-8 text.")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"at line (\d+)", str(err))
        raise InvalidClaim(
            shown,
            [
                (
                    int(found[1]) if found else 1,
                    f"TOML syntax error: {_as_written(str(err))}. Fix the syntax; docs/claims.md has a "
                    "complete example.",
                )
            ],
        ) from None
    return data, KeyLines(text)


def load(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Claim:
    """The validated claim in ``path``;
    its id and messages are relative to ``root`` (the pytest rootdir), else the cwd.

    Raises ``InvalidClaim`` listing every problem found, one line each.
    """
    path = Path(path).absolute()
    shown = display_path(path, Path(root) if root else None)
    data, lines = _parse(path, shown)
    reader = _Reader(data, lines)
    if not _format(reader, data):
        raise InvalidClaim(shown, reader.problems)
    _unknown_top(reader, data)
    top = {k: v for k, v in data.items() if k in _TOP and k not in SELECTORS}
    values = reader.params(top, tuple(p for p in schema.TOP if p.name not in SELECTORS), (), "")
    subject = _subject(reader, data, values)
    selector, units, select, layer = _selector(reader, data, subject) if subject else (None,) * 4
    if values.get("format") != 1:
        _site(reader, values, layer, subject)
    _concepts(reader, values, subject)
    _extras(reader, data, values, path)
    checks = _checks(reader, data, values, selector, subject, units, _unit_count(selector, units, select))
    seeds = _seeds(reader, data, values, subject)
    if subject and isinstance(values.get("seed"), int) and not values.get("checkpoint"):
        _trained(reader, ("seed",), [values["seed"]], subject)
    if values["format"] == 1:
        values["site"] = "pre"  # what format 1 measured: the pre-activation
    if reader.problems:
        raise InvalidClaim(shown, sorted(reader.problems, key=lambda p: p[0]))
    return Claim(
        path=path,
        id=display_path(path, Path(root) if root else None),
        sentence=values["claim"].strip(),
        format=values["format"],
        selector=selector,
        units=units,
        select=select,
        layer=layer,
        subject=subject or "lenet-mnist",
        seed=values["seed"],
        site=values["site"],
        checkpoint=values.get("checkpoint"),
        concept=values.get("concept"),
        contrast=values.get("contrast"),
        tags=tuple(values["tags"] or ()),
        confidence=values["confidence"],
        expect=values["expect"],
        discovered=values.get("discovered"),
        checks=checks,
        seeds=seeds,
        lines={".".join(k): v for k, v in lines.lines.items()},
    )
