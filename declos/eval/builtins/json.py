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

from declos.eval.builtins.registry import arg_ctx, builtin, force_string
from declos.eval.errors import EvalError, EvalTypeError, UnlocatedError
from declos.eval.values import (
    Attrs,
    Closure,
    CtxStr,
    PathValue,
    PrimOp,
    PrimOpApp,
    Thunk,
    make_string,
    show_type,
)

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


def _print_json(ev, v, out: list, context: set, copy_to_store: bool, span) -> None:
    if type(v) is Thunk:
        v = v.force()
    t = type(v)
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


def to_json(ev, v, copy_to_store: bool = True) -> tuple[str, set]:
    out: list[str] = []
    context: set = set()
    _print_json(ev, v, out, context, copy_to_store, None)
    return "".join(out), context


def to_json_text(ev, value) -> str:
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


def _parse_int(s: str):
    n = int(s)
    if INT_MIN <= n <= INT_MAX:
        return n
    if 0 < n <= UINT_MAX:
        raise _Unsigned(s)
    return float(s)


class _Unsigned(Exception):
    pass


def _reject_constant(name: str):
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


def from_json(text: str):
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
    return from_json(v if type(v) is str else v.s)


# nlohmann::json's parse error messages, reproduced by a small re-scan of the
# bytes that the fast parser rejected.

_TOKEN_NAMES = {
    "true": "true literal",
    "false": "false literal",
    "null": "null literal",
    "string": "string literal",
    "number": "number literal",
    "[": "'['",
    "{": "'{'",
    "]": "']'",
    "}": "'}'",
    ":": "':'",
    ",": "','",
    "error": "<parse error>",
    "eof": "end of input",
    "value": "'[', '{', or a literal",
}


class _Fail(Exception):
    pass


class _Lexer:
    def __init__(self, data: bytes):
        self.data = data
        self.i = 0
        self.line = 0
        self.col = 0
        self.cur = -1
        self.token: list[int] = []
        self.error = ""
        self.pending_unget = False

    def get(self) -> int:
        self.col += 1
        if self.pending_unget:
            self.pending_unget = False
        else:
            if self.i < len(self.data):
                self.cur = self.data[self.i]
                self.i += 1
            else:
                self.cur = -1
        if self.cur != -1:
            self.token.append(self.cur)
        if self.cur == 0x0A:
            self.line += 1
            self.col = 0
        return self.cur

    def unget(self) -> None:
        self.pending_unget = True
        if self.col == 0:
            if self.line > 0:
                self.line -= 1
        else:
            self.col -= 1
        if self.cur != -1:
            self.token.pop()

    def scan(self) -> str:
        if self.i == 0 and not self.pending_unget and self.cur == -1:
            if self.get() == 0xEF:
                if self.get() != 0xBB or self.get() != 0xBF:
                    self.error = "invalid BOM; must be 0xEF 0xBB 0xBF if given"
                    return "error"
            else:
                self.unget()
        while True:
            c = self.get()
            if c not in (0x20, 0x09, 0x0A, 0x0D):
                break
        if c == -1:
            return "eof"
        ch = chr(c)
        if ch in "[]{}:,":
            return ch
        if ch == "t":
            return self._literal(b"true", "true")
        if ch == "f":
            return self._literal(b"false", "false")
        if ch == "n":
            return self._literal(b"null", "null")
        if ch == '"':
            return self._string()
        if ch == "-" or "0" <= ch <= "9":
            return self._number()
        self.error = "invalid literal"
        return "error"

    def _literal(self, text: bytes, kind: str) -> str:
        for b in text[1:]:
            if self.get() != b:
                self.error = "invalid literal"
                return "error"
        return kind

    def _string(self) -> str:
        self.token = [0x22]
        while True:
            c = self.get()
            if c == -1:
                self.error = "invalid string: missing closing quote"
                return "error"
            if c == 0x22:
                return "string"
            if c == 0x5C:
                e = self.get()
                if e in b'"\\/bfnrt':
                    continue
                if e == 0x75:  # u
                    cp = self._hex4()
                    if cp is None:
                        self.error = "invalid string: '\\u' must be followed by 4 hex digits"
                        return "error"
                    if 0xD800 <= cp <= 0xDBFF:
                        if self.get() == 0x5C and self.get() == 0x75:
                            lo = self._hex4()
                            if lo is None:
                                self.error = (
                                    "invalid string: '\\u' must be followed by 4 hex digits"
                                )
                                return "error"
                            if 0xDC00 <= lo <= 0xDFFF:
                                continue
                        self.error = (
                            "invalid string: surrogate U+D800..U+DBFF must be followed by "
                            "U+DC00..U+DFFF"
                        )
                        return "error"
                    if 0xDC00 <= cp <= 0xDFFF:
                        self.error = (
                            "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF"
                        )
                        return "error"
                    continue
                self.error = "invalid string: forbidden character after backslash"
                return "error"
            if c <= 0x1F:
                names = {
                    0x00: "NUL",
                    0x08: "BS",
                    0x09: "TAB",
                    0x0A: "LF",
                    0x0C: "FF",
                    0x0D: "CR",
                }
                esc = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
                name = names.get(c)
                label = f"U+{c:04X}" + (f" ({name})" if name else "")
                extra = f" or {esc[c]}" if c in esc else ""
                self.error = (
                    f"invalid string: control character {label} must be escaped to "
                    f"\\u{c:04X}{extra}"
                )
                return "error"
            if c >= 0x80 and not self._utf8_tail(c):
                self.error = "invalid string: ill-formed UTF-8 byte"
                return "error"

    def _utf8_tail(self, c: int) -> bool:
        if 0xC2 <= c <= 0xDF:
            need = 1
        elif 0xE0 <= c <= 0xEF:
            need = 2
        elif 0xF0 <= c <= 0xF4:
            need = 3
        else:
            return False
        return all(128 <= self.get() <= 191 for _ in range(need))

    def _hex4(self) -> int | None:
        n = 0
        for _ in range(4):
            c = self.get()
            if c == -1 or chr(c) not in "0123456789abcdefABCDEF":
                return None
            n = n * 16 + int(chr(c), 16)
        return n

    def _number(self) -> str:
        self.token = [self.cur]
        c = self.cur
        if c == 0x2D:
            c = self.get()
            if not (0x30 <= c <= 0x39):
                self.error = "invalid number; expected digit after '-'"
                return "error"
        if c != 0x30:
            c = self.get()
            while 0x30 <= c <= 0x39:
                c = self.get()
        else:
            c = self.get()
        if c == 0x2E:
            c = self.get()
            if not (0x30 <= c <= 0x39):
                self.error = "invalid number; expected digit after '.'"
                return "error"
            c = self.get()
            while 0x30 <= c <= 0x39:
                c = self.get()
        if c in (0x65, 0x45):
            c = self.get()
            if c in (0x2B, 0x2D):
                c = self.get()
                if not (0x30 <= c <= 0x39):
                    self.error = "invalid number; expected digit after exponent sign"
                    return "error"
            elif not (0x30 <= c <= 0x39):
                self.error = "invalid number; expected '+', '-', or digit after exponent"
                return "error"
            c = self.get()
            while 0x30 <= c <= 0x39:
                c = self.get()
        self.unget()
        return "number"


