"""Compiling the AST to Python closures, once per node.

Every expression becomes `ev(env) -> value` returning weak head normal form.
Where Nix is lazy (attribute values, `let` bindings, list elements,
function arguments) the compiler asks for `lazy(node)`: a function
`env -> value or Thunk` that avoids a thunk when the expression is a
constant, a lambda or a lexical variable (whose slot already holds a value
or a thunk).  Names are resolved to (depth, slot) here, never at run time,
except inside `with`.
"""

from __future__ import annotations

import os

from declos.diagnostics import ParseError, Span
from declos.eval.errors import (
    OVERFLOW,
    AssertionFailed,
    EvalError,
    EvalTypeError,
    StackOverflow,
    locate,
)
from declos.eval.printing import show_value
from declos.eval.scope import Scope, resolve
from declos.eval.strings import concat, interpolate
from declos.eval.values import Attrs, Closure, PathValue, Thunk, show_type
from declos.lang import ast
from declos.lang.bindings import MergedAttrs

from . import ops
from .compile_attrs import AttrsCompiler, attr_name, expect_attrs, missing_attr


class LambdaCode:
    """What a `Closure` runs: the compiled body and how to bind its argument."""

    __slots__ = ("body", "param", "formals", "ellipsis", "span", "name", "formal_names")

    def __init__(self, body, param, formals, ellipsis, span, name):
        self.body = body
        self.param = param
        # formals: tuple of (name, lazy default or None)
        self.formals = formals
        self.ellipsis = ellipsis
        self.span = span
        self.name = name
        self.formal_names = frozenset(n for n, _ in formals) if formals is not None else None

    def describe(self) -> str:
        return f"function '{self.name or 'anonymous lambda'}'"


def expect_bool(v, span: Span | None, what: str):
    if type(v) is not bool:
        err = EvalTypeError(f"expected a Boolean but found {show_type(v)}: {show_value(v)}", span)
        err.add_frame(span, what)
        raise err
    return v


