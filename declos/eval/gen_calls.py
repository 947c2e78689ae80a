"""Generating lambdas and calls: the code generator's functions half.

A lambda becomes a `LambdaCode` (its body function, how its argument is
bound) and a `Closure` over the current environment.  A lambda whose body is
directly another formals-free lambda (`a: b: …`, the curried functions of
lib and the module system) records that inner code as `inner`, so that a
call site giving it all its arguments at once (`f a b`, `f a b c`) runs the
innermost body with the nested environments it would have built, without
making the intermediate closures (errors get the same single call-site
frame: making a closure cannot fail).
"""

from __future__ import annotations

from declos.eval.gen_host import GenHost
from declos.eval.genfn import CONSTANT, Fn
from declos.eval.scope import Scope, resolve
from declos.eval.values import PrimOp
from declos.lang import ast

# Builtins whose first act is to force one argument (its index), with no
# error context of their own around that forcing: a call giving all their
# arguments computes that one in place, without a thunk.
_STRICT_FIRST = {
    "length": 0,
    "head": 0,
    "attrNames": 0,
    "attrValues": 0,
    "concatLists": 0,
    "isAttrs": 0,
    "isList": 0,
    "isString": 0,
    "isFunction": 0,
    "isBool": 0,
    "isInt": 0,
    "typeOf": 0,
    "map": 1,
    "filter": 1,
    "genList": 1,
    "mapAttrs": 1,
}
# Builtin arguments computed in place nest `try` blocks: at most this deep.
MAX_TRIES = 8
# Arguments `lazy` passes without a thunk anyway.
_CHEAP = (ast.Int, ast.Float, ast.Str, ast.Lambda, ast.Var)


