"""`declos options`: finding options and describing them.

Works on the result of `evaluate_configuration`: walks `options` (nested
attribute sets down to records with `_type = "option"`), adds the options of
submodule types as templates (`services.nginx.virtualHosts.<name>.root`, with
their full path however deep), and finds the options asked for by name —
declared ones, prefixes, templates, and concrete paths below submodules,
attrsOf and listOf (`resolve.py`).  Rendering is in `show.py`.

Everything is forced one option at a time, catching `DeclosError`: an option
whose record throws is listed with its error and the listing goes on.  Must
run on the evaluator's deep stack (`configuration.on_deep_stack`).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from declos.diagnostics import DeclosError
from declos.eval.evaluator import Evaluator
from declos.eval.values import Attrs, Value, force
from declos.options.explain import display_path, error_text
from declos.options.render import doc_value, render_value, text_of, try_render
from declos.options.resolve import UnknownOptionError, is_option, resolve, show_path

__all__ = [
    "OptionInfo",
    "UnknownOptionError",
    "collect_options",
    "describe_option",
    "render_value",
    "select_options",
    "show_option",
    "try_render",
]

show_option = show_path


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
    # An entry of an attrsOf/listOf option shown as an option of its own
    # (`boot.kernel.sysctl."vm.swappiness"`): the option it belongs to.
    entry_of: str | None = None
    # A template asked for by a concrete name whose entry the configuration
    # does not define: why it has no value.
    missing: str | None = None
    note: str | None = None  # what the listing could not trace
    # An entry that is a submodule: the names of its options (what to ask next).
    sub_options: tuple[str, ...] = ()


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


def describe_option(
    loc: tuple[str, ...], opt: Attrs, template: bool = False, name: str | None = None
) -> OptionInfo:
    name = name if name is not None else show_option(loc)
    try:
        type_desc = text_of(force(opt["type"]).get("description", "unspecified")) or "unspecified"
        default = None
        if "defaultText" in opt and force(opt["defaultText"]) is not None:
            default = doc_value(opt["defaultText"])
        elif "default" in opt:
            default = doc_value(opt["default"])
        example = doc_value(opt["example"]) if "example" in opt else None
        visible = force(opt["visible"]) if "visible" in opt else True
        return OptionInfo(
            name=name,
            loc=loc,
            option=opt,
            type=type_desc,
            description=text_of(opt["description"]) if "description" in opt else None,
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


def collect_options(
    ev: Evaluator, options: Value, include_internal: bool = False, sub_options: bool = True
) -> list[OptionInfo]:
    """Every option under `options`, in name order, as `OptionInfo`.

    Hidden options (`internal`, `visible = false`) are left out unless
    `include_internal`; `sub_options` adds the options of submodule types as
    templates (`users.<name>.home`), as the NixOS manual lists them, however
    deeply nested (`virtualHosts.<name>.locations.<name>.proxyPass`).
    """
    out: list[OptionInfo] = []
    _walk(ev, force(options), (), include_internal, sub_options, False, out)
    return out


def _own_loc(opt: Attrs, fallback: tuple[str, ...]) -> tuple[str, ...]:
    """An option's full path: its `loc` (set by the module system), else where it was found."""
    if "loc" in opt:
        try:
            return tuple(str(force(p)) for p in force(opt["loc"]))
        except DeclosError:
            pass
    return fallback


def _walk(
    ev: Evaluator,
    node: Attrs,
    loc: tuple[str, ...],
    include_internal: bool,
    sub_options: bool,
    template: bool,
    out: list[OptionInfo],
) -> None:
    for name in sorted(node):
        here = loc + (name,)
        try:
            v = force(node[name])
            is_opt = is_option(v)
        except DeclosError as err:
            out.append(OptionInfo(name=show_option(here), loc=here, error=error_text(err)))
            continue
        if is_opt:
            full = _own_loc(v, here)
            info = describe_option(full, v, template)
            hidden = info.internal or not info.visible
            if hidden and not include_internal:
                continue
            out.append(info)
            shallow = "visible" in v and force(v["visible"]) == "shallow"
            if sub_options and not shallow and info.error is None:
                _sub_options(ev, full, v, include_internal, out)
        elif type(v) is Attrs:
            _walk(ev, v, here, include_internal, sub_options, template, out)


