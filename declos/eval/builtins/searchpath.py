"""`<name/sub>` lookups: `builtins.nixPath` and `builtins.findFile`.

The search path comes from `-I` flags, then `DECLOS_PATH` (colon-separated,
like NIX_PATH); entries are `prefix=path` or a plain directory.
"""

from __future__ import annotations

import os

from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    constant,
    force_attrs,
    force_list,
    force_string_text,
)
from declos.eval.errors import EvalError
from declos.eval.values import Attrs, PathValue


def parse_search_path(entries: list[str]) -> list[tuple[str, str]]:
    out = []
    for entry in entries:
        if not entry:
            continue
        prefix, sep, path = entry.partition("=")
        if not sep:
            prefix, path = "", entry
        out.append((prefix, path))
    return out


@constant("nixPath")
def nix_path(ev):
    return [Attrs({"prefix": prefix, "path": path}) for prefix, path in ev.search_path_entries()]


@builtin("findFile", ("search path", "lookup path"))
def find_file(ev, search_path, lookup):
    entries = force_list(search_path, arg_ctx(0, "findFile"))
    name = force_string_text(lookup, arg_ctx(1, "findFile"))
    for item in entries:
        a = force_attrs(item, "while evaluating an element of the list passed to builtins.findFile")
        prefix = (
            force_string_text(
                a["prefix"],
                "while evaluating the `prefix` attribute of an element of the list passed to builtins.findFile",
            )
            if "prefix" in a
            else ""
        )
        if "path" not in a:
            raise EvalError("attribute 'path' missing")
        path = force_string_text(
            a["path"],
            "while evaluating the `path` attribute of an element of the list passed to builtins.findFile",
        )
        if prefix:
            if name == prefix:
                rest = ""
            elif name.startswith(prefix + "/"):
                rest = name[len(prefix) + 1 :]
            else:
                continue
        else:
            rest = name
        candidate = os.path.join(path, rest) if rest else path
        ev.reads.append(("exists", candidate))
        if os.path.exists(candidate):
            found = os.path.abspath(candidate)
            ev.check_path(found)  # as Nix: a path found is still checked
            return PathValue(found)
    raise EvalError(
        f"file '{name}' was not found in the search path (add it using $DECLOS_PATH or -I)"
    )
