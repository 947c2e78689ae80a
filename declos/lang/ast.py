"""The DCL abstract syntax tree: frozen attrs nodes, each with a `Span`.

The tree is data only.  `span` is excluded from equality so that tests and the
print/parse round trip compare structure, not positions.

Decisions that shape the tree:
- A string (plain or indented) is `Str(parts)`: literal text and interpolated
  expressions, adjacent literals merged.  Indentation of `'' ''` strings is
  already stripped.  `Str(())` is the empty string.
- A path literal is `Path(parts)` with the raw text as written (`./a/`,
  `~/x`, `/etc`) plus interpolations; resolution against the file's
  directory happens at evaluation.  `<nixpkgs/lib>` is `SearchPath`.
- An attribute name in a path (`a.b."c".${d}`) is a `str` when static and an
  expression when dynamic (`${e}` gives `e`, `"a${e}"` gives a `Str`).
- The legacy `let { ...; body = e; }` parses to `(rec { ... }).body`.
- Operators are `BinOp(op, left, right)` with the operator as written,
  `-x` is `Neg`, `!x` is `Not`; application is binary `Call(fn, arg)`.
"""

from __future__ import annotations

from typing import Any, Union

import attrs

from declos.diagnostics import Span


def _span() -> Any:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


class Expr:
    """Base of every expression node (no fields: slots + inheritance)."""

    __slots__ = ()
    # Every node has one (an attrs field of each subclass); declared here for mypy.
    span: Span | None


AttrName = Union[str, Expr]  # noqa: UP007 - Expr is a runtime class


@attrs.frozen(slots=True)
class Int(Expr):
    value: int
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Float(Expr):
    value: float
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Str(Expr):
    parts: tuple[str | Expr, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Path(Expr):
    parts: tuple[str | Expr, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class SearchPath(Expr):
    """`<name/sub>`; `path` is the text between the angle brackets."""

    path: str
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Uri(Expr):
    value: str
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Var(Expr):
    name: str
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Select(Expr):
    expr: Expr
    path: tuple[AttrName, ...]
    default: Expr | None = None
    span: Span | None = _span()


@attrs.frozen(slots=True)
class HasAttr(Expr):
    expr: Expr
    path: tuple[AttrName, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Binding:
    """`a.b.c = value;`"""

    path: tuple[AttrName, ...]
    value: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Inherit:
    """`inherit a b;` or `inherit (source) a b;`; names are static strings.

    `name_spans` gives each name's position, for errors and `unsafeGetAttrPos`.
    """

    source: Expr | None
    names: tuple[str, ...]
    span: Span | None = _span()
    name_spans: tuple[Span | None, ...] = attrs.field(
        default=(), eq=False, repr=False, kw_only=True
    )


Bind = Union[Binding, Inherit]  # noqa: UP007


@attrs.frozen(slots=True)
class AttrSet(Expr):
    recursive: bool
    bindings: tuple[Bind, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class List(Expr):
    items: tuple[Expr, ...]
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Let(Expr):
    bindings: tuple[Bind, ...]
    body: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Formal:
    name: str
    default: Expr | None = None
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Formals:
    entries: tuple[Formal, ...]
    ellipsis: bool = False
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Lambda(Expr):
    """`x: body`, `{ a, b ? 1, ... }: body`, `args@{ ... }: body`.

    `param` is the plain or `@`-bound name, `formals` the set pattern; at
    least one of them is present.
    """

    param: str | None
    formals: Formals | None
    body: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Call(Expr):
    fn: Expr
    arg: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class With(Expr):
    env: Expr
    body: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Assert(Expr):
    cond: Expr
    body: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class If(Expr):
    cond: Expr
    then: Expr
    else_: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Not(Expr):
    expr: Expr
    span: Span | None = _span()


@attrs.frozen(slots=True)
class Neg(Expr):
    expr: Expr
    span: Span | None = _span()


BINARY_OPERATORS = (
    "++", "*", "/", "+", "-", "//", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "->", "|>", "<|",
)  # fmt: skip


# Operators that Nix's parser turns into calls of builtins, looked up
# lexically (so a local `__sub` takes over `-`): op -> (name, swap operands,
# negate the result).  `a >= b` is `!(__lessThan a b)`.
CALLED_BUILTINS = {
    "-": ("__sub", False, False),
    "*": ("__mul", False, False),
    "/": ("__div", False, False),
    "<": ("__lessThan", False, False),
    ">": ("__lessThan", True, False),
    "<=": ("__lessThan", True, True),
    ">=": ("__lessThan", False, True),
}


@attrs.frozen(slots=True)
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr
    span: Span | None = _span()


EXPR_NODES = (
    Int, Float, Str, Path, SearchPath, Uri, Var, Select, HasAttr, AttrSet, List, Let,
    Lambda, Call, With, Assert, If, Not, Neg, BinOp,
)  # fmt: skip