def _get_sub_options(ev: Evaluator, opt: Attrs, loc: Sequence[str]) -> Value:
    """The sub-options of `opt`'s type at `loc` (its getSubOptions), or None
    when the type has none; a failing evaluation raises DeclosError."""
    ty = force(opt["type"])
    if "getSubOptions" not in ty:
        return None
    return force(ev.call(force(ty["getSubOptions"]), list(loc)))


def _sub_options(
    ev: Evaluator,
    loc: tuple[str, ...],
    opt: Attrs,
    include_internal: bool,
    out: list[OptionInfo],
) -> None:
    try:
        subs = _get_sub_options(ev, opt, loc)
    except DeclosError as err:
        out.append(
            OptionInfo(name=show_option(loc) + ".*", loc=loc, error=error_text(err), template=True)
        )
        return
    if type(subs) is Attrs and subs:
        # Sub-options carry their full path in `loc`, which `_walk` uses.
        _walk(ev, subs, loc, include_internal, True, True, out)


# --- selecting ----------------------------------------------------------------


def _split(name: str) -> tuple[str, ...]:
    from declos.eval.instantiate import split_attr_path

    return tuple(split_attr_path(name))


def select_options(
    ev: Evaluator, options: Value, infos: list[OptionInfo], names: list[str]
) -> list[OptionInfo]:
    """The options named; unknown names fail.

    A name is a declared option, a template (`users.<name>.home`), a prefix
    (every option under it, concrete ones inside a submodule entry
    included), or a concrete path (`users.alice.home`, resolved through the
    configuration's entries by `resolve`).
    """
    if not names:
        return infos
    # Templates below a plain submodule (`services.openssh.settings.X`) are
    # concrete paths too: those are resolved, to show their values.
    by_name = {i.name: i for i in infos if not i.template or any(map(_is_placeholder, i.loc))}
    out: list[OptionInfo] = []
    for name in names:
        if name in by_name:
            out.append(by_name[name])
            continue
        parts = _split(name)
        try:
            found = resolve(ev, options, parts)
        except UnknownOptionError:
            under = [i for i in infos if i.name.startswith(name + ".")]
            if under and any(_is_placeholder(p) for p in parts):
                out.extend(under)
                continue
            raise
        shown = show_option(parts)
        if found.option is not None:
            info = describe_option(parts, found.option, name=shown)
            info = attrs.evolve(info, entry_of=found.entry_of, note=found.note)
            if found.entry_of is not None:
                info = attrs.evolve(info, sub_options=_sub_option_names(ev, found.option))
            template = _match_template(infos, parts) if found.note else None
            if template is not None:  # a value alone: documented by its template
                info = attrs.evolve(
                    template,
                    name=shown,
                    loc=parts,
                    option=info.option,
                    template=False,
                    note=found.note,
                )
            out.append(info)
        elif found.tree is not None:
            under = collect_options(ev, found.tree, include_internal=True)
            out.extend(i for i in under if i.loc[-1:] != ("_module",) and "_module" not in i.loc)
        else:
            template = _match_template(infos, parts)
            if template is None:
                raise UnknownOptionError(f"the option `{shown}' does not exist: {found.missing}")
            out.append(attrs.evolve(template, name=shown, loc=parts, missing=found.missing))
    return out


def _sub_option_names(ev: Evaluator, opt: Attrs) -> tuple[str, ...]:
    try:
        subs = _get_sub_options(ev, opt, force(opt["loc"]))
    except DeclosError:
        return ()
    if subs is None:
        return ()
    return tuple(sorted(n for n in subs if not n.startswith("_")))


def _match_template(infos: list[OptionInfo], parts: tuple[str, ...]) -> OptionInfo | None:
    """`users.alice.home` matches the template `users.<name>.home`."""
    for info in infos:
        if info.template and len(info.loc) == len(parts):
            if all(a == b or _is_placeholder(b) for a, b in zip(parts, info.loc)):
                return info
    return None


def _is_placeholder(part: str) -> bool:
    return part == "*" or (part.startswith("<") and part.endswith(">"))
