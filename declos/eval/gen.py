"""Compiling a DCL file to Python source: one Python function per lambda.

Each DCL lambda body, thunk body and formal default becomes a Python
function `NAME(env)` whose statements evaluate the expression with the
common cases inlined (a variable already forced, an attribute present, a
closure called with one argument, integers added, a builtin given all its
arguments called directly); the rare and failing paths call `rt.py`.
Environments are the lists of the closure compiler, `[parent, slot1, …]`,
with names resolved to (depth, slot) here (`scope.py`); a thunk found in a
slot is replaced there by its value once forced.  Where DCL is lazy,
`lazy()` gives a value without a thunk when it is already known: a
constant, a lambda, a variable's slot.

The generated module for one file (its *unit*) is evaluator-independent:
global names are bound when it is executed (`GLOBALS[...]`), and spans are
built from (start, end) offsets into the file's `Source`, so its code object
can be cached on disk (`units.py`).  `Units.run` evaluates the file.
"""

from __future__ import annotations

import array
import math
import os
import sys
from collections.abc import Callable
from typing import Any, cast

from declos.diagnostics import ParseError, Span
from declos.eval.genfn import CONSTANT, Fn
from declos.eval.scope import Scope, resolve
from declos.eval.show import show
from declos.eval.units import global_kind
from declos.lang import ast
from declos.lang.bindings import MergedAttrs

from .gen_attrs import AttrsGen
from .gen_calls import CallsGen
from .gen_ops import OpsGen

# Deeper than this, a sub-expression goes to a function of its own: Python
# allows 100 levels of indentation.
MAX_DEPTH = 60


