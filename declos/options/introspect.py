"""`declos options`: what each option is, where it was declared and defined.

Works on the result of `evaluate_configuration`: walks `options` (nested
attribute sets down to records with `_type = "option"`) and, for the options
asked for, renders type, default, description, example, declarations and
every definition with its priority (from `explain.explain_definitions`).

Everything is forced one option at a time, and one value at a time inside an
option, catching `DeclosError`: an option whose value throws shows the
message in place of its value, and the listing goes on.  Must run on the
evaluator's deep stack (`configuration.on_deep_stack`).
"""

from __future__ import annotations

import attrs

from declos.diagnostics import DeclosError, suggest
from declos.eval.printing import escape_string, format_attr_name, format_float
from declos.eval.values import Attrs, Closure, CtxStr, PathValue, PrimOp, PrimOpApp, force
from declos.options.explain import (
    Leaf,
    display_path,
    error_text,
    explain_definitions,
    leaf_location,
    priority_name,
)

MAX_DEPTH = 12
MAX_ITEMS = 200
WIDTH = 72


class UnknownOptionError(DeclosError):
    code = "unknown-option"


@attrs.frozen
class OptionInfo:
    """One option, rendered to text fields (values in DCL syntax)."""

    name: str
    loc: tuple[str, ...]
    option: Attrs | None = attrs.field(repr=False, default=None)
    error: str | None = None  # the option record itself could not be evaluated
    type: str = ""
    description: str | None = None
    default: str | None = None
    example: str | None = None
    declarations: tuple[str, ...] = ()
    internal: bool = False
    visible: bool = True
    read_only: bool = False
    template: bool = False  # a sub-option of a submodule type (`users.<name>.home`)
    # A template asked for by a concrete name (`users.alice.home`): that path,
    # and the configuration's `config` to read its value from.
    concrete: tuple[str, ...] | None = None
    config: object = attrs.field(repr=False, default=None)


# --- values -------------------------------------------------------------------


def render_value(v, depth: int = 0, indent: str = "") -> str:
    """A value in DCL syntax, forced as far as it is printed.

    Raises `DeclosError` when forcing fails.  Derivations show as
    `«derivation NAME»`; functions as `<LAMBDA>`/`<PRIMOP>` as Nix prints them.
    Short values stay on one line; longer ones break one item per line.
    """
    v = force(v)
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
    if depth >= MAX_DEPTH:
        return "[ … ]" if t is list else "{ … }"
    inner = indent + "  "
    if t is list:
        if not v:
            return "[ ]"
        items = [render_value(x, depth + 1, inner) for x in v[:MAX_ITEMS]]
        if len(v) > MAX_ITEMS:
            items.append(f"«{len(v) - MAX_ITEMS} more items»")
        return _layout("[", "]", items, indent)
    if t is Attrs:
        if "type" in v and _is_derivation(v):
            name = force(v["name"]) if "name" in v else "?"
            return f"«derivation {name if type(name) is str else '?'}»"
        if not v:
            return "{ }"
        names = sorted(v)
        items = [
            f"{format_attr_name(n)} = {render_value(v[n], depth + 1, inner)};"
            for n in names[:MAX_ITEMS]
        ]
        if len(names) > MAX_ITEMS:
            items.append(f"«{len(names) - MAX_ITEMS} more attributes»")
        return _layout("{", "}", items, indent)
    return f"<{t.__name__}>"  # pragma: no cover


def _is_derivation(v: Attrs) -> bool:
    t = force(v["type"])
    return type(t) is str and t == "derivation"


def _layout(open_: str, close: str, items: list[str], indent: str) -> str:
    one_line = f"{open_} {' '.join(items)} {close}"
    if len(one_line) + len(indent) <= WIDTH and "\n" not in one_line:
        return one_line
    inner = indent + "  "
    return open_ + "\n" + "".join(f"{inner}{item}\n" for item in items) + indent + close


