"""Control builtins: throw, abort, tryEval, seq, deepSeq, trace, import, errors."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    coerce_string,
    constant,
    force,
    force_attrs,
    force_string_text,
)
from declos.eval.errors import AbortError, EvalError, ThrownError
from declos.eval.printing import print_value
from declos.eval.values import Attrs, PathValue, Value

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


@builtin("throw", ("message",), global_=True)
def throw(ev, message):
    text, _ = coerce_string(
        ev, message, "while evaluating the error message passed to builtin.throw"
    )
    raise ThrownError(text)


@builtin("abort", ("message",), global_=True)
def abort(ev, message):
    text, _ = coerce_string(
        ev, message, "while evaluating the error message passed to builtins.abort"
    )
    raise AbortError(f"evaluation aborted with the following error message: '{text}'")


@builtin("tryEval", ("e",))
def try_eval(ev, e):
    try:
        value = force(e)
    except EvalError as err:
        if not err.catchable:
            raise
        return Attrs({"success": False, "value": False})
    return Attrs({"success": True, "value": value})


@builtin("seq", ("e1", "e2"))
def seq(ev, e1, e2):
    force(e1)
    return force(e2)


@builtin("deepSeq", ("e1", "e2"))
def deep_seq(ev, e1, e2):
    ev.force_deep(e1)
    return force(e2)


@builtin("trace", ("e1", "e2"))
def trace(ev, e1, e2):
    v = force(e1)
    sys.stderr.write(f"trace: {print_value(v) if type(v) is not str else v}\n")
    return force(e2)


class AbortOnWarnError(EvalError):
    """`--option abort-on-warn true`: not catchable by tryEval (as Nix)."""

    code = "abort-on-warn"
    locatable = False


@builtin("warn", ("msg", "e"))
def warn(ev, msg, e):
    text = force_string_text(
        msg, "while evaluating the first argument; the message passed to builtins.warn"
    )
    sys.stderr.write(f"evaluation warning: {text}\n")
    if ev.settings.abort_on_warn:
        raise AbortOnWarnError("aborting to reveal stack trace of warning, as abort-on-warn is set")
    return force(e)


@builtin("traceVerbose", ("e1", "e2"))
def trace_verbose(ev, e1, e2):
    return force(e2)


@builtin("addErrorContext", ("context", "e"))
def add_error_context(ev, context, e):
    try:
        return force(e)
    except EvalError as err:
        text, _ = coerce_string(ev, context)
        err.add_frame(None, text)
        raise


@builtin("break", ("v",), global_=True)
def break_(ev, v):
    return force(v)


@builtin("import", ("path",), global_=True)
def import_(ev, path):
    return ev.import_file(_import_path(ev, path, "import"))


@builtin("scopedImport", ("scope", "path"), global_=True)
def scoped_import(ev, scope, path):
    attrs = force_attrs(scope, arg_ctx(0, "scopedImport"))
    return ev.import_file(_import_path(ev, path, "scopedImport"), attrs)


def _import_path(ev: Evaluator, path: Value, name: str) -> str:
    v = force(path)
    if type(v) is Attrs and "outPath" in v:
        v = force(v["outPath"])
    if type(v) is PathValue:
        return v.path
    return ev.path_of(v, f"while evaluating the first argument passed to builtins.{name}")


@builtin("getEnv", ("name",))
def get_env(ev, name):
    key = force_string_text(name, arg_ctx(0, "getEnv"))
    if ev.settings.restricted:  # as Nix, with restrict-eval as with pure-eval
        return ""
    ev.reads.append(("env", key))
    return ev.environ.get(key, "")


@constant("currentSystem")
def current_system(ev):
    import platform

    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    return f"{machine}-{sys.platform if sys.platform != 'linux' else 'linux'}"


@constant("currentTime")
def current_time(ev):
    import time

    return int(time.time())


@constant("nixVersion")
def nix_version(ev):
    return "2.24.0"


@constant("langVersion")
def lang_version(ev):
    return 6


@constant("storeDir")
def store_dir(ev):
    if ev.store is not None:
        return ev.store.store_dir
    return "/nix/store"


@constant("false", global_=True)
def false_(ev):
    return False


@constant("true", global_=True)
def true_(ev):
    return True


@constant("null", global_=True)
def null_(ev):
    return None


for _name in (
    "fetchTarball",
    "fetchurl",
    "fetchGit",
    "fetchTree",
    "fetchMercurial",
    "fetchClosure",
):

    def _no_network(ev, args, _name=_name):
        raise EvalError(
            f"builtins.{_name} is not available: declos evaluates without network access"
        )

    builtin(
        _name,
        ("args",),
        global_=_name in ("fetchTarball", "fetchGit", "fetchMercurial", "fetchTree"),
    )(_no_network)
