"""Line numbers of the keys of a TOML text: ``tomllib`` parses values but forgets where they were.

A light scanner, not a parser: it tracks ``[table]`` headers and finds
``key =``, ``"quoted key" =`` and dotted ``a.b =`` assignments, skipping
multi-line strings. Keys of inline tables (``select = { top = 5 }``) and
anything it cannot place get the line of their nearest placed parent, so an
error always names a line that exists and is close to the problem.
"""

from __future__ import annotations

import re

__all__ = ["KeyLines"]

_PART = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_TABLE = re.compile(rf"^\s*\[\[?\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\]?")
_SPLIT = re.compile(_PART)


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _SPLIT.findall(dotted))


class KeyLines:
    """Maps key paths such as ``("ablation", "min_effect")`` to 1-based line numbers of a TOML text."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        in_string = None  # the delimiter of an open multi-line string
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = _TABLE.match(line)
            if header and not _KEY.match(line):
                table = _parts(header.group(1))
                self._add(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = table + _parts(key.group(1))
                for depth in range(len(table) + 1, len(path) + 1):
                    self._add(path[:depth], number)
                for inner in re.findall(
                    rf"[{{,]\s*({_PART})\s*=", line[key.end() :]
                ):  # one-line inline tables
                    self._add(path + _parts(inner), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
                    break

    def _add(self, path: tuple[str, ...], number: int) -> None:
        self.lines.setdefault(path, number)

    def line(self, *path: str) -> int:
        """The line of ``path``, else of its nearest placed parent, else 1."""
        for depth in range(len(path), 0, -1):
            if path[:depth] in self.lines:
                return self.lines[path[:depth]]
        return 1
