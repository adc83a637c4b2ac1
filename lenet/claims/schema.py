"""The claim-file schema: every top-level key declared once, value checks, and the docs/claims.md it renders.

Top-level keys use the same ``Param`` declaration (``lenet.keys``) as the check
tables (each check module's ``SPEC``, registered in ``lenet.checks.CHECKS``), so
one function validates both and one function writes the reference
(``python -m lenet.claims.docs > docs/claims.md``; a test fails when the
committed file differs).
"""

from __future__ import annotations

import math
import re

from ..checks import CHECKS
from ..keys import EXPECT, Param

__all__ = [
    "FORMAT",
    "TOP",
    "SELECT",
    "SEEDS",
    "RESERVED_TAGS",
    "check_value",
    "example_value",
    "render_markdown",
]

FORMAT = 2  # the claim-file format this library writes
FORMATS = (1, 2)  # the formats it reads: format 1 means site = "pre" (`lenet validate --upgrade` rewrites it)
TAG_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"  # usable in `-m` expressions as they are
# pytest's own marks and the -m expression words: a tag with one of these names would change how items run
RESERVED_TAGS = frozenset(
    {"skip", "skipif", "xfail", "parametrize", "usefixtures", "filterwarnings", "and", "or", "not", "slow"}
)

TOP: tuple[Param, ...] = (
    Param(
        "format",
        "int",
        f"version of the claim-file format; this library writes {FORMAT} and reads "
        f'{", ".join(map(str, FORMATS))} (format 1 means `site = "pre"`; '
        "`lenet validate --upgrade` rewrites it)",
        FORMAT,
        required=True,
        choices=FORMATS,
    ),
    Param(
        "claim",
        "str",
        "the hypothesis in one sentence; failures and reports show it",
        "Unit linear-0:58 detects sevens written with a crossbar",
        required=True,
        pattern=r"\S",
    ),
    Param(
        "subject",
        "str",
        "the network and data the claim is about: `lenet-mnist` (LeNet-5 on MNIST, built in) or a subject "
        "the project declares under `[tool.lenet.subjects.NAME]` (docs/subjects.md); format 2 only",
        "lenet-mnist",
        default="lenet-mnist",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    ),
    Param(
        "unit",
        "units",
        "**selector** (exactly one of unit, units, select, layer): one unit "
        "of the seed's network, `layer:index` (`linear-0-58` is accepted too)",
        "linear-0:58",
    ),
    Param(
        "units",
        "units",
        "**selector**: a set of units of one layer, as one string or a list",
        "linear-0:58,28,8",
    ),
    Param(
        "select",
        "table",
        "**selector**: units chosen by a rule on the discovery "
        "(train) split and confirmed on the test split; keys below",
        {"layer": "linear-0", "top": 5, "by": "selectivity"},
    ),
    Param("layer", "str", "**selector** for layer-level checks (`[correlation]`): a whole layer", "linear-0"),
    Param(
        "seed",
        "int",
        "the training seed whose network the unit indices name (the built-in subject: "
        "reference seeds 0-19, others are trained into the cache; a declared subject: its weights files)",
        0,
        default=0,
        low=0,
    ),
    Param(
        "checkpoint",
        "str",
        "a checkpoint file to check instead of a seed, relative to the claim file (`--claims-checkpoint` "
        "overrides it); it has no training record, so `[training]` cannot run on it",
        "models/my-lenet.pt",
    ),
    Param(
        "concept",
        "str",
        "the named image set the claim is about (`lenet concepts` "
        "lists them); needed by checks that compare groups",
        "seven/crossed",
    ),
    Param("contrast", "str", "the image set it is compared with", "seven/plain"),
    Param(
        "tags",
        "list[str]",
        "pytest markers for the claim's items (`pytest claims/ "
        "-m sevens`); identifiers, not pytest's own marks",
        ["sevens"],
        default=(),
        pattern=TAG_PATTERN,
    ),
    Param(
        "site",
        "str",
        "where the claim reads and edits its units: `post`, after the layer's nonlinearity (what the next "
        "layer reads; a conv channel's rectified map, spatially averaged), or `pre`, before it; "
        "format 2 only (format-1 files are read as `pre`)",
        "post",
        default="post",
        choices=("post", "pre"),
    ),
    Param(
        "confidence",
        "float",
        "confidence level of every CI and test of the claim (alpha = 1 - confidence)",
        0.99,
        default=0.99,
        low=0.8,
        high=0.999,
    ),
    Param(
        "expect",
        "str",
        "the expected outcome of every check (a check table may override it): `holds`; "
        "`refuted` records what we claim is false (xfail while refuted, fails once it "
        "holds); `inconclusive` records an open question (xfail until decided)",
        "holds",
        default="holds",
        choices=EXPECT,
    ),
    Param(
        "discovered",
        "str",
        "where the claim came from (command and split), for readers; not interpreted",
        "lenet scan linear-0 --concept seven/crossed --contrast seven/plain (train split)",
    ),
)
SELECT: tuple[Param, ...] = (
    Param("layer", "str", "the layer to choose from", "linear-0", required=True),
    Param("top", "int", "how many units to choose", 5, required=True, low=1),
    Param(
        "by",
        "str",
        "the score units are ranked by on the train split",
        "selectivity",
        default="selectivity",
        choices=("selectivity", "ablation"),
    ),
)
SEEDS: tuple[Param, ...] = (
    Param(
        "seeds",
        "list[int]",
        "training seeds to check the claim on (units matched to the claim's seed's)",
        [0, 1, 2, 3, 4],
        required=True,
        low=0,
    ),
    Param(
        "min_holding",
        "int",
        "the claim passes when it holds on at least this many of them (`--claims-seeds` keeps the fraction: "
        "ceil(min_holding x seeds given / seeds listed))",
        4,
        required=True,
        low=1,
    ),
    Param(
        "reselect",
        "str",
        "for a claim naming units: re-apply the rule that found them on each other seed instead of "
        "matching them, i.e. the top N units of their layer by this score on that seed's training images "
        "(N: the units named); the claim's own seed must give the named units back",
        "ablation",
        choices=("selectivity", "ablation"),
    ),
    Param(
        "population",
        "str",
        "decide the item by the mean effect across training runs instead of the count: `CHECK.KEY` names "
        "a per-seed criterion with a CI (e.g. `ablation.min_effect`); the seeds' effects are pooled by a "
        "random-effects model (Hartung-Knapp interval, between-seed SD reported) and judged against that "
        "key's threshold; seeds without a counterpart are left out; the count is still reported",
        "ablation.min_effect",
        pattern=r"[a-z-]+\.(min|max)_[a-z_]+",
    ),
    Param(
        "expensive",
        "bool",
        "also run the expensive checks (`[invariance]`) on every seed; by default they "
        "run on the claim's own `seed` only (about 10-60 s per seed and claim on 2 cores)",
        True,
        default=False,
    ),
)

