"""mergeModules' in Python: one level of the option tree (modules.dcl).

By the contract of `modsys_options.py` (the DCL function is an argument):
a level's names that are one option declaration become that option's record,
names whose declarations are all sets of options become the level below
(here again), a name declared as several options is the DCL's record; a
name declared otherwise (an option and options below it, a type where an
option was meant, a definition that is not a set where options are) makes
the level the DCL's: its `matchedOptions` of that name, and its whole
`unmatchedDefns`.  Any evaluation error does too (the DCL raises it again).

Every submodule element has at least two levels (its options and
`_module`), a user four (`openssh.authorizedKeys`): ~1 400 levels in a
large configuration, each ~50 us in DCL.
"""

from __future__ import annotations

import functools
from typing import Any

from declos.eval.builtins.modsys import _lazy_get, _loc, _select, _type_is, _update
from declos.eval.builtins.modsys_merge import decls_by_name, defs_by_name, defs_by_name_raw
from declos.eval.builtins.modsys_options import (
    _dcl_call,
    _Fallback,
    _option_record,
    _OptionRecord,
    _Record,
    _single_option_decl,
)
from declos.eval.builtins.registry import accelerator, force, force_list
from declos.eval.errors import EvalError
from declos.eval.values import Attrs, Thunk, Value


@accelerator("__declosMergeModules", ("dcl", "prefix", "decls", "defs"))
def merge_modules(ev, dcl, prefix, decls, defs):
    return _Level(ev, dcl, prefix, decls, defs).record()


class _Level:
    __slots__ = (
        "ev",
        "dcl",
        "reference",
        "prefix",
        "decls",
        "defs",
        "_names",
        "_raw",
        "_pushed",
        "_results",
    )

    def __init__(self, ev: Any, dcl: Value, prefix: Value, decls: Value, defs: Value):
        self.ev = ev
        self.dcl = dcl
        self.reference = _Record(ev, _dcl_call(ev, dcl, [prefix, decls, defs]))  # the DCL's level
        self.prefix = prefix
        self.decls = decls
        self.defs = defs
        self._names: Attrs | None = None
        self._raw: Attrs | None = None
        self._pushed: Attrs | None = None
        self._results: dict[str, tuple[Value, Any]] = {}

    def record(self) -> Attrs:
        return Attrs(
            {
                "matchedOptions": Thunk(_matched_options, self),
                "unmatchedDefns": Thunk(_unmatched_defns, self),
            }
        )

    def dcl_option(self, name: str) -> Value:
        """The DCL level's `matchedOptions.NAME`."""
        return _select(self.reference.fallback("matchedOptions"), name)

    def names(self) -> Attrs:
        """declsByName."""
        if self._names is None:
            self._names = decls_by_name(self.ev, self.decls)
        return self._names

    def raw(self) -> Attrs:
        """defsByName': the definitions by name as written."""
        if self._raw is None:
            self._raw = defs_by_name_raw(self.ev, self.prefix, self.defs)
        return self._raw

    def pushed(self) -> Attrs:
        """defsByName: the definitions by name, properties pushed down."""
        if self._pushed is None:
            self._pushed = defs_by_name(self.ev, self.prefix, self.defs)
        return self._pushed

    def result(self, name: str) -> tuple[Value, Any]:
        """`resultFor name decls`: (matchedOptions, unmatchedDefns as a
        function of nothing) of NAME; raises _Fallback for the DCL's names."""
        r = self._results.get(name)
        if r is None:
            r = self._results[name] = self._result(name)
        return r

    def _result(self, name: str) -> tuple[Value, Any]:
        decls = [force(d) for d in force_list(self.names()[name])]
        loc = Thunk(_loc, (self.prefix, name))
        kinds = [force(_select(m, "options")) for m in decls]
        if len(decls) == 1 and _type_is(kinds[0], "option"):
            return Thunk(_option, (self, name, decls[0], loc)), _no_definitions
        if all(_type_is(o, "option") for o in kinds):
            # Declared more than once (mergeOptionDecls): the DCL's record,
            # and like every option no definitions left unmatched.
            return Thunk(_dcl_matched, (self, name)), _no_definitions
        for options in kinds:
            if type(options) is not Attrs or "_type" in options:
                raise _Fallback  # options and options below, or a mistyped declaration
        below_decls = [
            Attrs({"_file": _lazy_get(m, "_file"), "options": m["options"]}) for m in decls
        ]
        below_defs = []
        pushed = self.pushed().get(name)
        for d in [] if pushed is None else force_list(pushed):
            dv = force(d)
            if type(force(_select(dv, "value"))) is not Attrs:
                raise _Fallback  # "is an attribute set of options, but it is defined as"
            below_defs.append(
                Attrs(
                    {
                        "file": _lazy_get(dv, "file"),
                        "value": _lazy_get(dv, "value"),
                        "posSource": _lazy_get(dv, "posSource"),
                    }
                )
            )
        below = _Level(self.ev, self.dcl, loc, below_decls, below_defs)
        return Thunk(_matched_options, below), lambda: _unmatched_defns(below)


def _dcl_matched(env: tuple) -> Value:
    level, name = env
    return force(level.dcl_option(name))


def _no_definitions() -> list:
    return []


def _option(env: tuple) -> Value:
    """`evalOptionValue loc (singleOptionDecl loc decl) defns'`."""
    level, name, decl, loc = env
    declared = _single_option_decl(decl, loc)
    if declared is None:
        return level.dcl_option(name)
    opt, fields = declared
    defs = Thunk(_defns, (level, name))
    file = fields["declarations"][0]
    make = functools.partial(level.dcl_option, name)
    return _option_record(_OptionRecord(level.ev, make, loc, opt, defs, file), fields)


def _defns(env: tuple) -> Value:
    """`defsByName'.${name} or [ ]`."""
    level, name = env
    x = level.raw().get(name)
    return [] if x is None else force(x)


def _matched_options(level: _Level) -> Attrs:
    """`mapAttrs (n: v: v.matchedOptions) resultsByName`."""
    try:
        names = level.names()
    except EvalError:
        return force(level.reference.fallback("matchedOptions"))
    out = Attrs()
    for name in names:
        out[name] = Thunk(_matched, (level, name))
    return out


def _matched(env: tuple) -> Value:
    level, name = env
    try:
        matched, _ = level.result(name)
        return force(matched)
    except (EvalError, _Fallback):
        return force(level.dcl_option(name))


def _unmatched_defns(level: _Level) -> list:
    """The definitions without an option, each with its path below this
    level (`prefix`): those of names nothing declares, as written, then
    those the levels below did not match."""
    try:
        names = level.names()
        raw = level.raw()
        out: list = []
        for name in sorted(raw):
            if name not in names:
                out.extend(_prefixed(name, force_list(raw[name])))
        for name in sorted(names):
            _, unmatched = level.result(name)
            out.extend(_prefixed(name, unmatched()))
        return out
    except (EvalError, _Fallback):
        return force(level.reference.fallback("unmatchedDefns"))


def _prefixed(name: str, defs: list) -> list:
    """`map (def: def // { prefix = [ name ] ++ (def.prefix or [ ]); }) defs`."""
    return [Thunk(_with_prefix, (name, d)) for d in defs]


def _with_prefix(env: tuple) -> Attrs:
    name, d = env
    dv = force(d)
    return _update(dv, Attrs({"prefix": Thunk(_prefix, (name, dv))}))


def _prefix(env: tuple) -> list:
    name, dv = env
    below = dv.get("prefix") if type(dv) is Attrs else None
    return [name] if below is None else [name, *force_list(below)]
