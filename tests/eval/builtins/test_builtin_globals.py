"""Global names: every builtin Nix registers without `__` is a global name in declos too.

Names resolve when a file is compiled, so a library that writes `fromTOML` where
nixpkgs' lib does fails to load at all if the name is missing.  The list is the Nix
manual's ("Some built-ins are also exposed directly in the global scope", Nix 2.34),
and the test against the installed nix-instantiate checks that whatever it binds
globally declos binds too, and nothing else.
"""

from __future__ import annotations

import pytest
from nix_oracle import NIX_INSTANTIATE, run_nix, without_nix_warnings

from declos.cli import main

needs_nix = pytest.mark.skipif(NIX_INSTANTIATE is None, reason="nix-instantiate is not installed")

# The Nix manual's list (2.34), plus `builtins` itself.
MANUAL_GLOBALS = [
    "derivation",
    "derivationStrict",
    "abort",
    "baseNameOf",
    "break",
    "dirOf",
    "false",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "null",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
    "true",
    "builtins",
]


def declos_eval(capsys, expr: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["eval", "--strict", "-E", expr])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("name", MANUAL_GLOBALS)
def test_manual_global_is_the_builtin(capsys, name):
    # The global is the very builtin: same type, and `__name` is the same value too.
    expr = (
        f"let g = {name}; in [ (builtins.typeOf g) (builtins.typeOf builtins.{name}) "
        f"(builtins.typeOf __{name}) ]"
        if name != "builtins"
        else "builtins.typeOf builtins.builtins.builtins.map"
    )
    rc, out, err = declos_eval(capsys, expr)
    assert rc == 0, err
    if name != "builtins":
        kinds = set(out.strip()[1:-1].split())
        assert len(kinds) == 1, out


@pytest.mark.parametrize("name", ["readFile", "toXML", "fromJSON", "sort", "currentSystem"])
def test_other_builtins_are_not_global(capsys, name):
    rc, _out, err = declos_eval(capsys, name)
    assert rc == 1
    assert f"undefined variable '{name}'" in err


def test_global_names_used_as_nixpkgs_lib_uses_them(capsys, tmp_path):
    # nixpkgs' lib (trivial.nix, strings.nix) writes these without `builtins.`.
    (tmp_path / "x.toml").write_text('name = "declos"\n[server]\nport = 8080\n')
    lib = tmp_path / "lib.dcl"
    lib.write_text(
        "{\n"
        "  importTOML = path: fromTOML (builtins.readFile path);\n"
        '  out = placeholder "out";\n'
        "  same = break 3;\n"
        "  isNull' = isNull null;\n"
        "}\n"
    )
    expr = (
        f"let l = import {lib}; in [ (l.importTOML {tmp_path / 'x.toml'}) l.out l.same l.isNull' ]"
    )
    rc, out, err = declos_eval(capsys, expr)
    assert rc == 0, err
    assert out == (
        '[ { name = "declos"; server = { port = 8080; }; } '
        '"/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9" 3 true ]\n'
    )


@needs_nix
def test_global_names_agree_with_nix(capsys):
    names = run_nix(
        [NIX_INSTANTIATE, "--eval", "--json", "-E", "builtins.attrNames builtins"], check=True
    ).stdout
    names = [n.strip('" ') for n in names.strip("[]\n").split(",")]
    nix_globals = {
        n
        for n in names
        if run_nix([NIX_INSTANTIATE, "--eval", "-E", f"let x = {n}; in 1"]).returncode == 0
    }
    # Nix 2.8's globals are a subset of the manual's newer list (which adds `break`).
    assert nix_globals <= set(MANUAL_GLOBALS)
    for name in names:
        rc, _out, err = declos_eval(capsys, f"let x = {name}; in 1")
        if name in nix_globals:
            assert rc == 0, (name, err)
        elif name not in MANUAL_GLOBALS:
            assert rc == 1 and f"undefined variable '{name}'" in err, name


@needs_nix
def test_sort_forces_every_element_as_nix(capsys):
    # Even the only element of a one-element list, where no comparison happens.
    for expr in (
        'builtins.length (builtins.sort builtins.lessThan [ (0 + "") ])',
        'builtins.length (builtins.sort (a: b: true) [ 1 (throw "second") ])',
    ):
        nix = run_nix([NIX_INSTANTIATE, "--eval", "-E", expr])
        rc, _out, err = declos_eval(capsys, expr)
        assert (rc, nix.returncode) == (1, 1)
        assert err.splitlines()[0] == nix.stderr.splitlines()[0]
    rc, out, _err = declos_eval(capsys, "builtins.sort builtins.lessThan [ 1 ]")
    assert (rc, out) == (0, "[ 1 ]\n")


def test_oracle_drops_only_nix_settings_warnings():
    stderr = (
        "warning: the group 'nixbld' specified in 'build-users-group' does not exist\n"
        "trace: warning: kept\n"
        "error: kept too\n"
    )
    assert without_nix_warnings(stderr) == "trace: warning: kept\nerror: kept too\n"
