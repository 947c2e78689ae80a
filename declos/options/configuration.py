"""Evaluating a system configuration: one file plus the shared module library.

`evaluate_configuration` is what `declos options`, `declos docs` and the
system commands (build, switch) start from.  It evaluates

    (import <declos/lib>).evalModules {
      modules = [ CONFIG ] ++ extraModules ++ baseModules;
      specialArgs = { modulesPath = …; };
    }

where `baseModules` is the list in `<declos/modules/module-list.dcl>` when
that file exists (none otherwise).  `<declos/modules>` is the project's
top-level `modules/` directory: it is put on the evaluator's built-in search
path ahead of `<declos>` (unless already there), so `-I declos/modules=DIR`
and `DECLOS_PATH` entries, which come first, can replace it.

CONFIG is passed as a path, so its definitions carry its file name (and
line) in error messages and in `declos options`.  Nothing here reads the file
system beyond the modules evaluated; the store, if any, comes with the
evaluator the caller hands in.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar, TypeVarTuple

from declos.diagnostics import DeclosError, Source
from declos.dirs import MODULES_PREFIX, library_search_path, modules_dir
from declos.eval.deep import run_deep
from declos.eval.errors import EvalError
from declos.eval.evaluator import Evaluator
from declos.eval.values import Attrs, PathValue, Value, force

MODULE_LIST = "declos/modules/module-list.dcl"
# Host files the module library reads at evaluation, allowed with
# restrict-eval: the zone files (time.timeZone is checked against them) and
# the program directories where `checkConfigFile` looks for a checker.  None
# holds secrets.
LIBRARY_HOST_PATHS = (
    "/usr/share/zoneinfo",
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
)

_EVAL_MODULES = """\
{ configFile, extraModules, moduleList, modulesPath }:
(import <declos/lib>).evalModules {
  modules = [ configFile ] ++ extraModules
    ++ (if moduleList == null then [ ] else import moduleList);
  specialArgs = { inherit modulesPath; };
}
"""


class ConfigurationError(DeclosError):
    """The configuration file itself cannot be used (missing, not a file)."""

    code = "configuration"


_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")


def on_deep_stack(fn: Callable[[*_Ts], _T], *args: *_Ts) -> _T:
    """Run `fn` on the evaluator's deep stack (once: nested calls run in place)."""
    if threading.current_thread().name == "declos-eval":
        return fn(*args)
    return run_deep(fn, *args)


def _modules_entry(ev: Evaluator) -> str:
    """The built-in `declos/modules` search path entry, added if the evaluator
    has none (`Evaluator.builtin_search_path` may already define it)."""
    for prefix, path in ev.builtin_search_path:
        if prefix == MODULES_PREFIX:
            return path
    ev.builtin_search_path.insert(0, (MODULES_PREFIX, modules_dir()))
    return modules_dir()


def find_module_list(ev: Evaluator) -> str | None:
    """The path of `<declos/modules/module-list.dcl>`, or None when there is none."""
    for prefix, path in ev.search_path_entries():
        if not prefix:
            rest = MODULE_LIST
        elif MODULE_LIST.startswith(prefix + "/"):
            rest = MODULE_LIST[len(prefix) + 1 :]
        else:
            continue
        candidate = os.path.join(path, rest)
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def config_file_path(config_path: str) -> str:
    """The file a configuration argument names: the file itself, or a directory's
    default.dcl / default.nix / configuration.dcl / configuration.nix."""
    path = os.path.abspath(config_path)
    if not os.path.exists(path):
        raise ConfigurationError(f"configuration file '{config_path}' does not exist")
    if os.path.isdir(path):
        for name in ("default.dcl", "default.nix", "configuration.dcl", "configuration.nix"):
            if os.path.isfile(os.path.join(path, name)):
                return os.path.join(path, name)
        raise ConfigurationError(
            f"configuration directory '{config_path}' has no default.dcl or configuration.dcl"
        )
    return path


def _module_value(item: Value) -> Value:
    """An extra module: a file name becomes a path value, anything else is a DCL value."""
    if isinstance(item, str):
        return PathValue(os.path.abspath(item))
    return item


def evaluate_configuration(
    config_path: str,
    search_path: Sequence[str] = (),
    extra_modules: Sequence[Value] = (),
    evaluator: Evaluator | None = None,
) -> tuple[Evaluator, Attrs]:
    """Evaluate CONFIG with the module library; return the evaluator and the result.

    The result is evalModules' attribute set `{ config; options; _module; … }`
    in weak head normal form: options and values are computed when read.
    `evaluator` lets the caller supply one with a store installed (the CLI
    does); otherwise a plain one on `search_path` is made.
    """
    path = config_file_path(config_path)
    if evaluator is None:
        evaluator = Evaluator(search_path=list(search_path), library=library_search_path())
    ev = evaluator
    # With restrict-eval: the configuration's directory, and the host data
    # the module library reads (the search path, which holds the library,
    # is always allowed).
    ev.allow_path(os.path.dirname(path))
    for host_path in LIBRARY_HOST_PATHS:
        ev.allow_path(host_path)
    default_modules = _modules_entry(ev)
    module_list = find_module_list(ev)
    modules_path = os.path.dirname(module_list) if module_list else default_modules
    args = Attrs(
        {
            "configFile": PathValue(path),
            "extraModules": [_module_value(m) for m in extra_modules],
            "moduleList": PathValue(module_list) if module_list else None,
            "modulesPath": PathValue(modules_path),
        }
    )

    def run() -> Attrs:
        fn = ev.eval_source(Source(None, _EVAL_MODULES, os.getcwd(), "«declos configuration»"))
        result = force(ev.call(force(fn), args))
        if type(result) is not Attrs:  # pragma: no cover - evalModules returns a set
            raise EvalError("evalModules did not return an attribute set")
        return result

    return ev, on_deep_stack(run)


def configuration_pkgs(result: Attrs) -> Value:
    """`_module.args.pkgs` of an evaluated configuration: the `pkgs` that
    `declos repl` and `declos eval FILE -A pkgs.…` offer."""
    args = force(force(result["_module"])["args"])
    if "pkgs" not in args:
        raise EvalError("the configuration has no `pkgs' (no module sets _module.args.pkgs)")
    return force(args["pkgs"])
