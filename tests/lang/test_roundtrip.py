"""Property tests: `parse(print_expr(tree)) == tree` for generated trees.

The strategies build only trees the parser can produce: non-negative
numbers (`-1` is `Neg(Int(1))`), merged string parts, static attribute names
as `str`, no duplicate attributes or formals, and the variable `or` only as
the argument in `f or`.  A second test runs the same round trip over every
golden parse-okay file.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declos.diagnostics import ParseError
from declos.lang import ast
from declos.lang.bindings import merge_bindings
from declos.lang.lexer import KEYWORDS
from declos.lang.parser import MAX_INT, parse
from declos.lang.printer import PRINTERS, print_expr

GOLDEN = Path(__file__).resolve().parent / "golden"

PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+"
URI_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%/?:@&=+$,-_.!~*'"

# Leaves.

identifiers = st.from_regex(r"\A[a-zA-Z_][a-zA-Z0-9_'\-]{0,6}\Z").filter(
    lambda s: s not in KEYWORDS
)
# Text that stresses escaping: interpolation openers, quotes, backslashes,
# indented-string markers, control characters and non-ASCII.
tricky_text = st.lists(
    st.one_of(
        st.sampled_from(["${", "$", "{", "}", "''", "'", '"', "\\", "\\n", "\n", "\t", "\r"]),
        st.sampled_from(["\r\n", "$$", "''$", "'''", "ä", "λ", "🙂", " ", "#", "/*"]),
        st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=4),
    ),
    max_size=5,
).map("".join)
attr_strings = st.one_of(identifiers, st.sampled_from(sorted(KEYWORDS)), tricky_text)
ints = st.integers(min_value=0, max_value=MAX_INT).map(ast.Int)
floats = (
    st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)
    .filter(lambda f: f == 0.0 or f >= 2.2250738585072014e-308)
    .filter(lambda f: math.copysign(1.0, f) > 0)
    .map(ast.Float)
)
segments = st.text(PATH_CHARS, min_size=1, max_size=4)
search_paths = st.lists(segments, min_size=1, max_size=3).map(lambda s: ast.SearchPath("/".join(s)))
uris = st.builds(
    lambda scheme, rest: ast.Uri(f"{scheme}:{rest}"),
    st.from_regex(r"\A[a-zA-Z][a-zA-Z0-9+\-.]{0,4}\Z"),
    st.text(URI_CHARS, min_size=1, max_size=8),
)
variables = identifiers.map(ast.Var)


def merge_parts(parts) -> tuple:
    out: list = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return tuple(out)


def strings(exprs):
    return st.lists(st.one_of(tricky_text, exprs), max_size=4).map(
        lambda parts: ast.Str(merge_parts(parts))
    )


@st.composite
def paths(draw, exprs):
    """A path literal, optionally with interpolations (never a trailing slash)."""
    rel = st.lists(segments, min_size=1, max_size=3).map("/".join)
    start = draw(st.sampled_from(["./", "../", "/", "~/", "rel/"]))
    if start == "rel/":
        start = draw(segments) + "/"
    pieces = draw(st.lists(exprs, max_size=2)) if exprs is not None else []
    if not pieces:
        return ast.Path((start + draw(rel),))
    parts: list = [start + draw(st.sampled_from(["", "x/"]))]
    for i, expr in enumerate(pieces):
        parts.append(expr)
        last = i == len(pieces) - 1
        tail = draw(st.one_of(st.just(""), rel, segments.map(lambda s: "/" + s)))
        if not last and draw(st.booleans()):
            tail += "/"
        parts.append(tail)
    return ast.Path(merge_parts(parts))


def attr_names(exprs):
    dynamic_str = st.lists(st.one_of(tricky_text, exprs), min_size=1, max_size=3).map(merge_parts)
    dynamic_str = dynamic_str.filter(lambda ps: any(not isinstance(p, str) for p in ps)).map(
        ast.Str
    )
    plain_dynamic = exprs.filter(lambda e: not isinstance(e, ast.Str))
    return st.one_of(attr_strings, attr_strings, dynamic_str, plain_dynamic)


def attr_paths(exprs, static_first: bool = False):
    first = attr_strings if static_first else attr_names(exprs)
    return st.builds(lambda a, rest: (a, *rest), first, st.lists(attr_names(exprs), max_size=2))


def bindings(exprs, in_let: bool = False):
    binding = st.builds(ast.Binding, attr_paths(exprs, static_first=in_let), exprs)
    inherit = st.builds(
        ast.Inherit,
        st.one_of(st.none(), exprs),
        st.lists(attr_strings, max_size=3, unique=True).map(tuple),
    )
    return st.lists(st.one_of(binding, binding, inherit), max_size=4).map(tuple)


def _valid_binds(binds, in_let: bool = False) -> bool:
    try:
        merge_bindings(binds, False, None, in_let=in_let)
    except ParseError:
        return False
    return True


@st.composite
def formals(draw, exprs, param):
    names = draw(st.lists(identifiers.filter(lambda n: n != param), max_size=3, unique=True))
    entries = tuple(ast.Formal(name, draw(st.one_of(st.none(), exprs))) for name in names)
    return ast.Formals(entries, draw(st.booleans()))


@st.composite
def lambdas(draw, exprs):
    shape = draw(st.sampled_from(["simple", "formals", "at"]))
    body = draw(exprs)
    if shape == "simple":
        return ast.Lambda(draw(identifiers), None, body)
    if shape == "formals":
        return ast.Lambda(None, draw(formals(exprs, None)), body)
    param = draw(identifiers)
    return ast.Lambda(param, draw(formals(exprs, param)), body)


def extend(exprs):
    return st.one_of(
        strings(exprs),
        paths(exprs),
        st.builds(ast.Select, exprs, attr_paths(exprs).map(tuple), st.one_of(st.none(), exprs)),
        st.builds(ast.HasAttr, exprs, attr_paths(exprs).map(tuple)),
        st.builds(ast.AttrSet, st.booleans(), bindings(exprs).filter(_valid_binds)),
        st.builds(ast.List, st.lists(exprs, max_size=3).map(tuple)),
        st.builds(ast.Let, bindings(exprs, True).filter(lambda b: _valid_binds(b, True)), exprs),
        lambdas(exprs),
        st.builds(ast.Call, exprs, exprs),
        st.builds(ast.Call, exprs, st.just(ast.Var("or"))),
        st.builds(ast.With, exprs, exprs),
        st.builds(ast.Assert, exprs, exprs),
        st.builds(ast.If, exprs, exprs, exprs),
        st.builds(ast.Not, exprs),
        st.builds(ast.Neg, exprs),
        st.builds(ast.BinOp, st.sampled_from(ast.BINARY_OPERATORS), exprs, exprs),
    )


leaves = st.one_of(ints, floats, strings(st.nothing()), paths(None), search_paths, uris, variables)


@functools.lru_cache
def _compound(depth: int):
    return extend(trees(depth - 1))


@st.composite
def trees(draw, depth: int = 4):
    """Nested expressions; st.recursive's reprs grow too large with this many kinds."""
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        return draw(leaves)
    return draw(_compound(depth))