class CallsGen(GenHost):
    """Mixed into `Gen`: uses its `expr`, `lazy`, `span` and constants."""

    def _lambda_value(self, node: ast.Lambda, fn: Fn, scope: Scope, name: str | None = None) -> str:
        code = self.lambda_code(node, scope, name)
        return self.new_closure(fn, code, fn.env_at(scope, 0))

    def new_closure(self, fn: Fn, code: str, env: str) -> str:
        """A temporary holding a new `Closure(code, env)`, made as `new_thunk`
        makes thunks: by the slots' setters, without a Python frame."""
        c = fn.tmp("k")
        fn.emit(f"{c} = NEWCLOSURE(); {c}.code = {code}; {c}.env = {env}")
        return c

    def lambda_code(self, node: ast.Lambda, scope: Scope, name: str | None) -> str:
        names = []
        if node.param is not None:
            names.append(node.param)
        if node.formals is not None:
            names.extend(f.name for f in node.formals.entries)
        inner = scope.child(names)
        body = Fn(self.fn_name("L", node), inner)
        curried = "None"
        if type(node.body) is ast.Lambda and node.body.formals is None:
            curried = self.lambda_code(node.body, inner, None)
            body.emit(f"return {self.new_closure(body, curried, 'env')}")
        else:
            body.emit(f"return {self.expr(node.body, body, inner)}")
        self.fns.append(body.source())
        formals = bind = "None"
        if node.formals is not None:
            entries = []
            defaults: list[str] = []
            constants: list[str | None] = []
            for f in node.formals.entries:
                default = "None"
                constant = None
                if f.default is not None:
                    d = Fn(self.fn_name("D", f.default), inner)
                    if type(f.default) is ast.Var and not self.is_global(f.default.name, inner):
                        # It may name a formal not bound yet: always a thunk.
                        d.emit(f"return {self.thunk(f.default, d, inner)}")
                    else:
                        value = self.lazy(f.default, d, inner)
                        d.emit(f"return {value}")
                        if len(d.lines) == 1 and CONSTANT.fullmatch(value):
                            constant = value
                    self.fns.append(d.source())
                    default = d.name
                entries.append(f"({f.name!r}, {default})")
                defaults.append(default)
                constants.append(constant)
            formals = "(" + "".join(e + ", " for e in entries) + ")"
            bind = self.binder(node, defaults, constants)
        ellipsis = node.formals.ellipsis if node.formals is not None else False
        code = self.name("LC")
        self.tail.append(
            f"{code} = LambdaCode({body.name}, {node.param!r}, {formals}, {ellipsis}, "
            f"{self.span(node.span)}, {name!r}, {curried}, {bind})"
        )
        return code

    def binder(self, node: ast.Lambda, defaults: list[str], constants: list[str | None]) -> str:
        """`A(parent, arg, attrs)`: the environment of a call with the set
        `attrs`, or None when the call is an error (a required argument
        missing, an unexpected one), which `Evaluator._call_formals` then
        raises as it always did.  Defaults are made once every slot exists."""
        assert node.formals is not None
        ellipsis = node.formals.ellipsis
        a = Fn(self.name("A"), Scope(None, {}), "parent, arg, attrs")
        a.emit("get = attrs.get")
        a.emit("env = [parent, arg]" if node.param is not None else "env = [parent]")
        if not ellipsis:
            a.emit("n = 0")
        later = []
        required = 0
        offset = 2 if node.param is not None else 1
        for i, (f, default, constant) in enumerate(zip(node.formals.entries, defaults, constants)):
            name = repr(f.name)
            if f.default is None:
                required += 1
                a.emit(f"v = get({name}, MISSING)")
                a.emit("if v is MISSING: return None")
                a.emit("env.append(v)")
            elif constant is not None and ellipsis:
                a.emit(f"env.append(get({name}, {constant}))")
            elif constant is not None:
                a.emit(f"v = get({name}, MISSING)")
                a.emit(f"if v is MISSING: v = {constant}")
                a.emit("else: n += 1")
                a.emit("env.append(v)")
            else:
                a.emit(f"v = get({name}, MISSING)")
                if not ellipsis:
                    a.emit("if v is not MISSING: n += 1")
                a.emit("env.append(v)")
                later.append((offset + i, default))
        if not ellipsis:
            a.emit(f"if n + {required} != len(attrs): return None")
        for slot, default in later:
            a.emit(f"if env[{slot}] is MISSING: env[{slot}] = {default}(env)")
        a.emit("return env")
        self.fns.append(a.source())
        return a.name

    def _call(self, node: ast.Call, fn: Fn, scope: Scope) -> str:
        args = []
        fn_node: ast.Expr = node
        while type(fn_node) is ast.Call:
            args.append(fn_node.arg)
            fn_node = fn_node.fn
        args.reverse()
        span = self.span(node.span)
        prim, prim_code = self.known_primop(fn_node, scope)
        if prim is None:
            f = self.expr(fn_node, fn, scope)
        eager = None
        if prim is not None and len(args) >= prim.arity:
            eager = _STRICT_FIRST.get(prim.name)
            if eager is not None and (type(args[eager]) in _CHEAP or fn.tries >= MAX_TRIES):
                eager = None
        lazies = [
            self.lazy(a, fn, scope, select=prim is not None) if i != eager else ""
            for i, a in enumerate(args)
        ]
        if prim is not None:
            if len(lazies) < prim.arity:
                return f"PrimOpApp({prim_code}, ({''.join(a + ', ' for a in lazies)}))"
            r = fn.tmp()
            with fn.block("try:"):
                if eager is not None:
                    # Forced first thing by the builtin: computed here, in
                    # its error handler, rather than through a thunk.
                    fn.tries += 1
                    lazies[eager] = self.expr(args[eager], fn, scope)
                    fn.tries -= 1
                given = ", ".join(lazies[: prim.arity])
                fn.emit(f"{r} = {prim_code}.fn(EV, {given})")
            with fn.block("except EvalError as _e:"):
                fn.emit(f"PRIMERR(_e, {prim_code}, {span})")
                fn.emit("raise")
            for a in lazies[prim.arity :]:
                r = self.call1(fn, r, a, span)
            return r
        if len(lazies) == 1:
            return self.call1(fn, f, lazies[0], span)
        r = fn.tmp()
        if len(lazies) > 3:
            fn.emit(f"{r} = CALLN({f}, [{', '.join(lazies)}], {span})")
            return r
        n = len(lazies)
        c = fn.tmp("c")
        cond = f"type({f}) is Closure and ({c} := {f}.code).formals is None"
        env = f"{f}.env"
        for a in lazies[:-1]:
            cond += f" and ({c} := {c}.inner) is not None"
            env = f"[{env}, {a}]"
        with fn.block(f"if {cond}:"):
            self.guarded_call(fn, f"{r} = {c}.body([{env}, {lazies[-1]}])", span)
        with fn.block(f"elif type({f}) is PrimOp and {f}.arity == {n}:"):
            fn.emit(f"{r} = RUNPRIM({f}, ({', '.join(lazies)}), {span})")
        with fn.block("else:"):
            cur = f
            for a in lazies:
                cur = self.call1(fn, cur, a, span)
            fn.emit(f"{r} = {cur}")
        return r

    def known_primop(self, node, scope):
        """A global builtin called by name: (the PrimOp, its constant), else (None, None)."""
        if type(node) is ast.Var:
            if self.is_global(node.name, scope):
                v = self.globals[node.name]
                if type(v) is PrimOp:
                    return v, self.glob(node.name)
                return None, None
            r = resolve(scope, node.name)
            known = self.known_slot(scope, r) if r is not None and r.depth is not None else None
            if known is not None and type(self.globals["builtins"][known]) is PrimOp:
                return self.globals["builtins"][known], self.builtin_attr(known)
            return None, None
        known = self.known_builtin(node, scope)
        if type(known) is PrimOp:
            return known, self.builtin_attr(node.path[0])
        return None, None

    def call1(self, fn: Fn, f: str, arg: str, span: str) -> str:
        """`f arg` with the closure fast path of `Evaluator.call` inlined."""
        r = fn.tmp()
        with fn.block(f"if type({f}) is Closure and {f}.code.formals is None:"):
            self.guarded_call(fn, f"{r} = {f}.code.body([{f}.env, {arg}])", span)
        with fn.block("else:"):
            fn.emit(f"{r} = CALL({f}, {arg}, {span})")
        return r

    def guarded_call(self, fn: Fn, line: str, span: str) -> None:
        """A closure body's call with what `Evaluator.call` adds to its errors."""
        with fn.block("try:"):
            fn.emit(line)
        with fn.block("except EvalError as _e:"):
            fn.emit(f"CALLFRAME(_e, {span})")
            fn.emit("raise")
        with fn.block("except RecursionError:"):
            fn.emit(f"raise OVERFLOW({span}) from None")
