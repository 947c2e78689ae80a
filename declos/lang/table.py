"""The LALR table of grammar.lark, in the form `parser._drive` runs it.

lark builds the table and decides how each reduction shapes the values it
reduces: which tokens are dropped, which `_rules` are spliced into their
parent, which `?rules` pass a single child through.  Importing lark costs
~40 ms, more than parsing a 40 KB file, and all of that only changes with
the grammar; so the table and those decisions are kept in the cache
directory in a plain form (marshal: dicts, tuples, strings and ints) and lark
is imported only when that entry is missing or damaged.

An entry is keyed by FORMAT, the grammar's text and the names of the
builder's methods (a rule gets its method, else lark's default, a tree of
its children): a change to any of them makes a new entry.  It is the
marshalled table as declos/cachefile.py checks and writes its entries (a
damaged entry is built again, never trusted).

`load(builder)` gives `(actions, start, end)`: `actions[state][symbol]` is
the next state (an int) for a shift or goto, a nonterminal name (a str) for
a unit reduction `?a: b` that keeps the value, or `(size, nonterminal,
callback)` for any other reduction, `callback(children)` making the value.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable
from typing import Any

from declos import cachefile, dirs

#: Bumped whenever the stored form changes.
FORMAT = "1"
MAGIC = b"declos-parse-table 2\n"
GRAMMAR = os.path.join(os.path.dirname(__file__), "grammar.lark")

# A reduction's shaping, as stored: stages applied outermost first, then the
# value's maker.
#   ("filter", ((index, splice, nones_before), ...), nones_after)
#   ("single",)               one child left: that child is the value
#   ("method", name)          builder.name(children)
#   ("tree", name)            a `_Tree` (only ever spliced into a parent)


class _Tree:
    """lark's default value of a rule without a builder method: its
    children, for a `_rule` spliced into its parent's."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list) -> None:
        self.data = data
        self.children = children


def load(builder: Any) -> tuple[dict, int, int]:
    with open(GRAMMAR, encoding="utf-8") as f:
        grammar = f.read()
    path = _entry(grammar, builder)
    plain = _read(path) if path else None
    if plain is not None:
        try:
            return _bind(plain, builder)
        except (TypeError, ValueError, AttributeError):  # an entry of another shape
            pass
    from declos.lang.table_build import build  # imports lark

    plain = build(grammar, builder)
    if path:
        cachefile.write_checked(path, MAGIC, marshal.dumps(plain))
    return _bind(plain, builder)


def _entry(grammar: str, builder: Any) -> str | None:
    methods = sorted(n for n in dir(builder) if not n.startswith("__"))
    h = hashlib.sha256()
    for part in (FORMAT, grammar, "\0".join(methods)):
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "little") + data)
    base = dirs.cache_dir()
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        return None
    return os.path.join(base, f"parse-table-{h.hexdigest()[:32]}.marshal")


def _read(path: str) -> Any:
    payload = cachefile.read_checked(path, MAGIC)
    if payload is None:
        return None
    try:
        plain = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    ok = type(plain) is tuple and len(plain) == 3 and type(plain[0]) is dict
    return plain if ok else None


def _bind(plain: tuple, builder: Any) -> tuple[dict, int, int]:
    """The stored table with each reduction's shaping made a callable."""
    stored, start, end = plain
    made: dict[tuple, Callable] = {}
    actions: dict[int, dict] = {}
    for state, row in stored.items():
        out = {}
        for symbol, act in row.items():
            if type(act) is tuple:
                size, origin, shaping = act
                callback = made.get(shaping)
                if callback is None:
                    callback = made[shaping] = _callback(shaping, builder)
                act = (size, origin, callback)
            out[symbol] = act
        actions[state] = out
    return actions, start, end


def _callback(shaping: tuple, builder: Any) -> Callable:
    *stages, (kind, name) = shaping
    if kind == "method":
        f = getattr(builder, name)
    else:
        f = _tree_maker(name)
    for stage in reversed(stages):
        f = _filter(f, stage[1], stage[2]) if stage[0] == "filter" else _single(f)
    return f


def _tree_maker(name: str) -> Callable:
    def make(children: list) -> _Tree:
        return _Tree(name, children)

    return make


def _single(node_builder: Callable) -> Callable:
    """lark's ExpandSingleChild."""

    def single(children: list) -> Any:
        return children[0] if len(children) == 1 else node_builder(children)

    return single


def _filter(node_builder: Callable, include: tuple, nones_after: int) -> Callable:
    """lark's ChildFilterLALR (and its _NoPlaceholders form): the kept
    children, spliced `_rule`s' children in their place."""

    def filtered(children: list) -> Any:
        out: list = []
        for i, splice, nones in include:
            if nones:
                out += [None] * nones
            if splice:
                if out:
                    out += children[i].children
                else:  # left recursion: reuse the inner list, as lark does
                    out = children[i].children
            else:
                out.append(children[i])
        if nones_after:
            out += [None] * nones_after
        return node_builder(out)

    return filtered
