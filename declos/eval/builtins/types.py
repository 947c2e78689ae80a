"""Type predicates and `typeOf`."""

from __future__ import annotations

from declos.eval.builtins.registry import builtin, force
from declos.eval.values import Attrs, CtxStr, LazyAttrs, PathValue, Thunk, is_function, type_of


@builtin("typeOf", ("e",))
def type_of_(ev, e):
    return type_of(force(e))


@builtin("isNull", ("e",), global_=True)
def is_null(ev, e):
    return force(e) is None


@builtin("isAttrs", ("e",))
def is_attrs(ev, e):
    t = type(e.force() if type(e) is Thunk else e)
    return t is Attrs or t is LazyAttrs


@builtin("isList", ("e",))
def is_list(ev, e):
    return type(force(e)) is list


@builtin("isFunction", ("e",))
def is_function_(ev, e):
    return is_function(force(e))


@builtin("isString", ("e",))
def is_string(ev, e):
    v = force(e)
    return type(v) is str or type(v) is CtxStr


@builtin("isInt", ("e",))
def is_int(ev, e):
    return type(force(e)) is int


@builtin("isFloat", ("e",))
def is_float(ev, e):
    return type(force(e)) is float


@builtin("isBool", ("e",))
def is_bool(ev, e):
    return type(force(e)) is bool


@builtin("isPath", ("e",))
def is_path(ev, e):
    return type(force(e)) is PathValue
