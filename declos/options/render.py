"""Values as `declos options`, `--explain` and `declos repl` print them: DCL syntax.

`render_value` forces what it prints, as far as `max_depth` (deeper sets and
lists print as `{ … }`/`[ … ]`, as `nix repl` prints them without `:p`).
Short values stay on one line; longer ones break one item per line.
Derivations print as `«derivation NAME»`, functions as `<LAMBDA>`/`<PRIMOP>`
as Nix prints them.  Must run on the evaluator's deep stack.
"""

from __future__ import annotations

from declos.diagnostics import DeclosError
from declos.eval.ops import is_derivation
from declos.eval.printing import escape_string, format_attr_name, format_float
from declos.eval.values import (
    Attrs,
    Closure,
    CtxStr,
    PathValue,
    PrimOp,
    PrimOpApp,
    Value,
    force,
    settle,
)
from declos.options.explain import error_text

MAX_DEPTH = 12
MAX_ITEMS = 200
WIDTH = 72


def render_value(
    v: Value,
    depth: int = 0,
    indent: str = "",
    max_depth: int = MAX_DEPTH,
    inline_errors: bool = False,
) -> str:
    """A value in DCL syntax, forced as far as it is printed.

    Raises `DeclosError` when forcing fails, or with `inline_errors` (the
    repl) prints `«error: …»` in place of an item that fails.
    """
    if inline_errors and depth > 0:
        try:
            v = force(v)
        except DeclosError as err:
            return f"«error: {error_text(err)}»"
    v = settle(force(v))
    t = type(v)
    if t is str or t is CtxStr:
        s = v if t is str else v.s
        return escape_string(s)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return format_float(v)
    if v is None:
        return "null"
    if t is PathValue:
        return v.path
    if t is Closure:
        return "<LAMBDA>"
    if t is PrimOp:
        return "<PRIMOP>"
    if t is PrimOpApp:
        return "<PRIMOP-APP>"
    if t is Attrs and "_type" in v and depth < max_depth:
        shown = _property(v, depth, indent, max_depth, inline_errors)
        if shown is not None:
            return shown
    if t is Attrs and "type" in v and _is_derivation(v):
        name = force(v["name"]) if "name" in v else "?"
        return f"«derivation {name if type(name) is str else '?'}»"
    if depth >= max_depth:
        if t is list:
            return "[ ]" if not v else "[ … ]"
        return "{ }" if not v else "{ … }"
    inner = indent + "  "
    if t is list:
        if not v:
            return "[ ]"
        items = [render_value(x, depth + 1, inner, max_depth, inline_errors) for x in v[:MAX_ITEMS]]
        if len(v) > MAX_ITEMS:
            items.append(f"«{len(v) - MAX_ITEMS} more items»")
        return _layout("[", "]", items, indent)
    if t is Attrs:
        if not v:
            return "{ }"
        names = sorted(v)
        items = [
            f"{format_attr_name(n)} = {render_value(v[n], depth + 1, inner, max_depth, inline_errors)};"
            for n in names[:MAX_ITEMS]
        ]
        if len(names) > MAX_ITEMS:
            items.append(f"«{len(names) - MAX_ITEMS} more attributes»")
        return _layout("{", "}", items, indent)
    return f"<{t.__name__}>"  # pragma: no cover


_OVERRIDES = {10: "mkVMOverride", 50: "mkForce", 1000: "mkDefault", 1500: "mkOptionDefault"}
_ORDERS = {500: "mkBefore", 1500: "mkAfter"}
# A property with a priority: its named priorities, and the function for any other.
_PRIORITIES = {"override": (_OVERRIDES, "mkOverride"), "order": (_ORDERS, "mkOrder")}


def _property(v: Attrs, depth: int, indent: str, max_depth: int, inline_errors: bool) -> str | None:
    """A definition's property record as written: `mkForce 10`, `mkIf c { … }`."""
    kind = force(v["_type"])
    keys = set(v)

    def sub(x: Value) -> str:
        text = render_value(x, depth + 1, indent, max_depth, inline_errors)
        return f"({text})" if " " in text and text[:1] not in '{["' else text

    if kind in _PRIORITIES and keys == {"_type", "priority", "content"}:
        names, generic = _PRIORITIES[kind]
        prio = force(v["priority"])
        name = names.get(prio) if type(prio) is int else None
        head = name if name else f"{generic} {prio}"
        return f"{head} {sub(v['content'])}"
    if kind == "if" and keys == {"_type", "condition", "content"}:
        return f"mkIf {sub(v['condition'])} {sub(v['content'])}"
    if kind == "merge" and keys == {"_type", "contents"}:
        return f"mkMerge {sub(v['contents'])}"
    return None


def _is_derivation(v: Attrs) -> bool:
    """`is_derivation`, a `type` that fails to evaluate making it no derivation."""
    try:
        return is_derivation(v)
    except DeclosError:
        return False


def _layout(open_: str, close: str, items: list[str], indent: str) -> str:
    one_line = f"{open_} {' '.join(items)} {close}"
    if len(one_line) + len(indent) <= WIDTH and "\n" not in one_line:
        return one_line
    inner = indent + "  "
    return open_ + "\n" + "".join(f"{inner}{item}\n" for item in items) + indent + close


def try_render(v: Value, indent: str = "") -> tuple[str | None, str | None]:
    """(text, None) or (None, error message)."""
    try:
        return render_value(v, 0, indent), None
    except DeclosError as err:
        return None, error_text(err)


def doc_value(v: Value) -> str:
    """A default or example: literalExpression/literalMD text, else the value."""
    v = force(v)
    if type(v) is Attrs and "_type" in v and "text" in v:
        kind = force(v["_type"])
        if kind in ("literalExpression", "literalMD", "literalExample"):
            return str(force(v["text"]))
    text, error = try_render(v)
    return text if text is not None else f"«error: {error}»"


def text_of(v: Value) -> str | None:
    """A description: a string, the text of a literalMD/mdDoc record, or null."""
    v = force(v)
    if v is None:
        return None
    if type(v) is str:
        return v
    if type(v) is CtxStr:
        return v.s
    if type(v) is Attrs and "text" in v:
        return text_of(v["text"])
    return render_value(v)
