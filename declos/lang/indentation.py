"""Indentation stripping of `'' ''` strings, exactly as Nix's parser does it.

The minimum indentation is taken over lines that hold something other than
spaces; interpolations and escapes (`''$`, `'''`, `''\\n`) end a line's leading
whitespace.  That many spaces are dropped from the start of every line, and a
final line holding only spaces is removed.
"""

from __future__ import annotations

from declos.lang.lexer import Token


def strip_indentation(pieces: tuple) -> tuple:
    """`pieces`: IND_STR / IND_ESC tokens and interpolated expressions."""
    if not pieces:
        return ()

    at_start = True
    min_indent = 1000000
    cur_indent = 0
    for piece in pieces:
        if not isinstance(piece, Token) or piece.type != "IND_STR":
            if at_start:
                at_start = False
                min_indent = min(min_indent, cur_indent)
            continue
        for ch in piece:
            if at_start:
                if ch == " ":
                    cur_indent += 1
                elif ch == "\n":
                    cur_indent = 0
                else:
                    at_start = False
                    min_indent = min(min_indent, cur_indent)
            elif ch == "\n":
                at_start = True
                cur_indent = 0

    out: list = []
    at_start = True
    dropped = 0
    remaining = len(pieces)
    for piece in pieces:
        if not isinstance(piece, Token):
            at_start = False
            dropped = 0
            out.append(piece)
            remaining -= 1
            continue
        buf = []
        for ch in piece:
            if at_start:
                if ch == " ":
                    if dropped >= min_indent:
                        buf.append(ch)
                    dropped += 1
                elif ch == "\n":
                    dropped = 0
                    buf.append(ch)
                else:
                    at_start = False
                    dropped = 0
                    buf.append(ch)
            else:
                buf.append(ch)
                if ch == "\n":
                    at_start = True
        s = "".join(buf)
        if remaining == 1:
            p = s.rfind("\n")
            if p != -1 and not s[p + 1 :].strip(" "):
                s = s[: p + 1]
        remaining -= 1
        if s:
            if out and isinstance(out[-1], str):
                out[-1] += s
            else:
                out.append(s)
    return tuple(out)
