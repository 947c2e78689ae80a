"""Compile-time scopes: resolving a name to (depth, slot) once, before evaluation.

At run time an environment is a Python list `[parent, slot1, slot2, …]`; a
`with` frame is `[parent, attrs_thunk]`.  A name bound lexically anywhere
wins over every enclosing `with`, as in Nix; a name bound nowhere lexically
is looked up in the enclosing `with` sets, innermost first, at run time.
"""

from __future__ import annotations

import attrs


@attrs.define(slots=True, eq=False)
class Scope:
    parent: Scope | None
    names: dict[str, int]
    is_with: bool = False

    def child(self, names: list[str]) -> Scope:
        return Scope(self, {name: i + 1 for i, name in enumerate(names)})

    def with_child(self) -> Scope:
        return Scope(self, {}, is_with=True)


@attrs.frozen(slots=True)
class Resolved:
    """Where a name lives: lexical (depth, slot), or the `with` depths to search."""

    depth: int | None
    slot: int | None
    with_depths: tuple[int, ...]


def resolve(scope: Scope | None, name: str) -> Resolved | None:
    depth = 0
    withs: list[int] = []
    s = scope
    while s is not None:
        if s.is_with:
            withs.append(depth)
        else:
            slot = s.names.get(name)
            if slot is not None:
                return Resolved(depth, slot, ())
        depth += 1
        s = s.parent
    if withs:
        return Resolved(None, None, tuple(withs))
    return None
