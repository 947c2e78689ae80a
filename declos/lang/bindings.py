"""Merging the bindings of one attribute set or `let`, as Nix's parser does.

`{ a.b = 1; a.c = 2; }` defines one attribute `a` holding `{ b = 1; c = 2; }`;
`{ a = { b = 1; }; a.c = 2; }` merges too, while `{ a = 1; a = 2; }` is the
parse error "attribute 'a' already defined at …".  The parser calls
`merge_bindings` to report those errors; the compiler calls it again to get
the nested structure it compiles.
"""

from __future__ import annotations

from typing import Any

import attrs

from declos.diagnostics import ParseError, Span
from declos.lang import ast

VALUE, INHERIT, INHERIT_FROM = "value", "inherit", "inherit-from"


@attrs.define(slots=True, eq=False)
class Entry:
    """One attribute: `value` is an Expr, or a `MergedAttrs` for nested paths.

    For INHERIT_FROM, `value` is the index into `MergedAttrs.inherit_sources`.
    """

    kind: str
    value: Any  # an Expr, a MergedAttrs, or an int (INHERIT_FROM)
    span: Span | None


@attrs.define(slots=True, eq=False)
class MergedAttrs:
    recursive: bool
    static: dict[str, Entry] = attrs.Factory(dict)
    dynamic: list[tuple[ast.Expr, object, Span | None]] = attrs.Factory(list)
    inherit_sources: list[ast.Expr] = attrs.Factory(list)
    span: Span | None = None


def _where(span: Span | None) -> str:
    return span.location() if span is not None else "«unknown»"


def _dup(path: str, span: Span | None, prev: Span | None) -> ParseError:
    return ParseError(f"attribute '{path}' already defined at {_where(prev)}", span)


def _show_path(path: tuple) -> str:
    return ".".join(p if isinstance(p, str) else '"${...}"' for p in path)


def merge_bindings(
    bindings: tuple, recursive: bool, span: Span | None = None, in_let: bool = False
) -> MergedAttrs:
    root = MergedAttrs(recursive, span=span)
    for bind in bindings:
        if isinstance(bind, ast.Inherit):
            source_index = None
            if bind.source is not None:
                source_index = len(root.inherit_sources)
                root.inherit_sources.append(bind.source)
            spans = bind.name_spans or (bind.span,) * len(bind.names)
            for name, name_span in zip(bind.names, spans):
                if name in root.static:
                    raise _dup(name, name_span, root.static[name].span)
                if source_index is None:
                    root.static[name] = Entry(INHERIT, ast.Var(name, span=name_span), name_span)
                else:
                    root.static[name] = Entry(INHERIT_FROM, source_index, name_span)
            continue
        _add(root, bind, in_let)
    return root


def _add(root: MergedAttrs, bind: ast.Binding, in_let: bool) -> None:
    path = bind.path
    span = bind.span
    target = root
    for part in path[:-1]:
        if isinstance(part, str):
            entry = target.static.get(part)
            if entry is None:
                nested = MergedAttrs(False, span=span)
                target.static[part] = Entry(VALUE, nested, span)
                target = nested
            elif entry.kind == VALUE and isinstance(entry.value, MergedAttrs):
                target = entry.value
            elif entry.kind == VALUE and isinstance(entry.value, ast.AttrSet):
                entry.value = merge_bindings(
                    entry.value.bindings, entry.value.recursive, entry.value.span
                )
                target = entry.value
            else:
                raise _dup(_show_path(path), span, entry.span)
        else:
            if in_let and target is root:
                raise ParseError("dynamic attributes not allowed in let", span)
            nested = MergedAttrs(False, span=span)
            target.dynamic.append((part, nested, span))
            target = nested
    last = path[-1]
    value = bind.value
    if not isinstance(last, str):
        if in_let and target is root:
            raise ParseError("dynamic attributes not allowed in let", span)
        target.dynamic.append((last, value, span))
        return
    entry = target.static.get(last)
    if entry is None:
        target.static[last] = Entry(VALUE, value, span)
        return
    existing = entry.value
    if (
        entry.kind == VALUE
        and isinstance(existing, ast.AttrSet | MergedAttrs)
        and isinstance(value, ast.AttrSet)
    ):
        if isinstance(existing, ast.AttrSet):
            existing = entry.value = merge_bindings(
                existing.bindings, existing.recursive, existing.span
            )
        incoming = merge_bindings(value.bindings, value.recursive, value.span)
        for name, sub in incoming.static.items():
            if name in existing.static:
                raise _dup(name, sub.span, existing.static[name].span)
            if sub.kind == INHERIT_FROM:
                sub = Entry(INHERIT_FROM, sub.value + len(existing.inherit_sources), sub.span)
            existing.static[name] = sub
        existing.inherit_sources.extend(incoming.inherit_sources)
        existing.dynamic.extend(incoming.dynamic)
        return
    raise _dup(_show_path(path), span, entry.span)
