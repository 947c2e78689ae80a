"""String context builtins.

A context element is a string, as in Nix's internal encoding: a plain store
path (`/nix/store/...-src`), `=<drvPath>` for a derivation with all its
outputs (`drvPath` of `derivation`), or `!<output>!<drvPath>` for one output.
`getContext` shows them as `{ <path> = { path = true; allOutputs = true;
outputs = [ ... ]; }; }`.
"""

from __future__ import annotations

from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    force,
    force_attrs,
    force_bool,
    force_list,
    force_string,
    force_string_text,
)
from declos.eval.errors import EvalError
from declos.eval.values import Attrs, CtxStr, Value, make_string


def _ctx(v: Value) -> frozenset:
    return v.context if type(v) is CtxStr else frozenset()


def _text(v: Value) -> str:
    return v if type(v) is str else v.s


def decode(elem: str) -> tuple[str, str, str | None]:
    """(kind, path, output): kind is "path", "all" or "output"."""
    if elem[0] == "=":
        return "all", elem[1:], None
    if elem[0] == "!":
        _, output, path = elem.split("!", 2)
        return "output", path, output
    return "path", elem, None


@builtin("hasContext", ("s",))
def has_context(ev, s):
    return bool(_ctx(force_string(s, arg_ctx(0, "hasContext"))))


@builtin("unsafeDiscardStringContext", ("s",))
def unsafe_discard_string_context(ev, s):
    return _text(force_string(s, arg_ctx(0, "unsafeDiscardStringContext")))


@builtin("unsafeDiscardOutputDependency", ("s",))
def unsafe_discard_output_dependency(ev, s):
    v = force_string(s, arg_ctx(0, "unsafeDiscardOutputDependency"))
    ctx = _ctx(v)
    if not ctx:
        return v
    return make_string(_text(v), {e[1:] if e[0] == "=" else e for e in ctx})


@builtin("addDrvOutputDependencies", ("s",))
def add_drv_output_dependencies(ev, s):
    v = force_string(s, arg_ctx(0, "addDrvOutputDependencies"))
    ctx = _ctx(v)
    if len(ctx) != 1:
        raise EvalError(
            f"context of string '{_text(v)}' must have exactly one element, but has {len(ctx)}"
        )
    (elem,) = ctx
    kind, path, output = decode(elem)
    if kind == "output":
        raise EvalError(
            f"`addDrvOutputDependencies` can only act on derivations, not on a derivation "
            f"output such as '{output}'"
        )
    if kind == "all":
        return v
    if not path.endswith(".drv"):
        raise EvalError(f"path '{path}' is not a derivation")
    return CtxStr(_text(v), frozenset(("=" + path,)))


@builtin("getContext", ("s",))
def get_context(ev, s):
    v = force_string(s, arg_ctx(0, "getContext"))
    info: dict[str, dict] = {}
    for elem in sorted(_ctx(v), key=lambda e: (decode(e)[1], decode(e)[2] or "")):
        kind, path, output = decode(elem)
        entry = info.setdefault(path, {})
        if kind == "path":
            entry["path"] = True
        elif kind == "all":
            entry["allOutputs"] = True
        else:
            entry.setdefault("outputs", []).append(output)
    out = Attrs()
    for path in info:
        out[path] = Attrs(info[path])
    return out


@builtin("appendContext", ("s", "context"))
def append_context(ev, s, context):
    v = force_string(s, arg_ctx(0, "appendContext"))
    attrs = force_attrs(context, arg_ctx(1, "appendContext"))
    ctx = set(_ctx(v))
    store_dir = ev.store.store_dir if ev.store is not None else "/nix/store"
    for name in attrs:
        if not name.startswith(store_dir.rstrip("/") + "/"):
            raise EvalError(f"context key '{name}' is not a store path")
        info = force_attrs(attrs[name], "while evaluating the value of a string context")
        if "path" in info and force_bool(
            info["path"], "while evaluating the `path` attribute of a string context"
        ):
            ctx.add(name)
        if "allOutputs" in info and force_bool(
            info["allOutputs"], "while evaluating the `allOutputs` attribute of a string context"
        ):
            if not name.endswith(".drv"):
                raise EvalError(
                    f"tried to add all-outputs context of {name}, which is not a derivation, "
                    "to a string"
                )
            ctx.add("=" + name)
        if "outputs" in info:
            outputs = force_list(
                info["outputs"], "while evaluating the `outputs` attribute of a string context"
            )
            if outputs and not name.endswith(".drv"):
                raise EvalError(
                    f"tried to add derivation output context of {name}, which is not a "
                    "derivation, to a string"
                )
            for o in outputs:
                out = force_string_text(
                    o, "while evaluating an output name within a string context"
                )
                ctx.add(f"!{out}!{name}")
    return make_string(_text(v), ctx)


__all__ = ["force"]