_KINDS = {"float": (int, float), "int": (int,), "str": (str,), "bool": (bool,)}


def _range(param: Param) -> str:
    if param.low is not None and param.high is not None:
        return (
            f"{'(' if param.open_low else '['}{param.low:g}, {param.high:g}{')' if param.open_high else ']'}"
        )
    if param.low is not None:
        return f"{'>' if param.open_low else '>='} {param.low:g}"
    return f"{'<' if param.open_high else '<='} {param.high:g}"


def _in_range(param: Param, value: float) -> bool:
    if param.low is not None and (value < param.low or (param.open_low and value == param.low)):
        return False
    return param.high is None or not (value > param.high or (param.open_high and value == param.high))


def example_value(value: object) -> str:
    """A value as TOML writes it: ``0.75``, ``"resample"``, ``[0, 1]``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(example_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {example_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def _scalar(param: Param, value: object, shown: str) -> str | None:
    """Problem with one scalar value (an element of a list for list kinds), or None."""
    kind = param.kind.removeprefix("list[").removesuffix("]")
    if isinstance(value, bool) and kind != "bool" or not isinstance(value, _KINDS[kind]):
        return (
            f"{shown} must be {'an' if kind == 'int' else 'a'} {kind}, not "
            f"{type(value).__name__}. Use e.g. {param.name} = {example_value(param.example)}."
        )
    if param.choices and value not in param.choices:
        return f"{shown} must be one of {', '.join(map(example_value, param.choices))}."
    if kind == "float" and not math.isfinite(value):
        return f"{shown} must be a finite number. Use e.g. {param.name} = {example_value(param.example)}."
    if (
        kind in ("float", "int")
        and (param.low is not None or param.high is not None)
        and not _in_range(param, value)
    ):
        where = (
            f"lie in {_range(param)}"
            if param.low is not None and param.high is not None
            else f"be {_range(param)}"
        )
        return f"{shown} must {where}. Use a value such as {example_value(param.example)}."
    if kind == "str" and param.pattern and not re.search(param.pattern, value):
        form = param.doc if len(param.doc) <= 200 else param.doc.split(";")[0]
        return (
            f"{shown} does not have the expected form ({param.name}: {form}). Use e.g. "
            f"{param.name} = {example_value(param.example)}."
        )
    return None


def check_value(param: Param, value: object) -> tuple[object, str | None]:
    """``(value as used, problem)``: floats given as ints become floats;
    problem is ``"key=value ... fix."`` or None."""
    text = example_value(value) if isinstance(value, (str, bool, int, float, list)) else type(value).__name__
    shown = f"{param.name}={text}"
    if len(shown) > 80:
        shown = shown[:77] + "..."
    if param.kind.startswith("list["):
        if not isinstance(value, list) or not value:
            return (
                value,
                f"{shown} must be a non-empty list. Use e.g. {param.name} = {example_value(param.example)}.",
            )
        for item in value:
            problem = _scalar(
                param,
                item,
                f"{param.name} item "
                f"{example_value(item) if isinstance(item, (str, int, float)) else type(item).__name__}",
            )
            if problem:
                return value, problem
        if len(set(value)) != len(value):
            return value, f"{shown} lists an item twice. List each once."
        return list(value), None
    problem = _scalar(param, value, shown)
    return (float(value) if param.kind == "float" and problem is None else value), problem


def _table(params: tuple[Param, ...], extra: str = "") -> list[str]:
    rows = ["| key | type | allowed | default | meaning | example |", "|---|---|---|---|---|---|"]
    for p in params:
        allowed = (
            ", ".join(map(example_value, p.choices))
            if p.choices
            else (_range(p) if p.low is not None or p.high is not None else "")
        )
        if p.pattern and not p.choices:
            allowed = (allowed + " " if allowed else "") + f"regex `{p.pattern}`"
        default = (
            "**required**"
            if p.required
            else ("off" if p.default is None else f"`{example_value(p.default)}`")
        )
        if "**selector**" in p.doc:
            default = "one selector"
        rows.append(
            f"| `{p.name}` | {p.kind} | {allowed.replace('|', '&#124;')} | {default} | "
            f"{p.doc.replace('|', '&#124;')} | `{p.name} = {example_value(p.example)}` |"
        )
    if extra:
        rows.append(
            f"| `expect` | str | {', '.join(map(example_value, EXPECT))} "
            f'| the claim\'s `expect` | {extra} | `expect = "refuted"` |'
        )
    return rows


def render_markdown(intro: str, example: str) -> str:
    """docs/claims.md: ``intro``, the example file,
    then every key's table (generated from the declarations)."""
    out = [
        intro.rstrip(),
        "",
        "## Example",
        "",
        "```toml",
        example.rstrip(),
        "```",
        "",
        "## Top-level keys",
        "",
        *_table(TOP),
        "",
        "### `select` (inline table)",
        "",
        *_table(SELECT),
        "",
        "### `[seeds]`",
        "",
        "Checks the whole claim on other training seeds (the `::seeds` item): every check runs "
        "on each seed, with named units carried to their matched counterparts and `select` rules "
        "re-selected there. The claim holds on a seed when every check that ran there holds; a seed "
        "where a named unit has no counterpart is its own outcome, `no-counterpart`, reported and "
        "counted neither for nor against the claim (the matching null bounds false matches, not false "
        "non-matches). The item holds when at least `min_holding` seeds hold, is refuted when that is "
        "out of reach even if every inconclusive seed and every seed without a counterpart held, "
        "and is inconclusive otherwise; the fraction comes with a Clopper-Pearson interval. Each "
        "seed's checks run at a stricter confidence, 1 - (1 - confidence) / max(min_holding, "
        "n - min_holding + 1) (0.9975 for 4 of 5 at 0.99), so the count keeps the claim's rates "
        "(docs/statistics.md).",
        "",
        *_table(SEEDS, extra="the expected outcome of the seeds verdict"),
        "",
        "## Check tables",
        "",
        "Each table below becomes one pytest item, `claims/<file>.toml::<check>`. "
        "A table may hold only the keys listed for it.",
        "",
    ]
    for spec in (module.SPEC for module in CHECKS.values()):
        needs = ", ".join(f"`{n}`" for n in sorted(spec.needs))
        out += [
            f"### `[{spec.name}]`",
            "",
            f"{spec.summary[0].upper()}{spec.summary[1:]}. Needs: {needs}.",
            "",
            *_table(spec.params, extra="this check's expected outcome"),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"
