"""Builtins, one module per family; `install` builds the `builtins` set.

The family modules are imported explicitly here, register their functions
in `registry`, and the set is built once per evaluator.  Names that Nix also
binds globally (`map`, `toString`, `import`, …) are in `GLOBAL_NAMES`; every
builtin is reachable as `__name` too, as in Nix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Every family, imported for its registrations; a family that fails to import
# fails `import declos.eval.builtins` (no family is optional).
from declos.eval.builtins import (  # noqa: F401 - imported for registration
    arith,
    attrsets,
    context,
    control,
    hashing,
    json,
    lists,
    misc,
    modsys,
    modsys_collect,
    modsys_level,
    modsys_merge,
    modsys_options,
    modsys_types,
    paths,
    regex,
    searchpath,
    strings,
    toml,
    types,
    versions,
    xml,
)
from declos.eval.builtins.registry import ACCELERATORS, BUILTINS, CONSTANTS, GLOBAL_NAMES
from declos.eval.values import Attrs, Thunk

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


def install(ev: Evaluator) -> None:
    """Fill `ev.globals` with `builtins`, the global names and `__name` aliases."""
    b = Attrs()
    skip = ACCELERATORS if ev.reference_modules else ()
    for name, prim in BUILTINS.items():
        if name not in skip:
            b[name] = prim
    for name, fn in CONSTANTS.items():
        b[name] = Thunk(lambda _env, fn=fn: fn(ev), None)
    b["builtins"] = b
    g = ev.globals
    g["builtins"] = b
    g["true"] = True
    g["false"] = False
    g["null"] = None
    for name in b:
        if name != "builtins":
            g["__" + name] = b[name]
    for name in GLOBAL_NAMES:
        g[name] = b[name]
