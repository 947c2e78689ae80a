"""`declos eval CONFIG -A config.networking.hostName`: a configuration module under -A.

NixOS users read a configuration's values with `nix-instantiate '<nixpkgs/nixos>'
-A config.networking.hostName` (or `nixos-option`): the file is a module and
`config`, `options` and `pkgs` are those of the evaluated system.  The rule:

- `declos eval FILE -A PATH` where every PATH starts with `config`,
  `options` or `pkgs`, and FILE's value is a module — a function with a
  formal set that has `...` or takes one of the module arguments (`config`,
  `options`, `lib`, `pkgs`, `modulesPath`) without a default, or an
  attribute set whose names are all module keywords (`imports`, `options`,
  `config`, `_file`, `key`, `disabledModules`, `meta`, `freeformType`,
  `_class`) — evaluates FILE as `declos options` and `declos build` do (with
  the module library) and selects PATH in `{ config; options; pkgs; }`
  (`pkgs` is `config._module.args.pkgs`).  Output flags (`--strict`,
  `--json`, `--xml`) apply as usual; `--arg`/`--argstr` are refused there,
  as a module takes no arguments from the command line.
- Anything else is nix-instantiate's: a set that is not a module (an
  evalModules result, a shorthand `{ networking.hostName = …; }` — Nix
  would not see a module there either), a function without module
  arguments, `-E`, or an -A path with another first name.
"""

from __future__ import annotations

import os

from declos.diagnostics import DeclosError
from declos.eval.evaluator import Evaluator
from declos.eval.instantiate import (
    EvalRequest,
    evaluate_input,
    render_result,
    run_eval,
    select_attr_path,
    split_attr_path,
)
from declos.eval.values import Attrs, Closure, Thunk, Value, force
from declos.options.configuration import (
    config_file_path,
    configuration_pkgs,
    evaluate_configuration,
)

ROOTS = ("config", "options", "pkgs")
MODULE_ARGS = frozenset(("config", "options", "lib", "pkgs", "modulesPath"))
MODULE_KEYS = frozenset(
    (
        "imports",
        "options",
        "config",
        "_file",
        "key",
        "disabledModules",
        "meta",
        "freeformType",
        "_class",
    )
)


class ModuleArgumentsError(DeclosError):
    code = "usage"


def is_module(value: Value) -> bool:
    """Whether FILE's value is a configuration module (the rule above)."""
    value = force(value)
    if type(value) is Closure:
        code = value.code
        if code.formals is None:
            return False
        return code.ellipsis or any(n in MODULE_ARGS and d is None for n, d in code.formals)
    if type(value) is Attrs:
        return bool(value) and all(name in MODULE_KEYS for name in value)
    return False


def run_eval_or_configuration(req: EvalRequest, ev: Evaluator) -> str:
    """`run_eval`, or the configuration's values when FILE is a module (see above)."""
    if req.file is None or not req.attr_paths:
        return run_eval(req, ev)
    if any(split_attr_path(p)[0] not in ROOTS for p in req.attr_paths):
        try:
            return run_eval(req, ev)
        except DeclosError as err:
            # `-A networking.hostName` on a module: say what was meant.
            if not req.args and not err.suggestions and _file_is_module(ev, req.file):
                err.suggestions = [f"`config.{p}'" for p in req.attr_paths]
            raise
    path = config_file_path(req.file) if os.path.isdir(req.file) else req.file
    value, _ = evaluate_input(ev, path, None, ())
    if not is_module(value):
        return run_eval(req, ev)
    if req.args:
        raise ModuleArgumentsError(
            f"'{req.file}' is a configuration module: --arg and --argstr do not apply "
            "(set values in the configuration, or select outside config/options/pkgs)"
        )
    _, result = evaluate_configuration(path, evaluator=ev)
    top = Attrs(
        {
            "config": result["config"],
            "options": result["options"],
            "pkgs": Thunk(lambda _env: configuration_pkgs(result), None),
        }
    )
    out = []
    for attr_path in req.attr_paths:
        v = select_attr_path(ev, top, attr_path, Attrs())
        out.append(render_result(ev, v, req))
    return "".join(out)


def _file_is_module(ev: Evaluator, file: str) -> bool:
    try:
        return is_module(evaluate_input(ev, file, None, ())[0])
    except DeclosError:
        return False
