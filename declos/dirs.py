"""Where declos' own files are and where it keeps its cache: the one place that knows.

- `lib_root()`: the directory `<declos/...>` names, so that `<declos/lib>`
  is the DCL library and module system (`declos/options/lib`).
- `modules_dir()`: the module library, `<declos/modules/...>`.
- `library_search_path()`: both as the built-in search path entries that the
  evaluator is handed (`Evaluator(library=...)`); the evaluator itself knows
  no directory of declos.
- `cache_dir()`: `$DECLOS_CACHE_DIR`, else `$XDG_CACHE_HOME/declos`, else
  `~/.cache/declos`; the parse cache (`parse/`), generated code (`code/`),
  lark's tables and the host package indexes live under it.

It imports nothing of declos, so every package may use it, as it may use
`declos.diagnostics`.  Nothing here creates a directory.
"""

from __future__ import annotations

import os

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
MODULES_PREFIX = "declos/modules"
LIB_PREFIX = "declos"


def lib_root() -> str:
    """`declos/options`: `<declos/lib>` is its `lib/`."""
    return os.path.join(PACKAGE_DIR, "options")


def modules_dir() -> str:
    """The module library: the `declos.modules` data package of an installed
    declos (setup.py maps the top-level `modules/` there), else the
    checkout's top-level `modules/` next to `declos/`."""
    installed = os.path.join(PACKAGE_DIR, "modules")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(PACKAGE_DIR), "modules")


def library_search_path() -> list[tuple[str, str]]:
    """The built-in search path entries, searched after `-I` and `DECLOS_PATH`."""
    return [(MODULES_PREFIX, modules_dir()), (LIB_PREFIX, lib_root())]


def cache_dir() -> str:
    """declos' cache directory (it may not exist yet)."""
    root = os.environ.get("DECLOS_CACHE_DIR")
    if root:
        return root
    xdg = os.environ.get("XDG_CACHE_HOME")
    return os.path.join(xdg, "declos") if xdg else os.path.expanduser("~/.cache/declos")