class Gen(AttrsGen, CallsGen, OpsGen):
    """Generates the Python module of one file."""

    def __init__(self, ev: Any, source: Any, globals_: dict) -> None:
        self.ev = ev
        self.source = source
        self.globals = globals_
        self.fns: list[str] = []
        self.consts: list[str] = []
        self.tail: list[str] = []
        self.side: list[object] = []  # objects only this run can hold (no caching)
        self.n = 0
        self._spans: dict[tuple[int, int], str] = {}
        self._span_bounds: list[int] = []  # start, end of each span in _spans, in order
        self._globals: dict[str, str] = {}
        # (id(scope), slot) -> name in `builtins`: slots bound by
        # `inherit (builtins) NAME;`, whose value is known when compiling.
        self.known: dict[tuple[int, int], str] = {}
        self._table: dict[type, Callable[..., str]] = {
            ast.Int: self._number,
            ast.Float: self._number,
            ast.Str: self._str,
            ast.Path: self._path,
            ast.SearchPath: self._search_path,
            ast.Uri: self._uri,
            ast.Var: self._var,
            ast.Select: self._select,
            ast.HasAttr: self._has_attr,
            ast.AttrSet: self._attrset,
            MergedAttrs: self._merged,
            ast.List: self._list,
            ast.Let: self._let,
            ast.Lambda: self._lambda_value,
            ast.Call: self._call,
            ast.With: self._with,
            ast.Assert: self._assert,
            ast.If: self._if,
            ast.Not: self._not,
            ast.Neg: self._neg,
            ast.BinOp: self._binop,
        }

    # The module.
    def statements(self, tree: Any, scope: Scope) -> tuple[list[str], list[str]]:
        """The module's top-level statements, in order: those that change
        with any edit of the file (its spans' offsets), and the others."""
        main = Fn("MAIN", scope)
        main.emit(f"return {self.expr(tree, main, scope)}")
        self.fns.append(main.source())
        head = []
        if self._spans:
            # Every span of the file in one statement, made by C-level maps
            # (units.spans_maker): a line and a call each took twice the time.
            # The offsets as the hex of 32-bit words: one token to compile
            # (a tuple of ints was 5 ms of a 250 KB module's compile).
            names = "".join(n + ", " for n in self._spans.values())
            words = array.array("I", self._span_bounds)
            if sys.byteorder != "little":
                words.byteswap()
            head.append(f"{names}= SPANS({words.tobytes().hex()!r})")
        return head, self.consts + self.fns + self.tail

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def fn_name(self, prefix: str, node: Any) -> str:
        """A function's name, with the DCL line it comes from (for profiles)."""
        span = getattr(node, "span", None)
        if span is None or span.source is not self.source:
            return self.name(prefix)
        return f"{self.name(prefix)}_l{span.line_col[0]}"

    def span(self, span: Span | None) -> str:
        if span is None:
            return "None"
        if span.source is not self.source:
            return self.side_const(span)
        key = (span.start, span.end)
        name = self._spans.get(key)
        if name is None:
            name = self._spans[key] = self.name("S")
            self._span_bounds += key
        return name

    def side_const(self, obj: Any) -> str:
        self.side.append(obj)
        name = self.name("K")
        self.consts.append(f"{name} = SIDE[{len(self.side) - 1}]")
        return name

    def const(self, code: str) -> str:
        """A module-level constant computed when the module is executed."""
        name = self.name("C")
        self.consts.append(f"{name} = {code}")
        return name

    def glob(self, name: str) -> str:
        g = self._globals.get(name)
        if g is None:
            g = self._globals[name] = self.name("G")
            self.consts.append(f"{g} = GLOBALS[{name!r}]")
        return g

    def builtin_attr(self, name: str) -> str:
        key = "builtins." + name
        g = self._globals.get(key)
        if g is None:
            g = self._globals[key] = self.name("B")
            self.consts.append(f"{g} = GLOBALS['builtins'][{name!r}]")
        return g

    # Expressions: each emits statements into `fn` and returns a Python
    # expression (a temporary, a literal, a constant) for the value in WHNF.
    def expr(self, node: Any, fn: Fn, scope: Scope) -> str:
        if fn.depth > MAX_DEPTH:
            return self.outline(node, fn, scope)
        v = self._table[type(node)](node, fn, scope)
        if not v.isidentifier():
            # A literal or an expression: named, so that `v.attr`, `v is
            # True` and repeated uses are all valid and evaluate it once.
            t = fn.tmp()
            fn.emit(f"{t} = {v}")
            return t
        return v

    def outline(self, node: Any, fn: Fn, scope: Scope) -> str:
        h = Fn(self.fn_name("H", node), scope)
        h.emit(f"return {self.expr(node, h, scope)}")
        self.fns.append(h.source())
        t = fn.tmp()
        fn.emit(f"{t} = {h.name}({fn.env_at(scope, 0)})")
        return t

    def thunk_fn(self, node: Any, scope: Scope) -> str:
        """A function `T(env)` computing `node` in WHNF (a thunk's body)."""
        t = Fn(self.fn_name("T", node), scope)
        t.emit(f"return {self.expr(node, t, scope)}")
        self.fns.append(t.source())
        return t.name

    def thunk(self, node: Any, fn: Fn, scope: Scope, span: Any = None) -> str:
        span = span if span is not None else getattr(node, "span", None)
        shared = self.select_thunk(node, fn, scope)
        if shared is not None:
            return self.new_thunk(fn, "SELECTTHUNK", shared, self.span(span))
        t = Fn(self.fn_name("T", node), scope)
        value = self.expr(node, t, scope)
        if not t.lines and CONSTANT.fullmatch(value):
            # A value the module computed once (a constant list or set,
            # still a thunk as in Nix): the shared body `rt.constant_thunk`
            # returns its environment, no function of its own to load.
            return self.new_thunk(fn, "CONSTTHUNK", value, self.span(span))
        t.emit(f"return {value}")
        self.fns.append(t.source())
        return self.new_thunk(fn, t.name, fn.env_at(scope, 0), self.span(span))

    def select_thunk(self, node: Any, fn: Fn, scope: Scope) -> str | None:
        """For `x.name` (x a lexical variable, one static name), the
        environment of a thunk run by the shared body `rt.select_thunk`:
        (x's environment list, its slot, the name, the span).  The most
        common thunk of a module library (~1 in 7), and most are never
        forced: a function each was a code object each to load."""
        if not (
            type(node) is ast.Select
            and node.default is None
            and type(node.expr) is ast.Var
            and len(node.path) == 1
            and type(node.path[0]) is str
        ):
            return None
        r = resolve(scope, node.expr.name)
        if r is None or r.depth is None or self.known_slot(scope, r) is not None:
            return None
        return f"({fn.env_at(scope, r.depth)}, {r.slot}, {node.path[0]!r}, {self.span(node.span)})"

    def new_thunk(self, fn: Fn, body: str, env: str, span: str = "None") -> str:
        """A temporary holding a new `Thunk(body, env, span)`, made without
        calling its `__init__`: a thunk made by the slots' own setters takes
        ~40% less time (no Python frame), and evaluations make ~10^6 of them."""
        t = fn.tmp("t")
        fn.emit(f"{t} = NEWTHUNK(); {t}.fn = {body}; {t}.env = {env}; {t}.span = {span}")
        return t

    def lazy(
        self,
        node: Any,
        fn: Fn,
        scope: Scope,
        name: Any = None,
        span: Any = None,
        select: bool = True,
    ) -> str:
        """A value or thunk for a lazy position: no thunk for a constant, a
        lambda or a variable's slot (lists and sets are thunks, as in Nix:
        printing shows `<CODE>` for them until forced), nor, with `select`,
        for `x.a` already there.  A DCL function's argument keeps its own
        thunk: `declos options --explain` shows where an mkIf condition was
        written from the span of the thunk `mkIf` was given."""
        t = type(node)
        if t is ast.Int or t is ast.Float:
            return self._number(node, fn, scope)
        if t is ast.Str and all(type(p) is str for p in node.parts):
            return repr("".join(node.parts))
        if t is ast.Lambda:
            return self._lambda_value(node, fn, scope, name)
        if t is ast.Var:
            fetch = self.var_fetch(node, fn, scope)
            if fetch is not None:
                return fetch
        if select and t is ast.Select and node.default is None and type(node.expr) is ast.Var:
            return self.lazy_select(node, fn, scope, span)
        return self.thunk(node, fn, scope, span)

    def lazy_select(self, node: ast.Select, fn: Fn, scope: Scope, span: Any) -> str:
        """`x.a.b` in a lazy position: when `x` (a lexical variable) is
        already a set with `a` (and `a` a forced set with `b`), the
        attribute's own value or thunk, which is what the select would give;
        else a thunk as usual."""
        r = resolve(scope, cast(ast.Var, node.expr).name)
        names = node.path
        if (
            r is None
            or r.depth is None
            or self.known_slot(scope, r) is not None
            or not all(type(p) is str for p in names)
        ):
            return self.thunk(node, fn, scope, span)
        v = fn.tmp()
        fn.emit(f"{v} = {fn.env_at(scope, r.depth)}[{r.slot}]")
        for name in names:
            fn.emit(f"if type({v}) is Thunk and {v}.fn is None: {v} = {v}.value")
            fn.emit(f"{v} = {v}.get({name!r}, MISSING) if type({v}) is Attrs else MISSING")
        with fn.block(f"if {v} is MISSING:"):
            fn.emit(f"{v} = {self.thunk(node, fn, scope, span)}")
        return v

    # Constants.
    def _number(self, node: Any, fn: Fn, scope: Scope) -> str:
        v = node.value
        if type(v) is float and not math.isfinite(v):
            return self.const(f"float({repr(v)!r})")
        return repr(v)

    def _uri(self, node: Any, fn: Fn, scope: Scope) -> str:
        return repr(node.value)

    def _str(self, node: Any, fn: Fn, scope: Scope) -> str:
        parts = node.parts
        if all(type(p) is str for p in parts):
            return repr("".join(parts))
        ctx = fn.tmp("c")
        fn.emit(f"{ctx} = None")
        texts = []
        span = self.span(node.span)
        for p in parts:
            if type(p) is str:
                texts.append(repr(p))
                continue
            v = self.expr(p, fn, scope)
            t = fn.tmp()
            fn.emit(f"{t} = {v}")
            with fn.block(f"if type({t}) is not str:"):
                fn.emit(f"{t}, {ctx} = INTERP(EV, {t}, {span}, {ctx})")
            texts.append(t)
        r = fn.tmp()
        fn.emit(f"{r} = {' + '.join(texts)}")
        fn.emit(f"if {ctx} is not None: {r} = MKSTR({r}, {ctx})")
        return r

    def _path(self, node: Any, fn: Fn, scope: Scope) -> str:
        first = node.parts[0]
        base_dir = node.span.source.base_dir if node.span is not None else os.getcwd()
        if first.startswith("~"):
            prefix_code = f"HOME() + {first[1:]!r}"
        elif first.startswith("/"):
            prefix_code = repr(first)
        else:
            prefix_code = repr(os.path.join(base_dir, first))
        if len(node.parts) == 1:
            return self.const(f"PathValue(CANON({prefix_code}))")
        slash = "'/'" if first.endswith("/") else "''"
        head = self.const(f"PathValue(CANON({prefix_code}) + {slash})")
        rest = [repr(p) if type(p) is str else self.expr(p, fn, scope) for p in node.parts[1:]]
        spans = self.const("(" + ", ".join([self.span(node.span)] * (len(rest) + 1)) + ",)")
        r = fn.tmp()
        fn.emit(f"{r} = CONCAT(EV, [{head}, {', '.join(rest)}], {spans})")
        return r

    def _search_path(self, node: Any, fn: Fn, scope: Scope) -> str:
        find = self._var(ast.Var("__findFile", span=node.span), fn, scope)
        nix_path = self.lazy(ast.Var("__nixPath", span=node.span), fn, scope)
        span = self.span(node.span)
        r = fn.tmp()
        fn.emit(f"{r} = CALL(CALL({find}, {nix_path}, {span}), {node.path!r}, {span})")
        return r

    # Variables.
    def var_fetch(self, node: ast.Var, fn: Fn, scope: Scope) -> str | None:
        """The slot's content, unforced, for lexical and global names; else None."""
        name = node.name
        r = resolve(scope, name)
        if r is not None and r.depth is not None:
            return f"{fn.env_at(scope, r.depth)}[{r.slot}]"
        if name in self.globals:
            return self.glob(name)
        if name == "__curPos":
            return None
        if r is None:
            raise ParseError(f"undefined variable '{name}'", node.span)
        return None

    def _var(self, node: ast.Var, fn: Fn, scope: Scope) -> str:
        name = node.name
        if name == "__curPos" and resolve(scope, name) is None:
            span = node.span
            assert span is not None  # parsed nodes have one
            line, col = span.line_col
            path = span.source.path or span.source.name
            return self.const(f"Attrs({{'file': {path!r}, 'line': {line}, 'column': {col}}})")
        r = resolve(scope, name)
        if r is not None and r.depth is not None:
            known = self.known_slot(scope, r)
            if known is not None:
                return self.builtin_attr(known)
            slot = f"{fn.env_at(scope, r.depth)}[{r.slot}]"
            t = fn.tmp()
            fn.emit(f"{t} = {slot}")
            fn.emit(f"if type({t}) is Thunk: {t} = {slot} = {t}.force()")
            return t
        fetch = self.var_fetch(node, fn, scope)
        if fetch is not None:
            if global_kind(self.globals[name]) != "t":
                return fetch
            t = fn.tmp()
            fn.emit(f"{t} = {fetch}")
            fn.emit(f"if type({t}) is Thunk: {t} = {t}.force()")
            return t
        t = fn.tmp()
        resolved = resolve(scope, name)
        assert resolved is not None  # resolve gives every name a binding or its `with`s
        depths = resolved.with_depths
        fn.emit(
            f"{t} = WITHVAR({fn.env_at(scope, 0)}, {depths!r}, {name!r}, {self.span(node.span)})"
        )
        return t

    # Attribute access.
    def _name(self, part: Any, fn: Fn, scope: Scope, span: Any) -> str:
        if type(part) is str:
            return repr(part)
        v = self.expr(part, fn, scope)
        t = fn.tmp("n")
        fn.emit(f"{t} = ATTRNAME(EV, {v}, {span})")
        return t

    def known_slot(self, scope: Scope, r: Any) -> str | None:
        """The builtin a lexical variable is known to hold (`inherit (builtins) x;`)."""
        if not self.known:
            return None
        s: Any = scope
        for _ in range(r.depth):
            s = s.parent
        return self.known.get((id(s), r.slot))

    def is_global(self, name: str, scope: Scope) -> bool:
        """`name` is the global of that name (globals win over `with`)."""
        r = resolve(scope, name)
        return (r is None or r.depth is None) and name in self.globals

    def known_builtin(self, node, scope):
        """`builtins.NAME` (the global `builtins`): its value, or None.  Also
        `builtins.NAME or …` when NAME is there (the module system's Python
        accelerators): the code cache's key covers the names in `builtins`."""
        if (
            type(node) is ast.Select
            and len(node.path) == 1
            and type(node.path[0]) is str
            and type(node.expr) is ast.Var
            and node.expr.name == "builtins"
            and self.is_global("builtins", scope)
        ):
            b = self.globals.get("builtins")
            if b is not None and node.path[0] in b:
                return b[node.path[0]]
        return None

    def _select(self, node: ast.Select, fn: Fn, scope: Scope) -> str:
        known = self.known_builtin(node, scope)
        if known is not None and global_kind(known) != "t":
            return self.builtin_attr(cast(str, node.path[0]))
        span = self.span(node.span)
        base = self.expr(node.expr, fn, scope)
        if node.default is None:
            cur = base
            for part in node.path:
                name = self._name(part, fn, scope, span)
                x = fn.tmp()
                with fn.block("try:"):
                    fn.emit(f"{x} = {cur}[{name}]")
                with fn.block("except (KeyError, TypeError):"):
                    fn.emit(f"{x} = SELFAIL({cur}, {name}, {span})")
                fn.emit(
                    f"if type({x}) is Thunk: {x} = {x}.value if {x}.fn is None else {x}.force()"
                )
                cur = x
            return cur
        r = fn.tmp()
        fn.emit(f"{r} = {base}")
        depth0 = fn.depth
        for part in node.path:
            name = self._name(part, fn, scope, span)
            fn.emit(
                f"{r} = {r}.get({name}, MISSING) if type({r}) is Attrs else LAZYSELECT({r}, {name})"
            )
            fn.emit(
                f"if {r} is not MISSING and type({r}) is Thunk: "
                f"{r} = {r}.value if {r}.fn is None else {r}.force()"
            )
            fn.emit(f"if {r} is not MISSING:")
            fn.depth += 1
        fn.emit("pass")
        fn.depth = depth0
        with fn.block(f"if {r} is MISSING:"):
            d = self.expr(node.default, fn, scope)
            fn.emit(f"{r} = {d}")
        return r

    def _has_attr(self, node: ast.HasAttr, fn: Fn, scope: Scope) -> str:
        span = self.span(node.span)
        base = self.expr(node.expr, fn, scope)
        r, v = fn.tmp(), fn.tmp()
        fn.emit(f"{r} = False")
        fn.emit(f"{v} = {base}")
        depth0 = fn.depth
        last = len(node.path) - 1
        for i, part in enumerate(node.path):
            # A `LazyAttrs` (the host's packages) answers without making its values.
            fn.emit(f"if type({v}) is Attrs or type({v}) is LazyAttrs:")
            fn.depth += 1
            name = self._name(part, fn, scope, span)
            if i == last:
                fn.emit(f"{r} = {name} in {v} if type({v}) is Attrs else LAZYHAS({v}, {name})")
            else:
                fn.emit(
                    f"{v} = {v}.get({name}, MISSING) if type({v}) is Attrs "
                    f"else LAZYSELECT({v}, {name})"
                )
                fn.emit(f"if type({v}) is Thunk: {v} = {v}.force()")
        fn.depth = depth0
        return r

    def _list(self, node: ast.List, fn: Fn, scope: Scope) -> str:
        items = [self.lazy(item, fn, scope) for item in node.items]
        return "[" + ", ".join(items) + "]"

    # Control.
    def _with(self, node: ast.With, fn: Fn, scope: Scope) -> str:
        attrs_thunk = self.thunk(node.env, fn, scope, node.env.span)
        inner = scope.with_child()
        w = fn.tmp("e")
        fn.emit(f"{w} = [{fn.env_at(scope, 0)}, {attrs_thunk}]")
        fn.envs[id(inner)] = w
        return self.expr(node.body, fn, inner)

    def _assert(self, node: ast.Assert, fn: Fn, scope: Scope) -> str:
        c = self.expr(node.cond, fn, scope)
        text = show(node.cond)
        fn.emit(f"if {c} is not True: ASSERTFAIL({c}, {self.span(node.span)}, {text!r})")
        return self.expr(node.body, fn, scope)

    def _if(self, node: ast.If, fn: Fn, scope: Scope) -> str:
        c = self.expr(node.cond, fn, scope)
        r = fn.tmp()
        with fn.block(f"if {c} is True:"):
            fn.emit(f"{r} = {self.expr(node.then, fn, scope)}")
        with fn.block(f"elif {c} is False:"):
            fn.emit(f"{r} = {self.expr(node.else_, fn, scope)}")
        with fn.block("else:"):
            fn.emit(
                f"EXPECTBOOL({c}, {self.span(node.span)}, 'while evaluating a branch condition')"
            )
        return r

    def _not(self, node: ast.Not, fn: Fn, scope: Scope) -> str:
        v = self.expr(node.expr, fn, scope)
        fn.emit(
            f"if type({v}) is not bool: "
            f"EXPECTBOOL({v}, {self.span(node.span)}, 'in the argument of the not operator')"
        )
        return f"(not {v})"

    def _neg(self, node: ast.Neg, fn: Fn, scope: Scope) -> str:
        v = self.expr(node.expr, fn, scope)
        r = fn.tmp()
        fn.emit(f"{r} = NEG({v}, {self.span(node.span)})")
        return r