class Compiler(AttrsCompiler):
    def __init__(self, evaluator):
        self.ev = evaluator
        self._table = {
            ast.Int: self._const_number,
            ast.Float: self._const_number,
            ast.Str: self._str,
            ast.Path: self._path,
            ast.SearchPath: self._search_path,
            ast.Uri: self._uri,
            ast.Var: self._var,
            ast.Select: self._select,
            ast.HasAttr: self._has_attr,
            ast.AttrSet: self._attrset,
            ast.List: self._list,
            ast.Let: self._let,
            ast.Lambda: self._lambda,
            ast.Call: self._call,
            ast.With: self._with,
            ast.Assert: self._assert,
            ast.If: self._if,
            ast.Not: self._not,
            ast.Neg: self._neg,
            ast.BinOp: self._binop,
        }

    # Entry points.
    def compile(self, node: ast.Expr, scope: Scope | None, name: str | None = None):
        if type(node) is ast.Lambda:
            return self._lambda(node, scope, name)
        return self._table[type(node)](node, scope)

    def lazy(self, node, scope: Scope | None, name: str | None = None, span=None):
        """`env -> value or Thunk` for a position where DCL is lazy."""
        t = type(node)
        if t is ast.Int or t is ast.Float:
            value = node.value
            return lambda env: value
        if t is ast.Str and all(type(p) is str for p in node.parts):
            value = "".join(node.parts)
            return lambda env: value
        if t is ast.Lambda:
            return self._lambda(node, scope, name)
        if t is ast.Var:
            fetch = self._var_fetch(node, scope)
            if fetch is not None:
                return fetch
        if t is MergedAttrs:
            ev = self._merged(node, scope)
        else:
            ev = self.compile(node, scope, name)
        span = span if span is not None else getattr(node, "span", None)
        return lambda env: Thunk(ev, env, span)

    # Constants.
    def _const_number(self, node, scope):
        value = node.value
        return lambda env: value

    def _uri(self, node, scope):
        value = node.value
        return lambda env: value

    def _str(self, node, scope):
        parts = node.parts
        if all(type(p) is str for p in parts):
            value = "".join(parts)
            return lambda env: value
        compiled = tuple(p if type(p) is str else self.compile(p, scope) for p in parts)
        ev = self.ev
        span = node.span
        return lambda env: interpolate(ev, compiled, env, span)

    def _path(self, node, scope):
        first = node.parts[0]
        base_dir = node.span.source.base_dir if node.span is not None else os.getcwd()
        if first.startswith("~"):
            home = os.environ.get("HOME", "")
            prefix = home + first[1:]
        elif first.startswith("/"):
            prefix = first
        else:
            prefix = os.path.join(base_dir, first)
        if len(node.parts) == 1:
            value = PathValue(ops.canonicalize_path(prefix))
            return lambda env: value
        keep_slash = prefix.endswith("/")
        prefix = ops.canonicalize_path(prefix) + ("/" if keep_slash else "")
        rest = tuple(p if type(p) is str else self.compile(p, scope) for p in node.parts[1:])
        ev = self.ev
        span = node.span
        first_value = PathValue(prefix)
        spans = (span,) * (len(rest) + 1)

        def path_concat(env):
            values = [first_value] + [p if type(p) is str else p(env) for p in rest]
            return concat(ev, values, spans)

        return path_concat

    def _search_path(self, node, scope):
        # `<x>` is `__findFile __nixPath "x"`, looked up lexically as in Nix.
        find = self._var(ast.Var("__findFile", span=node.span), scope)
        nix_path = self.lazy(ast.Var("__nixPath", span=node.span), scope)
        ev = self.ev
        name = node.path
        span = node.span

        def search(env):
            return ev.call(ev.call(find(env), nix_path(env), span), name, span)

        return search

    # Variables.
    def _var_fetch(self, node: ast.Var, scope):
        """`env -> slot content` (unforced) for lexical and global names, else None."""
        name = node.name
        r = resolve(scope, name)
        if r is not None and r.depth is not None:
            depth, slot = r.depth, r.slot
            if depth == 0:
                return lambda env: env[slot]
            if depth == 1:
                return lambda env: env[0][slot]
            if depth == 2:
                return lambda env: env[0][0][slot]

            def deep(env):
                for _ in range(depth):
                    env = env[0]
                return env[slot]

            return deep
        if name in self.ev.globals:
            value = self.ev.globals[name]
            return lambda env: value
        if name == "__curPos":
            return None
        if r is None:
            raise ParseError(f"undefined variable '{name}'", node.span)
        return None

    def _var(self, node: ast.Var, scope):
        if node.name == "__curPos" and resolve(scope, "__curPos") is None:
            return self._cur_pos(node)
        r = resolve(scope, node.name)
        if r is not None and r.depth is not None and r.depth <= 2:
            # The hottest closure of all: specialised per depth, no inner call.
            slot = r.slot
            if r.depth == 0:

                def var0(env):
                    v = env[slot]
                    return v.force() if type(v) is Thunk else v

                return var0
            if r.depth == 1:

                def var1(env):
                    v = env[0][slot]
                    return v.force() if type(v) is Thunk else v

                return var1

            def var2(env):
                v = env[0][0][slot]
                return v.force() if type(v) is Thunk else v

            return var2
        fetch = self._var_fetch(node, scope)
        if fetch is not None:

            def var(env):
                v = fetch(env)
                return v.force() if type(v) is Thunk else v

            return var
        with_depths = resolve(scope, node.name).with_depths
        name = node.name
        span = node.span

        def with_var(env):
            for depth in with_depths:
                e = env
                for _ in range(depth):
                    e = e[0]
                attrs = e[1].force() if type(e[1]) is Thunk else e[1]
                expect_attrs(attrs, span)
                if name in attrs:
                    v = attrs[name]
                    return v.force() if type(v) is Thunk else v
            raise EvalError(f"undefined variable '{name}'", span)

        return with_var

    def _cur_pos(self, node):
        span = node.span
        line, col = span.line_col
        value = Attrs({"file": span.source.path or span.source.name, "line": line, "column": col})
        return lambda env: value

    # Attribute access.
    def _attr_path(self, path, scope):
        return tuple(p if type(p) is str else self.compile(p, scope) for p in path)

    def _select(self, node: ast.Select, scope):
        base = self.compile(node.expr, scope)
        path = self._attr_path(node.path, scope)
        default = self.compile(node.default, scope) if node.default is not None else None
        span = node.span
        ev = self.ev
        if len(path) == 1 and type(path[0]) is str and default is None:
            name = path[0]

            def select1(env):
                v = base(env)
                if type(v) is not Attrs:
                    expect_attrs(v, span, f"while selecting an attribute '{name}'")
                try:
                    x = v[name]
                except KeyError:
                    raise missing_attr(name, v, span) from None
                return x.force() if type(x) is Thunk else x

            return select1

        def select(env):
            v = base(env)
            for part in path:
                name = part if type(part) is str else attr_name(ev, part(env), span)
                if type(v) is not Attrs:
                    if default is not None:
                        return default(env)
                    expect_attrs(v, span, f"while selecting an attribute '{name}'")
                if name not in v:
                    if default is not None:
                        return default(env)
                    raise missing_attr(name, v, span)
                v = v[name]
                if type(v) is Thunk:
                    v = v.force()
            return v

        return select

    def _has_attr(self, node: ast.HasAttr, scope):
        base = self.compile(node.expr, scope)
        path = self._attr_path(node.path, scope)
        span = node.span
        ev = self.ev

        last = len(path) - 1

        def has_attr(env):
            v = base(env)
            for i, part in enumerate(path):
                if type(v) is not Attrs:
                    return False
                name = part if type(part) is str else attr_name(ev, part(env), span)
                if name not in v:
                    return False
                if i == last:
                    return True  # the attribute's value is not forced
                v = v[name]
                if type(v) is Thunk:
                    v = v.force()
            return True

        return has_attr

    # Attribute sets and let.
    def _list(self, node: ast.List, scope):
        items = tuple(self.lazy(item, scope) for item in node.items)
        if not items:
            return lambda env: []
        return lambda env: [item(env) for item in items]

    # Functions.
    def _lambda(self, node: ast.Lambda, scope, name: str | None = None):
        names = []
        if node.param is not None:
            names.append(node.param)
        formals = None
        if node.formals is not None:
            names.extend(f.name for f in node.formals.entries)
        inner = scope.child(names)
        if node.formals is not None:
            formals = tuple(
                (f.name, self._default(f.default, inner) if f.default is not None else None)
                for f in node.formals.entries
            )
        body = self.compile(node.body, inner)
        code = LambdaCode(
            body,
            node.param,
            formals,
            node.formals.ellipsis if node.formals is not None else False,
            node.span,
            name,
        )
        return lambda env: Closure(code, env)

    def _default(self, node, scope):
        """A formal's default; a bare variable may name a formal not bound yet."""
        if type(node) is ast.Var:
            ev = self.compile(node, scope)
            span = node.span
            return lambda env: Thunk(ev, env, span)
        return self.lazy(node, scope)

    def _call(self, node: ast.Call, scope):
        args = []
        fn_node = node
        while type(fn_node) is ast.Call:
            args.append(fn_node.arg)
            fn_node = fn_node.fn
        args.reverse()
        fn = self.compile(fn_node, scope)
        lazy_args = tuple(self.lazy(a, scope) for a in args)
        call = self.ev.call
        span = node.span
        if len(lazy_args) == 1:
            arg0 = lazy_args[0]

            def call1(env):
                f = fn(env)
                if type(f) is Closure:
                    code = f.code
                    if code.formals is None:
                        # Inlined `Evaluator.call` for the commonest case.
                        try:
                            return code.body([f.env, arg0(env)])
                        except RecursionError:
                            raise StackOverflow(OVERFLOW, span) from None
                        except EvalError as e:
                            if len(e.frames) < 64:
                                e.add_frame(span, "from call site")
                            raise
                return call(f, arg0(env), span)

            return call1
        call_n = self.ev.call_n
        return lambda env: call_n(fn(env), [a(env) for a in lazy_args], span)

    # Control.
    def _with(self, node: ast.With, scope):
        attrs_ev = self.compile(node.env, scope)
        inner = scope.with_child()
        body = self.compile(node.body, inner)
        span = node.env.span
        return lambda env: body([env, Thunk(attrs_ev, env, span)])

    def _assert(self, node: ast.Assert, scope):
        cond = self.compile(node.cond, scope)
        body = self.compile(node.body, scope)
        span = node.span
        text = show_expr(node.cond)

        def assert_(env):
            c = cond(env)
            if c is True:
                return body(env)
            expect_bool(c, span, "while evaluating the condition of the assertion")
            raise AssertionFailed(f"assertion '{text}' failed", span)

        return assert_

    def _if(self, node: ast.If, scope):
        cond = self.compile(node.cond, scope)
        then = self.compile(node.then, scope)
        else_ = self.compile(node.else_, scope)
        span = node.span

        def if_(env):
            c = cond(env)
            if c is True:
                return then(env)
            if c is False:
                return else_(env)
            expect_bool(c, span, "while evaluating a branch condition")

        return if_

    def _not(self, node: ast.Not, scope):
        inner = self.compile(node.expr, scope)
        span = node.span

        def not_(env):
            v = inner(env)
            if type(v) is not bool:
                expect_bool(v, span, "in the argument of the not operator")
            return not v

        return not_

    def _neg(self, node: ast.Neg, scope):
        inner = self.compile(node.expr, scope)
        span = node.span

        def neg(env):
            try:
                return ops.sub(0, inner(env))
            except EvalError as e:
                raise locate(e, span) from None

        return neg

    def _binop(self, node: ast.BinOp, scope):
        from declos.eval.binops import compile_binop

        return compile_binop(self, node, scope)


def show_expr(node) -> str:
    """An expression as Nix's `Expr::show` prints it (used in assertion messages)."""
    from declos.eval.show import show

    return show(node)
