"""What `declos eval` does, as `nix-instantiate --eval` does it.

Evaluate a file or expression; call a resulting function with `--arg`s
(auto-calling, as Nix does); select `-A` attribute paths; print in Nix
syntax, JSON or XML.  Kept out of the CLI so that tests can call it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import attrs

from declos.diagnostics import Source
from declos.eval.errors import EvalError
from declos.eval.evaluator import Evaluator
from declos.eval.printing import print_value
from declos.eval.values import (
    Attrs,
    Closure,
    LazyAttrs,
    Thunk,
    Value,
    force,
    lazy_get,
    lazy_has,
    settle,
    show_type,
)


@attrs.frozen
class EvalRequest:
    file: str | None = None
    expr: str | None = None
    attr_paths: tuple[str, ...] = ()
    args: tuple[tuple[str, str, bool], ...] = ()  # (name, text, is_expr)
    strict: bool = False
    output: str = "nix"  # nix | json | xml
    search_path: tuple[str, ...] = ()


def auto_call(ev: Evaluator, fn: Value, auto_args: Attrs) -> Value:
    """Call a function with formals on the `--arg`s it names (Nix's autoCallFunction)."""
    fn = force(fn)
    if type(fn) is Attrs and "__functor" in fn:
        inner = force(ev.call(force(fn["__functor"]), fn))
        if type(inner) is Closure and inner.code.formals is not None:
            return force(ev.call(inner, _auto_args_for(inner, auto_args)))
        return fn
    if type(fn) is not Closure or fn.code.formals is None:
        return fn
    return force(ev.call(fn, _auto_args_for(fn, auto_args)))


def _auto_args_for(fn: Closure, auto_args: Attrs) -> Attrs:
    if fn.code.ellipsis:
        return auto_args
    return Attrs({name: auto_args[name] for name, _ in fn.code.formals if name in auto_args})


def select_attr_path(ev: Evaluator, v: Value, path: str, auto_args: Attrs) -> Value:
    """`-A a.b.0.c`: attribute names, or list indices where the value is a list."""
    if path == "":
        return v
    for part in split_attr_path(path):
        v = auto_call(ev, v, auto_args)
        if type(v) is list and part.isdigit():
            i = int(part)
            if i >= len(v):
                raise EvalError(f"list index {i} in selection path '{path}' is out of range")
            v = force(v[i])
            continue
        if type(v) is LazyAttrs and lazy_has(v, part):
            v = force(lazy_get(v, part))
            continue
        v = settle(v)
        if type(v) is not Attrs:
            raise EvalError(
                f"the expression selected by the selection path '{path}' should be a set "
                f"but is {show_type(v)}"
            )
        if part not in v:
            raise EvalError(f"attribute '{part}' in selection path '{path}' not found")
        v = force(v[part])
    return v


def split_attr_path(path: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in path:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def evaluate_input(
    ev: Evaluator, file: str | None, expr: str | None, args: Iterable[tuple[str, str, bool]]
) -> tuple[Value, Attrs]:
    """The value of FILE or `-E EXPR`, and the `--arg`/`--argstr` values as a set.

    `args` holds (name, text, is_expr); expressions are evaluated lazily, in
    the current directory, as nix-instantiate does.
    """
    auto_args = Attrs()
    for name, text, is_expr in args:
        if is_expr:
            source = Source(None, text, os.getcwd(), "«string»")
            auto_args[name] = Thunk(lambda _e, source=source: ev.eval_source(source), None)
        else:
            auto_args[name] = text
    if expr is not None:
        value = ev.eval_source(Source(None, expr, os.getcwd(), "«string»"))
    elif file is None:
        raise EvalError("nothing to evaluate: give a file or an expression")
    else:
        # With restrict-eval, the file's own directory may be read (Nix
        # would allow only the search path: declos allows what it was asked
        # to evaluate, as it does a configuration's directory).
        ev.allow_path(os.path.dirname(os.path.abspath(file)))
        value = ev.import_file(os.path.abspath(file))
    return value, auto_args


def run_eval(req: EvalRequest, evaluator: Evaluator | None = None) -> str:
    """Evaluate as requested and return the text to print (with its newline)."""
    ev = evaluator or Evaluator(search_path=list(req.search_path))
    value, auto_args = evaluate_input(ev, req.file, req.expr, req.args)
    results = []
    for path in req.attr_paths or ("",):
        v = select_attr_path(ev, value, path, auto_args)
        v = auto_call(ev, v, auto_args)
        results.append(render_result(ev, v, req))
    return "".join(results)


def render_result(ev: Evaluator, v: Value, req: EvalRequest) -> str:
    if req.output == "json":
        from declos.eval.builtins.json import to_json_text

        return to_json_text(ev, v) + "\n"
    if req.output == "xml":
        from declos.eval.builtins.xml import to_xml_text

        if req.strict:
            ev.force_deep(v)
        return to_xml_text(ev, v, strict=req.strict)
    if req.strict:
        ev.force_deep(v)
    return print_value(v) + "\n"
