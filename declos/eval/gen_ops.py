"""Generating binary operators; `&&`, `||` and `->` short-circuit.

Integers, strings and Booleans take the inlined path; everything else
(floats, paths, overflow, type errors) goes through `ops` with the
operator's position, as the closure compiler's `binops.py` did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from declos.eval.gen_host import GenHost
from declos.eval.genfn import Fn
from declos.eval.scope import Scope, resolve
from declos.lang import ast

_LOGIC = {
    # op: (value that decides without the right operand, result then, name)
    "&&": ("False", "False", "AND (&&)"),
    "||": ("True", "True", "OR (||)"),
    "->": ("False", "True", "IMPL (->)"),
}
_ARITH = {"-": ("SUB", "-"), "*": ("MUL", "*")}
# op: (left of `<`, right of `<`, negation): `a > b` is `b < a`, `a <= b` is `!(b < a)`
_COMPARE = {
    "<": ("a", "b", ""),
    ">": ("b", "a", ""),
    "<=": ("b", "a", "not "),
    ">=": ("a", "b", "not "),
}


class OpsGen(GenHost):
    """Mixed into `Gen`."""

    def _binop(self, node: ast.BinOp, fn: Fn, scope: Scope) -> str:
        op = node.op
        span = self.span(node.span)
        if op in ("|>", "<|"):
            return self._pipe(node, fn, scope, span)
        overridden = self._local_builtin(node, fn, scope)
        if overridden is not None:
            return overridden
        if op in _LOGIC:
            return self._logic(node, fn, scope, span)
        if op in ("==", "!="):
            return self._equals(node, fn, scope)
        # The strict operators: both operands, then the operator's emitter.
        a = self.operand(node.left, fn, scope)
        b = self.operand(node.right, fn, scope)
        r = fn.tmp()
        _STRICT[op](self, node, fn, a, b, r, span)
        return r

    def _pipe(self, node: ast.BinOp, fn: Fn, scope: Scope, span: str) -> str:
        """`x |> f` and `f <| x`: a call."""
        arg_node, fn_node = (node.left, node.right) if node.op == "|>" else (node.right, node.left)
        f = self.expr(fn_node, fn, scope)
        arg = self.lazy(arg_node, fn, scope)
        r = fn.tmp()
        fn.emit(f"{r} = CALL({f}, {arg}, {span})")
        return r

    def _local_builtin(self, node: ast.BinOp, fn: Fn, scope: Scope) -> str | None:
        """`a - b` is `__sub a b` in Nix, and a local `__sub` takes over: the
        call, when the operator's builtin is bound locally; else None."""
        desugared = ast.CALLED_BUILTINS.get(node.op)
        if desugared is None:
            return None
        name, swap, negate = desugared
        local = resolve(scope, name)
        if local is None or local.depth is None:
            return None
        first, second = (node.right, node.left) if swap else (node.left, node.right)
        s = node.span
        call = ast.Call(ast.Call(ast.Var(name, span=s), first, span=s), second, span=s)
        return self.expr(ast.Not(call, span=s) if negate else call, fn, scope)

    def _plus(self, node: ast.BinOp, fn: Fn, a: str, b: str, r: str, span: str) -> None:
        spans = self.const(f"({self.span(node.left.span)}, {self.span(node.right.span)})")
        slow = f"PLUS(EV, {a}, {b}, {spans})"
        self._int_op(fn, r, self._ints(node, a, b), f"{a} + {b}", slow)
        if type(node.left) is not ast.Int and type(node.right) is not ast.Int:
            with fn.block(f"elif type({a}) is str and type({b}) is str:"):
                fn.emit(f"{r} = {a} + {b}")
        with fn.block("else:"):
            fn.emit(f"{r} = {slow}")

    def _arith(self, node: ast.BinOp, fn: Fn, a: str, b: str, r: str, span: str) -> None:
        """`-` and `*`: inlined on integers, `ops` otherwise."""
        helper, sym = _ARITH[node.op]
        slow = f"ARITH({helper}, {a}, {b}, {span})"
        self._int_op(fn, r, self._ints(node, a, b), f"{a} {sym} {b}", slow)
        with fn.block("else:"):
            fn.emit(f"{r} = {slow}")

    def _compare(self, node: ast.BinOp, fn: Fn, a: str, b: str, r: str, span: str) -> None:
        """Integers compare directly; everything else goes through Nix's rules."""
        order, _, sign = _COMPARE[node.op]
        x, y = (a, b) if order == "a" else (b, a)
        ints = self._ints(node, a, b)
        fn.emit(f"{r} = {sign}({x} < {y} if {ints} else LESS({x}, {y}, {span}))")

    def operand(self, node: Any, fn: Fn, scope: Scope) -> str:
        """An operand: an integer literal as itself, else evaluated."""
        if type(node) is ast.Int:
            return repr(node.value)
        return self.expr(node, fn, scope)

    @staticmethod
    def _ints(node: Any, a: str, b: str) -> str:
        """The test that both operands are integers (literals need none)."""
        tests = [f"type({v}) is int" for n, v in ((node.left, a), (node.right, b))]
        tests = [t for t, n in zip(tests, (node.left, node.right)) if type(n) is not ast.Int]
        return " and ".join(tests) or "True"

    @staticmethod
    def _int_op(fn: Fn, r: str, ints: str, result: str, slow: str) -> None:
        """`if` both are integers: `r = RESULT`, or `slow` (which raises) on overflow."""
        with fn.block(f"if {ints}:"):
            fn.emit(f"{r} = {result}")
            fn.emit(f"if not INT_MIN <= {r} <= INT_MAX: {r} = {slow}")

    def literal(self, node, scope):
        """(Python literal, its type name) of a string, integer, `null`, `[ ]` or
        `{ }`, else None."""
        t = type(node)
        if t is ast.Str and all(type(p) is str for p in node.parts):
            return repr("".join(node.parts)), "str"
        if t is ast.Int:
            return repr(node.value), "int"
        if t is ast.Var and node.name == "null" and self.is_global("null", scope):
            return "None", "null"
        if t is ast.List and not node.items:
            return "[]", "list"
        if t is ast.AttrSet and not node.bindings:
            return "{}", "Attrs"
        return None

    def _equals(self, node: Any, fn: Fn, scope: Scope) -> str:
        """`==` and `!=`: `ops.equals` unless both sides are strings or
        integers, or one is a literal (`x == null`, `t == "merge"`)."""
        a = self.expr(node.left, fn, scope)
        r = fn.tmp()
        lit = self.literal(node.right, scope)
        if lit is None and self.literal(node.left, scope) is not None:
            b = self.expr(node.right, fn, scope)
            a, lit = b, self.literal(node.left, scope)
        if lit is not None:
            value, kind = lit
            if kind == "null":
                fn.emit(f"{r} = {a} is None")
            elif kind == "list" or kind == "Attrs":
                # Equal to an empty list or set: one of that type, empty.
                fn.emit(f"{r} = type({a}) is {kind} and not {a}")
            else:
                fn.emit(f"{r} = ({a} == {value}) if type({a}) is {kind} else EQUALS({a}, {value})")
        else:
            b = self.expr(node.right, fn, scope)
            fn.emit(
                f"{r} = ({a} == {b}) if type({a}) is type({b}) and "
                f"(type({a}) is str or type({a}) is int) else EQUALS({a}, {b})"
            )
        return r if node.op == "==" else f"(not {r})"

    def _logic(self, node: Any, fn: Fn, scope: Scope, span: Any) -> str:
        decided, result, what = _LOGIC[node.op]
        other = "True" if decided == "False" else "False"
        a = self.expr(node.left, fn, scope)
        r = fn.tmp()
        with fn.block(f"if {a} is {decided}:"):
            fn.emit(f"{r} = {result}")
        with fn.block("else:"):
            fn.emit(
                f"if {a} is not {other}: "
                f"EXPECTBOOL({a}, {span}, 'in the left operand of the {what} operator')"
            )
            b = self.expr(node.right, fn, scope)
            fn.emit(
                f"if type({b}) is not bool: "
                f"EXPECTBOOL({b}, {span}, 'in the right operand of the {what} operator')"
            )
            fn.emit(f"{r} = {b}")
        return r


def _runtime(call: str) -> Callable[..., None]:
    """The emitter of an operator that is one call of a runtime helper:
    `call` is its text with `{a}`, `{b}` and `{span}`."""

    def emit(gen: OpsGen, node: ast.BinOp, fn: Fn, a: str, b: str, r: str, span: str) -> None:
        fn.emit(f"{r} = " + call.format(a=a, b=b, span=span))

    return emit


# The strict binary operators: op -> emitter(gen, node, fn, a, b, r, span),
# which emits `r = a OP b` for the already generated operands `a` and `b`.
_STRICT: dict[str, Callable[..., None]] = {
    "+": OpsGen._plus,
    "-": OpsGen._arith,
    "*": OpsGen._arith,
    "/": _runtime("ARITH(DIV, {a}, {b}, {span})"),
    "++": _runtime("CONCATLISTS({a}, {b}, {span})"),
    "//": _runtime("UPDATE({a}, {b}, {span})"),
    "<": OpsGen._compare,
    ">": OpsGen._compare,
    "<=": OpsGen._compare,
    ">=": OpsGen._compare,
}
