"""The report's Jinja2 environment, made once: lenet/templates, shared with the explorer (``lenet.explore``).

The report's templates are in ``report/``, the blocks both apps draw (outcome badge, numbers, CI, criteria
table) in ``shared/macros.html``. ``{{ value }}`` prints None as nothing and escapes text as ``html.escape``
does (``&#x27;``, ``&quot;``), so the page reads as it did when Python wrote it.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _finalize(value):
    """What ``{{ value }}`` prints: None as nothing, markup as it is, anything else as escaped text."""
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value), quote=True))


@functools.cache
def environment() -> jinja2.Environment:
    """The one environment (templates are compiled once per process)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )


def macro(template: str, name: str):
    """The macro ``name`` of ``template`` (e.g. ``report/check.html``, ``check``), callable from Python."""
    return getattr(environment().get_template(template).module, name)
