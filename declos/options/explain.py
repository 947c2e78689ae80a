"""Why an option has its value: the raw definitions walked as `mergeDefinitions` does.

`evalOptionValue` keeps `rawDefinitions`, the definitions as written (the
option default first, as `mkOptionDefault`), still wrapped in the property
records `{ _type = "if" | "merge" | "override" | "order"; … }`.  This module
replays what the module system does with them, in Python, recording each
step: `mkMerge` is flattened and `mkIf` decided (`dischargeProperties`), the
lowest priority number wins (`filterOverrides`), `mkOrder` sorts the winners
(`sortProperties`, stable).  Example: `mkMerge [ 1 (mkIf false 2) (mkForce 3) ]`
gives three leaves — `1` overridden by priority 50, `2` dropped by a false
mkIf, `3` used.

Conditions and values are forced one at a time, each failure kept with its
leaf, so one bad definition never hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import attrs

from declos.diagnostics import DeclosError, Span
from declos.dirs import lib_root, modules_dir
from declos.eval.values import Attrs, Thunk, Value, force

DEFAULT_OVERRIDE = 100
DEFAULT_ORDER = 1000
OPTION_DEFAULT = 1500

PRIORITY_NAMES = {
    10: "mkVMOverride",
    50: "mkForce",
    60: "mkImageMediaOverride",
    100: "plain definition",
    1000: "mkDefault",
    1500: "mkOptionDefault",
}
ORDER_NAMES = {500: "mkBefore", 1000: "default order", 1500: "mkAfter"}

_LIB_DIR = os.path.join(lib_root(), "lib", "")


@attrs.frozen
class Condition:
    """One `mkIf` on the way to a leaf: its source text (when known) and value."""

    text: str | None
    location: str | None
    value: bool | None  # None when it failed or was not a Boolean
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is True


@attrs.frozen
class Leaf:
    """One definition after `mkMerge` and `mkIf` were taken apart."""

    index: int  # which raw definition it came from
    file: str
    line: int | None
    is_default: bool
    path: tuple[str, ...]  # e.g. ("mkMerge[1]", "mkIf")
    conditions: tuple[Condition, ...]
    priority: int | None  # None when dropped before priorities apply
    order: int | None
    value: object  # the value (or thunk) with override/order stripped
    dropped: bool = False  # by a false mkIf
    error: str | None = None  # failure while taking the wrappers apart
    verdict: str = ""
    position: int | None = None  # 1-based place among the used leaves


def error_text(err: DeclosError) -> str:
    """An error's message, with the position it names when it has one."""
    text = err.message
    if err.span is not None:
        text += f" (at {display_location(err.span)})"
    return text


def display_path(path: str) -> str:
    """A file name as shown in listings: relative to the working directory if under it."""
    path = str(path)
    if path.startswith(_LIB_DIR):
        return "<declos/lib>/" + path[len(_LIB_DIR) :]
    modules = os.path.join(modules_dir(), "")
    if path.startswith(modules):
        return "<declos/modules>/" + path[len(modules) :]
    cwd = os.getcwd() + os.sep
    return path[len(cwd) :] if path.startswith(cwd) else path


def display_location(span: Span) -> str:
    line, col = span.line_col
    name = span.source.path or span.source.name
    return f"{display_path(name)}:{line}:{col}"


def _record_type(v: Value) -> str | None:
    if type(v) is Attrs and "_type" in v:
        t = force(v["_type"])
        return t if type(t) is str else None
    return None


def _condition_span(cond: Value) -> Span | None:
    """The source of an mkIf condition, looking through the copies that
    `pushDownProperties` makes (`mkIf cfg.condition v` in lib/modules.dcl)."""
    t = cond
    for _ in range(8):
        if type(t) is not Thunk or t.span is None:
            return None
        span = t.span
        if not (span.source.path or "").startswith(_LIB_DIR):
            return span
        if t.forced or t.env is None:
            return None
        found = None
        env, depth = t.env, 0
        while type(env) is list and depth < 8 and found is None:
            for slot in env[1:]:
                v = slot.value if type(slot) is Thunk and slot.forced else slot
                if type(v) is Attrs and _record_type(v) == "if" and v.get("condition") is not t:
                    found = v["condition"]
                    break
            env, depth = (env[0] if env else None), depth + 1
        if found is None:
            return None
        t = found
    return None


