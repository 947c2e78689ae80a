"""Arithmetic and bit builtins; integers are 64-bit with overflow errors."""

from __future__ import annotations

import math
import operator

from declos.eval import ops
from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    force,
    force_float,
    force_int,
    force_number,
)
from declos.eval.values import Thunk


def _binary(name, fn):
    def run(ev, a, b):
        x = force_number(a, arg_ctx(0, name))
        y = force_number(b, arg_ctx(1, name))
        return fn(x, y)

    builtin(name, ("e1", "e2"))(run)


_binary("add", ops.add)
_binary("sub", ops.sub)
_binary("mul", ops.mul)
_binary("div", ops.div)


@builtin("lessThan", ("e1", "e2"))
def less_than(ev, a, b):
    return ops.less_than(force(a), force(b))


def _bits(name, fn):
    first, second = arg_ctx(0, name), arg_ctx(1, name)

    def run(ev, a, b):
        # force_int's checks inline for the common case (integers), in the
        # same order: `a` forced and checked before `b` is forced.
        if type(a) is Thunk:
            a = a.force()
        if type(a) is not int:
            force_int(a, first)
        if type(b) is Thunk:
            b = b.force()
        if type(b) is not int:
            force_int(b, second)
        return fn(a, b)

    builtin(name, ("e1", "e2"))(run)


_bits("bitAnd", operator.and_)
_bits("bitOr", operator.or_)
_bits("bitXor", operator.xor)


def _round(name, fn):
    def run(ev, x):
        v = force_number(x, arg_ctx(0, name))
        if type(v) is int:
            return v
        if math.isinf(v) or math.isnan(v):
            return ops.INT_MIN if math.isnan(v) or v < 0 else ops.INT_MIN
        r = fn(v)
        if not ops.INT_MIN <= r <= ops.INT_MAX:
            return ops.INT_MIN
        return r

    builtin(name, ("number",))(run)


_round("ceil", math.ceil)
_round("floor", math.floor)

__all__ = ["force_float"]
