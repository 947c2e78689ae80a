"""`toJSON`, `fromJSON`, and `to_json_text` for `declos eval --json`.

Current Nix builds JSON with nlohmann::json: object keys sorted, strings
escaped minimally (`"`, `\\`, control characters; UTF-8 kept), floats in the
shortest form that round-trips with `.0` kept on integral values (`1.0`,
`1e+20`, `1e-05`).  Sets with `__toString` or `outPath` become that string;
paths are copied into the store.  `fromJSON` parses with Python's C parser
and, on failure, re-scans the text to produce nlohmann's exact message.
"""

from __future__ import annotations

import math
from json import loads as _loads
from json.encoder import encode_basestring as _quote
from typing import TYPE_CHECKING, NoReturn

from declos.diagnostics import Span
from declos.eval.builtins.json_errors import nlohmann_error
from declos.eval.builtins.registry import arg_ctx, builtin, force_string
from declos.eval.errors import EvalError, EvalTypeError, UnlocatedError
from declos.eval.values import (
    Attrs,
    Closure,
    CtxStr,
    LazyAttrs,
    PathValue,
    PrimOp,
    PrimOpApp,
    Thunk,
    Value,
    make_string,
    settle,
    show_type,
    string_text,
)

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
UINT_MAX = 2**64 - 1


