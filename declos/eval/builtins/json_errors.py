"""The error messages of Nix's JSON parser (nlohmann::json), reproduced.

`fromJSON` parses with Python's json module; only when that fails is the
text scanned again here, to say what Nix would say
("[json.exception.parse_error.101] parse error at line 1, column 4: …").
This module is not a family of builtins; `json.py` uses it.
"""

from __future__ import annotations

from typing import NoReturn

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

    def fail(last: str, expected: str | None, context: str) -> NoReturn:
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
