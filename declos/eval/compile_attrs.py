"""Compiling attribute sets, `rec` sets and `let`: the Compiler's bindings half.

Bindings are merged as Nix's parser merges them (`lang/bindings.py`); a
recursive set or `let` gets a new scope whose slots the values fill in
order.  A plain `inherit x;` is looked up outside the set; `inherit (e) x;`
shares one thunk for `e` between its names.  A sibling named as a bare
variable is always a thunk, because its slot may not be filled yet.
"""

from __future__ import annotations

from declos.diagnostics import Span, suggest
from declos.eval.errors import EvalError, EvalTypeError, MissingAttrError
from declos.eval.printing import show_value
from declos.eval.values import Attrs, PathValue, Thunk, show_type
from declos.lang import ast
from declos.lang.bindings import INHERIT, INHERIT_FROM, MergedAttrs, merge_bindings


def expect_attrs(v, span: Span | None, what: str = ""):
    if type(v) is not Attrs:
        err = EvalTypeError(f"expected a set but found {show_type(v)}: {show_value(v)}", span)
        if what:
            err.add_frame(span, what)
        raise err
    return v


def missing_attr(name: str, attrs, span: Span | None) -> MissingAttrError:
    err = MissingAttrError(f"attribute '{name}' missing", span)
    err.suggestions = suggest(name, attrs)
    return err


def attr_name(ev, v, span) -> str | None:
    if v is None:
        return None
    t = type(v)
    if t is str:
        return v
    if hasattr(v, "s") and not isinstance(v, PathValue):
        return v.s
    raise EvalTypeError(f"expected a string but found {show_type(v)}: {show_value(v)}", span)


class AttrsCompiler:
    """Mixed into `Compiler`: uses its `compile`, `lazy` and `ev`."""

    def _attrset(self, node: ast.AttrSet, scope):
        return self._merged(merge_bindings(node.bindings, node.recursive, node.span), scope)

    def _inherit_from(self, name, span):
        def select_inherited(source):
            v = source.force() if type(source) is Thunk else source
            expect_attrs(v, span)
            if name not in v:
                raise missing_attr(name, v, span)
            x = v[name]
            return x.force() if type(x) is Thunk else x

        return select_inherited

    def _bindings(self, m: MergedAttrs, value_scope, outer_scope):
        """Per static entry `(name, source index or None, fn, outer)`, plus sources.

        `fn` takes the environment of `value_scope`, or of `outer_scope` when
        `outer` is set (a plain `inherit x;` looks `x` up outside the set).
        """
        sources = tuple(self.compile(s, value_scope) for s in m.inherit_sources)
        entries = []
        for name, entry in m.static.items():
            if entry.kind == INHERIT_FROM:
                entries.append((name, entry.value, self._inherit_from(name, entry.span), False))
            elif entry.kind == INHERIT:
                entries.append((name, None, self.lazy(entry.value, outer_scope, name), True))
            else:
                value = entry.value
                if m.recursive and type(value) is ast.Var:
                    # A sibling's slot may not be filled yet: never alias it.
                    ev = self.compile(value, value_scope)
                    span = value.span

                    def fn(env, ev=ev, span=span):
                        return Thunk(ev, env, span)

                else:
                    fn = self.lazy(value, value_scope, name)
                entries.append((name, None, fn, False))
        return tuple(entries), sources

    def _merged(self, m: MergedAttrs, scope):
        names = list(m.static)
        inner = scope.child(names) if m.recursive else scope
        entries, sources = self._bindings(m, inner, scope)
        positions = {name: e.span for name, e in m.static.items()}
        dynamic = tuple(
            (self.compile(name_expr, inner), self.lazy(value, inner), span)
            for name_expr, value, span in m.dynamic
        )
        ev = self.ev
        recursive = m.recursive
        n = len(names)

        def build(env):
            env2 = [env] + [None] * n if recursive else env
            srcs = [Thunk(s, env2) for s in sources] if sources else ()
            d = Attrs(pos=positions)
            if recursive:
                i = 1
                for name, src, fn, outer in entries:
                    if src is not None:
                        v = Thunk(fn, srcs[src])
                    else:
                        v = fn(env if outer else env2)
                    env2[i] = v
                    d[name] = v
                    i += 1
            else:
                for name, src, fn, _outer in entries:
                    d[name] = Thunk(fn, srcs[src]) if src is not None else fn(env)
            if dynamic:
                d.pos = dict(positions)
                for name_ev, value_lazy, span in dynamic:
                    name = attr_name(ev, name_ev(env2), span)
                    if name is None:
                        continue
                    if name in d:
                        prev = d.pos.get(name)
                        where = prev.location() if prev is not None else "«unknown»"
                        raise EvalError(
                            f"dynamic attribute '{name}' already defined at {where}", span
                        )
                    d[name] = value_lazy(env2)
                    d.pos[name] = span
            return d

        return build

    def _let(self, node: ast.Let, scope):
        m = merge_bindings(node.bindings, True, node.span, in_let=True)
        names = list(m.static)
        inner = scope.child(names)
        entries, sources = self._bindings(m, inner, scope)
        body = self.compile(node.body, inner)
        n = len(names)

        def let(env):
            env2 = [env] + [None] * n
            srcs = [Thunk(s, env2) for s in sources] if sources else ()
            i = 1
            for _name, src, fn, outer in entries:
                if src is not None:
                    env2[i] = Thunk(fn, srcs[src])
                else:
                    env2[i] = fn(env if outer else env2)
                i += 1
            return body(env2)

        return let
