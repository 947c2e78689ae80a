"""Generating attribute sets, `rec` sets and `let`: the code generator's bindings half.

Bindings are merged as Nix's parser merges them (`lang/bindings.py`); a
recursive set or `let` gets an environment list whose slots the values
fill in order.  A plain `inherit x;` is looked up outside the set;
`inherit (e) x;` shares one thunk for `e` between its names.  A sibling
named as a bare variable is always a thunk, because its slot may not be
filled yet.
"""

from __future__ import annotations

from typing import Any

from declos.eval.gen_host import GenHost
from declos.eval.genfn import Fn
from declos.eval.scope import Scope
from declos.eval.values import Thunk
from declos.lang import ast
from declos.lang.bindings import INHERIT, INHERIT_FROM, MergedAttrs, merge_bindings


class AttrsGen(GenHost):
    """Mixed into `Gen`: uses its `expr`, `lazy`, `thunk` and constants."""

    def _attrset(self, node: ast.AttrSet, fn: Fn, scope: Scope) -> str:
        return self._merged(merge_bindings(node.bindings, node.recursive, node.span), fn, scope)

    def _sources(self, m: MergedAttrs, fn: Fn, value_scope: Scope, env: str) -> list[str]:
        srcs = []
        for s in m.inherit_sources:
            srcs.append(self.new_thunk(fn, self.thunk_fn(s, value_scope), env))
        return srcs

    def note_known(self, m: MergedAttrs, scope: Scope) -> None:
        """Remember the slots `inherit (builtins) NAME;` fills with a builtin
        that is not a thunk: reading one needs no slot and no forcing, and
        calling it calls the builtin directly."""
        sources = [
            type(s) is ast.Var and s.name == "builtins" and self.is_global("builtins", scope)
            for s in m.inherit_sources
        ]
        if not any(sources):
            return
        builtins = self.globals["builtins"]
        for i, (name, entry) in enumerate(m.static.items(), 1):
            if entry.kind == INHERIT_FROM and sources[entry.value] and name in builtins:
                if type(builtins[name]) is not Thunk:
                    self.known[(id(scope), i)] = name

    def _binding(
        self,
        m: MergedAttrs,
        name: Any,
        entry: Any,
        fn: Fn,
        value_scope: Scope,
        outer_scope: Scope,
        srcs: Any,
    ) -> str:
        if entry.kind == INHERIT_FROM:
            # One shared body for every `inherit (e) name;` (rt.inherit_thunk), not a
            # function each: a module library has ~700, each a code object to load.
            env = f"({srcs[entry.value]}, {name!r}, {self.span(entry.span)})"
            return self.new_thunk(fn, "INHERITTHUNK", env)
        if entry.kind == INHERIT:
            return self.lazy(entry.value, fn, outer_scope, name)
        value = entry.value
        if m.recursive and type(value) is ast.Var:
            return self.thunk(value, fn, value_scope)
        return self.lazy(value, fn, value_scope, name)

    def _merged(self, m: MergedAttrs, fn: Fn, scope: Scope) -> str:
        names = list(m.static)
        positions = (
            "{" + ", ".join(f"{n!r}: {self.span(e.span)}" for n, e in m.static.items()) + "}"
        )
        pos = self.const(positions)
        inner = scope
        env = fn.env_at(scope, 0)
        if m.recursive:
            inner = scope.child(names)
            e2 = fn.tmp("e")
            fn.emit(f"{e2} = [{env}{', None' * len(names)}]")
            fn.envs[id(inner)] = e2
            env = e2
            self.note_known(m, inner)
        srcs = self._sources(m, fn, inner, env)
        d = fn.tmp("d")
        fn.emit(f"{d} = NEWATTRS(Attrs)")
        # A set with dynamic names adds their positions to a copy of the shared map.
        fn.emit(f"{d}.pos = dict({pos})" if m.dynamic else f"{d}.pos = {pos}")
        for i, (name, entry) in enumerate(m.static.items(), 1):
            v = self._binding(m, name, entry, fn, inner, scope, srcs)
            if m.recursive:
                fn.emit(f"{d}[{name!r}] = {env}[{i}] = {v}")
            else:
                fn.emit(f"{d}[{name!r}] = {v}")
        if m.dynamic:
            for name_expr, value, span in m.dynamic:
                s = self.span(span)
                n = fn.tmp("n")
                fn.emit(f"{n} = ATTRNAME(EV, {self.expr(name_expr, fn, inner)}, {s})")
                with fn.block(f"if {n} is not None:"):
                    fn.emit(f"if {n} in {d}: raise DUPDYN({n}, {d}, {s})")
                    fn.emit(f"{d}[{n}] = {self.lazy(value, fn, inner)}")
                    fn.emit(f"{d}.pos[{n}] = {s}")
        return d

    def _let(self, node: ast.Let, fn: Fn, scope: Scope) -> str:
        m = merge_bindings(node.bindings, True, node.span, in_let=True)
        names = list(m.static)
        inner = scope.child(names)
        e2 = fn.tmp("e")
        fn.emit(f"{e2} = [{fn.env_at(scope, 0)}{', None' * len(names)}]")
        fn.envs[id(inner)] = e2
        self.note_known(m, inner)
        srcs = self._sources(m, fn, inner, e2)
        for i, (name, entry) in enumerate(m.static.items(), 1):
            fn.emit(f"{e2}[{i}] = {self._binding(m, name, entry, fn, inner, scope, srcs)}")
        return self.expr(node.body, fn, inner)
