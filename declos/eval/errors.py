"""Evaluation errors.

`throw` and failed `assert`s are catchable by `tryEval`; `abort`, type errors,
infinite recursion and everything else are not (tvix's CatchableErrorKind).
"""

from __future__ import annotations

from typing import Any

from declos.diagnostics import DeclosError, Span


class EvalError(DeclosError):
    code = "eval"
    catchable = False
    # Whether the position of the expression being evaluated should be given
    # to the error when it has none (see `locate`).
    locatable = True


class ThrownError(EvalError):
    code = "throw"
    catchable = True
    locatable = False


class AssertionFailed(EvalError):
    code = "assert"
    catchable = True


class AbortError(EvalError):
    code = "abort"
    locatable = False


class UnlocatedError(EvalError):
    """An error Nix reports without a position of its own: system errors
    (`opening file '…': No such file or directory`), JSON parse errors."""

    code = "unlocated"
    locatable = False


class EvalTypeError(EvalError):
    code = "type"


class MissingAttrError(EvalError):
    code = "missing-attr"


class InfiniteRecursion(EvalError):
    """A thunk forced while it is being forced.

    Raised at the black-holed thunk (`Thunk.force`), which is where the
    cycle was entered, often library code (modules.dcl).  While the error
    unwinds through the thunks of the cycle, each passes through `unwound`;
    when the unwinding reaches the black-holed thunk again the cycle is
    complete, and an error located in declos' own DCL is moved to the
    innermost span of the cycle in the user's files (`relocate`).
    """

    code = "infinite-recursion"

    def __init__(self, message: str, span: Span | None = None, thunk: Any = None):
        super().__init__(message, span)
        self.thunk = thunk  # the black-holed thunk, until the cycle is closed
        self.cycle: list[Span] = []  # spans of the thunks in the cycle, innermost first

    def unwound(self, thunk: Any) -> None:
        if self.thunk is None:
            return
        if thunk.span is not None:
            self.cycle.append(thunk.span)
        if thunk is self.thunk:
            self.thunk = None
            relocate(self)


class ImportCycle(InfiniteRecursion):
    """`import` of a file whose own import is still being evaluated.

    `chain` is the files from the re-imported one to the one importing it
    again; the import expressions' spans are collected while the error
    unwinds through the `import` calls (`note_import`), innermost first.
    """

    code = "import-cycle"

    def __init__(self, chain: list[str]):
        self.chain = chain
        self.import_spans: list[Span] = []
        super().__init__(self._text())

    def _text(self) -> str:
        lines = ["infinite recursion encountered: import cycle"]
        spans = list(reversed(self.import_spans))  # the last imports of the chain
        offset = len(self.chain) - 1 - len(spans)
        for i, target in enumerate(self.chain[1:]):
            where = spans[i - offset].location() if i >= offset else self.chain[i]
            lines.append(f"{where} imports {target}")
        return "\n".join(lines)

    def note_import(self, span: Span | None) -> None:
        if span is not None and len(self.import_spans) < len(self.chain) - 1:
            self.import_spans.append(span)
            self.message = self._text()


class RestrictedPathError(EvalError):
    """A file-system access outside the allowed paths with restrict-eval or
    pure-eval on (Nix's RestrictedPathError)."""

    code = "restricted-path"


class StackOverflow(EvalError):
    code = "stack-overflow"


OVERFLOW = "stack overflow; max-call-depth exceeded"


def locate(err: EvalError, span: Span | None) -> EvalError:
    """Give an error raised without a position the position of the expression
    being evaluated; `throw` and `abort` stay unlocated, as in Nix."""
    if err.span is None and err.locatable:
        err.span = span
    return err


# Where declos' own DCL lives: the lib and module system, the store glue's
# helpers (declos/options/lib, declos/store/...), then the module library.
# Filled by `declos.eval.evaluator` (it knows the directories).
INTERNAL_DIRS: list[tuple[str, int]] = []


def _rank(span: Span | None) -> int:
    """0 for declos' own lib, 1 for the module library, 2 for the user's files."""
    if span is None:
        return -1
    path = span.source.path
    if not path:  # an expression: declos' own («declos configuration») or the user's (-E)
        return 0 if span.source.name.startswith("«declos") else 2
    for directory, rank in INTERNAL_DIRS:
        if path.startswith(directory):
            return rank
    return 2


def relocate(err: InfiniteRecursion) -> None:
    """Point an infinite recursion found in library code at the innermost
    span of its cycle that lies in a file closer to the user."""
    current = _rank(err.span)
    best, where = current, None
    for span in err.cycle:
        r = _rank(span)
        if r > best:
            best, where = r, span
    if where is not None:
        err.span = where


def expected(what: str, v: Any, span: Span | None = None) -> EvalTypeError:
    """The one type error of a value that is not what an operation needs, in
    Nix's words: `expected a set but found an integer: 1`.  Callers add their
    trace frame (`expected(...).add_frame(span, "while ...")`)."""
    # printing and values import this module; the error path can afford the lookups.
    from declos.eval.printing import show_value
    from declos.eval.values import show_type

    return EvalTypeError(f"expected {what} but found {show_type(v)}: {show_value(v)}", span)


def cannot_coerce(v: Any, to: str, span: Span | None = None) -> EvalTypeError:
    """The type error of a failed coercion: `cannot coerce a set to a string: { }`."""
    from declos.eval.printing import show_value
    from declos.eval.values import show_type

    return EvalTypeError(f"cannot coerce {show_type(v)} to {to}: {show_value(v)}", span)


# A trace keeps at most this many frames: a deep recursion that fails would
# otherwise add one per call (Nix shows the innermost ones too).
MAX_FRAMES = 64


def add_frame(e: EvalError, span: Span | None, message: str = "from call site") -> None:
    """Add a trace frame to `e` unless it already has `MAX_FRAMES`; by default
    the frame of a function call ("from call site")."""
    if len(e.frames) < MAX_FRAMES:
        e.add_frame(span, message)