exprs = trees()

# A tree of nothing but operators, to hit every pair of precedence levels.
operators = st.recursive(
    st.one_of(variables, ints),
    lambda e: st.one_of(
        st.builds(ast.BinOp, st.sampled_from(ast.BINARY_OPERATORS), e, e),
        st.builds(ast.Not, e),
        st.builds(ast.Neg, e),
        st.builds(ast.HasAttr, e, st.tuples(identifiers)),
        st.builds(ast.Select, e, st.tuples(identifiers), st.one_of(st.none(), e)),
        st.builds(ast.Call, e, e),
    ),
    max_leaves=8,
)


def check_round_trip(tree: ast.Expr) -> None:
    text = print_expr(tree)
    try:
        again = parse(text)
    except ParseError as err:  # pragma: no cover - shown on failure only
        raise AssertionError(f"printed form does not parse: {text!r}\n{err}") from None
    assert again == tree, f"printed as {text!r}"
    assert print_expr(again) == text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs)
def test_round_trip(tree):
    check_round_trip(tree)


@settings(max_examples=400, deadline=None)
@given(operators)
def test_round_trip_operators(tree):
    check_round_trip(tree)


@settings(max_examples=200, deadline=None)
@given(tricky_text)
def test_round_trip_strings(text):
    check_round_trip(ast.Str(merge_parts([text])))
    check_round_trip(ast.AttrSet(False, (ast.Binding((text,), ast.Int(1)),)))


def test_every_node_has_printer():
    assert set(PRINTERS) == set(ast.EXPR_NODES)


@pytest.mark.parametrize("case", sorted(GOLDEN.glob("parse-okay-*.dcl")), ids=lambda p: p.stem)
def test_golden_round_trip(case: Path):
    tree = parse(case.read_text(), str(case))
    check_round_trip(tree)


@pytest.mark.parametrize(
    "value, text",
    [
        (1.0, "1.0"),
        (0.0, "0.0"),
        (0.5, "0.5"),
        (1.5e20, "1.5e+20"),
        (1e16, "1.0e+16"),
        (2.5e-7, "2.5e-07"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
    ],
)
def test_float_literals(value, text):
    assert print_expr(ast.Float(value)) == text
    assert parse(text) == ast.Float(value)


def test_special_floats_print_as_arithmetic():
    assert print_expr(ast.Float(math.inf)) == "1.0e308 * 10.0"
    assert print_expr(ast.Float(-math.inf)) == "-1.0e308 * 10.0"
    assert print_expr(ast.Float(math.nan)) == "1.0e308 * 10.0 - 1.0e308 * 10.0"
    assert print_expr(ast.List((ast.Float(math.inf),))) == "[ (1.0e308 * 10.0) ]"


def test_unprintable_names_are_rejected():
    with pytest.raises(ValueError):
        print_expr(ast.Var("or"))
    with pytest.raises(ValueError):
        print_expr(ast.Var("1x"))
    with pytest.raises(TypeError):
        print_expr(ast.Formal("x"))
