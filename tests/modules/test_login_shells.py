"""A login shell the configuration chose (users.defaultUserShell, a user's
`shell`) must exist on the target root: checked when the switch is
planned, before anything changes, naming the definition's file and line;
symlinks are followed inside the root; a shell of the store or of the new
generation's /run/current-system/sw, and one a declared host package
provides, pass; the module library's own defaults are not checked."""

from __future__ import annotations

import json
import os

import pytest

from declos.system.manifest import load_manifest
from declos.system.shells import ShellError, check_shells
from tests.modules.switching import switch_text


def make_root(root, *, bash_mode: int = 0o755, usrmerge: bool = True) -> None:
    """A root with /usr/bin/bash, and /bin -> usr/bin as merged-/usr distributions have it."""
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "bash").write_text("#!/bin/sh\n")
    (root / "usr" / "bin" / "bash").chmod(bash_mode)
    if usrmerge:
        (root / "bin").symlink_to("usr/bin")


def test_default_shell_missing_fails_before_anything_changes(tmp_path):
    make_root(tmp_path / "root")
    s = switch_text(
        tmp_path,
        '{\n  users.users.alice.isNormalUser = true;\n  users.defaultUserShell = "/bin/zsh";\n}\n',
    )
    assert s.code == 1
    assert (
        "the login shell /bin/zsh of the user alice does not exist in the root "
        f"{tmp_path / 'root'} (users.defaultUserShell, defined in {s.conf}:3)"
    ) in s.err
    assert "programs.zsh.enable = true installs zsh" in s.err and "nothing was changed" in s.err
    assert "Traceback" not in s.err
    assert sorted(os.listdir(tmp_path / "root")) == ["bin", "usr"]  # no etc, no passwd
    assert not (tmp_path / "state" / "profiles").exists() or not os.listdir(
        tmp_path / "state" / "profiles"
    )


def test_a_users_own_shell_names_its_line(tmp_path):
    make_root(tmp_path / "root")
    s = switch_text(
        tmp_path,
        '{\n  users.users.bob = {\n    isNormalUser = true;\n    shell = "/usr/bin/fish";\n  };\n}\n',
    )
    assert s.code == 1
    assert "/usr/bin/fish of the user bob does not exist" in s.err
    assert f"(users.users.bob.shell, defined in {s.conf}:4)" in s.err


def test_shell_through_a_symlink_inside_the_root_passes(tmp_path):
    make_root(tmp_path / "root")
    s = switch_text(
        tmp_path, '{ users.users.carol = { isNormalUser = true; shell = "/bin/bash"; }; }'
    )
    assert s.code == 0, s.err
    carol = [e for e in s.passwd() if e[0] == "carol"]
    assert carol[0][6] == "/bin/bash"


def test_symlink_leaving_the_root_is_resolved_inside_it(tmp_path):
    root = tmp_path / "root"
    make_root(root, usrmerge=False)
    (root / "bin").mkdir()
    # absolute inside the root: /usr/bin/bash of the root, never the host's
    (root / "bin" / "sh2").symlink_to("/usr/bin/bash")
    (root / "bin" / "gone").symlink_to("/usr/bin/not-there")
    ok = switch_text(tmp_path, '{ users.users.d = { isNormalUser = true; shell = "/bin/sh2"; }; }')
    assert ok.code == 0, ok.err
    bad = switch_text(
        tmp_path, '{ users.users.d = { isNormalUser = true; shell = "/bin/gone"; }; }'
    )
    assert bad.code == 1 and "/bin/gone of the user d does not exist" in bad.err


def test_shell_not_executable(tmp_path):
    make_root(tmp_path / "root", bash_mode=0o644)
    s = switch_text(tmp_path, '{ users.users.e = { isNormalUser = true; shell = "/bin/bash"; }; }')
    assert s.code == 1 and "/bin/bash of the user e is not executable" in s.err


def test_library_defaults_are_not_checked(tmp_path):
    # an empty root has no /bin/bash, but nobody chose it: the distribution's business
    s = switch_text(tmp_path, "{ users.users.f.isNormalUser = true; }")
    assert s.code == 0, s.err
    assert "shells" not in s.manifest()


def test_shell_from_the_store_and_the_new_generation(tmp_path):
    s = switch_text(
        tmp_path,
        """
        { pkgs, ... }:
        let mysh = pkgs.writeShellScriptBin "mysh" "exec /bin/sh \\"$@\\""; in {
          environment.systemPackages = [ mysh ];
          users.users.g = { isNormalUser = true; shell = "/run/current-system/sw/bin/mysh"; };
          users.users.h = { isNormalUser = true; shell = "${mysh}/bin/mysh"; };
        }
        """,
    )
    assert s.code == 0, s.err
    shells = {e["user"]: e["shell"] for e in s.manifest()["shells"]}
    assert shells["g"] == "/run/current-system/sw/bin/mysh"


def test_missing_program_in_the_new_generation(tmp_path):
    s = switch_text(
        tmp_path,
        '{ users.users.g = { isNormalUser = true; shell = "/run/current-system/sw/bin/nope"; }; }',
    )
    assert s.code == 1
    assert (
        "/run/current-system/sw/bin/nope of the user g does not exist in the new generation"
        in s.err
    )


def test_a_host_package_declos_installs_passes(build, tmp_path):
    """programs.zsh declares the package providing /bin/zsh: planning lets it
    pass on a root without zsh (the switch installs it first)."""
    s = build(
        """
        {
          programs.zsh.enable = true;
          users.defaultUserShell = "/bin/zsh";
          users.users.alice.isNormalUser = true;
        }
        """
    )
    entries = {e["user"]: e for e in s.manifest["shells"]}
    assert entries["alice"]["hostPackage"] == "zsh" and entries["root"]["shell"] == "/bin/zsh"
    root = tmp_path / "bare"
    root.mkdir()
    manifest = load_manifest(str(s.toplevel))
    check_shells(str(root), manifest, str(s.toplevel.parent))  # no error
    # without the package in hostPackages the same entries fail
    data = json.loads(json.dumps(manifest.data))
    data["hostPackages"]["packages"].pop("zsh")
    stripped = type(manifest).from_json(manifest.toplevel, data)
    with pytest.raises(ShellError, match="/bin/zsh of the user alice does not exist"):
        check_shells(str(root), stripped, str(s.toplevel.parent))
