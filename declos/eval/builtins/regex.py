"""`match` and `split`: POSIX extended regular expressions, as Nix runs them.

Nix compiles patterns with `std::regex::extended` and matches bytes (a
multi-byte UTF-8 character is several "characters" to `.` and to bracket
expressions).  Here an ERE is translated into an equivalent Python `re`
pattern over bytes:

- outside brackets, `\\c` is the literal `c` for the ERE special characters
  `^$\\.*+?()[{|` and an error for anything else (libstdc++ in strict ANSI
  mode, as Nix builds it, rejects `\\d`, `\\/`, `\\]`, `\\}`); `.` matches any byte but NUL;
  `^`/`$` anchor at the string's ends only (`$` becomes `\\Z`, since Python's
  `$` also matches before a final newline);
- bracket expressions follow POSIX: `]` first is literal, `\\` is literal,
  `-` first or last is literal, `[:class:]` (C locale), `[=c=]`, `[.c.]`;
- intervals must be well formed (`{m}`, `{m,}`, `{m,n}`); a quantifier
  after a quantifier applies to the whole repeated atom (`a*?` is `(a*)?`,
  never a lazy or possessive Python quantifier); `(?` is an error.

Matching: `match` must match the whole string (`fullmatch`); where several
parses exist, both libstdc++ and Python take the first in depth-first order
(left alternative first, greedy repetition first), so groups agree.  For
`split`, libstdc++ takes the *longest* match at the leftmost position while
Python takes the first; the two differ only when an alternation offers
matches of different lengths, so patterns containing `|` use the `regex`
module's POSIX (leftmost-longest) mode (a declared dependency, see DESIGN.md).  Unmatched
groups are `null`.  Compiled patterns are cached per pattern string.
"""

from __future__ import annotations

import re
from typing import Any

from declos.eval.builtins.registry import arg_ctx, builtin, force_string, force_string_text
from declos.eval.errors import EvalError
from declos.eval.values import string_text

_CLASSES = {
    "alpha": b"a-zA-Z",
    "digit": b"0-9",
    "alnum": b"0-9a-zA-Z",
    "upper": b"A-Z",
    "lower": b"a-z",
    "space": b" \\t\\n\\r\\f\\v",
    "blank": b" \\t",
    "punct": b"!-/:-@\\[-`{-~",
    "print": b" -~",
    "graph": b"!-~",
    "cntrl": b"\\x00-\\x1f\\x7f",
    "xdigit": b"0-9A-Fa-f",
    "w": b"0-9a-zA-Z_",
    "d": b"0-9",
    "s": b" \\t\\n\\r\\f\\v",
}

# What libstdc++ accepts after a backslash in an ERE; any other escape
# (`\\d`, `\\]`, `\\}`, `\\/`) is an invalid regular expression.
_ESCAPABLE = frozenset(b"^$\\.*+?()[{|")


class RegexSyntaxError(Exception):
    pass


