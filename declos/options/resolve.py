"""Concrete option paths: `services.nginx.virtualHosts."example.org".locations."/".proxyPass`.

The `options` tree of a configuration holds the options declared at the top
level; below an option whose type is a submodule, attrsOf or listOf, the
options exist once per entry of its value.  `resolve` walks a path as
`nixos-option` does, but into the entries the configuration really has:

- a name in the options tree goes down the tree;
- at an option, the walk goes on in its type with its definitions (those its
  `merge` received, `definitionsWithLocations`): attrsOf takes the entry's
  definitions (each with its file and line), listOf the entry at a 0-based
  index, nullOr/unique/either/coercedTo go on in the element type, and a
  submodule is evaluated as its merge evaluates it (resolve.dcl), whose
  `options` are real option records with concrete `loc`, declarations,
  definitions and values, so everything `declos options` shows works there
  (`--explain` included);
- an attrsOf/listOf entry asked for itself (`boot.kernel.sysctl."vm.swappiness"`)
  becomes an option record of its own: the element type, the definitions
  that made the entry, the parent's declarations.

An entry the configuration does not have is not an error: the option is
shown from its template (`locations.<name>.proxyPass`) as not defined,
saying which entry is missing and which exist.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NoReturn, final

import attrs

from declos.diagnostics import DeclosError, Source, suggest
from declos.eval.evaluator import Evaluator
from declos.eval.printing import format_attr_name
from declos.eval.values import Attrs, Value, force, settle

HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resolve.dcl")
_ATTRS_TYPES = ("attrsOf", "lazyAttrsOf", "attrsWith")
_SAME_DEFS_TYPES = ("unique", "uniq")


class UnknownOptionError(DeclosError):
    code = "unknown-option"


@final  # so that `type(step) is Resolved` narrows both ways
@attrs.frozen
class Resolved:
    """Where a path leads: an option record, or a set of options (a prefix).

    `entry_of` names the option an attrsOf/listOf entry belongs to; `missing`
    says why there is no value (an entry the configuration does not define),
    in which case `option` is None and the caller shows the template.
    """

    parts: tuple[str, ...]
    option: Attrs | None = attrs.field(default=None, repr=False)
    tree: Attrs | None = attrs.field(default=None, repr=False)
    entry_of: str | None = None
    missing: str | None = None
    note: str | None = None  # what could not be traced (definitions of a coerced value)


def show_path(parts: Sequence[str]) -> str:
    """An option path as written on the command line (`a."b.c".d`)."""
    return ".".join(
        p if p == "*" or p.isdigit() or (p[:1], p[-1:]) == ("<", ">") else format_attr_name(p)
        for p in parts
    )


def helpers(ev: Evaluator) -> Attrs:
    """resolve.dcl applied to `<declos/lib>` (once per evaluator)."""
    cached = getattr(ev, "_declos_resolve_helpers", None)
    if cached is None:
        text = f"import {HELPERS} {{ lib = import <declos/lib>; }}"
        cached = force(ev.eval_source(Source(None, text, os.getcwd(), "«declos resolve»")))
        setattr(ev, "_declos_resolve_helpers", cached)  # noqa: B010 (not an Evaluator field)
    return cached


def is_option(v: Value) -> bool:
    """Whether `v` (forced here) is an option record (`_type = "option"`)."""
    v = force(v)
    return type(v) is Attrs and "_type" in v and force(v["_type"]) == "option"


def _call(ev: Evaluator, fn_name: str, *args: Value) -> Value:
    fn = force(helpers(ev)[fn_name])
    for a in args:
        fn = force(ev.call(fn, a))
    return fn


def resolve(ev: Evaluator, options: Value, parts: tuple[str, ...]) -> Resolved:
    """Follow `parts` from the `options` tree; raise UnknownOptionError if it leads nowhere."""
    node = force(options)
    for i, part in enumerate(parts):
        if is_option(node):
            return _in_option(ev, node, parts, i)
        node = settle(node)
        if type(node) is not Attrs or part not in node:
            raise _unknown(parts, i, sorted(node) if type(node) is Attrs else [])
        node = force(node[part])
    if is_option(node):
        return Resolved(parts, option=node)
    return Resolved(parts, tree=node)


def _in_option(ev: Evaluator, opt: Attrs, parts: tuple[str, ...], i: int) -> Resolved:
    """Go on below option `opt` at parts[i:], through its type."""
    loc = list(force(opt["loc"]))
    ty = force(opt["type"])
    defs = force(opt["definitionsWithLocations"])
    owner = opt
    while True:
        name = force(ty["name"])
        if name == "submodule":
            configuration = _call(ev, "submodule", loc, ty, defs)
            return _in_tree(ev, configuration, loc, defs, parts, i, owner)
        nested = force(ty["nestedTypes"]) if "nestedTypes" in ty else Attrs()
        if name in _ATTRS_TYPES or name == "listOf":
            elem = force(nested["elemType"])
            step = (_attrs_entry if name != "listOf" else _list_entry)(
                ev, loc, elem, defs, parts, i
            )
            if type(step) is Resolved:
                return step
            loc, raw = step
            ty, i = elem, i + 1
            if i == len(parts):  # the entry itself
                option = _call(ev, "entryOption", loc, ty, raw, owner)
                return Resolved(parts, option=option, entry_of=show_path(parts[: i - 1]))
            defs = force(force(_call(ev, "mergeDefinitions", loc, ty, raw))["defsFinal"])
            continue
        inner = None
        if name in _SAME_DEFS_TYPES or name == "nullOr":
            if name == "nullOr" and defs and all(force(force(d)["value"]) is None for d in defs):
                return _no_attribute(parts, i, "null")
            inner = nested.get("elemType")
        elif name == "either":
            inner = _call(ev, "eitherBranch", ty, defs)
        elif name == "coercedTo":
            inner = _call(ev, "coercedBranch", ty, defs)
        if inner is None or force(inner) is None:
            if name == "coercedTo":
                return _coerced_value(ev, loc, ty, defs, parts, i, owner)
            return _no_attribute(parts, i, force(ty["description"]))
        ty = force(inner)


def _attrs_entry(
    ev: Evaluator, loc: list[str], elem: Attrs, defs: Value, parts: tuple[str, ...], i: int
) -> Resolved | tuple[list[str], Value]:
    """attrsOf: (the entry's loc, its definitions), or a Resolved saying it is missing."""
    key = parts[i]
    entry = force(_call(ev, "entryDefs", defs, key))
    if not entry:
        names = [str(force(n)) for n in force(_call(ev, "entryNames", defs))]
        return _missing(parts, i, names)
    return loc + [key], entry


def _list_entry(
    ev: Evaluator, loc: list[str], elem: Attrs, defs: Value, parts: tuple[str, ...], i: int
) -> tuple[list[str], Value]:
    """listOf: (the entry's loc, its definition) at a 0-based index."""
    entries = force(_call(ev, "listEntries", loc, elem, defs))
    index = parts[i]
    if not index.isdigit() or int(index) >= len(entries):
        what = f"has {len(entries)} entries" if entries else "is empty"
        raise UnknownOptionError(
            f"the option `{show_path(parts)}' does not exist: `{show_path(parts[:i])}' "
            f"is a list that {what}; give an index from 0"
        )
    entry = force(entries[int(index)])
    return list(force(entry["loc"])), force(entry["defs"])


def _coerced_value(
    ev: Evaluator,
    loc: list[str],
    ty: Attrs,
    defs: Value,
    parts: tuple[str, ...],
    i: int,
    owner: Attrs,
) -> Resolved:
    """Below a coercedTo whose definitions were coerced: the merged value, walked."""
    merged = force(_call(ev, "mergeDefinitions", loc, ty, defs))
    value = force(merged["mergedValue"])
    for j in range(i, len(parts)):
        value = settle(value)
        if type(value) is not Attrs or parts[j] not in value:
            return _no_attribute(parts, j, "value without it")
        value = value[parts[j]]
    record = _call(ev, "valueOption", loc + list(parts[i:]), value, owner)
    note = (
        f"`{show_path(parts[:i])}' is {_article(force(ty['description']))} "
        f"{force(ty['description'])} and was converted: its definitions are not traced"
    )
    return Resolved(parts, option=record, note=note)


def _in_tree(
    ev: Evaluator,
    configuration: Attrs,
    loc: list[str],
    defs: Value,
    parts: tuple[str, ...],
    i: int,
    owner: Attrs,
) -> Resolved:
    """Go on in a submodule's concrete configuration."""
    node = force(configuration["options"])
    start = i
    while i < len(parts):
        if is_option(node):
            return _in_option(ev, node, parts, i)
        part = parts[i]
        if part not in node:
            if i == start:
                freeform = _freeform(ev, configuration, loc + [part], defs, parts, i, owner)
                if freeform is not None:
                    return freeform
            raise _unknown(parts, i, sorted(n for n in node if n != "_module"))
        node = force(node[part])
        i += 1
    if is_option(node):
        return Resolved(parts, option=node)
    return Resolved(parts, tree=node)


def _freeform(
    ev: Evaluator,
    configuration: Attrs,
    loc: list[str],
    defs: Value,
    parts: tuple[str, ...],
    i: int,
    owner: Attrs,
) -> Resolved | None:
    """An attribute of a submodule with a freeformType (`settings.X11Forwarding`).

    Its definitions are the attribute in the submodule's definitions that are
    attribute sets (as `{ settings.X = 1; }` writes it); one made by a module
    function inside the submodule is shown with its value only.
    """
    module = force(configuration["_module"])
    freeform = force(module["freeformType"]) if "freeformType" in module else None
    if freeform is None:
        return None
    config = force(configuration["config"])
    if parts[i] not in config:
        return None
    ty = force(freeform)
    nested = force(ty["nestedTypes"]) if "nestedTypes" in ty else Attrs()
    elem = force(nested["elemType"]) if "elemType" in nested else ty
    if i + 1 != len(parts):
        return _no_attribute(parts, i + 1, force(elem["description"]))
    entry_of = show_path(parts[:i]) + " (freeform)"
    raw = force(_call(ev, "entryDefs", defs, parts[i]))
    if raw:
        record = _call(ev, "entryOption", loc, elem, raw, owner)
        return Resolved(parts, option=record, entry_of=entry_of)
    record = _call(ev, "valueOption", loc, config[parts[i]], owner)
    note = "defined inside a module function: its definitions are not traced"
    return Resolved(parts, option=record, entry_of=entry_of, note=note)


def _missing(parts: tuple[str, ...], i: int, names: list[str]) -> Resolved:
    have = ", ".join(format_attr_name(n) for n in sorted(names)[:12]) if names else "none"
    reason = f"`{show_path(parts[:i])}' has no entry {format_attr_name(parts[i])} (entries: {have})"
    dotted = [j for j in range(len(parts), i + 1, -1) if ".".join(parts[i:j]) in names]
    close = suggest(parts[i], names)
    if dotted:  # `virtualHosts.example.org.root` for `virtualHosts."example.org".root`
        j = dotted[0]
        quoted = show_path(parts[:i] + (".".join(parts[i:j]),) + parts[j:])
        reason += f"; a name with dots is quoted: {quoted}"
    elif close:
        reason += f"; did you mean {format_attr_name(close[0])}?"
    return Resolved(parts, missing=reason)


def _no_attribute(parts: tuple[str, ...], i: int, what: str) -> NoReturn:
    raise UnknownOptionError(
        f"the option `{show_path(parts)}' does not exist: `{show_path(parts[:i])}' is "
        f"{_article(what)} {what}, it has no `{parts[i]}'"
    )


def _article(what: str) -> str:
    return "an" if what[:1].lower() in "aeiou" else "a"


def _unknown(parts: tuple[str, ...], i: int, names: list[str]) -> UnknownOptionError:
    err = UnknownOptionError(f"the option `{show_path(parts)}' does not exist")
    err.suggestions = [f"`{show_path(parts[:i] + (s,))}'" for s in suggest(parts[i], names)]
    return err
