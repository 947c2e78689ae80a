"""`parse(text, path)`: DCL source to AST, with located parse errors.

lark builds the LALR table and decides how each reduction shapes its
values, once per grammar (declos/lang/table.py keeps both in the cache
directory, so parsing does not import lark); `_drive` runs that table over
the tokens of declos/lang/lexer.py, calling `_Builder`'s methods, so no
parse tree is materialized.  Checks that Nix makes at
parse time happen here too: duplicate attributes and formals, dynamic
attributes in `let` and `inherit`, integer literals out of range, trailing
slashes in paths.
"""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import attrs

from declos.diagnostics import ParseError, Source, Span
from declos.lang import ast, table
from declos.lang.bindings import merge_bindings
from declos.lang.indentation import strip_indentation
from declos.lang.lexer import TOKEN_DISPLAY, Lexer, Token

MAX_INT = 2**63 - 1

# The values lark hands a callback: tokens and what earlier callbacks built.
_Children = list[Any]


@attrs.frozen(slots=True)
class _Seq:
    """An intermediate list with the extent it covers."""

    items: tuple
    start: int
    end: int


def _start(x: Any) -> int:
    if isinstance(x, Token):
        return x.start_pos
    if isinstance(x, _Seq):
        return x.start
    return x.span.start


def _end(x: Any) -> int:
    if isinstance(x, Token):
        return x.end_pos
    if isinstance(x, _Seq):
        return x.end
    return x.span.end


def _static_name(part: ast.Expr) -> ast.AttrName:
    """`"a"` and `${"a"}` are static names, as in Nix."""
    if isinstance(part, ast.Str):
        if not part.parts:
            return ""
        if len(part.parts) == 1 and isinstance(part.parts[0], str):
            return part.parts[0]
    return part


def _merge_parts(items: Iterable[Any]) -> tuple:
    parts: list = []
    for item in items:
        if isinstance(item, str):
            if not item:
                continue
            if parts and isinstance(parts[-1], str):
                parts[-1] = parts[-1] + str(item)
            else:
                parts.append(str(item))
        else:
            parts.append(item)
    return tuple(parts)


