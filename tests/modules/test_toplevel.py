"""The toplevel of a configuration: its layout, manifest.json (the contract
with declos/system, DESIGN.md), assertions and warnings, examples/minimal,
and how the module library is found."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from declos.dirs import modules_dir
from declos.eval.evaluator import Evaluator
from declos.options.configuration import find_module_list

needs_zoneinfo = pytest.mark.skipif(
    not os.path.isfile("/usr/share/zoneinfo/UTC"), reason="no /usr/share/zoneinfo on this host"
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MINIMAL = os.path.join(ROOT, "examples", "minimal", "config.dcl")

MANIFEST_KEYS = {
    "version", "system", "etc", "users", "groups", "mutableUsers", "units",
    "activationScripts", "packages", "assertionsChecked", "warnings",
}  # fmt: skip


def test_module_list_is_found_on_the_builtin_search_path():
    assert os.path.isfile(os.path.join(modules_dir(), "module-list.dcl"))
    assert find_module_list(Evaluator()) == os.path.join(modules_dir(), "module-list.dcl")


def test_every_module_file_is_in_the_list():
    listed = Path(modules_dir(), "module-list.dcl").read_text()
    for dirpath, _, files in os.walk(modules_dir()):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), modules_dir())
            if name.endswith(".dcl") and rel != "module-list.dcl" and "-lib" not in name:
                assert f"./{rel}" in listed, rel


@needs_zoneinfo
def test_minimal_example_builds(build):
    system = build(path=MINIMAL)
    m = system.manifest
    assert set(m) == MANIFEST_KEYS
    assert m["version"] == 1
    assert m["system"] == {
        "stateVersion": "24.11",
        "hostName": "minimal",
        "configurationFile": None,
    }
    assert (system.etc("hostname")).read_text() == "minimal\n"
    assert os.readlink(system.etc("localtime")) == "/usr/share/zoneinfo/Europe/Berlin"
    assert m["etc"]["localtime"]["source"] == "/usr/share/zoneinfo/Europe/Berlin"
    alice = m["users"]["alice"]
    assert alice["group"] == "users" and alice["home"] == "/home/alice"
    assert alice["createHome"] is True and alice["isNormalUser"] is True
    assert alice["authorizedKeys"][0].startswith("ssh-ed25519 ")
    assert m["groups"]["wheel"]["members"] == ["alice"]
    assert m["assertionsChecked"] is True and m["warnings"] == []


def test_layout(build):
    system = build("{ }")
    top = system.toplevel
    assert sorted(os.listdir(top)) == ["activate", "checks", "etc", "manifest.json", "sw", "units"]
    assert os.listdir(top / "checks") == []  # nothing to check in an empty configuration
    m = system.manifest
    assert os.path.realpath(top / "sw") == m["packages"]
    assert not os.access(top / "activate", os.X_OK)
    assert m["system"]["hostName"] is None
    assert m["units"] == {} and m["activationScripts"] == [] and m["etc"] == {}
    assert m["mutableUsers"] is True
    assert {"root", "nobody"} <= set(m["users"])
    assert m["users"]["root"]["uid"] == 0 and m["groups"]["root"]["gid"] == 0


def test_same_configuration_same_toplevel(build):
    assert build("{ }").toplevel == build("{ }").toplevel


def test_manifest_keys_are_sorted(build):
    text = (build("{ }").toplevel / "manifest.json").read_text()
    assert list(__import__("json").loads(text)) == sorted(MANIFEST_KEYS)


def test_failed_assertions_list_every_message(build):
    err = build(
        """
        { assertions = [
            { assertion = false; message = "first failure"; }
            { assertion = true; message = "not shown"; }
            { assertion = false; message = "second failure"; }
          ];
        }
        """,
        fails=True,
    )
    assert "Failed assertions:" in err
    assert "- first failure" in err and "- second failure" in err
    assert "not shown" not in err
    assert err.index("first failure") < err.index("second failure")


def test_warnings_are_printed_and_kept(build):
    system = build('{ warnings = [ "mind the gap" ]; }')
    assert "warning: mind the gap" in system.stderr
    assert system.manifest["warnings"] == ["mind the gap"]


def test_configuration_file_is_copied_into_the_store(build):
    system = build("{ system.configurationFile = ./config.dcl; }")
    recorded = system.manifest["system"]["configurationFile"]
    assert recorded.startswith(str(build.dir / "state" / "store"))
    assert "configurationFile" in Path(recorded).read_text()


def test_system_packages_are_merged_into_sw(build):
    system = build(
        """
        { pkgs, ... }: {
          environment.systemPackages = [
            (pkgs.writeShellScriptBin "hello" "echo hello")
            (pkgs.writeTextDir "share/doc/x" "doc")
          ];
        }
        """
    )
    sw = system.toplevel / "sw"
    assert (sw / "bin" / "hello").read_text().endswith("echo hello\n")
    assert (sw / "share" / "doc" / "x").read_text() == "doc"


def test_modules_path_is_the_library(build):
    system = build(
        """
        { modulesPath, ... }: {
          environment.etc.mp.text = builtins.readFile (modulesPath + "/module-list.dcl");
        }
        """
    )
    assert "./system/toplevel.dcl" in system.etc("mp").read_text()
