"""Compiling binary operators; `&&`, `||` and `->` short-circuit."""

from __future__ import annotations

from declos.eval import ops
from declos.eval.compile import expect_attrs, expect_bool
from declos.eval.errors import EvalError, EvalTypeError, locate
from declos.eval.printing import show_value
from declos.eval.scope import resolve
from declos.eval.strings import concat
from declos.eval.values import show_type
from declos.lang import ast


def _with_span(fn, span):
    def run(a, b):
        try:
            return fn(a, b)
        except EvalError as e:
            locate(e, span)
            raise

    return run


def _concat_lists(a, b, span):
    if type(a) is not list or type(b) is not list:
        bad = a if type(a) is not list else b
        err = EvalTypeError(f"expected a list but found {show_type(bad)}: {show_value(bad)}", span)
        err.add_frame(span, "while evaluating one of the elements to concatenate")
        raise err
    if not b:
        return a
    if not a:
        return b
    return a + b


def _update(a, b, span):
    expect_attrs(a, span, "in the left operand of the update (//) operator")
    expect_attrs(b, span, "in the right operand of the update (//) operator")
    return ops.update(a, b)


def compile_binop(compiler, node, scope):
    op = node.op
    span = node.span
    ev = compiler.ev
    if op in ("|>", "<|"):
        arg_node, fn_node = (node.left, node.right) if op == "|>" else (node.right, node.left)
        fn = compiler.compile(fn_node, scope)
        arg = compiler.lazy(arg_node, scope)
        return lambda env: ev.call(fn(env), arg(env), span)
    desugared = ast.CALLED_BUILTINS.get(op)
    if desugared is not None:
        name, swap, negate = desugared
        r = resolve(scope, name)
        if r is not None and r.depth is not None:
            # `a - b` is `__sub a b` in Nix, and a local `__sub` takes over.
            a, b = (node.right, node.left) if swap else (node.left, node.right)
            call = ast.Call(ast.Call(ast.Var(name, span=span), a, span=span), b, span=span)
            return compiler.compile(ast.Not(call, span=span) if negate else call, scope)
    left = compiler.compile(node.left, scope)
    right = compiler.compile(node.right, scope)
    if op == "&&":

        def and_(env):
            a = left(env)
            if a is False:
                return False
            if a is not True:
                expect_bool(a, span, "in the left operand of the AND (&&) operator")
            b = right(env)
            if type(b) is not bool:
                expect_bool(b, span, "in the right operand of the AND (&&) operator")
            return b

        return and_
    if op == "||":

        def or_(env):
            a = left(env)
            if a is True:
                return True
            if a is not False:
                expect_bool(a, span, "in the left operand of the OR (||) operator")
            b = right(env)
            if type(b) is not bool:
                expect_bool(b, span, "in the right operand of the OR (||) operator")
            return b

        return or_
    if op == "->":

        def impl(env):
            a = left(env)
            if a is False:
                return True
            if a is not True:
                expect_bool(a, span, "in the left operand of the IMPL (->) operator")
            b = right(env)
            if type(b) is not bool:
                expect_bool(b, span, "in the right operand of the IMPL (->) operator")
            return b

        return impl
    equals = ops.equals

    def eq(env):
        a = left(env)
        b = right(env)
        ta = type(a)
        if ta is type(b) and (ta is str or ta is int):
            return a == b
        return equals(a, b)

    if op == "==":
        return eq
    if op == "!=":
        return lambda env: not eq(env)
    if op == "+":
        spans = (node.left.span, node.right.span)

        def plus(env):
            a = left(env)
            b = right(env)
            if type(a) is int and type(b) is int:
                r = a + b
                if ops.INT_MIN <= r <= ops.INT_MAX:
                    return r
            if type(a) is str and type(b) is str:
                return a + b
            return concat(ev, [a, b], spans)

        return plus
    if op == "++":
        return lambda env: _concat_lists(left(env), right(env), span)
    if op == "//":
        return lambda env: _update(left(env), right(env), span)
    int_min, int_max = ops.INT_MIN, ops.INT_MAX
    if op == "-":
        sub = _with_span(ops.sub, span)

        def minus(env):
            a = left(env)
            b = right(env)
            if type(a) is int and type(b) is int and int_min <= a - b <= int_max:
                return a - b
            return sub(a, b)

        return minus
    if op == "*":
        mul = _with_span(ops.mul, span)

        def times(env):
            a = left(env)
            b = right(env)
            if type(a) is int and type(b) is int and int_min <= a * b <= int_max:
                return a * b
            return mul(a, b)

        return times
    if op == "/":
        div = _with_span(ops.div, span)
        return lambda env: div(left(env), right(env))
    lt = _with_span(ops.less_than, span)

    # Integers compare directly; everything else goes through Nix's rules.
    def less(a, b):
        if type(a) is int and type(b) is int:
            return a < b
        return lt(a, b)

    if op == "<":
        return lambda env: less(left(env), right(env))
    if op == ">":

        def greater(env):
            a = left(env)
            return less(right(env), a)

        return greater
    if op == "<=":

        def less_equal(env):
            a = left(env)
            return not less(right(env), a)

        return less_equal
    if op == ">=":
        return lambda env: not less(left(env), right(env))
    raise AssertionError(f"unknown operator {op}")  # pragma: no cover
