"""mergeDefinitions and evalOptionValue in Python, against their DCL.

`builtins/modsys_options.py` computes the usual case and hands everything
else back to the DCL: errors (with their frames, under --show-trace),
`apply`, a deprecated type's warning, a read-only option set twice, a v2
type whose check was replaced with `//`.  Each of those paths, and every
attribute of both records, is evaluated here both ways (the differential
test's harness): exit code, output and messages must be the same.
"""

from __future__ import annotations

import re

import pytest
from test_modsys_differential import run, same_both_ways

LIB = "let lib = import <declos/lib>; inherit (lib) mkOption types; in "


def modules(*mods: str, path: str = "config") -> str:
    return LIB + f"(lib.evalModules {{ modules = [ {' '.join(mods)} ]; }}).{path}"


INT_A = "{ options.a = mkOption { type = types.int; }; }"

CASES = {
    "apply": modules(
        "{ options.a = mkOption { type = types.int; apply = x: x + 1; }; config.a = 1; }"
    ),
    "apply ignoring an undefined value": modules(
        "{ options.a = mkOption { type = types.int; apply = x: 5; }; }"
    ),
    "deprecated type": modules(
        '{ options.a = mkOption { type = types.str // { deprecationMessage = "Use b."; }; };'
        ' config.a = "x"; }'
    ),
    "ad-hoc check on a v2 type": modules(
        "{ options.a = mkOption { type = (types.listOf types.int) // { check = x: true; }; };"
        " config.a = [ 1 ]; }"
    ),
    "read but not defined": modules(INT_A),
    "not of type": modules(INT_A, '{ a = "x"; }'),
    "not of type (v2)": modules(
        '{ options.a = mkOption { type = types.listOf types.int; }; config.a = [ "x" ]; }'
    ),
    "read-only set twice": modules(
        "{ options.a = mkOption { type = types.int; readOnly = true; default = 1; }; }",
        "{ a = 2; }",
    ),
    "a definition throws": modules(INT_A, '{ a = throw "boom"; }'),
    "infinite recursion": modules(INT_A, "({ config, ... }: { a = config.a + 1; })"),
    "mkIf of a non-Boolean": modules(INT_A, '{ a = lib.mkIf "yes" 1; }'),
    "check returns a non-Boolean": modules(
        '{ options.a = mkOption { type = types.int // { check = x: "yes"; }; }; config.a = 1; }'
    ),
    "priorities and order": modules(
        "{ options.a = mkOption { type = types.listOf types.int; default = [ 0 ]; }; }",
        "{ a = lib.mkBefore [ 1 ]; }",
        "{ a = lib.mkForce [ 2 ]; }",
        "{ a = lib.mkForce (lib.mkAfter [ 3 ]); }",
    ),
    "the option records": modules(
        "{ options.a = mkOption { type = types.int; default = 1; }; }",
        "{ a = lib.mkDefault 2; }",
        "{ options.s = mkOption { type = types.submodule { options.x = mkOption"
        " { type = types.int; default = 3; }; }; default = { }; }; }",
        path="options",
    ),
    "an attribute set with mkIf false": modules(
        "{ options.a = mkOption { type = types.attrsOf types.int; }; }",
        "{ a.x = 1; a.y = lib.mkIf false 2; }",
    ),
    "lazyAttrsOf": modules(
        "{ options.a = mkOption { type = types.lazyAttrsOf types.int; }; }",
        '{ a.x = 1; a.y = throw "never read"; }',
        path="config.a.x",
    ),
    "an option without a type": modules(
        "{ options.a = mkOption { }; config.a = 1; }", path="options.a"
    ),
    "an option declared twice": modules(
        "{ options.a = mkOption { type = types.int; }; }",
        "{ options.a = mkOption { default = 1; }; }",
        path="options.a",
    ),
    "a declaration that is not an option": modules("{ options.a = types.int; }", "{ a = 1; }"),
    "an option and options below it": modules(
        "{ options.a = mkOption { type = types.int; }; }",
        "{ options.a.b = mkOption { type = types.int; }; }",
    ),
    "nested options": modules(
        "{ options.a.b.c = mkOption { type = types.int; default = 1; };"
        ' options.a.d = mkOption { type = types.str; default = "x"; }; }',
    ),
    "attrsOf of a number": modules(
        "{ options.a = mkOption { type = types.attrsOf types.int; }; }", "{ a = 5; }"
    ),
    "attrsOf's definitions and their lines": modules(
        "{ options.a = mkOption { type = types.attrsOf (types.submodule"
        " { options.y = mkOption { type = types.int; }; }); }; }",
        '{ _file = "«string»"; a.x.y = 1; }',
        "{ a.z = { y = 3; }; }",
        path="options.a.valueMeta.attrs.x.configuration.options.y.definitionsWithLocations",
    ),
    "options below defined as a number": modules(
        "{ options.a.b = mkOption { type = types.int; }; }", "{ a = 5; }"
    ),
    "a definition below without an option": modules(
        "{ options.a.b = mkOption { type = types.int; default = 1; }; }",
        "{ a.c = 1; a.d.e = 2; }",
    ),
    "definitions below under a freeform type": modules(
        "{ freeformType = types.attrsOf types.int; options.a.b = mkOption"
        " { type = types.int; default = 1; }; }",
        "{ a.c = 1; x = 2; }",
    ),
    "mergeDefinitions directly": LIB
    + '(lib.modules.mergeDefinitions [ "a" ] types.int [ { file = "f"; value = 1; } ])',
    "mergeDefinitions of nothing": LIB
    + '(lib.modules.mergeDefinitions [ "a" ] types.int [ ]).optionalValue',
    "mergeDefinitions of nothing, its value": LIB
    + '(lib.modules.mergeDefinitions [ "a" ] types.int [ ]).mergedValue',
    "mergeDefinitions of a v2 type": LIB
    + '(lib.modules.mergeDefinitions [ "a" ] (types.listOf types.int)'
    + ' [ { file = "f"; value = [ 1 ]; } { file = "g"; value = [ 2 ]; } ])',
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_both_ways(text, monkeypatch):
    same_both_ways(["eval", "--strict", "-E", text], monkeypatch)


# What --show-trace says about options and definitions: the frames of the
# library's own functions differ between its Python and DCL versions (they
# did before these two: finalDefinitions' DCL has frames of its own).
SAID = re.compile(r"^\s*(error:.*|… while evaluating (the option|definitions from).*|.*boom.*)$")


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_show_trace_says_the_same(text, monkeypatch):
    argv = ["eval", "--strict", "--show-trace", "-E", text]
    fast, reference = run(argv, False, monkeypatch), run(argv, True, monkeypatch)
    assert fast[:2] == reference[:2]
    said = [[line for line in r[2].splitlines() if SAID.match(line)] for r in (fast, reference)]
    assert said[0] == said[1]


def test_the_cases_take_both_paths(monkeypatch):
    # The usual case is Python's, the rest the DCL's: a case list where
    # everything failed would compare errors only.
    ok = [
        same_both_ways(["eval", "--strict", "-E", t], monkeypatch)[0] == 0 for t in CASES.values()
    ]
    assert 8 <= sum(ok) < len(ok)
