"""Python versions of the module system's per-definition functions.

The module system is DCL (`declos/options/lib/modules.dcl`), and stays the
reference: it calls these as `builtins.__declosX or <its own DCL>`, so Nix
(which has none of them) and an evaluator made with `reference=True`
(`DECLOS_REFERENCE_MODULES=1`) run the DCL, and the differential test
(`tests/options/test_modsys_differential.py`) runs every module-system test
both ways and compares outputs and error messages.  Each function here
follows its DCL twin line by line: the same values forced in the same order,
the same results (sets built here carry no attribute positions), the same
`throw` messages; what is lazy there is a thunk here.

- `dischargeProperties def`: `mkMerge` flattened, `mkIf` decided.
- `pushDownPropertiesPos cfg`: `mkMerge`/`mkIf`/`mkOverride` around a set
  moved into its attributes, each set with the set as written (`posSource`).
- `filterOverrides' defs`: `{ values; highestPrio; }`, the definitions of
  the highest priority, `mkOverride` taken off.
- `sortProperties defs`: `mkOrder` taken off, stably sorted by priority.
- `finalDefinitions defs`: mergeDefinitions' `defsFinal'`, the three above
  applied to `[ { file; value; … } ]`.
"""

from __future__ import annotations

import functools
from typing import Any

from declos.eval import ops
from declos.eval.builtins.registry import accelerator, force, force_attrs, force_list
from declos.eval.errors import EvalError, ThrownError
from declos.eval.values import Attrs, CtxStr, Thunk, Value, settle, show_type

DEFAULT_OVERRIDE_PRIORITY = 100
DEFAULT_ORDER_PRIORITY = 1000


def _type_is(v: Value, name: str) -> bool:
    """`v._type or "" == name` for a forced `v`."""
    if type(v) is not Attrs:
        return False
    t = v.get("_type")
    if t is None:
        return False
    t = t.force() if type(t) is Thunk else t
    return (type(t) is str and t == name) or (type(t) is CtxStr and t.s == name)


def _select(v: Value, name: str) -> Any:
    """`v.name`, forced (v is forced)."""
    if type(v) is not Attrs:
        v = settle(v)
    if type(v) is not Attrs:
        raise EvalError(f"expected a set but found {show_type(v)}")
    x = v.get(name, _ABSENT)
    if x is _ABSENT:
        raise EvalError(f"attribute '{name}' missing")
    return x.force() if type(x) is Thunk else x


_ABSENT = object()


def _lazy_get(v: Attrs, name: str) -> Any:
    """`v.name` where DCL leaves it lazy: the attribute, or a thunk failing as the select would."""
    x = v.get(name)
    return x if x is not None or name in v else Thunk(lambda _env: _select(v, name), None)


def _loc(env: tuple) -> list:
    """Thunk body of `prefix ++ [ name ]`: `env` is (prefix, name)."""
    prefix, name = env
    return force_list(prefix) + [name]


def discharge(d: Value, out: list) -> None:
    v = force(d)
    if _type_is(v, "merge"):
        for c in force_list(_select(v, "contents"), _CONCAT_MAP_LIST):
            discharge(c, out)
    elif _type_is(v, "if"):
        cond = _select(v, "condition")
        if type(cond) is not bool:
            raise ThrownError("mkIf called with a non-Boolean condition")
        if cond:
            discharge(_lazy_get(v, "content"), out)
    else:
        out.append(v)


_CONCAT_MAP_LIST = "while evaluating the second argument passed to builtins.concatMap"


@accelerator("__declosDischargeProperties", ("def",))
def discharge_properties(ev, d):
    out: list = []
    discharge(d, out)
    return out


def _with_property(p: Value, prop: str, key: str, cfg: Attrs) -> Thunk:
    """`p // { value = mapAttrs (n: v: { _type = PROP; KEY = cfg.KEY; content = v; }) p.value; }`"""

    def mapped(_env):
        value = force_attrs(
            _select(force(p), "value"),
            "while evaluating the second argument passed to builtins.mapAttrs",
        )
        shared = _lazy_get(cfg, key)
        return Attrs(
            {n: Attrs({"_type": prop, key: shared, "content": x}) for n, x in value.items()}
        )

    def build(_env):
        return _update(force(p), Attrs({"value": Thunk(mapped, None)}))

    return Thunk(build, None)


