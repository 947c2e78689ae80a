"""What the generator's mixins use of `Gen`, declared for the type checker.

`Gen` (gen.py) is assembled from mixins (gen_attrs.AttrsGen,
gen_calls.CallsGen, gen_ops.OpsGen) that call each other's methods and
`Gen`'s own through `self`.  They inherit `GenHost`, whose class-level
annotations tell mypy what `self` has; the annotations create no attributes,
so at run time `GenHost` is an empty base and every lookup still lands on
`Gen`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class GenHost:
    # State, set in Gen.__init__.
    globals: dict
    fns: list[str]
    tail: list[str]
    known: dict[tuple[int, int], str]
    # Methods of Gen and of the other mixins.
    name: Callable[[str], str]
    fn_name: Callable[..., str]
    span: Callable[..., str]
    const: Callable[[str], str]
    glob: Callable[[str], str]
    builtin_attr: Callable[[str], str]
    expr: Callable[..., str]
    lazy: Callable[..., str]
    thunk: Callable[..., str]
    thunk_fn: Callable[..., str]
    new_thunk: Callable[..., str]
    is_global: Callable[..., bool]
    known_slot: Callable[..., str | None]
    known_builtin: Callable[..., Any]
