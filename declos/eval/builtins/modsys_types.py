"""Python versions of the types' merges (types.dcl), by the contract of
`modsys_options.py`: the DCL function is an argument, and any error while
doing the usual case here is the DCL's to raise.

- `mergeByName mergedByName mergeDefinitions elemType loc defs`: attrsOf's
  (and lazyAttrsOf's) definitions grouped by attribute name, each name's
  merged by `mergeDefinitions (loc ++ [ name ]) elemType defs` (a record
  per definition: `{ file; value; line?; }`, the line where the name is
  set when that is in the definition's own file, else the definition's).
"""

from __future__ import annotations

from declos.eval.builtins.attrsets import attr_pos
from declos.eval.builtins.modsys import _lazy_get, _loc, _select
from declos.eval.builtins.modsys_merge import _text
from declos.eval.builtins.registry import accelerator, force, force_attrs, force_list
from declos.eval.errors import EvalError
from declos.eval.values import Attrs, Thunk, Value

_MAP_ATTRS_SET = "while evaluating the second argument passed to builtins.mapAttrs"


@accelerator("__declosMergeByName", ("dcl", "mergeDefinitions", "elemType", "loc", "defs"))
def merge_by_name(ev, dcl, merge_definitions, elem_type, loc, defs):
    groups: dict[str, list] = {}
    try:
        for d in force_list(defs):
            dv = force(d)
            value = force_attrs(_select(dv, "value"), _MAP_ATTRS_SET)
            for name, v in value.items():
                groups.setdefault(name, []).append(Thunk(_record, (ev, dv, value, name, v)))
    except EvalError:
        return force(ev.call_n(force(dcl), [loc, defs]))
    out = Attrs()
    for name in sorted(groups):
        out[name] = Thunk(_merged, (ev, merge_definitions, elem_type, loc, name, groups[name]))
    return out


def _record(env: tuple) -> Attrs:
    """`{ inherit (def) file; value = v; } // { line?; }`."""
    ev, d, value, name, v = env
    file = _lazy_get(d, "file")
    p = attr_pos(value, name)
    if p is not None:
        if p["file"] == _text(ev, file, more=True):  # toString def.file
            return Attrs({"file": file, "value": v, "line": p["line"]})
    if "line" in d:
        return Attrs({"file": file, "value": v, "line": d["line"]})
    return Attrs({"file": file, "value": v})


def _merged(env: tuple) -> Value:
    ev, merge_definitions, elem_type, loc, name, records = env
    return force(
        ev.call_n(force(merge_definitions), [Thunk(_loc, (loc, name)), elem_type, records])
    )
