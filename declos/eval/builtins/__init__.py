"""Builtins, one module per family; `install` builds the `builtins` set.

The family modules are imported explicitly here, register their functions
in `registry`, and the set is built once per evaluator.  Names that Nix also
binds globally (`map`, `toString`, `import`, …) are in `GLOBAL_NAMES`; every
builtin is reachable as `__name` too, as in Nix.
"""

from __future__ import annotations

from declos.eval.builtins import (  # noqa: F401 - imported for registration
    arith,
    attrsets,
    control,
    lists,
    searchpath,
    strings,
    types,
)
from declos.eval.builtins.registry import ACCELERATORS, BUILTINS, CONSTANTS, GLOBAL_NAMES
from declos.eval.values import Attrs, Thunk

_OPTIONAL_FAMILIES = (
    "declos.eval.builtins.json",
    "declos.eval.builtins.regex",
    "declos.eval.builtins.versions",
    "declos.eval.builtins.hashing",
    "declos.eval.builtins.paths",
    "declos.eval.builtins.xml",
    "declos.eval.builtins.toml",
    "declos.eval.builtins.context",
    "declos.eval.builtins.misc",
    "declos.eval.builtins.modsys",
    "declos.eval.builtins.modsys_merge",
)


def _load_families() -> None:
    import importlib

    for name in _OPTIONAL_FAMILIES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise


_load_families()


def install(ev) -> None:
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
