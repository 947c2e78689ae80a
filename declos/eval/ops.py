"""Operators on values: arithmetic, equality, ordering, `//`, coercion to strings.

All arguments are already forced to weak head normal form unless a
parameter says otherwise.  Integers are 64-bit: overflow is an error, not a
Python big int; division truncates toward zero as in C++.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from declos.eval.errors import EvalError, EvalTypeError, cannot_coerce, expected
from declos.eval.printing import show_value
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
    force,
    settle,
    show_type,
)

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def _overflow(op: str, a: int, b: int) -> EvalError:
    return EvalError(f"integer overflow in {op} {a} {_SYMBOL[op]} {b}")


_SYMBOL = {"adding": "+", "subtracting": "-", "multiplying": "*", "dividing": "/"}


def _numbers(a: Value, b: Value, what: str) -> None:
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return
    bad = a if not (ta is int or ta is float) else b
    raise expected("an integer", bad)


def add(a, b):
    if type(a) is int and type(b) is int:
        r = a + b
        if INT_MIN <= r <= INT_MAX:
            return r
        raise _overflow("adding", a, b)
    _numbers(a, b, "add")
    return float(a) + float(b)


def sub(a, b):
    if type(a) is int and type(b) is int:
        r = a - b
        if INT_MIN <= r <= INT_MAX:
            return r
        raise _overflow("subtracting", a, b)
    _numbers(a, b, "sub")
    return float(a) - float(b)


def mul(a, b):
    if type(a) is int and type(b) is int:
        r = a * b
        if INT_MIN <= r <= INT_MAX:
            return r
        raise _overflow("multiplying", a, b)
    _numbers(a, b, "mul")
    return float(a) * float(b)


def div(a, b):
    _numbers(a, b, "div")
    if b == 0:
        raise EvalError("division by zero")
    if type(a) is int and type(b) is int:
        if a == INT_MIN and b == -1:
            raise _overflow("dividing", a, b)
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q
    return float(a) / float(b)


def is_derivation(v: Value) -> bool:
    """Nix's `isDerivation` on a forced value: a set whose `type` is "derivation"
    (forcing `type`; its errors propagate)."""
    if type(v) is not Attrs or "type" not in v:
        return False
    t = force(v["type"])
    return type(t) is str and t == "derivation" or type(t) is CtxStr and t.s == "derivation"


def equals(a: Value, b: Value) -> bool:
    """Nix's `==` on two forced values (elements are forced as needed)."""
    ta, tb = type(a), type(b)
    if ta is int or ta is float:
        if tb is int or tb is float:
            if ta is tb:
                return a == b
            return float(a) == float(b)  # Nix compares an int with a float as doubles
        return False
    if ta is bool or tb is bool:
        return ta is tb and a is b
    if ta is str or ta is CtxStr:
        if tb is str or tb is CtxStr:
            return (a if ta is str else a.s) == (b if tb is str else b.s)
        return False
    if a is None or b is None:
        return a is b
    if ta is LazyAttrs or tb is LazyAttrs:
        if a is b:
            return True
        a, b = settle(a), settle(b)
        ta, tb = type(a), type(b)
    if ta is PathValue:
        return tb is PathValue and a.path == b.path
    if ta is list:
        if tb is not list or len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x is y:
                continue
            if not equals(force(x), force(y)):
                return False
        return True
    if ta is Attrs:
        if tb is not Attrs:
            return False
        if a is b:
            return True
        if is_derivation(a) and is_derivation(b):
            pa, pb = a.get("outPath"), b.get("outPath")
            if pa is not None and pb is not None:
                return equals(force(pa), force(pb))
        if len(a) != len(b):
            return False
        for name in a:
            if name not in b:
                return False
        for name in sorted(a):
            x, y = a[name], b[name]
            if x is y:
                continue
            if not equals(force(x), force(y)):
                return False
        return True
    if ta in (Closure, PrimOp, PrimOpApp) or tb in (Closure, PrimOp, PrimOpApp):
        return False
    return False  # pragma: no cover


