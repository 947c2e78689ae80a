"""Building the parse table with lark (declos/lang/table.py stores it).

Imported only when the stored table is missing or damaged: importing lark
costs ~40 ms.
"""

from __future__ import annotations

import os
from typing import Any

from lark import Lark
from lark.lexer import Lexer
from lark.parse_tree_builder import (
    ChildFilterLALR,
    ChildFilterLALR_NoPlaceholders,
    ExpandSingleChild,
)
from lark.parsers.lalr_analysis import Shift

from declos import dirs


class _NoLexer(Lexer):
    """Tokens come from declos/lang/lexer.py; lark never lexes.  (At module
    level: lark's cache pickles the lexer class by name.)"""

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover
        raise NotImplementedError


def build(grammar: str, builder: Any) -> tuple[dict, int, int]:
    """lark's table and callbacks for `builder`, described in the stored form."""

    def describe(callback: Any) -> tuple:
        stages: list[tuple] = []
        f = callback
        while True:
            if type(f) is ChildFilterLALR_NoPlaceholders:
                stages.append(("filter", tuple((i, bool(x), 0) for i, x in f.to_include), 0))
            elif type(f) is ChildFilterLALR:
                include = tuple((i, bool(x), n) for i, x, n in f.to_include)
                stages.append(("filter", include, f.append_none))
            elif type(f) is ExpandSingleChild:
                stages.append(("single",))
            elif getattr(f, "__self__", None) is builder:
                stages.append(("method", f.__name__))
                return tuple(stages)
            elif getattr(f, "func", None) is not None and len(f.args) == 1:
                stages.append(("tree", f.args[0]))  # partial(default_callback, name)
                return tuple(stages)
            else:
                raise TypeError(f"unexpected lark callback {f!r}")
            f = f.node_builder

    # lark's own cache of its table (keyed on the grammar and options) spares
    # building it again when only this module's entry is missing.
    cache = os.path.join(dirs.cache_dir(), "grammar.lark.cache")
    try:
        parser = Lark(grammar, parser="lalr", lexer=_NoLexer, transformer=builder, cache=cache)
    except OSError:
        parser = Lark(grammar, parser="lalr", lexer=_NoLexer, transformer=builder)
    inner = parser.parser.parser.parser
    table = inner.parse_table
    actions: dict[int, dict] = {}
    for state, row in table.states.items():
        out: dict[str, Any] = {}
        for symbol, (action, arg) in row.items():
            if action is Shift:
                out[str(symbol)] = arg
            elif len(arg.expansion) == 1 and arg.options.expand1 and not arg.alias:
                # `?rule: other`: the value passes through, only the state changes.
                out[str(symbol)] = str(arg.origin.name)
            else:
                shaping = describe(inner.callbacks[arg])
                out[str(symbol)] = (len(arg.expansion), str(arg.origin.name), shaping)
        actions[state] = out
    return actions, table.start_states["start"], table.end_states["start"]
