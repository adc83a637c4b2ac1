"""Rewrite a format-1 claim file as format 2 with the same meaning: ``format = 2`` and ``site = "pre"``.

A text edit, not a TOML round trip, so comments, order and layout stay as written; the result is
loaded before it is returned, so an upgrade never writes a file that does not validate.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InvalidClaim
from .loader import load

__all__ = ["upgrade"]

_FORMAT_1 = re.compile(r"^format\s*=\s*1[ \t]*(#[^\r\n]*)?\r?$", re.M)
SITE_LINE = (
    'site = "pre"                  # format 1 read pre-activations: `lenet validate --upgrade` kept that'
)


def upgrade(path: Path) -> str | None:
    """The format-2 text of the claim file at ``path``, or None when it is not format 1 (nothing to do).

    Raises ``InvalidClaim`` when the file does not load before (fix it first) or, as a bug, after.
    """
    claim = load(path)  # a file that does not validate is reported as it is, not rewritten
    if claim.format != 1:
        return None
    with path.open(encoding="utf-8", newline="") as handle:  # keep the file's own line endings
        text = handle.read()
    found = _FORMAT_1.search(text)
    if found is None:  # format = 1 written in a way this edit does not recognise, e.g. inline with other keys
        raise InvalidClaim(
            str(path),
            [
                (
                    claim.line("format"),
                    "format = 1 is not on a line of its own; write `format = 1` alone on its "
                    'line, or upgrade the file by hand: format = 2 and site = "pre".',
                )
            ],
        )
    comment = f"  {found[1]}" if found[1] else ""  # a comment on the format line stays with it
    newline = "\r\n" if "\r\n" in text else "\n"
    rest = ("\r" if newline == "\r\n" else "") + text[found.end() :]  # the match ends before "\n"
    new = text[: found.start()] + f"format = 2{comment}{newline}" + SITE_LINE + rest
    check = path.with_name(f".{path.stem}.upgrade-check.toml")  # beside it: relative checkpoint paths resolve
    try:
        check.write_text(new, encoding="utf-8")
        if load(check).site != "pre":  # pragma: no cover - the line above writes it
            raise AssertionError(f'upgrading {path} lost site = "pre"')
    finally:
        check.unlink(missing_ok=True)
    return new