def _update(a: Value, b: Attrs) -> Attrs:
    """`a // b` where `a` is forced."""
    if type(a) is not Attrs:
        a = settle(a)
    if type(a) is not Attrs:
        raise EvalError(f"expected a set but found {show_type(a)}")
    return ops.update(a, b)


def push_down(cfg: Value) -> list:
    v = force(cfg)
    if _type_is(v, "merge"):
        out: list = []
        for c in force_list(_select(v, "contents"), _CONCAT_MAP_LIST):
            out.extend(push_down(c))
        return out
    if _type_is(v, "if"):
        inner = push_down(_lazy_get(v, "content"))
        return [_with_property(p, "if", "condition", v) for p in inner]
    if _type_is(v, "override"):
        inner = push_down(_lazy_get(v, "content"))
        return [_with_property(p, "override", "priority", v) for p in inner]
    return [Attrs({"value": v, "posSource": v})]


@accelerator("__declosPushDownPropertiesPos", ("cfg",))
def push_down_properties_pos(ev, cfg):
    return push_down(cfg)


def _less(a: Value, b: Value) -> bool:
    if type(a) is int and type(b) is int:
        return a < b
    return ops.less_than(a, b)


def filter_overrides(defs: list) -> tuple[list, object]:
    # One pass forces each definition, its value and an override's
    # priority (getPrio), in order; the second keeps the highest's.
    entries = []
    highest: object = 9999
    for d in defs:
        dv = d.force() if type(d) is Thunk else d
        value = _select(dv, "value")
        override = _type_is(value, "override")
        p = _select(value, "priority") if override else DEFAULT_OVERRIDE_PRIORITY
        entries.append((dv, value, override, p))
        highest = p if _less(p, highest) else highest  # lib.trivial.min (getPrio def) prio
    values = []
    for dv, value, override, p in entries:
        if (p == highest) if type(p) is int and type(highest) is int else ops.equals(p, highest):
            if override:
                dv = ops.update(dv, Attrs({"value": _lazy_get(value, "content")}))
            values.append(dv)
    return values, highest


def _lazy_pair(compute: Any) -> Attrs:
    """`{ values; highestPrio; }` whose two attributes share one computation."""
    shared = Thunk(_run, compute)
    return Attrs({"values": Thunk(_first, shared), "highestPrio": Thunk(_second, shared)})


def _run(compute: Any) -> Any:
    return compute()


def _first(shared: Thunk) -> Any:
    return shared.force()[0]


def _second(shared: Thunk) -> Any:
    return shared.force()[1]


@accelerator("__declosFilterOverrides'", ("defs",))
def filter_overrides_(ev, defs):
    return _lazy_pair(lambda: filter_overrides(force_list(defs)))


def sort_properties(defs: list) -> list:
    stripped = []
    for d in defs:
        dv = force(d)
        value = _select(dv, "value")
        if _type_is(value, "order"):
            dv = ops.update(
                dv,
                Attrs(
                    {"value": _lazy_get(value, "content"), "priority": _lazy_get(value, "priority")}
                ),
            )
        stripped.append(dv)

    def priority(dv):
        p = dv.get("priority")
        return DEFAULT_ORDER_PRIORITY if p is None else force(p)

    def cmp(a, b):
        return -1 if _less(priority(a), priority(b)) else 0

    return sorted(stripped, key=functools.cmp_to_key(cmp))


@accelerator("__declosSortProperties", ("defs",))
def sort_properties_(ev, defs):
    return sort_properties(force_list(defs))


def final_definitions(ev: Any, defs: Value) -> tuple[list, object]:
    ev.stats.options += 1
    discharged = []
    for m in force_list(defs):
        mv = force(m)
        out: list = []
        try:
            discharge(_select(mv, "value"), out)
        except EvalError as e:
            file, _ = ops.coerce_to_string(ev, _select(mv, "file"), True)
            e.add_frame(None, f"while evaluating definitions from `{file}':")
            raise
        discharged.append((mv, out))
    items = []
    for mv, out in discharged:
        for value in out:
            if _type_is(value, "definition"):
                items.append(value)
            else:
                items.append(_update(mv, Attrs({"value": value})))
    values, highest = filter_overrides(items)
    if any(_type_is(_select(d, "value"), "order") for d in values):
        values = sort_properties(values)
    return values, highest


@accelerator("__declosFinalDefinitions", ("defs",))
def final_definitions_(ev, defs):
    return _lazy_pair(lambda: final_definitions(ev, defs))