def _lit(c: int) -> bytes:
    """A byte as a Python pattern literal (inside or outside brackets)."""
    if (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95:
        return bytes((c,))
    return b"\\x%02x" % c


def _bracket(p: bytes, i: int) -> tuple[bytes, int]:
    """Translate the bracket expression starting after `[` at `i`; return (class, next index)."""
    n = len(p)
    negate = False
    if i < n and p[i] == 0x5E:  # ^
        negate = True
        i += 1
    items: list[bytes] = []
    first = True
    prev_single: int | None = None  # the last single byte, a possible range start
    while True:
        if i >= n:
            raise RegexSyntaxError("unterminated bracket expression")
        c = p[i]
        if c == 0x5D and not first:  # ]
            i += 1
            break
        first = False
        if c == 0x5B and i + 1 < n and p[i + 1] in b":=.":  # [: [= [.
            kind = p[i + 1]
            end = p.find(bytes((kind, 0x5D)), i + 2)
            if end == -1:
                raise RegexSyntaxError("unterminated class")
            name = p[i + 2 : end]
            i = end + 2
            if kind == 0x3A:  # :
                cls = _CLASSES.get(name.decode("latin-1").lower())
                if cls is None:
                    raise RegexSyntaxError("unknown class")
                items.append(cls)
                prev_single = None
                continue
            if len(name) != 1:
                raise RegexSyntaxError("unknown collating element")
            c = name[0]
            items.append(_lit(c))
            prev_single = c
            continue
        if (
            c == 0x2D  # -
            and prev_single is not None
            and i + 1 < n
            and p[i + 1] != 0x5D
        ):
            # a range prev-hi
            j = i + 1
            hi = p[j]
            if hi == 0x5B and j + 1 < n and p[j + 1] in b".=":
                kind = p[j + 1]
                end = p.find(bytes((kind, 0x5D)), j + 2)
                if end == -1 or end - (j + 2) != 1:
                    raise RegexSyntaxError("bad range end")
                hi = p[j + 2]
                j = end + 2
            else:
                j += 1
            if hi < prev_single:
                raise RegexSyntaxError("invalid range")
            items[-1] = _lit(prev_single) + b"-" + _lit(hi)
            prev_single = None
            i = j
            continue
        if c == 0x2D and i + 1 < n and p[i + 1] != 0x5D and items:
            # `-` after a range or a class, not closing the list
            raise RegexSyntaxError("invalid range")
        items.append(_lit(c))
        prev_single = c
        i += 1
    body = b"".join(items)
    if negate:
        # POSIX: a non-matching list never matches NUL either, like `.`
        return b"[^\\x00" + body + b"]", i
    return b"[" + body + b"]", i


def translate(pattern: str) -> bytes:
    """The Python `re` (bytes) pattern equivalent to a POSIX ERE."""
    p = pattern.encode("utf-8", "surrogateescape")
    n = len(p)
    out: list[bytes] = []
    # Index in `out` where the current atom starts, or None when a quantifier
    # cannot apply here (start, after `(` or `|`, after an anchor).
    atom: int | None = None
    quantified = False
    stack: list[int] = []  # out index of each open group
    i = 0
    while i < n:
        c = p[i]
        if c == 0x5C:  # backslash
            if i + 1 >= n or p[i + 1] not in _ESCAPABLE:
                raise RegexSyntaxError("invalid escape")
            atom, quantified = len(out), False
            out.append(_lit(p[i + 1]))
            i += 2
        elif c == 0x2E:  # .
            atom, quantified = len(out), False
            out.append(b"[^\\x00]")
            i += 1
        elif c == 0x5B:  # [
            cls, i = _bracket(p, i + 1)
            atom, quantified = len(out), False
            out.append(cls)
        elif c == 0x28:  # (
            stack.append(len(out))
            out.append(b"(")
            atom = None
            i += 1
        elif c == 0x29:  # )
            if not stack:
                raise RegexSyntaxError("unmatched )")
            atom, quantified = stack.pop(), False
            out.append(b")")
            i += 1
        elif c == 0x7C:  # |
            out.append(b"|")
            atom = None
            i += 1
        elif c == 0x5E:  # ^
            out.append(b"\\A")
            atom = None
            i += 1
        elif c == 0x24:  # $
            out.append(b"\\Z")
            atom = None
            i += 1
        elif c in b"*+?{":
            if atom is None:
                raise RegexSyntaxError("nothing to repeat")
            if c == 0x7B:  # {
                m = re.compile(rb"\{([0-9]+)(,([0-9]*))?\}").match(p, i)
                if not m:
                    raise RegexSyntaxError("bad interval")
                lo, comma, hi = m.group(1), m.group(2), m.group(3)
                if hi and int(hi) < int(lo):
                    raise RegexSyntaxError("bad interval")
                q = b"{" + lo + (b"," + hi if comma else b"") + b"}"
                i = m.end()
            else:
                q = bytes((c,))
                i += 1
            if quantified:
                out[atom:] = [b"(?:" + b"".join(out[atom:]) + b")"]
            out.append(q)
            quantified = True
        else:
            atom, quantified = len(out), False
            out.append(_lit(c))
            i += 1
    if stack:
        raise RegexSyntaxError("unmatched (")
    return b"".join(out)


_CACHE: dict[str, tuple] = {}


def compile_ere(pattern: str, longest: bool = False) -> tuple[re.Pattern[bytes], Any]:
    """(re pattern, POSIX-longest pattern or None) for an ERE, cached.  The
    POSIX twin of a pattern with an alternation is made only when `longest`
    asks for it: `split` needs it, `match` does not (it takes the whole
    string either way), and importing the `regex` module costs ~9 ms, which
    every evaluation of the module library paid for its `match`es."""
    hit = _CACHE.get(pattern)
    if hit is not None and (not longest or hit[1] is not None or b"|" not in hit[0].pattern):
        return hit
    if hit is not None:
        compiled = hit[0]
    else:
        try:
            compiled = re.compile(translate(pattern), re.DOTALL)
        except (RegexSyntaxError, re.error, OverflowError, RecursionError):
            raise EvalError(f"invalid regular expression '{pattern}'") from None
    posix = None
    if longest and b"|" in compiled.pattern:
        import regex as _regex  # POSIX leftmost-longest mode; imported only when needed

        posix = _regex.compile(compiled.pattern, _regex.DOTALL | _regex.POSIX)
    hit = (compiled, posix)
    _CACHE[pattern] = hit
    return hit


def _dec(b: bytes | None) -> str | None:
    if b is None:
        return None
    return b.decode("utf-8", "surrogateescape")


@builtin("match", ("regex", "str"))
def match(ev, regex_, s):
    pattern = force_string_text(regex_, arg_ctx(0, "match"))
    compiled, _ = compile_ere(pattern)
    text = force_string_text(s, arg_ctx(1, "match"))
    if text.isascii():
        m = compiled.fullmatch(text.encode("ascii"))
    else:
        m = compiled.fullmatch(text.encode("utf-8", "surrogateescape"))
    if m is None:
        return None
    return [_dec(g) for g in m.groups()]


@builtin("split", ("regex", "str"))
def split(ev, regex_, s):
    pattern = force_string_text(regex_, arg_ctx(0, "split"))
    compiled, longest = compile_ere(pattern, longest=True)
    v = force_string(s, arg_ctx(1, "split"))
    text = string_text(v)
    data = text.encode("utf-8", "surrogateescape")
    out: list = []
    pos = 0
    for m in (longest or compiled).finditer(data):
        out.append(_dec(data[pos : m.start()]))
        out.append([_dec(g) for g in m.groups()])
        pos = m.end()
    if not out:
        return [v]
    out.append(_dec(data[pos:]))
    return out
