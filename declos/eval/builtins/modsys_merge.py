"""Python versions of mergeModules' per-name groupings (modules.dcl).

mergeModules' groups the declarations and the definitions of one level of
the option tree by attribute name; these builtins do the grouping, and
modules.dcl calls them as `builtins.__declosX or <its own DCL>` (see
`modsys.py` for the contract: the DCL is the reference, the differential
test compares the two).

- `declsByName decls`: `{ NAME = [ { _file; options; pos; } … ]; }`.
- `defsByName prefix defs`: `{ NAME = [ { file; value; posSource; line; } … ]; }`,
  each definition's properties pushed down (computed when a name's list is
  first needed: pushing down forces the definition).
- `defsByName' prefix defs`: `{ NAME = [ { file; value; line; } … ]; }`, as
  written.
Both definition groupings go through `withLines` (the definition's value
must be a set; `line` is where the name is set, when that is in the
definition's own file).
"""

from __future__ import annotations

from typing import Any

from declos.eval import ops
from declos.eval.builtins.attrsets import attr_pos
from declos.eval.builtins.modsys import _lazy_get, _select, push_down
from declos.eval.builtins.registry import accelerator, force, force_attrs, force_list
from declos.eval.errors import ThrownError
from declos.eval.values import Attrs, Thunk, Value, settle, type_of

_MAP_ATTRS_SET = "while evaluating the second argument passed to builtins.mapAttrs"


def _sorted(groups: dict) -> Attrs:
    """zipAttrsWith's result: names in order."""
    return Attrs({n: groups[n] for n in sorted(groups)})


@accelerator("__declosDeclsByName", ("decls",))
def decls_by_name(ev, decls):
    groups: dict[str, list] = {}
    for d in force_list(decls):
        dv = force(d)
        options = force_attrs(_select(dv, "options"), _MAP_ATTRS_SET)
        file = _lazy_get(dv, "_file")
        for name, option in options.items():
            pos = Thunk(_pos, (options, name))  # read for declarationPositions only
            record = Attrs({"_file": file, "options": option, "pos": pos})
            groups.setdefault(name, []).append(record)
    return _sorted(groups)


def _pos(env: tuple) -> Any:
    options, name = env
    return attr_pos(options, name)


class WithLines:
    """`withLines d`: the definition (whose value must be a set) and the
    line of each of its names (in the definition's own file, else null)."""

    __slots__ = ("ev", "d", "value", "_file", "_positions")

    def __init__(self, ev, prefix, d):
        self.ev = ev
        self.d = force(d)
        self.value = settle(force(_select(self.d, "value")))
        self._file = None
        self._positions = None
        if type(self.value) is not Attrs:
            where = ".".join(_text(ev, p) for p in force_list(prefix))
            raise ThrownError(
                f"In module `{self.file()}', you're trying to define a value of type "
                f"`{type_of(self.value)}'\nrather than an attribute set for the option\n`{where}'!\n\n"
                f"This usually happens if `{where}' has option\ndefinitions inside that are not "
                "matched. Please check how to properly define\nthis option by e.g. referring to "
                "`man 5 configuration.nix'!"
            )

    def file(self) -> str:
        """`toString d.file`."""
        if self._file is None:
            self._file = _text(self.ev, _select(self.d, "file"), more=True)
        return self._file

    def line(self, name: str) -> Any:
        """`d.linesOf.NAME`."""
        if self._positions is None:
            source = self.d.get("posSource")
            source = self.value if source is None else source
            self._positions = force_attrs(source, _UNSAFE_POS_SET)
        p = attr_pos(self._positions, name)
        if p is None or p["file"] != self.file():
            return None
        return p["line"]

    def line_thunk(self, name: str) -> Thunk:
        return Thunk(lambda _env: self.line(name), None)


_UNSAFE_POS_SET = "while evaluating the second argument passed to builtins.unsafeGetAttrPos"


def _text(ev: Any, v: Value, more: bool = False) -> str:
    text, _ = ops.coerce_to_string(ev, force(v), False, more)
    return text


def _with_lines(ev: Any, prefix: Value, defs: Value) -> list[WithLines]:
    return [WithLines(ev, prefix, d) for d in force_list(defs)]


def _field(p: Value, name: str) -> Any:
    """`inherit (p) NAME;`: the attribute of a pushed-down set (itself maybe a thunk)."""
    if type(p) is Attrs:
        return _lazy_get(p, name)
    return Thunk(lambda _env: _select(force(p), name), None)


@accelerator("__declosDefsByName", ("prefix", "defs"))
def defs_by_name(ev, prefix, defs):
    groups: dict[str, list] = {}
    for w in _with_lines(ev, prefix, defs):
        for name, value in w.value.items():
            groups.setdefault(name, []).append((w, value))

    def records(name: str, entries: list) -> Any:
        def build(_env):
            out = []
            for w, value in entries:
                file = _lazy_get(w.d, "file")
                for p in push_down(value):
                    out.append(
                        Attrs(
                            {
                                "file": file,
                                "value": _field(p, "value"),
                                "posSource": _field(p, "posSource"),
                                "line": w.line_thunk(name),
                            }
                        )
                    )
            return out

        return Thunk(build, None)

    return _sorted({name: records(name, entries) for name, entries in groups.items()})


@accelerator("__declosDefsByName'", ("prefix", "defs"))
def defs_by_name_raw(ev, prefix, defs):
    groups: dict[str, list] = {}
    for w in _with_lines(ev, prefix, defs):
        file = _lazy_get(w.d, "file")
        for name, value in w.value.items():
            line = w.line(name)  # as the DCL: `line` only where it is known
            if line is None:
                record = Attrs({"file": file, "value": value})
            else:
                record = Attrs({"file": file, "value": value, "line": line})
            groups.setdefault(name, []).append(record)
    return _sorted(groups)
