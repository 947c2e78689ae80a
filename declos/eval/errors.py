"""Evaluation errors.

`throw` and failed `assert`s are catchable by `tryEval`; `abort`, type errors,
infinite recursion and everything else are not (tvix's CatchableErrorKind).
"""

from __future__ import annotations

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
    code = "infinite-recursion"


class StackOverflow(EvalError):
    code = "stack-overflow"


def locate(err: EvalError, span: Span | None) -> EvalError:
    """Give an error raised without a position the position of the expression
    being evaluated; `throw` and `abort` stay unlocated, as in Nix."""
    if err.span is None and err.locatable:
        err.span = span
    return err


def type_error(message: str, span: Span | None = None) -> EvalTypeError:
    return EvalTypeError(message, span)
