"""Expressions shown as Nix's `Expr::show` prints them, for assertion messages.

Nix parenthesises every operator application: `assert a == b;` fails with
"assertion '(a == b)' failed".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from declos.eval.printing import escape_string, format_attr_name
from declos.lang import ast


def _attr_path(path: Iterable[ast.AttrName]) -> str:
    return ".".join(
        format_attr_name(p) if isinstance(p, str) else f'"${{{show(p)}}}"' for p in path
    )


def show(node: Any) -> str:
    """Source-like text of an ast node, for messages."""
    t = type(node)
    if t is ast.Int:
        return str(node.value)
    if t is ast.Float:
        return repr(node.value)
    if t is ast.Str:
        if all(isinstance(p, str) for p in node.parts):
            return escape_string("".join(node.parts))
        inner = "".join(
            escape_string(p)[1:-1] if isinstance(p, str) else "${" + show(p) + "}"
            for p in node.parts
        )
        return f'"{inner}"'
    if t is ast.Var:
        return node.name
    if t is ast.Path:
        return "".join(p if isinstance(p, str) else "${" + show(p) + "}" for p in node.parts)
    if t is ast.SearchPath:
        return f"<{node.path}>"
    if t is ast.Uri:
        return node.value
    if t is ast.Select:
        text = f"({show(node.expr)}).{_attr_path(node.path)}"
        if node.default is not None:
            text = f"{text} or {show(node.default)}"
        return text
    if t is ast.HasAttr:
        return f"(({show(node.expr)}) ? {_attr_path(node.path)})"
    if t is ast.BinOp:
        op, a, b = node.op, show(node.left), show(node.right)
        if op in ast.CALLED_BUILTINS:
            fn, swap, negate = ast.CALLED_BUILTINS[op]
            text = f"({fn} {b} {a})" if swap else f"({fn} {a} {b})"
            return f"(! {text})" if negate else text
        return f"({a} {op} {b})"
    if t is ast.Not:
        return f"(! {show(node.expr)})"
    if t is ast.Neg:
        return f"(__sub 0 {show(node.expr)})"
    if t is ast.Call:
        args = []
        while type(node) is ast.Call:
            args.append(show(node.arg))
            node = node.fn
        return f"({show(node)} {' '.join(reversed(args))})"
    if t is ast.List:
        return "[ " + "".join(f"({show(i)}) " for i in node.items) + "]"
    if t is ast.AttrSet:
        head = "rec " if node.recursive else ""
        return head + "{ " + "".join(_show_bind(b) for b in node.bindings) + "}"
    if t is ast.Let:
        return "(let " + "".join(_show_bind(b) for b in node.bindings) + f"in {show(node.body)})"
    if t is ast.Lambda:
        return "<lambda>"
    if t is ast.If:
        return f"(if {show(node.cond)} then {show(node.then)} else {show(node.else_)})"
    if t is ast.With:
        return f"(with {show(node.env)}; {show(node.body)})"
    if t is ast.Assert:
        return f"(assert {show(node.cond)}; {show(node.body)})"
    return "<expr>"


def _show_bind(b: ast.Bind) -> str:
    if isinstance(b, ast.Inherit):
        src = f"({show(b.source)}) " if b.source is not None else ""
        return f"inherit {src}{' '.join(format_attr_name(n) for n in b.names)}; "
    return f"{_attr_path(b.path)} = {show(b.value)}; "
