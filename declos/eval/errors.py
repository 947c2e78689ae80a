"""Evaluation errors.

`throw` and failed `assert`s are catchable by `tryEval`; `abort`, type errors,
infinite recursion and everything else are not (tvix's CatchableErrorKind).
"""

from __future__ import annotations

from declos.diagnostics import DeclosError, Span


class EvalError(DeclosError):
    code = "eval"
    catchable = False


class ThrownError(EvalError):
    code = "throw"
    catchable = True


class AssertionFailed(EvalError):
    code = "assert"
    catchable = True


class AbortError(EvalError):
    code = "abort"


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
    if err.span is None and not isinstance(err, ThrownError | AbortError):
        err.span = span
    return err


def type_error(message: str, span: Span | None = None) -> EvalTypeError:
    return EvalTypeError(message, span)
