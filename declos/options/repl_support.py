"""`declos repl`'s printing, tab completion and interruptible evaluation.

Completion evaluates only attribute selections (`config.services.nginx`),
never a whole expression typed so far, and forces each set to weak head
normal form only: completing `config.services.<TAB>` lists the names of
`config.services` without computing their values.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, TypeVarTuple

from declos.diagnostics import DeclosError
from declos.eval.printing import format_attr_name
from declos.eval.values import Attrs, LazyAttrs, Value, force, lazy_get, settle
from declos.options.configuration import on_deep_stack
from declos.options.render import render_value
from declos.options.resolve import is_option

if TYPE_CHECKING:  # repl.py imports this module
    from declos.options.repl import ReplSession

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")

_IDENT_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'-")


def print_value(v: Value, depth: int) -> str:
    """A value `depth` levels deep, errors inside it shown in place."""
    return render_value(v, 0, "", max_depth=depth, inline_errors=True)


def run_interruptibly(fn: Callable[[*_Ts], _T], *args: *_Ts) -> _T:
    """`fn` on the deep stack; Ctrl-C stops the evaluation, not only the wait.

    The evaluation runs on its own thread (`run_deep`); when the main thread
    is interrupted, KeyboardInterrupt is raised in that thread too, which
    unwinds it (thunks being forced are reset on the way), and is waited for.
    """
    try:
        return on_deep_stack(fn, *args)
    except KeyboardInterrupt:
        for thread in threading.enumerate():
            if thread.name == "declos-eval" and thread.is_alive() and thread.ident:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
                )
                thread.join()
        raise


DELIMITERS = " \t\n()[]{};,=+*/<>!&|:"


def current_word(line: str) -> str:
    """The word being completed at the end of `line`: from the last delimiter
    outside a string (readline's own word breaking would cut `"/api"` at `/`)."""
    start, quoted, escaped = 0, False, False
    for i, ch in enumerate(line):
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in DELIMITERS:
            start = i + 1
    return line[start:]


def split_path(text: str) -> list[str] | None:
    """`a.b."c.d".e` → ["a", "b", "\\"c.d\\"", "e"] (quotes kept), or None if
    `text` is not an attribute path (the last part may be an open `"pre`)."""
    parts: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in text:
        if quoted:
            cur.append(ch)
            if ch == '"' and not (len(cur) > 1 and cur[-2] == "\\"):
                quoted = False
        elif ch == '"' and not cur:
            cur.append(ch)
            quoted = True
        elif ch == ".":
            if not cur:
                return None
            parts.append("".join(cur))
            cur = []
        elif ch in _IDENT_CHARS:
            if cur and cur[0] == '"':
                return None
            cur.append(ch)
        else:
            return None
    parts.append("".join(cur))
    return parts


def _name(part: str) -> str:
    """An attribute name as written: `"c.d"` → `c.d`."""
    if part.startswith('"'):
        inner = part[1:-1] if len(part) > 1 and part.endswith('"') else part[1:]
        return inner.replace('\\"', '"').replace("\\\\", "\\")
    return part


def _names(v: Value) -> list[str]:
    v = settle(force(v))
    return sorted(v) if type(v) is Attrs else []


def _select(v: Value, name: str) -> Value:
    v = force(v)
    if type(v) is LazyAttrs:
        return lazy_get(v, name)
    if type(v) is Attrs and name in v:
        return v[name]
    return None


def complete_word(session: ReplSession, word: str, option_path: bool) -> list[str]:
    """What `word` can become: attribute names at the end of its path."""
    parts = split_path(word)
    if parts is None:
        return []
    head, last = parts[:-1], parts[-1]
    if option_path:
        candidates = _option_names(session, [_name(p) for p in head])
    elif not head:
        candidates = sorted(set(session.scope) | {"builtins"})
    else:
        v = session.scope.get(_name(head[0]))
        for part in head[1:]:
            if v is None:
                return []
            v = _select(v, _name(part))
        candidates = _names(v) if v is not None else []
    prefix = _name(last)
    typed = "".join(p + "." for p in head)
    out = []
    for name in candidates:
        if name.startswith(prefix):
            out.append(typed + format_attr_name(name))
    return out


def _option_names(session: ReplSession, path: list[str]) -> list[str]:
    """Names below an option path: the options tree, then (below an option,
    in submodule entries) the names the configuration's value has."""
    node = session.result["options"]
    value = session.result["config"]
    for part in path:
        if node is not None:
            node = _select(node, part)
            if node is not None and is_option(node):
                node = None
        value = _select(value, part) if value is not None else None
        if node is None and value is None:
            return []
    if node is not None:
        return [n for n in _names(node) if n != "_module"]
    try:
        return _names(value) if value is not None else []
    except DeclosError:
        return []
