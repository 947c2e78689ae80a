"""Printing values as `nix-instantiate --eval` does, and for error messages.

`print_value` copies Nix's `printAmbiguous`: attribute sets sorted by name,
`«repeated»` for a non-empty set or list printed before, `<LAMBDA>`,
`<PRIMOP>`, `<PRIMOP-APP>`, and `<CODE>` for a value not yet evaluated
(only seen without `--strict`).  `show_value` is the short form used inside
error messages ("expected a set but found an integer: 1").
"""

from __future__ import annotations

import math
import re

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

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPE_RE = re.compile(r'["\\\n\r\t]|\$\{')
_IDENT_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'\-]*\Z")
# `or` is a valid attribute name (Nix prints it unquoted), unlike the other keywords.
_KEYWORDS = frozenset(("if", "then", "else", "assert", "with", "let", "in", "rec", "inherit"))


def escape_string(s: str) -> str:
    """A DCL string literal for `s`."""
    return '"' + _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(), "\\${"), s) + '"'


def format_attr_name(name: str) -> str:
    if _IDENT_RE.match(name) and name not in _KEYWORDS:
        return name
    return escape_string(name)


def format_float(x: float) -> str:
    """Floats as C++'s ostream prints them by default (`%g`, 6 significant digits)."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan" if math.copysign(1.0, x) > 0 else "-nan"
    return f"{x:g}"


def print_value(value: Value, out: list[str] | None = None, seen: set | None = None) -> str:
    """The text `nix-instantiate --eval` prints for an (already forced) value."""
    parts: list[str] = [] if out is None else out
    _print(value, parts, set() if seen is None else seen)
    return "".join(parts)


def _print(v: Value, out: list[str], seen: set) -> None:
    t = type(v)
    if t is Thunk:
        if not v.forced:
            out.append("<CODE>")
            return
        v = v.value
        t = type(v)
    if t is LazyAttrs:
        v, t = settle(v), Attrs
    if t is str:
        out.append(escape_string(v))
    elif t is int:
        out.append(str(v))
    elif t is bool:
        out.append("true" if v else "false")
    elif v is None:
        out.append("null")
    elif t is Attrs:
        if v and id(v) in seen:
            out.append("«repeated»")
            return
        seen.add(id(v))
        out.append("{ ")
        for name in sorted(v):
            out.append(format_attr_name(name))
            out.append(" = ")
            _print(v[name], out, seen)
            out.append("; ")
        out.append("}")
    elif t is list:
        if v and id(v) in seen:
            out.append("«repeated»")
            return
        seen.add(id(v))
        out.append("[ ")
        for item in v:
            _print(item, out, seen)
            out.append(" ")
        out.append("]")
    elif t is float:
        out.append(format_float(v))
    elif t is CtxStr:
        out.append(escape_string(v.s))
    elif t is PathValue:
        out.append(v.path)
    elif t is Closure:
        out.append("<LAMBDA>")
    elif t is PrimOp:
        out.append("<PRIMOP>")
    elif t is PrimOpApp:
        out.append("<PRIMOP-APP>")
    else:  # pragma: no cover - every value type is listed above
        out.append(f"<{t.__name__}>")


def show_value(v: Value, depth: int = 3) -> str:
    """A bounded, non-forcing rendering of a value for error messages."""
    t = type(v)
    if t is Thunk:
        if not v.forced:
            return "«thunk»"
        return show_value(v.value, depth)
    if t is LazyAttrs:
        v, t = settle(v), Attrs
    if t is str or t is CtxStr:
        s = v if t is str else v.s
        if len(s) > 1024:
            return escape_string(s[:1024]) + "«" + str(len(s) - 1024) + " bytes elided»"
        return escape_string(s)
    if t is Attrs:
        if depth <= 0:
            return "{ … }"
        if not v:
            return "{ }"
        names = sorted(v)
        items = [f"{format_attr_name(n)} = {show_value(v[n], depth - 1)};" for n in names[:10]]
        if len(names) > 10:
            items.append(f"«{len(names) - 10} attributes elided»")
        return "{ " + " ".join(items) + " }"
    if t is list:
        if depth <= 0:
            return "[ … ]"
        if not v:
            return "[ ]"
        items = [show_value(x, depth - 1) for x in v[:10]]
        if len(v) > 10:
            items.append(f"«{len(v) - 10} items elided»")
        return "[ " + " ".join(items) + " ]"
    if t is Closure:
        return "«lambda»"
    if t is PrimOp:
        return f"«primop {v.name}»"
    if t is PrimOpApp:
        return f"«partially applied primop {v.primop.name}»"
    out: list[str] = []
    _print(v, out, set())
    return "".join(out)
