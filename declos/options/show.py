"""`declos options` output: the text listing and the JSON records.

Each value and definition is forced separately (`render.try_render`): one
that fails is shown in place as `«error: …»` and the rest is still printed.
Must run on the evaluator's deep stack.
"""

from __future__ import annotations

from declos.diagnostics import DeclosError
from declos.eval.printing import format_attr_name
from declos.eval.values import force
from declos.options.explain import (
    Leaf,
    display_path,
    error_text,
    explain_definitions,
    leaf_location,
    priority_name,
)
from declos.options.introspect import OptionInfo
from declos.options.markdown import plain_roles
from declos.options.render import try_render


def definitions_of(info: OptionInfo) -> tuple[list[Leaf], str | None]:
    if info.option is None or info.template or "rawDefinitions" not in info.option:
        return [], None
    try:
        return explain_definitions(info.option), None
    except DeclosError as err:
        return [], error_text(err)


def option_value(info: OptionInfo) -> tuple[str | None, str | None]:
    """(value text, None), (None, error), or (None, None) when not defined."""
    opt = info.option
    if info.template or opt is None:
        return None, None
    try:
        if "isDefined" in opt and not force(opt["isDefined"]):
            return None, None
    except DeclosError as err:
        return None, error_text(err)
    return try_render(opt["value"], "  ")


def value_failed(info: OptionInfo) -> bool:
    """Whether the option (or its value) could not be evaluated."""
    if info.error is not None:
        return True
    if info.option is None:
        return False
    return option_value(info)[1] is not None


def _indent(text: str, pad: str) -> str:
    return "\n".join(line and pad + line for line in text.split("\n"))[len(pad) :]


def format_option(info: OptionInfo) -> str:
    lines = [info.name]
    if info.error is not None:
        lines.append(f"  error: {_indent(info.error, '    ')}")
        return "\n".join(lines) + "\n"
    lines.append(f"  type: {info.type}")
    if info.default is not None:
        lines.append(f"  default: {_indent(info.default, '    ')}")
    if info.description:
        text = plain_roles(info.description.strip())
        lines.append(f"  description: {_indent(text, '    ')}")
    if info.example is not None:
        lines.append(f"  example: {_indent(info.example, '    ')}")
    flags = [f for f, on in (("internal", info.internal), ("read-only", info.read_only)) if on]
    if flags:
        lines.append(f"  flags: {', '.join(flags)}")
    if info.entry_of is not None:
        lines.append(f"  entry of: {info.entry_of}")
    for decl in info.declarations:
        lines.append(f"  declared in: {decl}")
    if info.note is not None:
        lines.append(f"  note: {info.note}")
    if info.sub_options:
        lines.append(f"  sub-options: {', '.join(format_attr_name(n) for n in info.sub_options)}")
    if info.missing is not None:
        lines.append(f"  value: (not defined: {info.missing})")
        return "\n".join(lines) + "\n"
    if info.template:
        lines.append("  (a sub-option: one per entry of its parent)")
        return "\n".join(lines) + "\n"
    value, error = option_value(info)
    if error is not None:
        lines.append(f"  value: «error: {_indent(error, '    ')}»")
    elif value is None:
        lines.append("  value: (not defined)")
    else:
        lines.append(f"  value: {value}")
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
    if info.entry_of is not None:
        out["entryOf"] = info.entry_of
    if info.note is not None:
        out["note"] = info.note
    if info.sub_options:
        out["subOptions"] = list(info.sub_options)
    if info.missing is not None:
        out.update(isDefined=False, value=None, valueError=None, missing=info.missing)
        return out
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
