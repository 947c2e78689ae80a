"""Module-system errors name the user's file and line, and come at once.

Three kinds: `imports` that form a cycle (deduplicated by key, as any
module: nixpkgs overflows its stack there), an `imports` entry that cannot
be loaded (the importing module's file:line is named), and infinite
recursion through `config` (located at the user's definition, with the
options being evaluated).  Each case runs declos in a subprocess; its
timeout only guards against hanging.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def declos(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "declos", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def eval_modules(tmp: Path, files: dict[str, str], attr: str) -> subprocess.CompletedProcess:
    """`(lib.evalModules { modules = [ ./main.dcl ]; }).ATTR`, strictly."""
    for name, text in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text)
    expr = f"(( import <declos/lib>).evalModules {{ modules = [ ./main.dcl ]; }}).{attr}"
    return declos("eval", "--strict", "-E", expr, cwd=tmp)


OPTIONS = """\
{ lib, ... }:
{
  options.x = lib.mkOption { type = lib.types.int; default = 0; };
  options.l = lib.mkOption { type = lib.types.listOf lib.types.int; default = [ ]; };
}
"""

# --- imports that form a cycle ------------------------------------------------------

CYCLES = [
    pytest.param(
        {
            "main.dcl": "{ imports = [ ./b.dcl ./options.dcl ]; l = [ 1 ]; }\n",
            "b.dcl": "{ imports = [ ./main.dcl ]; x = 7; l = [ 2 ]; }\n",
        },
        "{ l = [ 1 2 ]; x = 7; }",
        id="two-files",
    ),
    pytest.param(
        {"main.dcl": "{ imports = [ ./main.dcl ./options.dcl ]; x = 1; }\n"},
        "{ l = [ ]; x = 1; }",
        id="self",
    ),
    pytest.param(
        {
            "main.dcl": "{ ... }: { imports = [ ./b.dcl ]; l = [ 1 ]; }\n",
            "b.dcl": "{ config, ... }: { imports = [ ./c.dcl ]; x = builtins.length config.l; }\n",
            "c.dcl": "{ imports = [ ./main.dcl ./options.dcl ./extra.dcl ]; l = [ 3 ]; }\n",
            "extra.dcl": "{ l = [ 99 ]; }\n",
        },
        "{ l = [ 1 3 99 ]; x = 3; }",
        id="three-function-modules",
    ),
    pytest.param(
        {
            "main.dcl": "{ imports = [ ./b.dcl ./options.dcl ./extra.dcl ]; l = [ 1 ]; }\n",
            "b.dcl": "{ imports = [ ./main.dcl ]; disabledModules = [ ./extra.dcl ]; }\n",
            "extra.dcl": "{ l = [ 99 ]; }\n",
        },
        "{ l = [ 1 ]; x = 0; }",
        id="disabledModules-inside-the-cycle",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CYCLES)
def test_imports_cycles_are_deduplicated(tmp_path, files, expected):
    r = eval_modules(tmp_path, {"options.dcl": OPTIONS, **files}, "config")
    assert (r.returncode, r.stdout) == (0, expected + "\n"), r.stderr


def test_a_configuration_importing_itself_evaluates(tmp_path):
    (tmp_path / "configuration.dcl").write_text(
        '{ ... }:\n{\n  imports = [ ./configuration.dcl ];\n  networking.hostName = "loop";\n}\n'
    )
    r = declos("options", "configuration.dcl", "networking.hostName", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert '  value: "loop"\n' in r.stdout


def test_a_module_value_importing_itself_is_stopped(tmp_path):
    files = {
        "main.dcl": "let\n  again = { imports = [ again ]; };\nin\n{ imports = [ again ]; }\n",
    }
    r = eval_modules(tmp_path, files, "config")
    assert r.returncode == 1
    assert r.stderr == (
        "error: Module imports are nested more than 1000 levels deep, in "
        f"`{tmp_path}/main.dcl': a module imports itself as a value. Import it by path, "
        "or give it a `key', so that it is imported once.\n"
    )


# --- an imports entry that cannot be loaded ---------------------------------------------

MISSING = [
    pytest.param(
        {"main.dcl": "{ ... }:\n{\n  imports = [\n    ./hardware.dcl\n  ];\n}\n"},
        "$T/hardware.dcl",
        "$T/main.dcl:3",
        "error: getting status of '$T/hardware.dcl': No such file or directory\n",
        id="function-module",
    ),
    pytest.param(
        {
            "main.dcl": "{\n  imports = [ ./mid.dcl ];\n}\n",
            "mid.dcl": '{\n  config = { };\n\n  imports = [ "$T/gone/x.dcl" ];\n}\n',
        },
        "$T/gone/x.dcl",
        "$T/mid.dcl:4",
        "error: getting status of '$T/gone/x.dcl': No such file or directory\n",
        id="nested-string-path",
    ),
    pytest.param(
        {"main.dcl": "{ imports = [ ./dir ]; }\n", "dir/other.dcl": "{ }\n"},
        "$T/dir",
        "$T/main.dcl:1",
        "error: getting status of '$T/dir/default.nix': No such file or directory\n",
        id="directory-without-default",
    ),
    pytest.param(
        {"main.dcl": "{ imports = [ ./bad.dcl ]; }\n", "bad.dcl": "{\n  x = ;\n}\n"},
        "$T/bad.dcl",
        "$T/main.dcl:1",
        "error: syntax error, unexpected ';'\n"
        "       at $T/bad.dcl:2:7:\n"
        "            1| {\n"
        "            2|   x = ;\n"
        "             |       ^\n"
        "            3| }\n",
        id="syntax-error",
    ),
]


@pytest.mark.parametrize(("files", "module", "importer", "error"), MISSING)
def test_a_module_that_cannot_be_loaded_names_its_importer(
    tmp_path, files, module, importer, error
):
    files = {n: t.replace("$T", str(tmp_path)) for n, t in files.items()}
    r = eval_modules(tmp_path, files, "config")
    expected = (
        "error:\n"
        f"       … while loading the module `{module}' imported from `{importer}':\n"
        "\n"
        "       " + error
    ).replace("$T", str(tmp_path))
    assert (r.returncode, r.stderr) == (1, expected)


def test_declos_build_names_the_missing_import(tmp_path):
    (tmp_path / "configuration.dcl").write_text(
        '{ ... }:\n{\n  networking.hostName = "h";\n  imports = [ ./hardware-configuration.dcl ];\n}\n'
    )
    r = declos("build", "configuration.dcl", "--state-dir", str(tmp_path / "state"), cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == (
        "error:\n"
        f"       … while loading the module `{tmp_path}/hardware-configuration.dcl' imported "
        f"from `{tmp_path}/configuration.dcl:4':\n"
        "\n"
        f"       error: getting status of '{tmp_path}/hardware-configuration.dcl': "
        "No such file or directory\n"
    )
    assert not (tmp_path / "result").exists()


# --- infinite recursion through config ---------------------------------------------


def _snippet(before: str, line: str, after: str, n: int, col: int) -> str:
    return (
        f"            {n - 1}| {before}\n"
        f"            {n}| {line}\n"
        f"             |{' ' * col}^\n"
        f"            {n + 1}| {after}\n"
    )


RECURSION = [
    pytest.param(
        "{ config, lib, ... }:\n{\n"
        "  options.a = lib.mkOption { type = lib.types.int; };\n"
        "  options.b = lib.mkOption { type = lib.types.int; };\n"
        "  config.a = config.b + 1;\n"
        "  config.b = config.a;\n}\n",
        "config.a",
        ["a", "b"],
        (6, 14, "  config.a = config.b + 1;", "  config.b = config.a;", "}"),
        id="two-options-defined-from-each-other",
    ),
    pytest.param(
        "{ config, lib, ... }:\n{\n"
        "  options.port = lib.mkOption { type = lib.types.port; default = config.port; };\n"
        "}\n",
        "config.port",
        ["port"],
        (
            3,
            66,
            "{",
            "  options.port = lib.mkOption { type = lib.types.port; default = config.port; };",
            "}",
        ),
        id="default-from-itself",
    ),
    pytest.param(
        "{ config, lib, ... }:\n{\n"
        '  options.web.enable = lib.mkEnableOption "web";\n'
        "  config = lib.mkIf config.web.enable {\n"
        "    web.enable = true;\n  };\n}\n",
        "config.web.enable",
        ["web.enable"],
        (
            4,
            21,
            '  options.web.enable = lib.mkEnableOption "web";',
            "  config = lib.mkIf config.web.enable {",
            "    web.enable = true;",
        ),
        id="mkIf-on-its-own-option",
    ),
    pytest.param(
        "{ config, lib, ... }:\n{\n"
        "  options.users = lib.mkOption {\n"
        "    type = lib.types.attrsOf (lib.types.submodule { options.home = lib.mkOption "
        "{ type = lib.types.str; }; });\n"
        "  };\n"
        '  config.users.alice.home = "/home/${config.users.alice.home}";\n'
        "}\n",
        "config.users.alice.home",
        ["users.alice.home"],
        (
            6,
            29,
            "  };",
            '  config.users.alice.home = "/home/${config.users.alice.home}";',
            "}",
        ),
        id="submodule-option-from-itself",
    ),
]


@pytest.mark.parametrize(("module", "attr", "chain", "where"), RECURSION)
def test_infinite_recursion_through_config_is_at_the_definition(
    tmp_path, module, attr, chain, where
):
    r = eval_modules(tmp_path, {"main.dcl": module}, attr)
    n, col, before, line, after = where
    assert r.returncode == 1
    assert r.stderr == (
        "error:\n"
        + "".join(f"       … while evaluating the option `{o}':\n" for o in chain)
        + "\n"
        + "       error: infinite recursion encountered\n"
        + f"       at {tmp_path}/main.dcl:{n}:{col}:\n"
        + _snippet(before, line, after, n, col)
    )


LIBRARY_RECURSION = [
    pytest.param(
        "  networking.hostName = config.networking.hostName;",
        "networking.hostName",
        25,
        id="hostName-from-itself",
    ),
    pytest.param(
        "  networking.hostName = config.environment.etc.hostname.text;",
        "networking.hostName",
        25,
        id="hostName-through-the-library",
    ),
    pytest.param(
        "  users.users.alice = { isNormalUser = true; home = config.users.users.alice.home; };",
        "users.users.alice.home",
        53,
        id="a-user-home-from-itself",
    ),
]


@pytest.mark.parametrize(("line", "option", "col"), LIBRARY_RECURSION)
def test_infinite_recursion_in_a_configuration_is_at_the_users_line(tmp_path, line, option, col):
    """With the module library, through `declos build`: the options chain
    goes through the library's own options, the location is the user's."""
    (tmp_path / "configuration.dcl").write_text("{ config, ... }:\n{\n" + line + "\n}\n")
    r = declos("build", "configuration.dcl", "--state-dir", str(tmp_path / "state"), cwd=tmp_path)
    assert r.returncode == 1
    head, _, tail = r.stderr.partition("\n\n")
    assert head.startswith("error:\n")
    assert f"       … while evaluating the option `{option}':" in head.splitlines()
    assert tail == (
        "       error: infinite recursion encountered\n"
        f"       at {tmp_path}/configuration.dcl:3:{col}:\n" + _snippet("{", line[2:], "}", 3, col)
    ).replace(f"| {line[2:]}", f"| {line}")
    r = declos("options", "configuration.dcl", option, cwd=tmp_path)
    assert r.returncode == 1
    assert f"«error: infinite recursion encountered (at configuration.dcl:3:{col})»" in r.stdout