def _condition(cond: Value) -> Condition:
    span = _condition_span(cond)
    text = span.source.text[span.start : span.end] if span is not None else None
    if text is not None and "\n" in text:
        text = " ".join(text.split())
    if text is not None and not any(c.isalnum() for c in text):
        text = None  # the span of `a == b` is its operator: show the location only
    location = display_location(span) if span is not None else None
    try:
        value = force(cond)
    except DeclosError as err:
        return Condition(text, location, None, error_text(err))
    if type(value) is not bool:
        return Condition(text, location, None, "mkIf called with a non-Boolean condition")
    return Condition(text, location, value)


def _leaves(
    value: Value,
    path: tuple[str, ...],
    conditions: tuple[Condition, ...],
    out: list[dict[str, Any]],
    base: dict[str, Any],
) -> None:
    """dischargeProperties, remembering the way down."""
    try:
        v = force(value)
        kind = _record_type(v)
    except DeclosError as err:
        out.append(dict(base, path=path, conditions=conditions, value=None, error=error_text(err)))
        return
    if kind == "merge":
        try:
            contents = force(v["contents"])
        except DeclosError as err:
            out.append(
                dict(base, path=path, conditions=conditions, value=None, error=error_text(err))
            )
            return
        for i, item in enumerate(contents):
            _leaves(item, path + (f"mkMerge[{i}]",), conditions, out, base)
        return
    if kind == "if":
        cond = _condition(v["condition"])
        conditions = conditions + (cond,)
        if not cond.ok:
            error = None if cond.error is None else f"in the mkIf condition: {cond.error}"
            out.append(
                dict(
                    base,
                    path=path + ("mkIf",),
                    conditions=conditions,
                    value=None,
                    error=error,
                    dropped=error is None,
                )
            )
            return
        _leaves(v["content"], path + ("mkIf",), conditions, out, base)
        return
    if kind == "definition":
        base = dict(base, file=str(force(v["file"])), line=None)
        _leaves(v["value"], path + ("mkDefinition",), conditions, out, base)
        return
    out.append(dict(base, path=path, conditions=conditions, value=v, error=None))


def _priority_and_order(v: Value) -> tuple[int, int | None, object]:
    """filterOverrides' then sortProperties on one leaf: (priority, order, value)."""
    priority = DEFAULT_OVERRIDE
    if _record_type(v) == "override":
        priority = force(v["priority"])
        v = force(v["content"])
    order = None
    if _record_type(v) == "order":
        order = force(v["priority"])
        v = v["content"]
    return priority, order, v


def explain_definitions(option: Attrs) -> list[Leaf]:
    """Every leaf of every raw definition of `option`, each with its verdict."""
    raw = force(option["rawDefinitions"])
    has_default = "default" in option
    default_line = None
    if has_default and "declarationPositions" in option:
        positions = force(option["declarationPositions"])
        if positions:
            default_line = force(force(positions[0])["line"])
    found: list[dict] = []
    for index, item in enumerate(raw):
        d = force(item)
        line = force(d["line"]) if "line" in d else None
        if has_default and index == 0:
            line = default_line
        base = {
            "index": index,
            "file": str(force(d["file"])),
            "line": line,
            "is_default": has_default and index == 0,
        }
        _leaves(d["value"], (), (), found, base)
    leaves = []
    for f in found:
        priority = order = None
        value, error = f["value"], f["error"]
        if error is None and not f.get("dropped"):
            try:
                priority, order, value = _priority_and_order(value)
            except DeclosError as err:
                error = error_text(err)
        leaves.append(Leaf(priority=priority, order=order, **dict(f, value=value, error=error)))
    return _verdicts(leaves)