def try_render(v, indent: str = "") -> tuple[str | None, str | None]:
    """(text, None) or (None, error message)."""
    try:
        return render_value(v, 0, indent), None
    except DeclosError as err:
        return None, error_text(err)


def _doc_value(v) -> str:
    """A default or example: literalExpression/literalMD text, else the value."""
    v = force(v)
    if type(v) is Attrs and "_type" in v and "text" in v:
        kind = force(v["_type"])
        if kind in ("literalExpression", "literalMD", "literalExample"):
            return str(force(v["text"]))
    text, error = try_render(v)
    return text if error is None else f"«error: {error}»"


# --- collecting options ---------------------------------------------------------


def _text(v) -> str | None:
    v = force(v)
    if v is None:
        return None
    if type(v) is str or type(v) is CtxStr:
        return v if type(v) is str else v.s
    if type(v) is Attrs and "text" in v:  # literalMD / mdDoc records
        return _text(v["text"])
    return render_value(v)


def show_option(loc) -> str:
    return ".".join(
        p if p == "*" or (p.startswith("<") and p.endswith(">")) else format_attr_name(p)
        for p in loc
    )


def _declarations(opt: Attrs) -> tuple[str, ...]:
    files = [str(force(f)) for f in force(opt["declarations"])] if "declarations" in opt else []
    positions = force(opt["declarationPositions"]) if "declarationPositions" in opt else []
    out = []
    by_file: dict[str, list[int]] = {}
    for p in positions:
        p = force(p)
        by_file.setdefault(str(force(p["file"])), []).append(force(p["line"]))
    for f in files:
        lines = by_file.get(f)
        shown = display_path(f)
        out.append(f"{shown}:{lines.pop(0)}" if lines else shown)
    return tuple(out)


def describe_option(loc: tuple[str, ...], opt: Attrs, template: bool = False) -> OptionInfo:
    name = show_option(loc)
    try:
        type_desc = _text(force(opt["type"]).get("description", "unspecified")) or "unspecified"
        default = None
        if "defaultText" in opt and force(opt["defaultText"]) is not None:
            default = _doc_value(opt["defaultText"])
        elif "default" in opt:
            default = _doc_value(opt["default"])
        example = _doc_value(opt["example"]) if "example" in opt else None
        visible = force(opt["visible"]) if "visible" in opt else True
        return OptionInfo(
            name=name,
            loc=loc,
            option=opt,
            type=type_desc,
            description=_text(opt["description"]) if "description" in opt else None,
            default=default,
            example=example,
            declarations=_declarations(opt),
            internal=bool(force(opt["internal"]) if "internal" in opt else False),
            visible=visible is not False,
            read_only=bool(force(opt["readOnly"]) if "readOnly" in opt else False),
            template=template,
        )
    except DeclosError as err:
        return OptionInfo(name=name, loc=loc, option=opt, error=error_text(err), template=template)


def _is_option(v) -> bool:
    return type(v) is Attrs and "_type" in v and force(v["_type"]) == "option"


def collect_options(ev, options, include_internal: bool = False, sub_options: bool = True):
    """Every option under `options`, in name order, as `OptionInfo`.

    Hidden options (`internal`, `visible = false`) are left out unless
    `include_internal`; `sub_options` adds the options of submodule types as
    templates (`users.<name>.home`), as the NixOS manual lists them.
    """
    out: list[OptionInfo] = []
    _walk(ev, force(options), (), include_internal, sub_options, False, out)
    return out


def _walk(ev, node, loc, include_internal, sub_options, template, out) -> None:
    for name in sorted(node):
        here = loc + (name,)
        try:
            v = force(node[name])
            is_opt = _is_option(v)
        except DeclosError as err:
            out.append(OptionInfo(name=show_option(here), loc=here, error=error_text(err)))
            continue
        if is_opt:
            info = describe_option(here, v, template)
            hidden = info.internal or not info.visible
            if hidden and not include_internal:
                continue
            out.append(info)
            shallow = "visible" in v and force(v["visible"]) == "shallow"
            if sub_options and not shallow and info.error is None:
                _sub_options(ev, here, v, include_internal, out)
        elif type(v) is Attrs:
            _walk(ev, v, here, include_internal, sub_options, template, out)


