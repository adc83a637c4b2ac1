"""A small progress display on stderr: a live bar on a terminal, a line per tenth otherwise (CI logs)."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """``Progress(total, label)``; call ``update(done, note)`` as work advances and ``close()`` at the end."""

    def __init__(self, total: int, label: str, stream=None, enabled: bool = True) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.live = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self._last_draw = 0.0
        self._last_tenth = -1

    def update(self, done: int, note: str = "") -> None:
        if not self.enabled:
            return
        fraction = min(done / self.total, 1.0)
        elapsed = time.monotonic() - self.start
        line = f"{self.label} [{'#' * int(fraction * 20):<20}] {fraction:4.0%} {elapsed:5.1f}s {note}"
        if self.live:
            now = time.monotonic()
            if now - self._last_draw >= 0.1 or done >= self.total:
                self.stream.write("\r" + line.ljust(100))
                self.stream.flush()
                self._last_draw = now
        elif int(fraction * 10) > self._last_tenth:
            self._last_tenth = int(fraction * 10)
            self.stream.write(line + "\n")
            self.stream.flush()

    def close(self, note: str = "") -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        end = f"{self.label} done in {elapsed:.1f}s {note}".rstrip()
        self.stream.write(("\r" + end.ljust(100) if self.live else end) + "\n")
        self.stream.flush()
