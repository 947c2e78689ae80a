"""`print_expr(expr)`: an AST back to normalized DCL source.

The output is one canonical form: parsing it gives an equal AST (spans
aside), which tests/lang/test_roundtrip.py checks on generated trees.  It
must not evaluate anything or consult the file system.

Parentheses follow the grammar's precedence levels (declos/lang/grammar.lark):
a child is wrapped only when its level is below what its position accepts,
so `BinOp("+", a, BinOp("*", b, c))` prints `a + b * c` while
`BinOp("*", BinOp("+", a, b), c)` prints `(a + b) * c`.  A few lexical traps
need more than levels:
- `!x` binds looser than `+`, so it is wrapped as an operand: `a + (!b)`.
- a number, path or URI before `.` would absorb the dot: `(1).a`, `(./p).a`.
- `-` before a path would become part of it: `- ./a`.
- the identifier `or` exists only in `f or` (Nix's call of `f` on `or`).
Strings always print in `"..."` form with `\\n`, `\\t`, `\\r`, `\\"`, `\\\\` and
`\\${` escapes.  A float prints with a dot so it lexes as a float (`1.0`,
`1.0e+20`); infinities and NaN have no literal and print as arithmetic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from declos.lang import ast
from declos.lang.lexer import ID_RE, KEYWORDS

# Precedence levels, loosest first, one per grammar rule.
EXPR, PIPE, IMPL, OR, AND, EQ, CMP, UPDATE, NOT, ADD, MUL, CONCAT, HAS, NEG, APP, SELECT, SIMPLE = (
    range(17)
)

# op -> (level of the result, level its left operand needs, level its right needs)
_BINOPS = {
    "->": (IMPL, OR, IMPL),
    "||": (OR, OR, AND),
    "&&": (AND, AND, EQ),
    "==": (EQ, CMP, CMP),
    "!=": (EQ, CMP, CMP),
    "<": (CMP, UPDATE, UPDATE),
    "<=": (CMP, UPDATE, UPDATE),
    ">": (CMP, UPDATE, UPDATE),
    ">=": (CMP, UPDATE, UPDATE),
    "//": (UPDATE, NOT, UPDATE),
    "+": (ADD, ADD, MUL),
    "-": (ADD, ADD, MUL),
    "*": (MUL, MUL, CONCAT),
    "/": (MUL, MUL, CONCAT),
    "++": (CONCAT, HAS, CONCAT),
    "|>": (PIPE, IMPL, IMPL),
    "<|": (PIPE, IMPL, IMPL),
}

_STR_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_STR_SPECIAL_RE = re.compile(r'["\\\n\t\r]|\$\{')
_PATH_START_RE = re.compile(r"[a-zA-Z0-9._\-+]*/")

Printed = tuple[str, int]  # (text, precedence level)


def print_expr(expr: ast.Expr) -> str:
    """Normalized source for `expr`; `parse(print_expr(e)) == e`."""
    return _print(expr)[0]


def _print(node: ast.Expr) -> Printed:
    try:
        fn = PRINTERS[type(node)]
    except KeyError:
        raise TypeError(f"cannot print {type(node).__name__} as DCL") from None
    return fn(node)


def _at(node: ast.Expr, level: int) -> str:
    """`node`'s text, parenthesized when it binds looser than `level`."""
    text, own = _print(node)
    return text if own >= level else f"({text})"


def is_identifier(name: str) -> bool:
    return ID_RE.fullmatch(name) is not None and name not in KEYWORDS


def print_string(parts: tuple) -> str:
    """A `"..."` literal for string parts (text and interpolated expressions)."""
    out = ['"']
    for i, part in enumerate(parts):
        if isinstance(part, str):
            text = _STR_SPECIAL_RE.sub(lambda m: _STR_ESCAPES.get(m.group(), "\\${"), part)
            # A `$` right before an interpolation would make `$${`, read as text.
            if text.endswith("$") and i + 1 < len(parts):
                text = text[:-1] + "\\$"
            out.append(text)
        else:
            out.append("${" + _at(part, EXPR) + "}")
    out.append('"')
    return "".join(out)