def _sub_options(ev, loc, opt, include_internal, out) -> None:
    try:
        ty = force(opt["type"])
        if "getSubOptions" not in ty:
            return
        subs = force(ev.call(force(ty["getSubOptions"]), list(loc)))
    except DeclosError as err:
        out.append(
            OptionInfo(name=show_option(loc) + ".*", loc=loc, error=error_text(err), template=True)
        )
        return
    if type(subs) is Attrs and subs:
        # Sub-options carry their full path in `loc`; walk them by their own names.
        collected: list[OptionInfo] = []
        _walk(ev, subs, (), include_internal, True, True, collected)
        for info in collected:
            full = _full_loc(info, loc)
            out.append(attrs.evolve(info, loc=full, name=show_option(full), template=True))


def _full_loc(info: OptionInfo, parent: tuple[str, ...]) -> tuple[str, ...]:
    if info.option is not None and "loc" in info.option:
        try:
            return tuple(str(force(p)) for p in force(info.option["loc"]))
        except DeclosError:
            pass
    return parent + info.loc


# --- selecting ----------------------------------------------------------------


def select_options(infos: list[OptionInfo], names: list[str]) -> list[OptionInfo]:
    """The options named (or everything under a named prefix); unknown names fail."""
    if not names:
        return infos
    by_name = {i.name: i for i in infos}
    out: list[OptionInfo] = []
    for name in names:
        if name in by_name:
            out.append(by_name[name])
            continue
        under = [i for i in infos if i.name.startswith(name + ".")]
        if under:
            out.extend(under)
            continue
        template = _match_template(infos, name)
        if template is not None:
            out.append(template)
            continue
        err = UnknownOptionError(f"the option `{name}' does not exist")
        err.suggestions = [f"`{s}'" for s in suggest(name, by_name)]
        raise err
    return out


def _match_template(infos, name: str):
    """`users.alice.home` matches the template `users.<name>.home`."""
    from declos.eval.instantiate import _split_attr_path

    parts = tuple(_split_attr_path(name))
    for info in infos:
        if info.template and len(info.loc) == len(parts):
            if all(a == b or _is_placeholder(b) for a, b in zip(parts, info.loc)):
                return attrs.evolve(info, name=show_option(parts), concrete=parts)
    return None


def _is_placeholder(part: str) -> bool:
    return part == "*" or (part.startswith("<") and part.endswith(">"))


# --- text and JSON ----------------------------------------------------------------


def definitions_of(info: OptionInfo) -> tuple[list[Leaf], str | None]:
    if info.option is None or info.template or "rawDefinitions" not in info.option:
        return [], None
    try:
        return explain_definitions(info.option), None
    except DeclosError as err:
        return [], error_text(err)


def option_value(info: OptionInfo) -> tuple[str | None, str | None]:
    """(value text, None), (None, error), or (None, None) when not defined."""
    if info.template:
        return _concrete_value(info) if info.concrete and info.config is not None else (None, None)
    opt = info.option
    try:
        if "isDefined" in opt and not force(opt["isDefined"]):
            return None, None
    except DeclosError as err:
        return None, error_text(err)
    return try_render(opt["value"], "  ")


def _concrete_value(info: OptionInfo) -> tuple[str | None, str | None]:
    try:
        v = force(info.config)
        for part in info.concrete:
            if type(v) is not Attrs or part not in v:
                return None, f"`{info.name}' is not defined (no `{part}')"
            v = force(v[part])
    except DeclosError as err:
        return None, error_text(err)
    return try_render(v, "  ")


