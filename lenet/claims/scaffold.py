"""A new claim file as text: the claim's keys and one table per check,
every threshold with a comment saying what it means.

Required parameters get the values given (or the schema's example, a
conventional bar); optional ones are written commented out with their
default. The text is validated by the same loader ``pytest claims/`` uses
before it is returned, so a scaffold always loads.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .. import subjects
from ..checks import CHECKS
from ..errors import InvalidClaim, InvalidConfig
from .loader import load
from .schema import FORMAT, example_value

__all__ = ["scaffold", "default_checks"]

COMMENT_AT = 30  # column where trailing comments start

NORMALISED_BARS = {"ablation": 0.05, "activation": 0.02}
"""Scaffolds state effects as a fraction of the concept's median margin (``normalise = "concept-margin"``),
so a bar means the same on any network: 5% for ablation (on seed 0, 0.5 logits of the median 10.7 of test
sevens), 2% for activation (0.2 logits)."""


def default_checks(concept: str | None, klass: int | None) -> list[str]:
    """Checks that apply to what was given: group checks need a concept and contrast, ``training`` a class."""
    found = ["selectivity", "ablation", "activation", "invariance"] if concept else []
    return found + (["training"] if klass is not None else [])


def _line(key: str, value: object, doc: str, commented: bool = False) -> str:
    text = f"{'# ' if commented else ''}{key} = {example_value(value)}"
    return f"{text:<{COMMENT_AT - 1}} # {doc}"


def _table(check: str, given: dict) -> list[str]:
    spec = CHECKS[check].SPEC
    lines = [f"[{check}]".ljust(COMMENT_AT - 1) + f" # {spec.summary}"]
    bar = NORMALISED_BARS.get(check)
    if bar is not None and "normalise" not in given and "min_effect" not in given:  # normalised unless told
        given = {"normalise": "concept-margin", **given}
    bars = spec.thresholds
    # something to decide: with no bar required or given, the first is written as if it were required
    conventional = {bars[0].name} if bars and not any(b.required or b.name in given for b in bars) else set()
    for param in spec.params:
        if (
            param.name == "min_effect"
            and param.name not in given
            and given.get("normalise") == "concept-margin"
        ):
            doc = (
                f"{param.doc} ({bar:.0%} of the concept's median margin: a conventional bar, set yours "
                "before the first run)"
            )
            lines.append(_line(param.name, bar, doc))
        elif param.name in given:
            lines.append(_line(param.name, given[param.name], param.doc))
        elif param.required or param.name in conventional:
            is_bar = param in bars
            lines.append(
                _line(
                    param.name,
                    param.example,
                    param.doc
                    + (
                        " (a conventional bar: set yours before the first run)"
                        if is_bar
                        else " (set before the first run)"
                    ),
                )
            )
        else:
            lines.append(
                _line(
                    param.name,
                    param.default if param.default is not None else param.example,
                    param.doc + ("" if param.default is not None else " (off unless set)"),
                    commented=True,
                )
            )
    return lines


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(
    unit: str,
    sentence: str,
    checks: list[str],
    *,
    concept: str | None = None,
    contrast: str | None = None,
    seed: int = 0,
    site: str = "post",
    discovered: str | None = None,
    tags: list[str] = (),
    params: dict[str, dict] | None = None,
    subject: str | None = None,
    checkpoint: str | None = None,
    checkpoint_base: Path | None = None,
) -> str:
    """The claim file text for ``unit`` (``layer:index``, a set, or a bare layer for layer-level checks);
    ``subject``: a declared subject's name (default: the built-in one); ``checkpoint``: a network file, as
    the claim will name it (relative to ``checkpoint_base``, the folder the claim will be written to)."""
    unknown = [c for c in checks if c not in CHECKS]
    if unknown or not checks:
        raise InvalidConfig(
            f"--checks {','.join(checks) or '(none)'}: "
            f"{'unknown ' + ', '.join(unknown) if unknown else 'no checks'}; "
            f"choose from {', '.join(CHECKS)}."
        )
    params = params or {}
    named = subject or subjects.DEFAULT
    selector = (
        "layer" if unit in subjects.layers(named) else "units" if "," in unit or "*" in unit else "unit"
    )
    head = [
        "# How it was discovered: "
        + (discovered or "written with `lenet new` (say here which command and split showed it)."),
        "# Pre-register: commit this file with its thresholds "
        "before the first `pytest claims/` run, and never",
        "# loosen a threshold after seeing the test-split numbers; a changed threshold is a new claim.",
        f"format = {FORMAT}",
        *([f"subject = {_quote(subject)}"] if subject and subject != subjects.DEFAULT else []),
        f"claim = {_quote(sentence)}",
        f"{selector} = {_quote(unit)}",
        _line(
            "site", site, "post: after the layer's nonlinearity (what the next layer reads); pre: before it"
        ),
    ]
    if checkpoint:
        head.append(f"checkpoint = {_quote(checkpoint)}")
    elif seed:
        head.append(f"seed = {seed}")
    if concept:
        head += [f"concept = {_quote(concept)}", f"contrast = {_quote(contrast)}"]
    if tags:
        head.append(f"tags = [{', '.join(map(_quote, tags))}]")
    if discovered:
        head.append(f"discovered = {_quote(discovered)}")
    body = []
    for check in checks:
        body += [""] + _table(check, params.get(check, {}))
    text = "\n".join(head + body) + "\n"
    checked = text
    if checkpoint and checkpoint_base is not None:  # validated where it will resolve
        whole = str((Path(checkpoint_base) / checkpoint).resolve())
        checked = text.replace(f"checkpoint = {_quote(checkpoint)}", f"checkpoint = {_quote(whole)}")
    _validate(checked)
    return text


def _validate(text: str) -> None:
    """Load the text as a claim file;
    a scaffold that would not load is a bug or a bad argument, reported as such."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "new-claim.toml"
        path.write_text(text)
        try:
            load(path, folder)
        except InvalidClaim as err:
            raise InvalidConfig(
                f"the claim would not validate; fix the arguments named here:\n{err}"
            ) from None
