"""What a long evaluation or build is doing, on stderr.

On a terminal, a live status line (`evaluating config.dcl: 2.4 s, 51 files,
3210 options, 96 derivations`), drawn from half a second on and cleared when
the phase ends.  When stderr is not a terminal, nothing for work that ends
within `PIPED_AFTER` seconds (so that scripts and tests of short commands
see only what they saw before), then one plain line every `PIPED_AFTER`
seconds and one when it ends.  `-q` (`set_quiet`) turns all of it off.

The counts come from the phase's own counters, read by a thread of the
ticker's own (the evaluation runs on its own deep-stack thread and never
stops to report).

Example:
    with Ticker("evaluating config.dcl", ev.stats.describe):  # eval.evaluator.EvalStats
        evaluate()
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds before a terminal shows the live line.
TTY_AFTER = 0.5
#: Seconds between plain lines when stderr is not a terminal (and before the first).
PIPED_AFTER = 10.0

_quiet = False


def set_quiet(quiet: bool) -> None:
    """`-q`: no progress at all (the process's setting, as the CLI sets it)."""
    global _quiet
    _quiet = quiet


def quiet() -> bool:
    return _quiet


class Ticker:
    """Reports one phase while it runs (a context manager)."""

    def __init__(
        self, phase: str, counts: Callable[[], str] = lambda: "", stream: TextIO | None = None
    ) -> None:
        self.phase = phase
        self.counts = counts
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream)
        self.start = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False  # a live line is on the terminal
        self._lines = 0  # plain lines written

    def __enter__(self) -> Ticker:
        if not _quiet:
            self._thread = threading.Thread(target=self._run, name="declos-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop(failed=exc[0] is not None)

    def stop(self, failed: bool = False) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        if self._drawn:
            self._write("\r\033[K")
        elif self._lines and not failed:
            self._write(f"{self._status('done in')}\n")

    def _status(self, verb: str = "") -> str:
        elapsed = time.monotonic() - self.start
        counts = self.counts()
        when = f"{verb} {elapsed:.1f} s" if verb else f"{elapsed:.1f} s"
        return f"{self.phase}: {when.strip()}" + (f", {counts}" if counts else "")

    def _run(self) -> None:
        if self.tty:
            if self._stop.wait(TTY_AFTER):
                return
            while True:
                self._write(f"\r\033[K{self._status()}")
                self._drawn = True
                if self._stop.wait(0.2):
                    return
        while not self._stop.wait(PIPED_AFTER):
            self._write(f"{self._status()}\n")
            self._lines += 1

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr: report nothing
            self._stop.set()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
