"""Progress on stderr: inputs done of the total, pages, pages/s, failures and the ETA.

On a terminal the line is rewritten in place; otherwise (a log file, CI) a line is printed
at most every `LOG_INTERVAL` seconds, and always at the end.
"""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

LOG_INTERVAL = 10.0


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    def __init__(self, total_inputs: int, enabled: bool = True,
                 stream: Optional[TextIO] = None):
        self.total = total_inputs
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.inputs = self.pages = self.failed = 0
        self.started = time.monotonic()
        self._last_log = 0.0
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())

    def add(self, pages: int, failed: bool) -> None:
        self.inputs += 1
        self.pages += pages
        self.failed += int(failed)
        now = time.monotonic()
        if self._interactive or now - self._last_log >= LOG_INTERVAL:
            self._last_log = now
            self._show(final=False)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.pages / elapsed
        text = (f"ppocr batch: {self.inputs}/{self.total} inputs, {self.pages} pages, "
                f"{rate:.2f} pages/s, {self.failed} failed")
        if 0 < self.inputs < self.total:
            eta = (self.total - self.inputs) * elapsed / self.inputs
            text += f", ETA {_duration(eta)}"
        return text + f", {_duration(elapsed)} elapsed"

    def _show(self, final: bool) -> None:
        if not self.enabled:
            return
        if self._interactive:
            self.stream.write("\r\x1b[K" + self.line() + ("\n" if final else ""))
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        self._show(final=True)