def nlohmann_error(data: bytes) -> str | None:
    """nlohmann's message for invalid JSON, or None when `data` is valid."""
    lx = _Lexer(data)

    def fail(last: str, expected: str | None, context: str):
        msg = "syntax error "
        if context:
            msg += f"while parsing {context} "
        msg += "- "
        if last == "error":
            ts = "".join(f"<U+{c:04X}>" if c <= 0x1F else chr(c) for c in lx.token)
            ts = ts.encode("latin-1", "replace").decode("utf-8", "replace")
            msg += f"{lx.error}; last read: '{ts}'"
        else:
            msg += f"unexpected {_TOKEN_NAMES[last]}"
        if expected:
            msg += f"; expected {_TOKEN_NAMES[expected]}"
        raise _Fail(
            f"[json.exception.parse_error.101] parse error at line {lx.line + 1}, "
            f"column {lx.col}: {msg}"
        )

    def value(tok: str, depth: int) -> None:
        if tok == "{":
            tok = lx.scan()
            if tok == "}":
                return
            while True:
                if tok != "string":
                    fail(tok, "string", "object key")
                tok = lx.scan()
                if tok != ":":
                    fail(tok, ":", "object separator")
                value(lx.scan(), depth + 1)
                tok = lx.scan()
                if tok == ",":
                    tok = lx.scan()
                    continue
                if tok == "}":
                    return
                fail(tok, "}", "object")
        elif tok == "[":
            tok = lx.scan()
            if tok == "]":
                return
            while True:
                value(tok, depth + 1)
                tok = lx.scan()
                if tok == ",":
                    tok = lx.scan()
                    continue
                if tok == "]":
                    return
                fail(tok, "]", "array")
        elif tok in ("true", "false", "null", "string", "number"):
            return
        elif tok == "error":
            fail(tok, None, "value")
        else:
            fail(tok, "value", "value")

    try:
        value(lx.scan(), 0)
        tok = lx.scan()
        if tok != "eof":
            fail(tok, "eof", "value")
    except _Fail as f:
        return str(f)
    except RecursionError:
        return "[json.exception.parse_error.101] parse error: nesting too deep"
    return None
