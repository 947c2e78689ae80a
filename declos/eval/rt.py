"""What compiled DCL code calls at run time: the slow and rare paths.

The code generator (`declos/eval/gen.py`) inlines the common cases of every
construct (a variable already forced, an attribute present, a closure
called with one argument, integers added) and calls these helpers for the
rest: errors with Nix's wording and frames, `with` lookups, dynamic
attribute names, string coercion.  They are the closure compiler's run-time
halves, kept in behaviour, so that error messages did not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from declos.diagnostics import Span, suggest
from declos.eval import ops
from declos.eval.errors import (
    OVERFLOW,
    AssertionFailed,
    EvalError,
    ImportCycle,
    MissingAttrError,
    StackOverflow,
    add_frame,
    expected,
    locate,
)
from declos.eval.strings import concat
from declos.eval.values import (
    Attrs,
    CtxStr,
    LazyAttrs,
    PrimOp,
    Thunk,
    Value,
    lazy_get,
    lazy_has,
    settle,
)

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator

MISSING = object()
_IMPORTS = ("import", "scopedImport")


def expect_attrs(v: Value, span: Span | None, what: str = "") -> Attrs:
    if type(v) is not Attrs:
        if type(v) is LazyAttrs:
            return settle(v)
        err = expected("a set", v, span)
        if what:
            err.add_frame(span, what)
        raise err
    return v


def missing_attr(name: str, attrs: Iterable[str], span: Span | None) -> MissingAttrError:
    err = MissingAttrError(f"attribute '{name}' missing", span)
    err.suggestions = suggest(name, attrs)
    return err


def attr_name(ev: Evaluator, v: Value, span: Span | None) -> str | None:
    """A dynamic attribute name: a string's text, None for null."""
    if v is None:
        return None
    t = type(v)
    if t is str:
        return v
    if t is CtxStr:
        return v.s
    raise expected("a string", v, span)


class LambdaCode:
    """What a `Closure` runs: the compiled body and how to bind its argument.

    `body(env)` takes the environment `[closure env, arg]` (or one slot per
    formal after the `@` name); `formals` is a tuple of (name, default or
    None), a default being `env -> value or Thunk`.
    """

    __slots__ = (
        "body",
        "param",
        "formals",
        "ellipsis",
        "span",
        "name",
        "formal_names",
        "inner",
        "bind",
    )

    def __init__(self, body, param, formals, ellipsis, span, name, inner=None, bind=None):
        self.body = body
        self.param = param
        self.formals = formals
        self.ellipsis = ellipsis
        self.span = span
        self.name = name
        self.formal_names = frozenset(n for n, _ in formals) if formals is not None else None
        # The code of a formals-free lambda that is this one's whole body
        # (`a: b: …`), for calls giving both arguments at once (gen_calls.py).
        self.inner = inner
        # `bind(parent, arg, attrs)`: the environment of a call with a set,
        # or None for a call that is an error (gen_calls.binder).
        self.bind = bind

    def describe(self) -> str:
        return f"function '{self.name or 'anonymous lambda'}'"


def expect_bool(v: Value, span: Span | None, what: str) -> bool:
    if type(v) is not bool:
        raise expected("a Boolean", v, span).add_frame(span, what)
    return v


def select_fail(v, name, span):
    """`v.name` where `v` is not a set or has no `name`: the error (or, of
    a `LazyAttrs`, the value made now)."""
    if type(v) is LazyAttrs:
        x = lazy_get(v, name, MISSING)
        if x is not MISSING:
            return x
        raise missing_attr(name, settle(v), span)
    if type(v) is not Attrs:
        expect_attrs(v, span, f"while selecting an attribute '{name}'")
    raise missing_attr(name, v, span)


def overflow(span: Span | None) -> StackOverflow:
    return StackOverflow(OVERFLOW, span)


def primop_error(e: EvalError, prim: PrimOp, span: Span | None) -> None:
    """What `Evaluator._run_primop` adds to an error of a builtin."""
    locate(e, span)
    if type(e) is ImportCycle and prim.name in _IMPORTS:
        e.note_import(span)
    add_frame(e, span, f"while calling the '{prim.name}' builtin")