class _Builder:
    """The values of reductions, one method per grammar alternative (lark's
    callbacks when it builds the table); `self.source` is set per parse."""

    source: Source

    def _span(self, first: Any, last: Any) -> Span:
        return Span(self.source, _start(first), _end(last))

    def start(self, c: _Children) -> ast.Expr:
        return c[0]

    # Functions and statements.
    def lambda_simple(self, c: _Children) -> ast.Lambda:
        return ast.Lambda(str(c[0]), None, c[2], span=self._span(c[0], c[2]))

    def lambda_formals(self, c: _Children) -> ast.Lambda:
        return ast.Lambda(None, c[0], c[2], span=self._span(c[0], c[2]))

    def lambda_formals_at(self, c: _Children) -> ast.Lambda:
        return self._at_lambda(c[2], c[0], c[4], c[0])

    def lambda_at_formals(self, c: _Children) -> ast.Lambda:
        return self._at_lambda(c[0], c[2], c[4], c[0])

    def _at_lambda(
        self, name_tok: Token, formals: ast.Formals, body: ast.Expr, first: Any
    ) -> ast.Lambda:
        name = str(name_tok)
        if any(f.name == name for f in formals.entries):
            raise ParseError(
                f"duplicate formal function argument '{name}'", self._span(name_tok, name_tok)
            )
        return ast.Lambda(name, formals, body, span=self._span(first, body))

    def assert_(self, c: _Children) -> ast.Assert:
        return ast.Assert(c[1], c[3], span=self._span(c[0], c[3]))

    def with_(self, c: _Children) -> ast.With:
        return ast.With(c[1], c[3], span=self._span(c[0], c[3]))

    def let(self, c: _Children) -> ast.Let:
        binds = c[1].items
        span = self._span(c[0], c[3])
        merge_bindings(binds, True, span, in_let=True)
        return ast.Let(binds, c[3], span=span)

    def if_(self, c: _Children) -> ast.If:
        return ast.If(c[1], c[3], c[5], span=self._span(c[0], c[5]))

    # Operators.
    def binop(self, c: _Children) -> ast.BinOp:
        # Errors point at the operator, as in current Nix.
        return ast.BinOp(str(c[1]), c[0], c[2], span=self._span(c[1], c[1]))

    def not_op(self, c: _Children) -> ast.Not:
        return ast.Not(c[1], span=self._span(c[0], c[1]))

    def neg(self, c: _Children) -> ast.Neg:
        return ast.Neg(c[1], span=self._span(c[0], c[1]))

    def has_attr(self, c: _Children) -> ast.HasAttr:
        return ast.HasAttr(c[0], c[2].items, span=self._span(c[0], c[2]))

    def call(self, c: _Children) -> ast.Call:
        return ast.Call(c[0], c[1], span=self._span(c[0], c[1]))

    def select(self, c: _Children) -> ast.Select:
        return ast.Select(c[0], c[2].items, span=self._span(c[0], c[2]))

    def select_or(self, c: _Children) -> ast.Select:
        return ast.Select(c[0], c[2].items, c[4], span=self._span(c[0], c[4]))

    def call_or(self, c: _Children) -> ast.Call:
        or_var = ast.Var("or", span=self._span(c[1], c[1]))
        return ast.Call(c[0], or_var, span=self._span(c[0], c[1]))

    # Simple expressions.
    def var(self, c: _Children) -> ast.Var:
        return ast.Var(str(c[0]), span=self._span(c[0], c[0]))

    def int_(self, c: _Children) -> ast.Int:
        value = int(c[0])
        if value > MAX_INT:
            raise ParseError(f"invalid integer '{c[0]}'", self._span(c[0], c[0]))
        return ast.Int(value, span=self._span(c[0], c[0]))

    def float_(self, c: _Children) -> ast.Float:
        value = float(c[0])
        # Nix rejects what strtod flags with ERANGE: overflow and subnormal results.
        if math.isinf(value) or (value != 0.0 and value < sys.float_info.min):
            raise ParseError(f"invalid float '{c[0]}'", self._span(c[0], c[0]))
        if value == 0.0 and any(ch in "123456789" for ch in c[0].split("e")[0].split("E")[0]):
            raise ParseError(f"invalid float '{c[0]}'", self._span(c[0], c[0]))
        return ast.Float(value, span=self._span(c[0], c[0]))

    def string(self, c: _Children) -> ast.Str:
        return ast.Str(c[1].items, span=self._span(c[0], c[2]))

    def ind_string(self, c: _Children) -> ast.Str:
        return ast.Str(strip_indentation(c[1].items), span=self._span(c[0], c[2]))

    def path(self, c: _Children) -> ast.Path:
        parts = _merge_parts((str(c[0]), *c[1].items))
        return ast.Path(parts, span=self._span(c[0], c[2]))

    def spath(self, c: _Children) -> ast.SearchPath:
        return ast.SearchPath(str(c[0])[1:-1], span=self._span(c[0], c[0]))

    def uri(self, c: _Children) -> ast.Uri:
        return ast.Uri(str(c[0]), span=self._span(c[0], c[0]))

    def paren(self, c: _Children) -> ast.Expr:
        inner = c[1]
        if type(inner) is ast.BinOp or type(inner) is ast.Lambda:
            return inner  # errors point at the operator / the lambda, parenthesised or not
        return attrs.evolve(inner, span=self._span(c[0], c[2]))

    def legacy_let(self, c: _Children) -> ast.Select:
        span = self._span(c[0], c[3])
        binds = c[2].items
        merge_bindings(binds, True, span)
        return ast.Select(ast.AttrSet(True, binds, span=span), ("body",), span=span)

    def rec_attrs(self, c: _Children) -> ast.AttrSet:
        span = self._span(c[0], c[3])
        merge_bindings(c[2].items, True, span)
        return ast.AttrSet(True, c[2].items, span=span)

    def attrs(self, c: _Children) -> ast.AttrSet:
        span = self._span(c[0], c[2])
        merge_bindings(c[1].items, False, span)
        return ast.AttrSet(False, c[1].items, span=span)

    def list_(self, c: _Children) -> ast.List:
        return ast.List(tuple(c[1:-1]), span=self._span(c[0], c[-1]))

    # Pieces.
    def str_parts(self, c: _Children) -> _Seq:
        return _Seq(_merge_parts(c), 0, 0)

    path_parts = str_parts

    def ind_parts(self, c: _Children) -> _Seq:
        return _Seq(tuple(c), 0, 0)

    def interp(self, c: _Children) -> ast.Expr:
        return c[1]

    def binds(self, c: _Children) -> _Seq:
        return _Seq(tuple(c), 0, 0)

    def binding(self, c: _Children) -> ast.Binding:
        return ast.Binding(c[0].items, c[2], span=self._span(c[0], c[3]))

    def _inherit(
        self, source: ast.Expr | None, names: _Children, first: Token, last: Token
    ) -> ast.Inherit:
        static = []
        spans = []
        for name, span in names:
            if not isinstance(name, str):
                raise ParseError("dynamic attributes not allowed in inherit", span)
            static.append(name)
            spans.append(span)
        return ast.Inherit(
            source, tuple(static), span=self._span(first, last), name_spans=tuple(spans)
        )

    def inherit(self, c: _Children) -> ast.Inherit:
        return self._inherit(None, c[1:-1], c[0], c[-1])

    def inherit_from(self, c: _Children) -> ast.Inherit:
        return self._inherit(c[2], c[4:-1], c[0], c[-1])

    def attrpath(self, c: _Children) -> _Seq:
        names = [name for name, _span in c[::2]]
        return _Seq(tuple(names), c[0][1].start, c[-1][1].end)

    def attr_name(self, c: _Children) -> tuple[ast.AttrName, Span]:
        if len(c) == 1 and isinstance(c[0], Token):
            return str(c[0]), self._span(c[0], c[0])
        if len(c) == 3 and c[0].type == "DQUOTE":  # "quoted ${parts}"
            name = _static_name(ast.Str(c[1].items, span=self._span(c[0], c[2])))
            return name, self._span(c[0], c[2])
        if len(c) == 3 and c[0].type == "DOLLAR_CURLY":  # ${expr}
            return _static_name(c[1]), self._span(c[0], c[2])
        expr = c[0]
        return _static_name(expr), expr.span

    def formals(self, c: _Children) -> ast.Formals:
        entries = []
        ellipsis = False
        seen = {}
        for item in c[1:-1]:
            if isinstance(item, Token):
                if item.type == "ELLIPSIS":
                    ellipsis = True
                continue
            if item.name in seen:
                raise ParseError(f"duplicate formal function argument '{item.name}'", item.span)
            seen[item.name] = item
            entries.append(item)
        return ast.Formals(tuple(entries), ellipsis, span=self._span(c[0], c[-1]))

    def formal(self, c: _Children) -> ast.Formal:
        default = c[2] if len(c) == 3 else None
        return ast.Formal(str(c[0]), default, span=self._span(c[0], c[-1]))


