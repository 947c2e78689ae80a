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


def type_error(message: str, span: Span | None = None) -> EvalTypeError:
    return EvalTypeError(message, span)
