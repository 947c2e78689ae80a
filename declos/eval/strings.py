"""String building: the `+` operator (and interpolated path literals).

Both follow Nix's ExprConcatStrings: the first operand decides the result.
Integers and floats add; a path stays a path (later parts are appended
without copying anything into the store, and may not carry context); a
string collects its parts' contexts, and paths interpolated into it are
copied into the store.
"""

from __future__ import annotations

from declos.eval.errors import EvalError, EvalTypeError, locate
from declos.eval.ops import INT_MAX, INT_MIN, canonicalize_path, coerce_to_string
from declos.eval.values import CtxStr, PathValue, make_string, show_type


def concat(ev, values, spans):
    """`a + b` (and interpolated path literals): `values` are forced operands.

    Errors point at the operand at fault (`spans[i]` for `values[i]`), as Nix's
    ExprConcatStrings does.
    """
    first = values[0]
    t = type(first)
    if t is int or t is float:
        total = first
        for i in range(1, len(values)):
            v = values[i]
            tv = type(v)
            if tv is int and type(total) is int:
                if not INT_MIN <= total + v <= INT_MAX:
                    raise EvalError(f"integer overflow in adding {total} + {v}", spans[i])
                total += v
            elif tv is int or tv is float:
                total = float(total) + v
            else:
                kind = "an integer" if type(total) is int else "a float"
                raise EvalTypeError(f"cannot add {show_type(v)} to {kind}", spans[i])
        return total
    texts = []
    context = None
    is_path = t is PathValue
    for i, v in enumerate(values):
        if type(v) is str:
            texts.append(v)
            continue
        if type(v) is CtxStr:
            s, c = v.s, v.context
        elif is_path and i == 0:
            s, c = v.path, None
        else:
            try:
                s, c = coerce_to_string(ev, v, not is_path)
            except EvalError as e:
                raise locate(e, spans[i]) from None
        texts.append(s)
        if c:
            if is_path:
                raise EvalError(
                    "a string that refers to a store path cannot be appended to a path", spans[i]
                )
            context = set(c) if context is None else context | c
    if is_path:
        return PathValue(canonicalize_path("".join(texts)))
    return make_string("".join(texts), context)
