"""What a deploy shows while it runs: hosts × phases.

On a terminal (stderr), a table redrawn in place a few times a second:

    HOST   EVAL     BUILD    COPY      ACTIVATE  CONFIRM
    web1   ✓ 1.1s   ✓ 2.0s   ✓ 0.4s    ⠹ 3s      ·          restarting nginx.service
    db     ✓ 1.0s   ✓ 2.0s   ✗         ·         ·          cannot connect to root@db: …

Piped, one line per change of a phase (`web1: copy done: 12 paths, 1.2 MiB
(0.4 s)`), and the hosts' own output prefixed with their name
(`web1| restart nginx.service`).  Colour only on a terminal without
NO_COLOR.  The summary at the end is `summary.py`'s.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable
from typing import TextIO

import attrs

PHASES = ("eval", "build", "copy", "activate", "confirm")
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def headline(error: str) -> str:
    """The line that says what went wrong in a rendered error (past its
    `error:` and `… while` lines), for a table cell or a summary line."""
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error: ") and len(line) > len("error: "):
            return line[len("error: ") :]
    return lines[0] if lines else ""


@attrs.define
class Cell:
    state: str = "pending"  # pending, running, done, failed, skipped
    detail: str = ""
    started: float | None = None
    seconds: float | None = None


class Board:
    """Thread-safe progress of every host; draws itself on `stream`."""

    def __init__(
        self, names: Iterable[str], stream: TextIO | None = None, tty: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.colour = self.tty and not os.environ.get("NO_COLOR")
        self.names: list[str] = list(names)
        self.cells = {n: {p: Cell() for p in PHASES} for n in self.names}
        self.latest: dict[str, str] = {n: "" for n in self.names}
        self.lock = threading.RLock()
        self.drawn = 0
        self.stopped = threading.Event()
        self.ticker: threading.Thread | None = None
        if self.tty:
            self.ticker = threading.Thread(target=self._tick, daemon=True)
            self.ticker.start()

    # -- updates -----------------------------------------------------------------------

    def phase(self, name: str, phase: str, state: str, detail: str = "") -> None:
        with self.lock:
            cell = self.cells[name][phase]
            now = time.monotonic()
            if state == "running" and cell.state != "running":
                cell.started = now
            if state in ("done", "failed") and cell.started is not None:
                cell.seconds = now - cell.started
            changed = state != cell.state
            cell.state, cell.detail = state, detail
            if detail:
                self.latest[name] = headline(detail) if state == "failed" else detail
            if not self.tty and (changed or state != "running") and state != "pending":
                self._plain(name, phase, cell)

    def line(self, name: str, text: str) -> None:
        """A line of the host's own output (the switch on it)."""
        with self.lock:
            if text.strip():
                self.latest[name] = text.strip()
            if not self.tty:
                self.stream.write(f"{name}| {text}\n")
                self.stream.flush()

    def drop(self, name: str) -> None:
        """A node the selection left out (known only once evaluated)."""
        with self.lock:
            if name in self.names:
                self.names.remove(name)

    def note(self, text: str) -> None:
        with self.lock:
            self._erase()
            self.stream.write(text.rstrip("\n") + "\n")
            self.stream.flush()
            self.drawn = 0

    def close(self) -> None:
        self.stopped.set()
        if self.ticker is not None:
            self.ticker.join()
        with self.lock:
            if self.tty:
                self._draw()

    # -- plain -------------------------------------------------------------------------

    def _plain(self, name: str, phase: str, cell: Cell) -> None:
        took = f" ({cell.seconds:.1f} s)" if cell.seconds is not None else ""
        what = {"running": "started"}.get(cell.state, cell.state)
        detail = f": {cell.detail}" if cell.detail else ""
        if cell.state == "failed":
            detail = f": {headline(cell.detail)}" if cell.detail else ""
        self.stream.write(f"{name}: {phase} {what}{detail}{took}\n")
        self.stream.flush()

    # -- the table ---------------------------------------------------------------------

    def _tick(self) -> None:
        while not self.stopped.wait(0.2):
            with self.lock:
                self._draw()

    def _paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def _cell(self, cell: Cell, width: int) -> str:
        if cell.state == "running":
            spin = SPINNER[int(time.monotonic() * 8) % len(SPINNER)]
            took = time.monotonic() - (cell.started or time.monotonic())
            return self._paint(f"{spin} {took:.0f}s".ljust(width), "33")
        if cell.state == "done":
            secs = f" {cell.seconds:.1f}s" if cell.seconds is not None else ""
            return self._paint(f"✓{secs}".ljust(width), "32")
        if cell.state == "failed":
            return self._paint("✗".ljust(width), "31")
        return ("-" if cell.state == "skipped" else "·").ljust(width)

    def _erase(self) -> None:
        if self.tty and self.drawn:
            self.stream.write(f"\033[{self.drawn}F\033[J")

    def _draw(self) -> None:
        try:
            cols = os.get_terminal_size(self.stream.fileno()).columns or 100
        except (OSError, ValueError):
            cols = 100
        width = max([4, *(len(n) for n in self.names)]) + 2
        lines = ["HOST".ljust(width) + "".join(p.upper().ljust(10) for p in PHASES)]
        for name in self.names:
            row = name.ljust(width) + "".join(self._cell(c, 10) for c in self.cells[name].values())
            room = cols - width - 10 * len(PHASES) - 1
            latest = self.latest[name].replace("\n", " ")
            lines.append(row + (" " + latest[:room] if room > 8 else ""))
        self._erase()
        self.stream.write("".join(line + "\033[K\n" for line in lines))
        self.stream.flush()
        self.drawn = len(lines)
