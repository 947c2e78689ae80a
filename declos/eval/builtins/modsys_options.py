"""Python versions of mergeDefinitions and evalOptionValue (modules.dcl).

Every option of every submodule element goes through these two (a large
configuration evaluates ~8 000 options); in DCL they were most of an
option's ~40 us.  The contract is `modsys.py`'s, with one difference: the
DCL function is an argument (`__declosMergeDefinitions dcl loc type defs`),
and these compute the usual case and hand anything else to it:

- each attribute of the result is a thunk computing what the DCL's computes,
  forcing the same values in the same order;
- an attribute whose computation raises any evaluation error is the DCL
  record's attribute instead (computed then, once per record), which raises
  the same error again with the DCL's messages and frames (`--show-trace`);
- so are the cases the DCL throws for or treats specially: an option read
  without a definition, a definition failing the type's check, a read-only
  option set twice, a deprecated type (its warning), a v2 type whose `check`
  was overridden with `//`.

Also here: evalModules' option tree to values (`__declosOptionValues`), and
the record of an option with one declaration (singleOptionDecl and
evalOptionValue in one copy of it) that `modsys_level.py` makes for each.

Sets built here carry no attribute positions (nothing reads them).
"""

from __future__ import annotations

from typing import Any

from declos.eval import ops
from declos.eval.builtins.modsys import _lazy_get, _select, _type_is, final_definitions
from declos.eval.builtins.registry import accelerator, force, force_attrs, force_list
from declos.eval.errors import EvalError
from declos.eval.values import Attrs, Thunk, Value


class _Fallback(Exception):
    """The DCL decides (see the module docstring)."""


class Merge:
    """`mergeDefinitions loc type defs`: the values its attributes share."""

    __slots__ = ("ev", "loc", "type", "defs", "value", "_final", "_cm")

    def __init__(self, ev: Any, loc: Value, type_: Value, defs: Value, value: Thunk | None):
        self.ev = ev
        self.loc = loc
        self.type = type_
        self.defs = defs
        # checkedAndMerged's `value` for a type without v2: mergedValue (the
        # record's thunk, which falls back; None where nothing reads it).
        self.value = value
        self._final: tuple[list, Any] | None = None
        self._cm: Attrs | None = None

    def final(self) -> tuple[list, Any]:
        """defsFinal': the definitions discharged, filtered and sorted, and
        the highest priority."""
        if self._final is None:
            self._final = final_definitions(self.ev, self.defs)
        return self._final

    def merge(self) -> tuple[Attrs, Any]:
        """The type, forced, and its `merge`, forced (`type.merge ? v2`)."""
        t = force(self.type)
        return t, _select(t, "merge")

    def checked_and_merged(self) -> Attrs:
        if self._cm is None:
            t, merge = self.merge()
            if type(merge) is Attrs and "v2" in merge:
                # types.checkV2MergeCoherence loc type (type.merge.v2 { loc; defs = defsFinal; })
                check = _select(t, "check")
                coherent = check.get("isV2MergeCoherent") if type(check) is Attrs else None
                if coherent is None or force(coherent) is not True:
                    raise _Fallback
                args = Attrs({"loc": self.loc, "defs": Thunk(_defs_final, self)})
                cm = force(self.ev.call(_select(merge, "v2"), args))
                if type(cm) is not Attrs:
                    raise _Fallback
            else:
                cm = Attrs({"headError": None, "value": self.value, "valueMeta": Attrs()})
            self._cm = cm
        return self._cm

    def merged_value(self) -> Value:
        values = self.final()[0]
        if not values:
            raise _Fallback  # "accessed but has no value defined"
        t, merge = self.merge()
        if type(merge) is Attrs and "v2" in merge:
            cm = self.checked_and_merged()
            if _select(cm, "headError") is not None:
                raise _Fallback  # "is not of type"
            return _select(cm, "value")
        call = self.ev.call
        for d in values:
            # `all (def: type.check def.value) defsFinal`
            if call(_select(t, "check"), _lazy_get(d, "value")) is not True:
                raise _Fallback
        return force(self.ev.call2(merge, self.loc, values))


def _defs_final(m: Merge) -> list:
    return m.final()[0]


class _Record:
    """A record whose attributes fall back to those of the DCL's record,
    which `make()` computes (once)."""

    __slots__ = ("ev", "make", "_fallback")

    def __init__(self, ev: Any, make: Any):
        self.ev = ev
        self.make = make
        self._fallback: Attrs | None = None

    def fallback(self, name: str) -> Value:
        if self._fallback is None:
            self._fallback = force(self.make())
        return _select(self._fallback, name)