def print_attr_name(name: ast.AttrName) -> str:
    if isinstance(name, str):
        return name if is_identifier(name) else print_string((name,))
    if isinstance(name, ast.Str):
        return print_string(name.parts)
    return "${" + _at(name, EXPR) + "}"


def print_attr_path(path: tuple) -> str:
    return ".".join(print_attr_name(name) for name in path)


def print_float(value: float) -> str:
    """A float literal that lexes back to `value` (which must be finite and >= 0)."""
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


# Node printers, one per class in ast.EXPR_NODES.


def _int(node: ast.Int) -> Printed:
    if node.value < 0:  # not produced by the parser: `-1` is Neg(Int(1))
        return f"-{-node.value}", NEG
    return str(node.value), SIMPLE


def _float(node: ast.Float) -> Printed:
    v = node.value
    if math.isnan(v):
        return "1.0e308 * 10.0 - 1.0e308 * 10.0", ADD
    if math.isinf(v):
        return ("-" if v < 0 else "") + "1.0e308 * 10.0", MUL
    if v < 0 or (v == 0 and math.copysign(1.0, v) < 0):
        return "-" + print_float(-v), NEG
    return print_float(v), SIMPLE


def _str(node: ast.Str) -> Printed:
    return print_string(node.parts), SIMPLE


def _path(node: ast.Path) -> Printed:
    return "".join(p if isinstance(p, str) else "${" + _at(p, EXPR) + "}" for p in node.parts), (
        SIMPLE
    )


def _search_path(node: ast.SearchPath) -> Printed:
    return f"<{node.path}>", SIMPLE


def _uri(node: ast.Uri) -> Printed:
    return node.value, SIMPLE


def _var(node: ast.Var) -> Printed:
    if not is_identifier(node.name):
        raise ValueError(f"variable name {node.name!r} cannot be written in DCL")
    return node.name, SIMPLE


def _select_subject(expr: ast.Expr) -> str:
    # Numbers, paths and URIs would take the `.` into their own token.
    if isinstance(expr, ast.Int | ast.Float | ast.Path | ast.Uri):
        return f"({_print(expr)[0]})"
    return _at(expr, SIMPLE)


def _select(node: ast.Select) -> Printed:
    text = f"{_select_subject(node.expr)}.{print_attr_path(node.path)}"
    if node.default is not None:
        text += f" or {_at(node.default, SELECT)}"
    return text, SELECT


def _has_attr(node: ast.HasAttr) -> Printed:
    return f"{_at(node.expr, HAS)} ? {print_attr_path(node.path)}", HAS


def _binding(bind: ast.Binding | ast.Inherit) -> str:
    if isinstance(bind, ast.Inherit):
        names = "".join(" " + print_attr_name(n) for n in bind.names)
        source = "" if bind.source is None else f" ({_at(bind.source, EXPR)})"
        return f"inherit{source}{names};"
    return f"{print_attr_path(bind.path)} = {_at(bind.value, EXPR)};"


def _attr_set(node: ast.AttrSet) -> Printed:
    body = " ".join(_binding(b) for b in node.bindings)
    text = f"{{ {body} }}" if body else "{ }"
    return ("rec " + text if node.recursive else text), SIMPLE


def _list(node: ast.List) -> Printed:
    if not node.items:
        return "[ ]", SIMPLE
    return "[ " + " ".join(_at(item, SELECT) for item in node.items) + " ]", SIMPLE


def _let(node: ast.Let) -> Printed:
    body = "".join(_binding(b) + " " for b in node.bindings)
    return f"let {body}in {_at(node.body, EXPR)}", EXPR


def _ends_with_uri(node: ast.Expr) -> bool:
    """Whether `node`'s text may end with a URI, which would absorb a `,`."""
    while True:
        if isinstance(node, ast.Uri):
            return True
        nxt = _RIGHTMOST.get(type(node))
        if nxt is None:
            return False
        node = nxt(node)
        if node is None:
            return False


