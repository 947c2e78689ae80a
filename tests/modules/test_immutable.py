"""From the immutable-distribution world: services.flatpak (declared
remotes and apps, an activation script run against a fake `flatpak`),
services.snapper (config files, the pre/post pair around activation only
on btrfs with snapper present) and system.etc.overlay (the mount unit and
its directories)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from realcheck import systemd_verify

FLATPAK = """
{
  services.flatpak = {
    enable = true;
    remotes.flathub.url = "https://dl.flathub.org/repo/flathub.flatpakrepo";
    packages = [ %s ];
  };
}
"""


def fake_tool(bindir: Path, name: str, body: str) -> Path:
    """A shell script `name` in `bindir` that logs its arguments to
    bindir/<name>.log and then runs `body`."""
    bindir.mkdir(exist_ok=True)
    tool = bindir / name
    tool.write_text(f'#!/bin/sh\necho "$*" >> "{bindir}/{name}.log"\n{body}\n')
    tool.chmod(0o755)
    return bindir / f"{name}.log"


def run_script(system, name: str, root: Path, bindir: Path | None) -> subprocess.CompletedProcess:
    (script,) = [s["script"] for s in system.manifest["activationScripts"] if s["name"] == name]
    path = f"{bindir}:/usr/bin:/bin" if bindir else "/usr/bin:/bin"
    env = {"PATH": path, "DECLOS_ROOT": str(root)}
    return subprocess.run(["sh", "-e", script], env=env, capture_output=True, text=True, check=True)


def test_flatpak_declaration_in_etc(build):
    system = build(FLATPAK % '"flathub:org.mozilla.firefox" "org.gnome.Calculator//stable"')
    etc = system.manifest["etc"]
    assert system.etc("declos/flatpak/remotes/flathub").read_text().startswith("https://dl.flathub")
    assert "declos/flatpak/apps/flathub/org.mozilla.firefox" in etc
    assert "declos/flatpak/apps/flathub/org.gnome.Calculator@stable" in etc
    assert "flatpak" in {s["name"] for s in system.manifest["activationScripts"]}


def test_flatpak_installs_and_removes_with_flatpak_present(build, tmp_path):
    root, bindir = tmp_path / "root", tmp_path / "bin"
    root.mkdir()
    # `flatpak info` fails: nothing is installed yet
    log = fake_tool(bindir, "flatpak", '[ "$1" = info ] && exit 1; exit 0')
    first = build(FLATPAK % '"flathub:org.mozilla.firefox" "org.gnome.Calculator"')
    out = run_script(first, "flatpak", root, bindir).stdout
    assert "flatpak: install flathub org.mozilla.firefox" in out
    calls = log.read_text().splitlines()
    assert (
        "remote-add --system --if-not-exists flathub https://dl.flathub.org/repo/flathub.flatpakrepo"
        in calls
    )
    assert "install --system --noninteractive -y flathub org.mozilla.firefox" in calls
    assert "install --system --noninteractive -y flathub org.gnome.Calculator" in calls
    state = root / "var/lib/declos/flatpak-apps"
    assert state.read_text().split() == ["org.mozilla.firefox", "org.gnome.Calculator"]

    log.unlink()
    second = build(FLATPAK % '"org.gnome.Calculator"')
    out = run_script(second, "flatpak", root, bindir).stdout
    calls = log.read_text().splitlines()
    assert "uninstall --system --noninteractive -y org.mozilla.firefox" in calls
    assert not any(c.startswith("uninstall") and "Calculator" in c for c in calls)
    assert state.read_text().split() == ["org.gnome.Calculator"]


def test_flatpak_absent_does_nothing(build, tmp_path):
    system = build(FLATPAK % '"org.gnome.Calculator"')
    if os.path.exists("/usr/bin/flatpak") or os.path.exists("/bin/flatpak"):
        return  # the host has flatpak: covered by the fake-flatpak test
    proc = run_script(system, "flatpak", tmp_path, None)
    assert "no flatpak on this host" in proc.stdout and "org.gnome.Calculator" in proc.stdout
    assert not (tmp_path / "var").exists()


def test_flatpak_undeclared_remote_is_an_assertion(build):
    err = build(FLATPAK % '"fedora:org.gnome.Calculator"', fails=True)
    assert "Failed assertions" in err
    assert 'comes from the remote "fedora", which is not declared' in err and "flathub" in err


def test_flatpak_bad_app_id_names_the_line(build):
    err = build(
        """
        {
          services.flatpak.enable = true;
          services.flatpak.packages = [
            "firefox"
          ];
        }
        """,
        fails=True,
    )
    assert "services.flatpak.packages" in err and "flatpak application id" in err
    assert "config.dcl:4" in err, err


SNAPPER = """
{
  services.snapper.configs = {
    root = { SUBVOLUME = "/"; TIMELINE_CREATE = true; NUMBER_LIMIT = "50"; };
    home = { SUBVOLUME = "/home"; ALLOW_USERS = [ "alice" "bob" ]; TIMELINE_LIMIT_DAILY = 7; };
  };
  system.activationScripts.other = "true";
}
"""


def test_snapper_configs(build):
    system = build(SNAPPER)
    assert system.etc("snapper/configs/home").read_text().splitlines()[1:] == [
        'ALLOW_GROUPS=""',
        'ALLOW_USERS="alice bob"',
        'FSTYPE="btrfs"',
        'SUBVOLUME="/home"',
        'TIMELINE_CLEANUP="no"',
        'TIMELINE_CREATE="no"',
        'TIMELINE_LIMIT_DAILY="7"',
    ]
    assert 'TIMELINE_CREATE="yes"' in system.etc("snapper/configs/root").read_text()
    assert 'SNAPPER_CONFIGS="home root"' in system.etc("conf.d/snapper").read_text()
    scripts = {s["name"]: s["deps"] for s in system.manifest["activationScripts"]}
    assert scripts["00-snapper-pre"] == []
    assert scripts["snapper-post"] == ["other"]
    assert "snapper/configs/root" not in build("{ }").manifest["etc"]


def test_snapper_no_root_config_no_pair(build):
    system = build('{ services.snapper.configs.home.SUBVOLUME = "/home"; }')
    names = {s["name"] for s in system.manifest["activationScripts"]}
    assert not names & {"00-snapper-pre", "snapper-post"}


def test_snapper_pair_only_on_btrfs_with_snapper(build, tmp_path):
    system = build(SNAPPER)
    root, bindir = tmp_path / "root", tmp_path / "bin"
    (root / "etc/snapper/configs").mkdir(parents=True)
    (root / "etc/snapper/configs/root").write_text("")
    log = fake_tool(bindir, "snapper", 'case "$*" in *"-t pre"*) echo 42 ;; esac')
    # not btrfs (the test's tmp): nothing happens
    run_script(system, "00-snapper-pre", root, bindir)
    run_script(system, "snapper-post", root, bindir)
    assert not log.exists()
    # btrfs, as a fake stat says
    fake_tool(bindir, "stat", "echo btrfs")
    run_script(system, "00-snapper-pre", root, bindir)
    assert (root / "run/declos/snapper-pre-root").read_text().strip() == "42"
    run_script(system, "snapper-post", root, bindir)
    pre, post = log.read_text().splitlines()
    assert f"--root={root} -c root create -t pre -p -c number -d declos switch" in pre
    assert "-c root create -t post --pre-number 42" in post
    assert not (root / "run/declos/snapper-pre-root").exists()


def test_snapper_bad_subvolume(build):
    err = build('{ services.snapper.configs.x.SUBVOLUME = "home"; }', fails=True)
    assert "services.snapper.configs.x.SUBVOLUME must be an absolute path" in err


def test_etc_overlay(build, tmp_path):
    system = build("{ system.etc.overlay.enable = true; }")
    unit = system.etc("systemd/system/etc.mount")
    lines = unit.read_text().splitlines()
    assert "Where=/etc" in lines and "Type=overlay" in lines
    assert (
        "Options=lowerdir=/etc/static:/etc,upperdir=/.rw-etc/upper,workdir=/.rw-etc/work" in lines
    )
    assert os.path.realpath(system.etc("systemd/system/local-fs.target.wants/etc.mount")) == str(
        unit.resolve()
    )
    # not a unit declos starts: the mount happens at boot of the live system
    assert "etc.mount" not in system.manifest["units"]
    run_script(system, "etc-overlay", tmp_path, None)
    assert (tmp_path / ".rw-etc/upper").is_dir() and (tmp_path / ".rw-etc/work").is_dir()
    systemd_verify([unit])


def test_etc_overlay_immutable(build):
    system = build("{ system.etc.overlay = { enable = true; mutable = false; }; }")
    assert (
        "Options=lowerdir=/etc/static:/etc,ro"
        in system.etc("systemd/system/etc.mount").read_text().splitlines()
    )
    assert "etc-overlay" not in {s["name"] for s in system.manifest["activationScripts"]}