def format_json_float(x: float) -> str:
    """A double as nlohmann::json dumps it."""
    r = repr(x)
    # Python's repr is the same shortest round-trip form, and lays it out the
    # same way except for 1e15 <= |x| < 1e16 (nlohmann switches to exponents).
    if "n" in r:  # inf, nan
        return "null"
    if "e" in r or -1e15 < x < 1e15:
        return r
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    r = repr(abs(x))
    mant, _, exp = r.partition("e")
    e = int(exp) if exp else 0
    if "." in mant:
        ip, fp = mant.split(".")
    else:
        ip, fp = mant, ""
    digits = (ip + fp).lstrip("0")
    # decimal point position relative to the start of `digits`
    point = len(ip) + e - (len(ip + fp) - len((ip + fp).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    sign = "-" if x < 0 else ""
    if k <= point <= 15:
        return f"{sign}{digits}{'0' * (point - k)}.0"
    if 0 < point <= 15:
        return f"{sign}{digits[:point]}.{digits[point:]}"
    if -4 < point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    ex = point - 1
    m = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{m}e{'+' if ex >= 0 else '-'}{abs(ex):02d}"


def _print_json(
    ev: Evaluator, v: Value, out: list, context: set, copy_to_store: bool, span: Span | None
) -> None:
    if type(v) is Thunk:
        v = v.force()
    t = type(v)
    if t is LazyAttrs:
        v, t = settle(v), Attrs
    if t is str:
        out.append(_quote(v))
    elif t is int:
        out.append(str(v))
    elif t is bool:
        out.append("true" if v else "false")
    elif v is None:
        out.append("null")
    elif t is Attrs:
        if "__toString" in v or "outPath" in v:
            if "__toString" in v:
                from declos.eval.ops import coerce_to_string

                s, c = coerce_to_string(ev, v, False, False)
                context |= c
                out.append(_quote(s))
                return
            _print_json(ev, v["outPath"], out, context, copy_to_store, span)
            return
        if not v:
            out.append("{}")
            return
        out.append("{")
        first = True
        for name in sorted(v):
            if not first:
                out.append(",")
            first = False
            out.append(_quote(name) + ":")
            try:
                x = v[name]
                if type(x) is Thunk:
                    x = x.force()
                tx = type(x)
                if tx is int:
                    out.append(str(x))
                elif tx is str:
                    out.append(_quote(x))
                else:
                    _print_json(ev, x, out, context, copy_to_store, span)
            except EvalError as e:
                pos = v.pos.get(name) if v.pos else None
                e.add_frame(pos, f"while evaluating attribute '{name}'")
                raise
        out.append("}")
    elif t is list:
        if not v:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            if type(item) is Thunk:
                try:
                    item = item.force()
                except EvalError as e:
                    e.add_frame(None, f"while evaluating list element at index {i}")
                    raise
            ti = type(item)
            if ti is int:
                out.append(str(item))
            elif ti is str:
                out.append(_quote(item))
            else:
                try:
                    _print_json(ev, item, out, context, copy_to_store, span)
                except EvalError as e:
                    e.add_frame(None, f"while evaluating list element at index {i}")
                    raise
        out.append("]")
    elif t is float:
        out.append(format_json_float(v))
    elif t is CtxStr:
        context |= v.context
        out.append(_quote(v.s))
    elif t is PathValue:
        if copy_to_store:
            p = ev.copy_path_to_store(v.path)
            context.add(p)
            out.append(_quote(p))
        else:
            out.append(_quote(v.path))
    elif t is Closure or t is PrimOp or t is PrimOpApp:
        pos = v.code.span if t is Closure else span
        raise EvalTypeError(f"cannot convert {show_type(v)} to JSON", pos)
    else:  # pragma: no cover
        raise EvalTypeError(f"cannot convert {show_type(v)} to JSON", span)


def to_json(ev: Evaluator, v: Value, copy_to_store: bool = True) -> tuple[str, set]:
    out: list[str] = []
    context: set = set()
    _print_json(ev, v, out, context, copy_to_store, None)
    return "".join(out), context


def to_json_text(ev: Evaluator, value: Value) -> str:
    """The JSON text of a value (`declos eval --json`), forcing it deeply."""
    return to_json(ev, value)[0]


@builtin("toJSON", ("e",))
def to_json_(ev, e):
    try:
        text, context = to_json(ev, e)
    except EvalError as err:
        err.add_frame(None, "while evaluating the first argument passed to builtins.toJSON")
        raise
    return make_string(text, context)


# --- fromJSON ----------------------------------------------------------------


def _parse_int(s: str) -> int | float:
    n = int(s)
    if INT_MIN <= n <= INT_MAX:
        return n
    if 0 < n <= UINT_MAX:
        raise _Unsigned(s)
    return float(s)


class _Unsigned(Exception):
    pass


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(name)


def _object(pairs):
    return Attrs(pairs)


def _parse_float(s: str) -> float:
    x = float(s)
    if x in (_INF, -_INF):
        raise _Overflow(s)
    return x


class _Overflow(Exception):
    pass


_INF = float("inf")
_SURROGATE_ESCAPE = None


def from_json(text: str) -> Value:
    global _SURROGATE_ESCAPE
    if "\\u" in text:
        if _SURROGATE_ESCAPE is None:
            import re

            _SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
        if _SURROGATE_ESCAPE.search(text):
            # Python accepts lone surrogates; nlohmann does not.
            msg = nlohmann_error(text.encode("utf-8", "surrogateescape"))
            if msg is not None:
                raise UnlocatedError(msg)
    try:
        return _loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_reject_constant,
            object_pairs_hook=_object,
        )
    except _Unsigned as e:
        raise EvalError(f"unsigned json number {e.args[0]} outside of Nix integer range") from None
    except _Overflow as e:
        raise UnlocatedError(
            f"[json.exception.out_of_range.406] number overflow parsing '{e.args[0]}'"
        ) from None
    except (ValueError, RecursionError):
        pass
    msg = nlohmann_error(text.encode("utf-8", "surrogateescape"))
    raise UnlocatedError(msg or "[json.exception.parse_error.101] parse error: invalid JSON")


@builtin("fromJSON", ("e",))
def from_json_(ev, e):
    v = force_string(e, arg_ctx(0, "fromJSON"))
    return from_json(string_text(v))


# nlohmann::json's parse error messages, reproduced by a small re-scan of the
# bytes that the fast parser rejected.