def less_than(a: Value, b: Value) -> bool:
    """Nix's `<` (`builtins.lessThan`): numbers, strings, paths, lists."""
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a < b
    if (ta is str or ta is CtxStr) and (tb is str or tb is CtxStr):
        return (a if ta is str else a.s).encode() < (b if tb is str else b.s).encode()
    if ta is PathValue and tb is PathValue:
        return a.path < b.path
    if ta is list and tb is list:
        for x, y in zip(a, b):
            x, y = force(x), force(y)
            if not equals(x, y):
                return less_than(x, y)
        return len(a) < len(b)
    raise EvalTypeError(
        f"cannot compare {show_type(a)} with {show_type(b)}; values are "
        f"{show_value(a)} and {show_value(b)}"
    )


def update(a: Attrs, b: Attrs) -> Attrs:
    """`a // b`; an empty side returns the other unchanged, as Nix does."""
    if not b:
        return a
    if not a:
        return b
    r = _NEW_ATTRS(Attrs)
    r.update(a)
    r.update(b)
    # Position maps are never changed once their set is made: one side's is
    # shared, only two are merged.
    pa, pb = a.pos, b.pos
    if pa and pb:
        pos = dict(pa)
        pos.update(pb)
        r.pos = pos
    else:
        r.pos = pa or pb
    return r


_NEW_ATTRS = Attrs.__new__


def canonicalize_path(path: str) -> str:
    """Absolute path without `.`, `..` or repeated slashes; symlinks are kept."""
    if not path.startswith("/"):
        path = os.path.join(os.getcwd(), path)
    parts: list[str] = []
    for part in path.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def to_string_more(ev: Evaluator, v: Value, copy_to_store: bool) -> tuple[str, frozenset]:
    """`toString`'s coercion: numbers, booleans, null and lists too."""
    t = type(v)
    if t is bool:
        return ("1" if v else ""), frozenset()
    if t is int:
        return str(v), frozenset()
    if t is float:
        return f"{v:.6f}", frozenset()
    if v is None:
        return "", frozenset()
    if t is list:
        texts = []
        context: set = set()
        for i, item in enumerate(v):
            s, c = to_string_more(ev, force(item), copy_to_store)
            texts.append(s)
            context |= c
            # Nix skips the separator after an empty list element's text.
            if i + 1 < len(v) and not (type(force(item)) is list and not force(item)):
                texts.append(" ")
        return "".join(texts), frozenset(context)
    return coerce_to_string(ev, v, copy_to_store, more=True)


def coerce_to_string(
    ev: Evaluator, v: Value, copy_to_store: bool = True, more: bool = False
) -> tuple[str, frozenset]:
    """`"${v}"` coercion; returns (text, context).

    Strings as they are, paths copied into the store (when `copy_to_store`),
    sets through `__toString` or `outPath`; with `more`, also what `toString`
    accepts.
    """
    t = type(v)
    if t is LazyAttrs:
        v, t = settle(v), Attrs
    if t is str:
        return v, frozenset()
    if t is CtxStr:
        return v.s, v.context
    if t is PathValue:
        if copy_to_store:
            store_path = ev.copy_path_to_store(v.path)
            return store_path, frozenset((store_path,))
        return v.path, frozenset()
    if t is Attrs:
        if "__toString" in v:
            fn = force(v["__toString"])
            result = force(ev.call(fn, v))
            return coerce_to_string(ev, result, copy_to_store, more)
        if "outPath" in v:
            return coerce_to_string(ev, force(v["outPath"]), copy_to_store, more)
    if more and (t is bool or t is int or t is float or t is list or v is None):
        return to_string_more(ev, v, copy_to_store)
    raise cannot_coerce(v, "a string")


__all__ = [
    "Thunk",
    "add",
    "canonicalize_path",
    "coerce_to_string",
    "div",
    "equals",
    "less_than",
    "mul",
    "sub",
    "update",
]