def _verdicts(leaves: list[Leaf]) -> list[Leaf]:
    live = [x for x in leaves if not x.dropped and x.error is None]
    best = min((x.priority for x in live if x.priority is not None), default=None)
    used = [x for x in live if x.priority == best]
    ordered = any(x.order is not None for x in used)
    if ordered:
        used = sorted(used, key=lambda x: DEFAULT_ORDER if x.order is None else x.order)
    place = {id(x): i + 1 for i, x in enumerate(used)}
    out = []
    for leaf in leaves:
        if leaf.error is not None:
            verdict = "error: " + leaf.error
        elif leaf.dropped:
            verdict = "dropped: an mkIf condition is false"
        elif leaf.priority != best:
            verdict = f"overridden by priority {best} ({priority_name(best)})"
        elif len(used) > 1:
            verdict = f"used, merged at position {place[id(leaf)]} of {len(used)}"
        else:
            verdict = "used"
        position = place.get(id(leaf)) if len(used) > 1 else None
        out.append(attrs.evolve(leaf, verdict=verdict, position=position))
    return out


def priority_name(priority: int | None, is_default: bool = False) -> str:
    if is_default and priority == OPTION_DEFAULT:
        return "option default"
    if priority is None:
        return "none"
    return PRIORITY_NAMES.get(priority, "mkOverride")


def order_name(order: int | None) -> str:
    if order is None:
        return ORDER_NAMES[DEFAULT_ORDER]
    return ORDER_NAMES.get(order, "mkOrder")


def leaf_location(leaf: Leaf) -> str:
    where = display_path(leaf.file)
    return f"{where}:{leaf.line}" if leaf.line is not None else where


def format_explain(
    name: str, value: str | None, value_error: str | None, leaves: Sequence[Leaf]
) -> str:
    """The `--explain` text: the value, then every definition with its verdict."""
    from declos.options.render import try_render

    lines = [name]
    if value_error is not None:
        lines.append(f"  value: «error: {value_error}»")
    else:
        lines.append(f"  value: {value if value is not None else '(not defined)'}")
    used = [x for x in leaves if x.verdict.startswith("used")]
    if used:
        best = used[0].priority
        lines.append(f"  winning priority: {best} ({priority_name(best, used[0].is_default)})")
    lines.append(f"  definitions ({len(leaves)}):")
    for n, leaf in enumerate(leaves, 1):
        what = "option default" if leaf.is_default else "definition"
        lines.append(f"  {n}. {leaf_location(leaf)} ({what})")
        if leaf.path:
            lines.append(f"     via: {' > '.join(leaf.path)}")
        for cond in leaf.conditions:
            lines.append("     " + _condition_line(cond))
        if leaf.priority is not None:
            lines.append(
                f"     priority: {leaf.priority} ({priority_name(leaf.priority, leaf.is_default)})"
            )
            if leaf.order is not None:
                lines.append(f"     order: {leaf.order} ({order_name(leaf.order)})")
        if not leaf.dropped and leaf.error is None:
            text, error = try_render(leaf.value, "       ")
            lines.append(f"     value: {text if error is None else '«error: ' + error + '»'}")
        lines.append(f"     verdict: {leaf.verdict}")
    return "\n".join(lines) + "\n"


def _condition_line(cond: Condition) -> str:
    text = f"mkIf {cond.text}" if cond.text else "mkIf"
    if cond.location:
        text += f" (at {cond.location})"
    if cond.error is not None:
        return f"{text}: «error: {cond.error}»"
    return f"{text}: {'true' if cond.value else 'false'}"


def explain_json(
    name: str, value: str | None, value_error: str | None, leaves: Sequence[Leaf]
) -> dict[str, Any]:
    from declos.options.show import leaf_json

    out: dict[str, Any] = {
        "name": name,
        "value": value,
        "valueError": value_error,
        "definitions": [],
    }
    for leaf in leaves:
        d = leaf_json(leaf)
        d.update(
            isDefault=leaf.is_default,
            via=list(leaf.path),
            orderName=order_name(leaf.order) if leaf.order is not None else None,
            position=leaf.position,
            dropped=leaf.dropped,
            conditions=[
                {
                    "text": c.text,
                    "location": c.location,
                    "value": c.value,
                    "error": c.error,
                }
                for c in leaf.conditions
            ],
        )
        out["definitions"].append(d)
    return out
