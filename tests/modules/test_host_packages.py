"""environment.hostPackages, pkgs.<name> and users.users.<n>.packages in the
module library (issue 14): what the manifest records (each name with the
lines declaring it), located errors for bad names, the host's packages as
derivations linking the host's files (from this machine's apt index, read
offline), and the per-user profiles on PATH.  Switching them on a live host
is tests/live/test_live_packages.py."""

from __future__ import annotations

import os
import shutil

import pytest

APT_LISTS = "/var/lib/apt/lists"
needs_apt_index = pytest.mark.skipif(
    shutil.which("apt-cache") is None
    or not os.path.isdir(APT_LISTS)
    or not any("_Packages" in n for n in os.listdir(APT_LISTS)),
    reason="no apt index on this machine",
)
# mawk is "required" in Debian: installed everywhere, with an update-alternatives link (awk).
needs_mawk = pytest.mark.skipif(
    not os.path.isfile("/var/lib/dpkg/info/mawk.postinst"), reason="mawk is not installed here"
)


def test_host_packages_are_in_the_manifest_with_their_lines(build):
    system = build(
        """\
        { pkgs, ... }:
        {
          environment.hostPackages = [ "htop" "git" ];
          imports = [ { environment.hostPackages = [ "git" ]; } ];
        }
        """
    )
    cfg = str(build.dir / "config.dcl")
    assert system.manifest["hostPackages"] == {
        "manager": None,
        "packages": {"git": [f"{cfg}:3", f"{cfg}:4"], "htop": [f"{cfg}:3"]},
    }


def test_nothing_declared_leaves_the_manifest_as_it_was(build):
    assert "hostPackages" not in build("{ }").manifest
    m = build('{ environment.hostPackageManager = "dnf"; }').manifest
    assert m["hostPackages"] == {"manager": "dnf", "packages": {}}


@pytest.mark.parametrize(
    "bad", ["-oDebug::pkgProblemResolver=1", "htop-", "vim=2:9.0", "a b", "x/y"]
)
def test_a_name_no_package_manager_takes_is_a_located_type_error(build, bad):
    err = build(
        f"""\
        {{
          environment.hostPackages = [
            "htop" "{bad}"
          ];
        }}
        """,
        fails=True,
    )
    assert "environment.hostPackages" in err
    assert "package name of the host distribution" in err
    assert "config.dcl:2" in err


def test_the_manager_is_one_declos_drives(build):
    err = build('{ environment.hostPackageManager = "pacman"; }', fails=True)
    assert "environment.hostPackageManager" in err and "one of" in err


@needs_apt_index
@needs_mawk
def test_pkgs_name_links_the_host_files_of_that_package(build):
    system = build(
        """\
        { pkgs, lib, ... }:
        {
          environment.systemPackages = with pkgs; [
            mawk
          ];
          environment.etc."declos-test".text = "${pkgs.mawk}/bin/mawk";
        }
        """
    )
    cfg = str(build.dir / "config.dcl")
    assert system.manifest["hostPackages"]["packages"] == {"mawk": [f"{cfg}:3"]}
    sw = system.toplevel / "sw"
    # the package's own file, and the link its maintainer script makes
    pkg = os.path.dirname(os.path.realpath(sw / "bin"))  # its only package: bin/ is its
    assert os.readlink(f"{pkg}/bin/mawk") == "/usr/bin/mawk"
    assert os.readlink(f"{pkg}/bin/awk") == "/usr/bin/awk"
    assert os.path.basename(pkg).split("-", 1)[1].startswith("mawk-")
    assert system.etc("declos-test").read_text() == f"{pkg}/bin/mawk"


@needs_apt_index
def test_an_unknown_host_package_names_close_ones(build):
    err = build("{ pkgs, ... }: { environment.systemPackages = [ pkgs.mawkk ]; }", fails=True)
    assert "attribute 'mawkk' missing" in err and "Did you mean" in err and "mawk" in err
    assert "config.dcl:1" in err


def test_user_packages_are_a_profile_on_that_users_path(build):
    system = build(
        """\
        { pkgs, ... }:
        {
          users.users.alice = {
            isNormalUser = true;
            packages = [ (pkgs.writeShellScriptBin "mine" "echo mine") ];
          };
          users.users.bob.isNormalUser = true;
        }
        """
    )
    alice = system.etc("profiles/per-user/alice")
    assert (alice / "bin" / "mine").exists()
    assert not system.etc("profiles/per-user/bob").exists()
    profile = system.etc("profile.d/declos.sh").read_text()
    assert '-d "/etc/profiles/per-user/$__declos_u/bin"' in profile
    envd = system.etc("environment.d/60-declos-per-user.conf").read_text()
    assert "PATH=/etc/profiles/per-user/${USER}/bin:${PATH:-" in envd
    assert "hostPackages" not in system.manifest  # nothing of the host's


def test_no_user_packages_no_per_user_files(build):
    system = build("{ users.users.alice.isNormalUser = true; }")
    assert not system.etc("environment.d/60-declos-per-user.conf").exists()
    assert not system.etc("profile.d/declos.sh").exists()