def _unexpected(token: Token | None) -> str:
    if token is None or token.type == "$END":
        return "end of file"
    return TOKEN_DISPLAY.get(token.type, token.type)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict, int, int]:
    """The LALR table of grammar.lark, re-keyed for a tight driver loop
    (declos/lang/table.py).  Driving it here instead of through lark's
    interactive parser saves most of the per-token overhead (lark's rules and
    grammar symbols hash and compare in Python)."""
    return table.load(_BUILDER)


_chains: dict[tuple[int, int, str], int] = {}


def _drive(tokens: Iterable[Token], source: Source) -> ast.Expr:
    actions, start, end = _tables()
    chains = _chains
    states = [start]
    values: list = []
    for token in tokens:
        kind = token.type
        while True:
            act = actions[states[-1]].get(kind)
            if act.__class__ is int:
                states.append(act)
                values.append(token)
                break
            if act.__class__ is str:
                # A chain of unit reductions depends only on the state below,
                # the top state and the lookahead: follow it once, then reuse.
                below = states[-2]
                key = (below, states[-1], kind)
                top = chains.get(key)
                if top is None:
                    top = actions[below][act]
                    nxt = actions[top].get(kind)
                    while nxt.__class__ is str:
                        top = actions[below][nxt]
                        nxt = actions[top].get(kind)
                    chains[key] = top
                states[-1] = top
                continue
            if act is None:
                raise _syntax_error(source, token)
            size, origin, callback = act
            if size:
                children = values[-size:]
                del states[-size:]
                del values[-size:]
            else:
                children = []
            values.append(callback(children))
            states.append(actions[states[-1]][origin])
    while True:
        act = actions[states[-1]].get("$END")
        if act is None or act.__class__ is int:
            raise _syntax_error(source, None)
        if act.__class__ is str:
            states[-1] = actions[states[-2]][act]
            if states[-1] == end:
                return values[-1]
            continue
        size, origin, callback = act
        if size:
            children = values[-size:]
            del states[-size:]
            del values[-size:]
        else:
            children = []
        values.append(callback(children))
        states.append(actions[states[-1]][origin])
        if states[-1] == end:
            return values[-1]


def _syntax_error(source: Source, token: Token | None) -> ParseError:
    if token is None:
        # Like Nix: just after the last token or comment, not after trailing blanks.
        pos = len(source.text.rstrip(" \t\r\n"))
    else:
        pos = token.start_pos or 0
    return ParseError(f"syntax error, unexpected {_unexpected(token)}", Span(source, pos, pos))


_BUILDER = _Builder()


def parse_source(source: Source) -> ast.Expr:
    """Parse one `Source`; raise `ParseError` with a span on bad input."""
    if "\0" in source.text:
        pos = source.text.index("\0")
        raise ParseError("syntax error, unexpected NUL byte", Span(source, pos, pos))
    _BUILDER.source = source
    with gc_paused():
        return _drive(Lexer(source).tokens(), source)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic GC while building a large acyclic tree.

    Building allocates hundreds of thousands of objects, each allocation
    burst triggering collections that rescan the growing tree; the tree has
    no cycles, so pausing is safe and roughly halves parse time.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse(text: str, path: str | None = None, base_dir: str | None = None) -> ast.Expr:
    """Parse DCL source text; `path` is the file it came from, if any."""
    if base_dir is None:
        return parse_source(Source(path, text))  # Source derives it from path
    return parse_source(Source(path, text, base_dir))
