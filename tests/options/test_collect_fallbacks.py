"""collectModules in Python (`builtins/modsys_collect.py`) against its DCL.

Sets and functions are collected in Python, everything else by the DCL
(paths, disabledModules, a foreign `_class`, errors).  Each case below is
evaluated both ways, at the top level and inside a submodule element (where
the Python version matters: every element collects its modules again).
"""

from __future__ import annotations

import pytest
from test_modsys_differential import same_both_ways

LIB = "let lib = import <declos/lib>; inherit (lib) mkOption types; in "


def top(*mods: str, path: str = "config", args: str = "") -> str:
    return LIB + f"(lib.evalModules {{ modules = [ {' '.join(mods)} ]; {args} }}).{path}"


def element(*mods: str, path: str = "config.e.x") -> str:
    """MODS as the modules of a submodule (submoduleWith, so that a definition
    is imported as a module), defined once as `e.x`."""
    sub = f"types.submoduleWith {{ modules = [ {' '.join(mods)} ]; }}"
    return top(
        f"{{ options.e = mkOption {{ type = types.attrsOf ({sub}); }}; }}",
        "{ e.x = { }; }",
        path=path,
    )


OPT_A = "{ options.a = mkOption { type = types.int; default = 1; }; }"

MODULES = {
    "sets and functions": [
        OPT_A,
        "({ config, ... }: { config.b = config.a + 1; })",
        "{ options.b = mkOption { type = types.int; }; }",
    ],
    "imports of imports": [
        "{ imports = [ { imports = [ " + OPT_A + " ]; } ]; }",
        '{ _file = "here"; imports = [ { a = 2; } ]; }',
    ],
    "a module with a key, twice": [
        '{ key = "k"; options.a = mkOption { type = types.int; default = 1; }; }',
        '{ imports = [ { key = "k"; options.a = mkOption { type = types.int; }; } ]; }',
    ],
    "meta and freeformType": [
        "{ freeformType = types.lazyAttrsOf types.raw; meta = { }; options.a = mkOption"
        " { type = types.int; default = 1; }; }",
        "{ c = 3; }",
    ],
    "only config": [OPT_A, "{ a = 5; }"],
    "an unknown attribute": [OPT_A, "{ config.a = 1; foo = 2; }"],
    "disabledModules": ['{ disabledModules = [ "x.dcl" ]; }', OPT_A],
    "a missing argument": [OPT_A, "({ pkgs, ... }: { a = pkgs.x; })"],
    "an argument from _module.args": [
        OPT_A,
        "{ _module.args.n = 7; }",
        "({ n, ... }: { a = n; })",
    ],
    "a function returning a number": [OPT_A, "(_: 5)"],
    "a value that is not a module": [OPT_A, "(lib.mkIf true { a = 2; })"],
    "a foreign class": [OPT_A, '{ _class = "other"; }'],
}


@pytest.mark.parametrize("where", [top, element], ids=["top", "element"])
@pytest.mark.parametrize("mods", MODULES.values(), ids=MODULES.keys())
def test_collected_both_ways(mods, where, monkeypatch):
    same_both_ways(["eval", "--strict", "-E", where(*mods)], monkeypatch)


@pytest.mark.parametrize("path", ["options.a.files", "options.a.declarations", "graph"])
def test_files_and_graph_both_ways(path, monkeypatch):
    mods = MODULES["imports of imports"]
    same_both_ways(["eval", "--strict", "-E", top(*mods, path=path)], monkeypatch)


def test_class_of_the_evaluation(monkeypatch):
    text = top(OPT_A, '{ _class = "nixos"; a = 3; }', args='class = "nixos";')
    rc, out, _ = same_both_ways(["eval", "--strict", "-E", text], monkeypatch)
    assert (rc, out) == (0, "{ a = 3; }\n")
    text = top(OPT_A, '{ _class = "darwin"; a = 3; }', args='class = "nixos";')
    rc, _, err = same_both_ways(["eval", "--strict", "-E", text], monkeypatch)
    assert rc == 1 and "imported into nixos instead of darwin" in err


def test_an_import_cycle_is_named_both_ways(tmp_path, monkeypatch):
    # The Python collectModules hands a module given as a path to the DCL,
    # which imports it again after the first attempt failed: the cycle must
    # still be named (the file's thunk re-forced counts as being imported).
    (tmp_path / "a.dcl").write_text("{ ... }: { imports = [ ./b.dcl ]; }\n")
    (tmp_path / "b.dcl").write_text("import ./c.dcl\n")
    (tmp_path / "c.dcl").write_text("import ./b.dcl\n")
    text = top(str(tmp_path / "a.dcl"))
    rc, _, err = same_both_ways(["eval", "--strict", "-E", text], monkeypatch)
    assert rc == 1
    assert "import cycle" in err
    assert f"{tmp_path}/b.dcl:1:1 imports {tmp_path}/c.dcl" in err