def value_failed(info: OptionInfo) -> bool:
    """Whether the option (or its value) could not be evaluated."""
    if info.error is not None:
        return True
    if info.option is None:
        return False
    return option_value(info)[1] is not None


def _indent(text: str, pad: str) -> str:
    return text.replace("\n", "\n" + pad)


def format_option(info: OptionInfo) -> str:
    lines = [info.name]
    if info.error is not None:
        lines.append(f"  error: {_indent(info.error, '    ')}")
        return "\n".join(lines) + "\n"
    lines.append(f"  type: {info.type}")
    if info.default is not None:
        lines.append(f"  default: {_indent(info.default, '    ')}")
    if info.description:
        lines.append(f"  description: {_indent(info.description.strip(), '    ')}")
    if info.example is not None:
        lines.append(f"  example: {_indent(info.example, '    ')}")
    flags = [f for f, on in (("internal", info.internal), ("read-only", info.read_only)) if on]
    if flags:
        lines.append(f"  flags: {', '.join(flags)}")
    for decl in info.declarations:
        lines.append(f"  declared in: {decl}")
    if info.template and info.concrete is None:
        lines.append("  (a sub-option: one per entry of its parent)")
        return "\n".join(lines) + "\n"
    value, error = option_value(info)
    if error is not None:
        lines.append(f"  value: «error: {_indent(error, '    ')}»")
    elif value is None:
        lines.append("  value: (not defined)")
    else:
        lines.append(f"  value: {value}")
    if info.template:
        parent = next(i for i, p in enumerate(info.loc) if _is_placeholder(p))
        where = show_option(info.concrete[:parent])
        lines.append(f"  definitions: see `declos options CONFIG {where} --explain'")
        return "\n".join(lines) + "\n"
    leaves, error = definitions_of(info)
    shown = [x for x in leaves if not x.is_default and not x.dropped]
    if error is not None:
        lines.append(f"  definitions: «error: {error}»")
    elif shown:
        lines.append("  definitions:")
        for leaf in shown:
            lines.append("    " + _definition_line(leaf))
    return "\n".join(lines) + "\n"


def _definition_line(leaf: Leaf) -> str:
    where = leaf_location(leaf)
    if leaf.error is not None:
        return f"{where}: «error: {_indent(leaf.error, '      ')}»"
    prio = f"priority {leaf.priority} ({priority_name(leaf.priority, leaf.is_default)})"
    note = "" if leaf.verdict.startswith("used") else ", " + leaf.verdict
    text, error = try_render(leaf.value, "      ")
    shown = text if error is None else f"«error: {error}»"
    return f"{where} [{prio}{note}]: {shown}"


def format_options(infos: list[OptionInfo]) -> str:
    return "\n".join(format_option(i) for i in infos)


def option_json(info: OptionInfo) -> dict:
    out: dict = {"name": info.name, "loc": list(info.loc)}
    if info.error is not None:
        out["error"] = info.error
        return out
    out.update(
        type=info.type,
        description=info.description,
        default=info.default,
        example=info.example,
        declarations=list(info.declarations),
        internal=info.internal,
        visible=info.visible,
        readOnly=info.read_only,
        template=info.template,
    )
    if info.template:
        return out
    value, error = option_value(info)
    out.update(isDefined=value is not None or error is not None, value=value, valueError=error)
    leaves, error = definitions_of(info)
    out["definitions"] = [leaf_json(x) for x in leaves if not x.is_default and not x.dropped]
    if error is not None:
        out["definitionsError"] = error
    return out


def leaf_json(leaf: Leaf) -> dict:
    text, error = (None, None) if leaf.dropped or leaf.error else try_render(leaf.value)
    return {
        "file": display_path(leaf.file),
        "line": leaf.line,
        "priority": leaf.priority,
        "priorityName": priority_name(leaf.priority, leaf.is_default) if leaf.priority else None,
        "order": leaf.order,
        "value": text,
        "valueError": error,
        "error": leaf.error,
        "verdict": leaf.verdict,
    }
