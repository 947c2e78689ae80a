"""`fromTOML`, parsed by Python's `tomllib` (TOML 1.0).

As in Nix without the `parse-toml-timestamps` experimental feature, dates
and times are an error ("Dates and times are not supported"); integers must
fit in 64 bits.  Every error reads `while parsing TOML: ...` (the detail is
tomllib's wording, not toml11's).
"""

from __future__ import annotations

from declos.eval.builtins.registry import builtin, force_string_no_context
from declos.eval.errors import EvalError
from declos.eval.values import Attrs

_INT_MIN = -(2**63)
_INT_MAX = 2**63 - 1


class _Unsupported(Exception):
    pass


def _convert(v):
    t = type(v)
    if t is dict:
        return Attrs({k: _convert(x) for k, x in v.items()})
    if t is list:
        return [_convert(x) for x in v]
    if t is str or t is bool or t is float:
        return v
    if t is int:
        if not _INT_MIN <= v <= _INT_MAX:
            raise _Unsupported(f"integer {v} is out of the 64-bit range")
        return v
    raise _Unsupported("Dates and times are not supported")


def from_toml(text: str) -> Attrs:
    import tomllib

    try:
        return _convert(tomllib.loads(text))
    except tomllib.TOMLDecodeError as e:
        raise EvalError(f"while parsing TOML: {e}") from None
    except _Unsupported as e:
        raise EvalError(f"while parsing TOML: {e}") from None


@builtin("fromTOML", ("e",), global_=True)
def from_toml_(ev, e):
    return from_toml(
        force_string_no_context(e, "while evaluating the argument passed to builtins.fromTOML")
    )
