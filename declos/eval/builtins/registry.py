"""The builtin registry and the typed argument helpers every builtin uses.

    @builtin("elemAt", ("xs", "n"))
    def elem_at(ev, xs, n):
        items = force_list(xs, "while evaluating the first argument passed to builtins.elemAt")

Arguments arrive unforced; arity comes from `params`; partial application is
handled once, in `Evaluator.call`.  Builtins return forced values.  The
registry is filled when the family modules are imported and never changes
afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from declos.eval.errors import EvalError, EvalTypeError, expected
from declos.eval.ops import coerce_to_string
from declos.eval.values import (
    Attrs,
    Closure,
    CtxStr,
    LazyAttrs,
    PathValue,
    PrimOp,
    PrimOpApp,
    Thunk,
    Value,
    settle,
)

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator

_F = TypeVar("_F", bound=Callable)


BUILTINS: dict[str, PrimOp] = {}
CONSTANTS: dict[str, object] = {}  # name -> fn(ev) computing the value
GLOBAL_NAMES: set[str] = set()


def builtin(name: str, params: tuple[str, ...], global_: bool = False) -> Callable[[_F], _F]:
    def register(fn):
        BUILTINS[name] = PrimOp(name, len(params), fn, (fn.__doc__ or "").strip(), params)
        if global_:
            GLOBAL_NAMES.add(name)
        return fn

    return register


# Builtins that speed up a DCL function of declos' own lib (which calls them
# as `builtins.NAME or <its DCL>`): left out of an evaluator that runs the
# DCL reference (`Evaluator(reference_modules=True)`).
ACCELERATORS: set[str] = set()


def accelerator(name: str, params: tuple[str, ...]) -> Callable[[_F], _F]:
    """`@builtin`, for a Python version of a lib function (see ACCELERATORS)."""
    ACCELERATORS.add(name)
    return builtin(name, params)


def constant(name: str, global_: bool = False) -> Callable[[_F], _F]:
    def register(fn):
        CONSTANTS[name] = fn
        if global_:
            GLOBAL_NAMES.add(name)
        return fn

    return register


def _expected(what: str, v: Value, ctx: str) -> EvalTypeError:
    err = expected(what, v)
    if ctx:
        err.add_frame(None, ctx)
    return err


def force(v):
    return v.force() if type(v) is Thunk else v


def force_int(v: Value, ctx: str = "") -> int:
    if type(v) is Thunk:
        v = v.force()
    if type(v) is not int:
        raise _expected("an integer", v, ctx)
    return v


def force_number(v: Value, ctx: str = "") -> int | float:
    if type(v) is Thunk:
        v = v.force()
    if type(v) is not int and type(v) is not float:
        raise _expected("an integer", v, ctx)
    return v


def force_float(v: Value, ctx: str = "") -> float:
    if type(v) is Thunk:
        v = v.force()
    if type(v) is int:
        return float(v)
    if type(v) is not float:
        raise _expected("a float", v, ctx)
    return v


def force_bool(v: Value, ctx: str = "") -> bool:
    if type(v) is Thunk:
        v = v.force()
    if type(v) is not bool:
        raise _expected("a Boolean", v, ctx)
    return v


def force_list(v: Value, ctx: str = "") -> list:
    if type(v) is Thunk:
        v = v.force()
    if type(v) is not list:
        raise _expected("a list", v, ctx)
    return v


def force_attrs(v: Value, ctx: str = "") -> Attrs:
    if type(v) is Thunk:
        v = v.force()
    if type(v) is not Attrs:
        if type(v) is LazyAttrs:
            return settle(v)
        raise _expected("a set", v, ctx)
    return v


def force_function(v: Value, ctx: str = "") -> Value:
    v = v.force() if type(v) is Thunk else v
    t = type(v)
    if (
        t is not Closure
        and t is not PrimOp
        and t is not PrimOpApp
        and not (t is Attrs and "__functor" in v)
    ):
        raise _expected("a function", v, ctx)
    return v


def force_string(v: Value, ctx: str = "") -> str | CtxStr:
    """A string value (str or CtxStr); paths and others are errors."""
    if type(v) is Thunk:
        v = v.force()
    if type(v) is not str and type(v) is not CtxStr:
        raise _expected("a string", v, ctx)
    return v


def force_string_text(v: Value, ctx: str = "") -> str:
    if type(v) is Thunk:
        v = v.force()
    if type(v) is str:  # the common case, without force_string's call
        return v
    v = force_string(v, ctx)
    return v if type(v) is str else v.s


def force_string_no_context(v: Value, ctx: str = "") -> str:
    v = force_string(v, ctx)
    if type(v) is CtxStr and v.context:
        raise EvalTypeError(
            f"the string '{v.s}' is not allowed to refer to a store path (such as "
            f"'{sorted(v.context)[0]}')"
        ).add_frame(None, ctx)
    return v if type(v) is str else v.s


_NO_CONTEXT: frozenset = frozenset()


def coerce_string(
    ev: Evaluator, v: Value, ctx: str = "", copy_to_store: bool = False, more: bool = False
) -> tuple[str, frozenset]:
    """(text, context) of a value coerced as `toString`/interpolation would."""
    if type(v) is str:
        return v, _NO_CONTEXT
    try:
        return coerce_to_string(ev, v.force() if type(v) is Thunk else v, copy_to_store, more)
    except EvalError as e:
        if ctx:
            e.add_frame(None, ctx)
        raise


@functools.cache
def arg_ctx(n: int, name: str) -> str:
    """The error context of a builtin's n-th argument (cached: built per call)."""
    nth = ("first", "second", "third", "fourth")[n]
    return f"while evaluating the {nth} argument passed to builtins.{name}"


def is_path(v: Value) -> bool:
    return type(v) is PathValue
