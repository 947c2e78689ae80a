"""Arithmetic and bit builtins; integers are 64-bit with overflow errors."""

from __future__ import annotations

import math

from declos.eval import ops
from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    force,
    force_float,
    force_int,
    force_number,
)


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
    def run(ev, a, b):
        return fn(force_int(a, arg_ctx(0, name)), force_int(b, arg_ctx(1, name)))

    builtin(name, ("e1", "e2"))(run)


_bits("bitAnd", lambda a, b: a & b)
_bits("bitOr", lambda a, b: a | b)
_bits("bitXor", lambda a, b: a ^ b)


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