_RIGHTMOST = {
    ast.BinOp: lambda n: n.right,
    ast.Call: lambda n: n.arg,
    ast.Not: lambda n: n.expr,
    ast.Neg: lambda n: n.expr,
    ast.Lambda: lambda n: n.body,
    ast.With: lambda n: n.body,
    ast.Assert: lambda n: n.body,
    ast.Let: lambda n: n.body,
    ast.If: lambda n: n.else_,
    ast.Select: lambda n: n.default,
}


def _formal(f: ast.Formal) -> str:
    if f.default is None:
        return f.name
    text = _at(f.default, EXPR)
    if _ends_with_uri(f.default):  # `{ a ? x:y, b }` would read `x:y,` as the URI
        text = f"({text})"
    return f"{f.name} ? {text}"


def _formals(formals: ast.Formals) -> str:
    entries = [_formal(f) for f in formals.entries]
    if formals.ellipsis:
        entries.append("...")
    return "{ " + ", ".join(entries) + " }" if entries else "{ }"


def _lambda(node: ast.Lambda) -> Printed:
    if node.param is not None and not is_identifier(node.param):
        raise ValueError(f"parameter name {node.param!r} cannot be written in DCL")
    if node.formals is None:
        head = node.param
    elif node.param is None:
        head = _formals(node.formals)
    else:
        head = f"{node.param}@{_formals(node.formals)}"
    return f"{head}: {_at(node.body, EXPR)}", EXPR


def _call(node: ast.Call) -> Printed:
    if isinstance(node.arg, ast.Var) and node.arg.name == "or":
        # `f or` is the only way to write the variable `or`.
        return f"{_select_subject(node.fn)} or", SELECT
    return f"{_at(node.fn, APP)} {_at(node.arg, SELECT)}", APP


def _with(node: ast.With) -> Printed:
    return f"with {_at(node.env, EXPR)}; {_at(node.body, EXPR)}", EXPR


def _assert(node: ast.Assert) -> Printed:
    return f"assert {_at(node.cond, EXPR)}; {_at(node.body, EXPR)}", EXPR


def _if(node: ast.If) -> Printed:
    cond, then, else_ = (_at(x, EXPR) for x in (node.cond, node.then, node.else_))
    return f"if {cond} then {then} else {else_}", EXPR


def _not(node: ast.Not) -> Printed:
    return "!" + _at(node.expr, NOT), NOT


def _neg(node: ast.Neg) -> Printed:
    text = _at(node.expr, NEG)
    # `-./a` and `-a/b` would lex as one path; `- -1` reads better than `--1`.
    sep = " " if _PATH_START_RE.match(text) or text.startswith("-") else ""
    return f"-{sep}{text}", NEG


def _binop(node: ast.BinOp) -> Printed:
    level, left_level, right_level = _BINOPS[node.op]
    left, right = node.left, node.right
    if node.op == "|>" and isinstance(left, ast.BinOp) and left.op == "|>":
        left_level = PIPE
    if node.op == "<|" and isinstance(right, ast.BinOp) and right.op == "<|":
        right_level = PIPE
    # `!x` sits below + - * / ++, so as their operand it is wrapped by level:
    # `a + !b + c` would read as `a + !(b + c)`.
    text_l, text_r = _at(left, left_level), _at(right, right_level)
    return f"{text_l} {node.op} {text_r}", level


PRINTERS: dict[type, Callable[..., Printed]] = {
    ast.Int: _int,
    ast.Float: _float,
    ast.Str: _str,
    ast.Path: _path,
    ast.SearchPath: _search_path,
    ast.Uri: _uri,
    ast.Var: _var,
    ast.Select: _select,
    ast.HasAttr: _has_attr,
    ast.AttrSet: _attr_set,
    ast.List: _list,
    ast.Let: _let,
    ast.Lambda: _lambda,
    ast.Call: _call,
    ast.With: _with,
    ast.Assert: _assert,
    ast.If: _if,
    ast.Not: _not,
    ast.Neg: _neg,
    ast.BinOp: _binop,
}
