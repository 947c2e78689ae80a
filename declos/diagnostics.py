"""Sources, spans, errors and the one renderer of error messages.

Every stage reports problems as a `DeclosError` carrying a `Span`; only
`render()` turns one into text, copying Nix's layout (`error:`, `… while …`,
`at file:line:col:` and a snippet) so Nix's own `.err.exp` files apply.
Line and column are computed only when an error is rendered.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable

import attrs


@attrs.define(eq=False, slots=True)
class Source:
    """The text of one parsed input and where it came from.

    `path` is the file's absolute path, or None for an expression given on
    the command line (`-E`), which Nix shows as «string».  `base_dir` is the
    directory that relative path literals resolve against.
    """

    path: str | None
    text: str
    base_dir: str = attrs.field(default=None)
    name: str = attrs.field(default=None)
    _line_starts: list[int] | None = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        if self.base_dir is None:
            self.base_dir = os.path.dirname(self.path) if self.path else os.getcwd()
        if self.name is None:
            self.name = self.path if self.path else "«string»"

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            text = self.text
            i = text.find("\n")
            while i != -1:
                starts.append(i + 1)
                i = text.find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        starts = self.line_starts()
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def line_text(self, line: int) -> str:
        starts = self.line_starts()
        begin = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[begin:end]


@attrs.frozen(slots=True)
class Span:
    source: Source = attrs.field(eq=False, repr=False)
    start: int
    end: int

    @property
    def line_col(self) -> tuple[int, int]:
        return self.source.line_col(self.start)

    def location(self) -> str:
        line, col = self.line_col
        return f"{self.source.name}:{line}:{col}"

    def __str__(self) -> str:
        return self.location()


@attrs.define(slots=True)
class Frame:
    span: Span | None
    message: str


class DeclosError(Exception):
    """An error in the user's input: a located message plus a trace of frames.

    `code` is stable and what tests match on; the rendered text is what users
    and golden files see.
    """

    code = "error"

    def __init__(self, message: str, span: Span | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.frames: list[Frame] = []
        self.suggestions: list[str] = []
        if code is not None:
            self.code = code

    def add_frame(self, span: Span | None, message: str) -> DeclosError:
        self.frames.append(Frame(span, message))
        return self

    def __str__(self) -> str:
        return render(self, show_trace=True)


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(
    query: str, candidates: Iterable[str], limit: int = 5, max_distance: int = 2
) -> list[str]:
    """Nix's "Did you mean …?" choices: nearest names by edit distance."""
    # A length difference beyond max_distance is a distance beyond it: skip those
    # (the host's ~60k package names make this the difference of a second).
    near = {c for c in candidates if abs(len(c) - len(query)) <= max_distance}
    scored = sorted((levenshtein(query, c), c) for c in near)
    return [c for d, c in scored[:limit] if d <= max_distance]


class ParseError(DeclosError):
    code = "parse"


OPTION_FRAME = "while evaluating the option `"
# The module system's frame naming a module file and who imported it.
MODULE_FRAME = "while loading the module `"
# The module system's hint for `imports` that depend on `config`, shown
# with an infinite recursion.
IMPORTS_HINT_FRAME = "if you get an infinite recursion here, you probably reference `config`"
# Frames shown with or without --show-trace: they say where in the user's
# configuration an error comes from.
ALWAYS_SHOWN = (OPTION_FRAME, MODULE_FRAME)


def snippet(span: Span) -> list[str]:
    """Nix's code excerpt: the line before, the line, a caret, the line after."""
    line, col = span.line_col
    src = span.source
    nlines = len(src.line_starts())
    out = []
    if line > 1:
        out.append(f"        {line - 1:>5}| {src.line_text(line - 1)}".rstrip())
    out.append(f"        {line:>5}| {src.line_text(line)}".rstrip())
    out.append(f"{'':>13}|{' ' * col}^")
    if line < nlines:
        out.append(f"        {line + 1:>5}| {src.line_text(line + 1)}".rstrip())
    return out


def _indented(prefix: str, message: str) -> str:
    """`prefix` + `message`, further lines aligned under the first, each line without
    trailing blanks (Nix's `indent`)."""
    if "\n" not in message:
        return prefix + message
    pad = " " * len(prefix)
    parts = message.split("\n")
    return "\n".join(((pad if i else prefix) + p).rstrip() for i, p in enumerate(parts))


def render(err: DeclosError, show_trace: bool = False) -> str:
    """The text shown for an error, in current Nix's layout."""
    lines: list[str] = []
    frames = err.frames if show_trace else []
    if frames:
        lines.append("error:")
        for frame in reversed(frames):
            lines.append(f"       … {frame.message}")
            if frame.span is not None:
                lines.append(f"         at {frame.span.location()}:")
                lines.extend(snippet(frame.span))
            lines.append("")
        lines.append(_indented("       error: ", err.message))
    else:
        # The chain of options being evaluated (and modules being loaded) is
        # always worth showing.
        shown = ALWAYS_SHOWN + ((IMPORTS_HINT_FRAME,) if err.code == "infinite-recursion" else ())
        chain = [f.message for f in reversed(err.frames) if f.message.startswith(shown)]
        chain = [m for i, m in enumerate(chain) if i == 0 or chain[i - 1] != m]
        if chain:
            lines.append("error:")
            lines.extend(f"       … {m}" for m in chain)
            lines.append("")
            lines.append(_indented("       error: ", err.message))
        else:
            lines.append(_indented("error: ", err.message))
    if err.span is not None:
        lines.append(f"       at {err.span.location()}:")
        lines.extend(snippet(err.span))
    if err.suggestions:
        s = err.suggestions
        text = s[0] if len(s) == 1 else "one of " + ", ".join(s[:-1]) + " or " + s[-1]
        lines.append(f"       Did you mean {text}?")
    return "\n".join(lines) + "\n"
