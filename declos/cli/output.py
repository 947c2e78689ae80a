"""What commands print besides their results: colour, the build status
line, `declos: …` messages, warnings, substitutions and activation plans.

Colour only on a terminal, and never with NO_COLOR set.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from declos.store.cache import Fetched
    from declos.store.graph import BuildEvent
    from declos.system.plan import Plan


def colour(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


def paint(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


def say(msg: str) -> None:
    """`declos: MSG` on stderr: progress, waiting, what was not done."""
    sys.stderr.write(f"declos: {msg}\n")
    sys.stderr.flush()


def warn(msg: str) -> None:
    """`warning: MSG` on stderr (a configuration's `warnings`, checks not run)."""
    sys.stderr.write(f"warning: {msg}\n")


class Progress:
    """`[built/to build, running N] building <name>` on a terminal; silent when piped."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.colour = colour(self.stream)
        self.shown = False

    def __call__(self, event: BuildEvent) -> None:
        from declos.progress import quiet

        if not self.tty or quiet():
            return
        name = os.path.basename(event.drv_path).split("-", 1)[-1].removesuffix(".drv")
        verb = {"start": "building", "built": "built", "failed": "failed", "skipped": "skipped"}
        counts = f"[{event.done}/{event.total}"
        rest = f" built, {event.running} running] {verb[event.kind]} {name}"
        if event.kind == "failed":
            line = paint(counts + rest, "31", self.colour)
        else:
            line = paint(counts, "32", self.colour) + rest
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def report_substituted(fetched: Iterable[Fetched], stream: TextIO | None = None) -> None:
    """`declos: substituted N paths (X MiB) from URL` on stderr, per cache."""
    stream = stream or sys.stderr
    by_url: dict[str, list[Fetched]] = {}
    for f in fetched:
        by_url.setdefault(f.url, []).append(f)
    for url, items in by_url.items():
        size = sum(f.nar_size for f in items) / (1024 * 1024)
        n = len(items)
        stream.write(
            f"declos: substituted {n} path{'s' if n != 1 else ''} ({size:.2f} MiB) from {url}\n"
        )


def print_plan(plan: Plan) -> None:
    """An activation's actions, one a line on stdout, before they are applied."""
    for a in plan.actions:
        sys.stdout.write(a.describe() + "\n")
    sys.stdout.flush()