def with_var(env, depths, name, span):
    """A name bound by no lexical scope: the enclosing `with` sets, innermost first."""
    for depth in depths:
        e = env
        for _ in range(depth):
            e = e[0]
        attrs = e[1].force() if type(e[1]) is Thunk else e[1]
        if type(attrs) is LazyAttrs:
            v = lazy_get(attrs, name, MISSING)
            if v is not MISSING:
                return v.force() if type(v) is Thunk else v
            continue
        expect_attrs(attrs, span)
        if name in attrs:
            v = attrs[name]
            return v.force() if type(v) is Thunk else v
    raise EvalError(f"undefined variable '{name}'", span)


def interp_part(ev, v, span, context):
    """One interpolated part that is not a plain string: (text, context)."""
    try:
        s, c = ops.coerce_to_string(ev, v, True)
    except EvalError as e:
        locate(e, span)
        raise
    if c:
        context = set(c) if context is None else context | c
    return s, context


def concat_lists(a, b, span):
    if type(a) is not list or type(b) is not list:
        bad = a if type(a) is not list else b
        raise expected("a list", bad, span).add_frame(
            span, "while evaluating one of the elements to concatenate"
        )
    if not b:
        return a
    if not a:
        return b
    return a + b


def update(a, b, span):
    if type(a) is not Attrs:
        a = expect_attrs(a, span, "in the left operand of the update (//) operator")
    if type(b) is not Attrs:
        b = expect_attrs(b, span, "in the right operand of the update (//) operator")
    return ops.update(a, b)


def arith(fn, a, b, span):
    try:
        return fn(a, b)
    except EvalError as e:
        locate(e, span)
        raise


def less(a, b, span):
    if type(a) is int and type(b) is int:
        return a < b
    try:
        return ops.less_than(a, b)
    except EvalError as e:
        locate(e, span)
        raise


def plus(ev, a, b, spans):
    return concat(ev, [a, b], spans)


def neg(v, span):
    try:
        return ops.sub(0, v)
    except EvalError as e:
        raise locate(e, span) from None


def dup_dynamic(name, d, span):
    prev = d.pos.get(name)
    where = prev.location() if prev is not None else "«unknown»"
    return EvalError(f"dynamic attribute '{name}' already defined at {where}", span)


def inherit_from(source, name, span):
    """`inherit (e) name;`: the attribute of the (shared) source thunk."""
    v = source.force() if type(source) is Thunk else source
    if type(v) is LazyAttrs and lazy_has(v, name):
        x = lazy_get(v, name)
        return x.force() if type(x) is Thunk else x
    expect_attrs(v, span)
    if name not in v:
        raise missing_attr(name, v, span)
    x = v[name]
    return x.force() if type(x) is Thunk else x


def select_thunk(env):
    """The body of the thunk of `x.name`, `x` a lexical variable: `env` is
    (x's environment list, x's slot in it, the name, the select's span).
    As the generated select: x forced and written back to its slot."""
    e, slot, name, span = env
    v = e[slot]
    if type(v) is Thunk:
        v = e[slot] = v.force()
    try:
        x = v[name]
    except (KeyError, TypeError):
        x = select_fail(v, name, span)
    if type(x) is Thunk:
        x = x.value if x.fn is None else x.force()
    return x


def constant_thunk(env):
    """The body of a thunk of a value the module computed once: `env` is it."""
    return env


def inherit_thunk(env):
    """The body of the thunk of `inherit (e) name;`: `env` is (e's shared
    thunk, the name, the span)."""
    source, name, span = env
    return inherit_from(source, name, span)


def lazy_select(v, name):
    """`v.name or …` where `v` is not an `Attrs`: the value of a `LazyAttrs`
    (made now), else MISSING."""
    return lazy_get(v, name, MISSING) if type(v) is LazyAttrs else MISSING


def lazy_has_attr(v, name):
    """`v ? name` where `v` is not an `Attrs`."""
    return type(v) is LazyAttrs and lazy_has(v, name)


def assert_fail(c, span, text):
    expect_bool(c, span, "while evaluating the condition of the assertion")
    raise AssertionFailed(f"assertion '{text}' failed", span)
