"""The hand-written DCL tokenizer that feeds the LALR parser (declos/lang/parser.py).

It follows Nix's flex lexer (longest match, then rule order) with a stack of
modes: code, "strings", ''indented strings'' and the inside of a path
literal.  `${` and `{` push code mode and `}` pops it, so interpolations nest
to any depth.

The places where Nix's grammar is not LALR(1) are settled here:
- `{` opening a function's formals is emitted as FORMALS_OPEN, decided by
  looking at the next tokens (`...`, `ID ,`, `ID ?`, `ID }:`, `}:`, `}@`).
- `or` is OR_KW; the grammar accepts it where Nix accepts it as a name.
- `/` starts a path only where flex's longest match would make one.
Indented-string pieces come out as IND_STR (plain text, subject to
indentation stripping) or IND_ESC (escapes, which end leading whitespace).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from declos.diagnostics import ParseError, Source, Span

KEYWORDS = {
    "if": "IF",
    "then": "THEN",
    "else": "ELSE",
    "assert": "ASSERT",
    "with": "WITH",
    "let": "LET",
    "in": "IN",
    "rec": "REC",
    "inherit": "INHERIT",
    "or": "OR_KW",
}

PATH_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+")
_PC = r"[a-zA-Z0-9._\-+]"
# Characters after a name or integer that may make a longer URI, path or float.
_MAY_EXTEND_ID = PATH_CHARS | {"/", ":", ""}
_MAY_EXTEND_INT = PATH_CHARS | {"/", ""}
ID_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'\-]*")
INT_RE = re.compile(r"[0-9]+")
FLOAT_RE = re.compile(r"(?:[1-9][0-9]*\.[0-9]*|0?\.[0-9]+)(?:[Ee][+-]?[0-9]+)?")
PATH_RE = re.compile(rf"{_PC}*(?:/{_PC}+)+/?")
PATH_SEG_DOLLAR_RE = re.compile(rf"{_PC}*/(?=\$\{{)")
HPATH_RE = re.compile(rf"~(?:/{_PC}+)+/?")
HPATH_START_DOLLAR_RE = re.compile(r"~/(?=\$\{)")
SPATH_RE = re.compile(rf"<{_PC}+(?:/{_PC}+)*>")
URI_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+")
# Inside a path after its first token: more path text.
INPATH_RE = re.compile(rf"{_PC}*(?:/{_PC}+)+/?|{_PC}*/|{_PC}+")
WS_RE = re.compile(r"[ \t\r\n]+")
LINE_COMMENT_RE = re.compile(r"#[^\r\n]*")
STR_TEXT_RE = re.compile(r'(?:[^$"\\]|\$[^{"\\]|\\.|\$\\.)+', re.S)
IND_TEXT_RE = re.compile(r"(?:[^$']|\$[^{']|'[^'$])+", re.S)
IND_OPEN_NEWLINE_RE = re.compile(r" *\n")
ESCAPE_RE = re.compile(r"\\(.)|\r\n?", re.S)

# Operators, longest first within each first character.
OPERATORS = {
    "...": "ELLIPSIS",
    "==": "EQ",
    "!=": "NEQ",
    "<=": "LEQ",
    ">=": "GEQ",
    "&&": "AND",
    "||": "OR",
    "->": "IMPL",
    "//": "UPDATE",
    "++": "CONCAT",
    "|>": "PIPE_INTO",
    "<|": "PIPE_FROM",
    "${": "DOLLAR_CURLY",
}
SINGLE = {
    "{": "LBRACE",
    "}": "RBRACE",
    "(": "LPAR",
    ")": "RPAR",
    "[": "LSQB",
    "]": "RSQB",
    ";": "SEMI",
    ":": "COLON",
    ",": "COMMA",
    ".": "DOT",
    "@": "AT",
    "=": "ASSIGN",
    "?": "QUESTION",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "SLASH",
    "<": "LT",
    ">": "GT",
    "!": "BANG",
}

# Human names of tokens for "unexpected X" messages, as Nix prints them.
TOKEN_DISPLAY = {
    "ID": "identifier",
    "INT": "integer",
    "FLOAT": "floating-point number",
    "STR": "string",
    "IND_STR": "string",
    "IND_ESC": "string",
    "PATH": "path",
    "HPATH": "path",
    "SPATH": "<path>",
    "URI": "URI",
    "PATH_END": "end of path",
    "DQUOTE": "'\"'",
    "IND_OPEN": "\"''\"",
    "IND_CLOSE": "\"''\"",
    "FORMALS_OPEN": "'{'",
    "$END": "end of file",
}
for _text, _name in {**OPERATORS, **SINGLE}.items():
    TOKEN_DISPLAY[_name] = f"'{_text}'"
for _text, _name in KEYWORDS.items():
    TOKEN_DISPLAY[_name] = f"'{_text}'"

CODE, STRING, IND_STRING, INPATH, INPATH_SLASH = range(5)


def unescape(text: str) -> str:
    """Resolve `\\n`, `\\r`, `\\t` and `\\x` escapes; raw CR and CRLF become LF."""
    if "\\" not in text and "\r" not in text:
        return text

    def repl(m: re.Match) -> str:
        c = m.group(1)
        if c is None:
            return "\n"
        return {"n": "\n", "r": "\r", "t": "\t"}.get(c, c)

    return ESCAPE_RE.sub(repl, text)


class Lexer:
    """Turns one source into lark tokens; the mode stack lives in `self.modes`."""

    def __init__(self, source: Source):
        self.source = source
        self.text = source.text
        self.modes = [CODE]
        self.pos = 0
        self.opens: list[int] = []  # where each open string started, for "unterminated" errors

    def error(self, message: str, pos: int) -> ParseError:
        return ParseError(message, Span(self.source, pos, pos))

    def tokens(self) -> Iterator[Token]:
        """The tokens of the whole source, then stop (lark adds `$END`).

        Each mode's method yields tokens while its mode is on top of the stack
        and returns when a token pushed or popped a mode; the position is kept
        in `self.pos` across the switch.
        """
        modes = self.modes
        while True:
            mode = modes[-1]
            if mode == CODE:
                if (yield from self._code_mode()):
                    return
            elif mode == STRING:
                yield from self._string_mode()
            elif mode == IND_STRING:
                yield from self._ind_string_mode()
            else:
                yield from self._path_mode()

    def _code_mode(self) -> Generator[Token, None, bool]:
        """Code tokens until another mode is entered (False) or the input ends (True)."""
        text = self.text
        n = len(text)
        pos = self.pos
        modes = self.modes
        while True:
            # Whitespace and comments.
            while pos < n:
                c = text[pos]
                if c in " \t\r\n":
                    pos = WS_RE.match(text, pos).end()  # type: ignore[union-attr]  # at a blank
                elif c == "#":
                    pos = LINE_COMMENT_RE.match(text, pos).end()  # type: ignore[union-attr]  # at #
                elif c == "/" and text.startswith("/*", pos):
                    end = text.find("*/", pos + 2)
                    if end == -1:
                        raise self.error("unterminated comment", pos)
                    pos = end + 2
                else:
                    break
            if pos >= n:
                self.pos = pos
                return True
            c = text[pos]
            start = pos
            kind, end, value = self._code_token(c, pos)
            pos = end
            if kind == "LBRACE":
                modes.append(CODE)
                if self._formals_follow(pos):
                    kind = "FORMALS_OPEN"
            elif kind == "DOLLAR_CURLY":
                modes.append(CODE)
            elif kind == "RBRACE":
                if len(modes) > 1:
                    modes.pop()
            elif kind == "DQUOTE":
                modes.append(STRING)
                self.opens.append(start)
            elif kind == "IND_OPEN":
                modes.append(IND_STRING)
                self.opens.append(start)
            elif kind in ("PATH", "HPATH"):
                modes.append(INPATH_SLASH if value.endswith("/") else INPATH)
            yield _token(kind, value, start, end)
            if modes[-1] != CODE:
                self.pos = pos
                return False

    def _string_mode(self) -> Iterator[Token]:
        """Inside `"…"`: text pieces until the closing quote or a `${`."""
        text = self.text
        n = len(text)
        pos = self.pos
        modes = self.modes
        opens = self.opens
        while True:
            if pos >= n:
                raise self.error("unterminated string", opens[-1])
            c = text[pos]
            if c == '"':
                modes.pop()
                opens.pop()
                yield _token("DQUOTE", '"', pos, pos + 1)
                self.pos = pos + 1
                return
            if c == "$" and text.startswith("${", pos):
                modes.append(CODE)
                yield _token("DOLLAR_CURLY", "${", pos, pos + 2)
                self.pos = pos + 2
                return
            m = STR_TEXT_RE.match(text, pos)
            end = m.end() if m else pos
            if end < n and text[end] == "$" and text.startswith('$"', end):
                end += 1  # a `$` right before the closing quote is literal
            if end == pos:
                # A lone `$` or `\` at the end of the input.
                raise self.error("unterminated string", opens[-1])
            yield _token("STR", unescape(text[pos:end]), pos, end)
            pos = end

    def _ind_string_mode(self) -> Iterator[Token]:
        """Inside `''…''`: text and escapes until the closing `''` or a `${`."""
        text = self.text
        n = len(text)
        pos = self.pos
        modes = self.modes
        opens = self.opens
        while True:
            if pos >= n:
                raise self.error("unterminated indented string", opens[-1])
            c = text[pos]
            if c == "'" and text.startswith("''", pos):
                nxt = text[pos + 2 : pos + 3]
                if nxt == "$":
                    yield _token("IND_ESC", "$", pos, pos + 3)
                    pos += 3
                elif nxt == "'":
                    yield _token("IND_ESC", "''", pos, pos + 3)
                    pos += 3
                elif nxt == "\\":
                    if pos + 3 >= n:
                        raise self.error("unterminated indented string", opens[-1])
                    yield _token("IND_ESC", unescape(text[pos + 2 : pos + 4]), pos, pos + 4)
                    pos += 4
                else:
                    modes.pop()
                    opens.pop()
                    yield _token("IND_CLOSE", "''", pos, pos + 2)
                    self.pos = pos + 2
                    return
            elif c == "$" and text.startswith("${", pos):
                modes.append(CODE)
                yield _token("DOLLAR_CURLY", "${", pos, pos + 2)
                self.pos = pos + 2
                return
            else:
                m = IND_TEXT_RE.match(text, pos)
                if m:
                    yield _token("IND_STR", text[pos : m.end()], pos, m.end())
                    pos = m.end()
                else:
                    # A lone `$` or `'` that cannot start a longer piece.
                    yield _token("IND_ESC", c, pos, pos + 1)
                    pos += 1

    def _path_mode(self) -> Iterator[Token]:
        """After a path's first token: more path text, `${…}`, or the path's end."""
        text = self.text
        n = len(text)
        pos = self.pos
        modes = self.modes
        while True:
            if text.startswith("${", pos):
                modes[-1] = INPATH
                modes.append(CODE)
                yield _token("DOLLAR_CURLY", "${", pos, pos + 2)
                self.pos = pos + 2
                return
            m = INPATH_RE.match(text, pos) if pos < n else None
            if m and m.end() > pos:
                value = m.group()
                modes[-1] = INPATH_SLASH if value.endswith("/") else INPATH
                yield _token("STR", value, pos, m.end())
                pos = m.end()
            elif modes[-1] == INPATH_SLASH:
                raise self.error("path has a trailing slash", pos - 1)
            else:
                modes.pop()
                yield _token("PATH_END", "", pos, pos)
                self.pos = pos
                return

    def _code_token(self, c: str, pos: int) -> tuple[str, int, str]:
        text = self.text
        # Candidates that flex decides by longest match.
        best_kind, best_end = None, pos
        if c in PATH_CHARS or c == "_":
            if c.isalpha() or c == "_":
                m = ID_RE.match(text, pos)
                assert m is not None  # c is a letter or _
                best_kind, best_end = "ID", m.end()
                if text[best_end : best_end + 1] not in _MAY_EXTEND_ID:
                    # Fast path: nothing after the name can make a URI or path of it.
                    value = m.group()
                    return KEYWORDS.get(value, "ID"), best_end, value
                if c.isalpha():
                    m = URI_RE.match(text, pos)
                    if m and m.end() > best_end:
                        best_kind, best_end = "URI", m.end()
            elif c.isdigit():
                m = INT_RE.match(text, pos)
                assert m is not None  # c is a digit
                best_kind, best_end = "INT", m.end()
                if text[best_end : best_end + 1] not in _MAY_EXTEND_INT:
                    return "INT", best_end, m.group()
                m = FLOAT_RE.match(text, pos)
                if m and m.end() > best_end:
                    best_kind, best_end = "FLOAT", m.end()
            elif c == ".":
                if text.startswith("...", pos):
                    best_kind, best_end = "ELLIPSIS", pos + 3
                else:
                    m = FLOAT_RE.match(text, pos)
                    if m:
                        best_kind, best_end = "FLOAT", m.end()
            m = PATH_RE.match(text, pos)
            if m and m.end() > best_end:
                best_kind, best_end = "PATH", m.end()
            m = PATH_SEG_DOLLAR_RE.match(text, pos)
            if m and m.end() + 2 > best_end:
                best_kind, best_end = "PATH", m.end()
        elif c == "/":
            m = PATH_RE.match(text, pos)
            if m:
                best_kind, best_end = "PATH", m.end()
            else:
                m = PATH_SEG_DOLLAR_RE.match(text, pos)
                if m:
                    best_kind, best_end = "PATH", m.end()
        elif c == "~":
            m = HPATH_RE.match(text, pos) or HPATH_START_DOLLAR_RE.match(text, pos)
            if m:
                best_kind, best_end = "HPATH", m.end()
        elif c == "<":
            m = SPATH_RE.match(text, pos)
            if m:
                best_kind, best_end = "SPATH", m.end()
        elif c == '"':
            return "DQUOTE", pos + 1, '"'
        elif c == "'" and text.startswith("''", pos):
            end = pos + 2
            m = IND_OPEN_NEWLINE_RE.match(text, end)
            if m:
                end = m.end()
            return "IND_OPEN", end, "''"

        if best_kind is not None:
            value = text[pos:best_end]
            if best_kind == "ID":
                best_kind = KEYWORDS.get(value, "ID")
            return best_kind, best_end, value
        two = text[pos : pos + 2]
        if two in OPERATORS:
            return OPERATORS[two], pos + 2, two
        if c in SINGLE:
            return SINGLE[c], pos + 1, c
        if c == "\0":
            raise self.error("unexpected NUL byte", pos)
        raise self.error(f"syntax error, unexpected character {c!r}", pos)

    def _formals_follow(self, pos: int) -> bool:
        """Whether the `{` just before `pos` opens a function's formals."""
        text = self.text
        pos = self._skip_trivia(pos)
        if text.startswith("...", pos):
            return True
        if text.startswith("}", pos):
            after = self._skip_trivia(pos + 1)
            return text[after : after + 1] in (":", "@")
        m = ID_RE.match(text, pos)
        if not m or m.group() in KEYWORDS:
            return False
        after = self._skip_trivia(m.end())
        nxt = text[after : after + 1]
        # `{ a }` cannot be an attribute set, so it is formals even without
        # a `:` after it, and the error points where Nix's does.
        return nxt in (",", "?", "}")

    def _skip_trivia(self, pos: int) -> int:
        text = self.text
        n = len(text)
        while pos < n:
            c = text[pos]
            if c in " \t\r\n":
                pos = WS_RE.match(text, pos).end()  # type: ignore[union-attr]  # at a blank
            elif c == "#":
                pos = LINE_COMMENT_RE.match(text, pos).end()  # type: ignore[union-attr]  # at #
            elif text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                if end == -1:
                    return n
                pos = end + 2
            else:
                break
        return pos


class Token(str):
    """A token: its text (the str itself, also `value`), its terminal's name
    (`type`) and its offsets in the source.  Line and column are computed
    from offsets when an error is rendered.

    Our own rather than lark's: parsing must not import lark (~40 ms), which
    only builds the parse table (declos/lang/parser.py)."""

    type: str
    value: str
    start_pos: int
    end_pos: int

    def __new__(cls, kind: str, value: str, start: int, end: int) -> Token:
        self = str.__new__(cls, value)
        self.type = kind
        self.value = value
        self.start_pos = start
        self.end_pos = end
        return self

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


_token = Token