def _dcl_call(ev: Any, dcl: Value, args: list) -> Any:
    """`make` of a record: the DCL function applied to the same arguments."""
    return lambda: ev.call_n(force(dcl), args)


class _MergeRecord(_Record):
    __slots__ = ("m",)
    m: Merge


def _field(name: str) -> Any:
    """A thunk body `compute(record)` that is, on any error or `_Fallback`,
    the DCL record's attribute NAME."""

    def wrap(compute: Any) -> Any:
        def body(r: Any) -> Value:
            try:
                return compute(r)
            except (EvalError, _Fallback):
                return r.fallback(name)

        return body

    return wrap


@_field("defsFinal'")
def _defsFinalp(r: _MergeRecord) -> Attrs:
    values, highest = r.m.final()
    return Attrs({"values": values, "highestPrio": highest})


@_field("defsFinal")
def _defsFinal(r: _MergeRecord) -> list:
    return r.m.final()[0]


@_field("isDefined")
def _isDefined(r: _MergeRecord) -> bool:
    return len(r.m.final()[0]) != 0


@_field("checkedAndMerged")
def _checkedAndMerged(r: _MergeRecord) -> Attrs:
    return r.m.checked_and_merged()


@_field("mergedValue")
def _mergedValue(r: _MergeRecord) -> Value:
    return r.m.merged_value()


@_field("optionalValue")
def _optionalValue(r: _MergeRecord) -> Attrs:
    if not r.m.final()[0]:
        return Attrs()
    return Attrs({"value": r.m.value})  # mergedValue's thunk, as the DCL shares it


@accelerator("__declosMergeDefinitions", ("dcl", "loc", "type", "defs"))
def merge_definitions(ev, dcl, loc, type_, defs):
    r = _MergeRecord(ev, _dcl_call(ev, dcl, [loc, type_, defs]))
    merged = Thunk(_mergedValue, r)
    r.m = Merge(ev, loc, type_, defs, merged)
    return Attrs(
        {
            "defsFinal'": Thunk(_defsFinalp, r),
            "defsFinal": Thunk(_defsFinal, r),
            "checkedAndMerged": Thunk(_checkedAndMerged, r),
            "mergedValue": merged,
            "isDefined": Thunk(_isDefined, r),
            "optionalValue": Thunk(_optionalValue, r),
        }
    )


class _OptionRecord(_Record):
    __slots__ = ("loc", "opt", "defs_given", "file", "_defs", "_merge")

    def __init__(self, ev: Any, make: Any, loc: Value, opt: Attrs, defs: Value, file: Value = None):
        super().__init__(ev, make)
        self.loc = loc
        self.opt = opt
        self.defs_given = defs
        # The default's file, `head opt.declarations` (None: read from opt).
        self.file = file
        self._defs: list | None = None
        self._merge: Merge | None = None

    def defs(self) -> list:
        """defs': the option's default (as mkOptionDefault) and its definitions."""
        if self._defs is None:
            opt = self.opt
            out = []
            if "default" in opt:
                file = self.file if self.file is not None else Thunk(_first_declaration, opt)
                default = Attrs(
                    {"_type": "override", "priority": 1500, "content": _lazy_get(opt, "default")}
                )
                out.append(Attrs({"file": file, "value": default}))
            out.extend(force_list(self.defs_given))
            self._defs = out
        return self._defs

    def merge(self) -> Merge:
        """`res`: mergeDefinitions of defs', unless the option is read-only
        and set more than once."""
        if self._merge is None:
            read_only = self.opt.get("readOnly")
            if read_only is not None:
                read_only = force(read_only)
                if type(read_only) is not bool:
                    raise _Fallback
                if read_only and len(self.defs()) > 1:
                    raise _Fallback
            # Only valueMeta reads checkedAndMerged here: its `value` is unread.
            type_ = _lazy_get(self.opt, "type")
            self._merge = Merge(self.ev, self.loc, type_, self.defs(), None)
        return self._merge


def _first_declaration(opt: Attrs) -> Value:
    declarations = force_list(_select(opt, "declarations"))
    if not declarations:
        raise EvalError("'builtins.head' called on an empty list")
    return force(declarations[0])


@_field("value")
def _value(r: _OptionRecord) -> Value:
    opt = r.opt
    t = opt.get("type")
    if t is not None:
        t = force(t)
        if type(t) is Attrs and t.get("deprecationMessage") is not None:
            if force(t["deprecationMessage"]) is not None:
                raise _Fallback  # warnDeprecation's trace
    if "apply" in opt:
        raise _Fallback  # `opt.apply res.mergedValue`: res stays lazy
    return r.merge().merged_value()


@_field("isDefined")
def _isDefinedOpt(r: _OptionRecord) -> bool:
    return len(r.merge().final()[0]) != 0


@_field("highestPrio")
def _highestPrio(r: _OptionRecord) -> Value:
    return r.merge().final()[1]


@_field("files")
def _files(r: _OptionRecord) -> list:
    return [_lazy_get(d, "file") for d in r.merge().final()[0]]


@_field("definitions")
def _definitions(r: _OptionRecord) -> list:
    return [_lazy_get(d, "value") for d in r.merge().final()[0]]


@_field("definitionsWithLocations")
def _definitionsWithLocations(r: _OptionRecord) -> list:
    return r.merge().final()[0]


@_field("valueMeta")
def _valueMeta(r: _OptionRecord) -> Value:
    return _select(r.merge().checked_and_merged(), "valueMeta")


@_field("rawDefinitions")
def _rawDefinitions(r: _OptionRecord) -> list:
    return r.defs()


@accelerator("__declosEvalOptionValue", ("dcl", "loc", "opt", "defs"))
def eval_option_value(ev, dcl, loc, opt, defs):
    try:
        o = force(opt)
    except EvalError:
        o = None
    if type(o) is not Attrs:
        return force(ev.call_n(force(dcl), [loc, opt, defs]))
    return _option_record(_OptionRecord(ev, _dcl_call(ev, dcl, [loc, opt, defs]), loc, o, defs))


def _option_record(r: _OptionRecord, declared: dict | None = None) -> Attrs:
    """`opt // { value; isDefined; … }` (`declared`: singleOptionDecl's
    attributes, added in the same copy)."""
    return ops.update(
        r.opt,
        Attrs(
            {
                **(declared or {}),
                "value": Thunk(_value, r),
                "isDefined": Thunk(_isDefinedOpt, r),
                "highestPrio": Thunk(_highestPrio, r),
                "files": Thunk(_files, r),
                "definitions": Thunk(_definitions, r),
                "definitionsWithLocations": Thunk(_definitionsWithLocations, r),
                "valueMeta": Thunk(_valueMeta, r),
                "rawDefinitions": Thunk(_rawDefinitions, r),
            }
        ),
    )


def _single_option_decl(d: Attrs, loc: Thunk) -> tuple[Attrs, dict] | None:
    """`singleOptionDecl loc d` of an option whose type has no submodules
    (else None: the DCL substitutes them), or has no type (`types.unspecified`):
    the declaration's option and what singleOptionDecl adds to it."""
    opt = force(_select(d, "options"))
    t = opt.get("type")
    if t is None:
        return None
    tv = force(t)
    if type(tv) is Attrs:
        sub = tv.get("getSubModules")
        if sub is not None and force(sub) is not None:
            return None
    return opt, {
        "loc": loc,
        "declarations": [_lazy_get(d, "_file")],
        "declarationPositions": [Thunk(_declaration_position, d)],
        "options": [],
        "type": t,
    }


def _declaration_position(d: Attrs) -> Value:
    """`declarationPosition decl`: its position, or at least its file."""
    pos = d.get("pos")
    if pos is not None:
        p = force(pos)
        if p is not None:
            return p
    return Attrs({"file": _lazy_get(d, "_file"), "line": None, "column": None})


@accelerator("__declosOptionValues", ("options",))
def option_values(ev, options):
    """evalModules' `mapAttrsRecursiveCond (v: !isOption v) (_: v: v.value)
    options`: the option tree with each option replaced by its value."""
    return _values(
        force_attrs(options, "while evaluating the second argument passed to builtins.mapAttrs")
    )


def _values(options: Attrs) -> Attrs:
    out = Attrs()
    for name, v in options.items():
        out[name] = Thunk(_value_or_values, v)
    return out


def _value_or_values(v: Value) -> Value:
    x = force(v)
    if type(x) is Attrs and not _type_is(x, "option"):
        return _values(x)
    return _select(x, "value")
