"""fileSystems and swapDevices: systemd mount and swap units under their
escaped names (as `systemd-escape --path` makes them), wanted and, without
nofail, required by local-fs.target (remote-fs.target for network file
systems), checked by systemd-analyze verify at build time; fsck and makefs
dependencies; "/" and neededForBoot are warnings; bad input is a located
assertion; a switch into a scratch root installs the units and records
their starts."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess

import pytest

from tests.modules.real_programs import in_root
from tests.modules.switching import switch_text

CONFIG = r"""
{
  fileSystems."/mnt/scratch" = { device = "tmpfs"; fsType = "tmpfs"; options = [ "size=16m" "mode=0755" ]; };
  fileSystems."/srv/my-view" = { device = "/srv/data"; options = [ "bind" "nofail" ]; };
  fileSystems."/data" = { device = "UUID=1234-abcd"; fsType = "ext4"; autoFormat = true; depends = [ "/srv" ]; };
  fileSystems."/media/usb" = { label = "usb"; fsType = "vfat"; noCheck = true; };
  fileSystems."/nfs" = { device = "server:/export"; fsType = "nfs4"; };
  swapDevices = [ { device = "/var/swapfile"; size = 64; priority = 5; discardPolicy = "once"; } ];
}
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    from declos.cli import main

    d = tmp_path_factory.mktemp("fs")
    (d / "config.dcl").write_text(CONFIG)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["build", str(d / "config.dcl"), "--state-dir", str(d / "state"), "--no-out-link"]
        )
    assert code == 0, err.getvalue()
    return out.getvalue().strip(), err.getvalue()


def unit(system, name: str) -> list[str]:
    with open(os.path.join(system[0], "units", name)) as f:
        return f.read().splitlines()


def test_mount_units_have_systemd_escaped_names(system):
    names = sorted(os.listdir(os.path.join(system[0], "units")))
    assert names == sorted(
        [
            "mnt-scratch.mount",
            "srv-my\\x2dview.mount",
            "data.mount",
            "media-usb.mount",
            "nfs.mount",
            "declos-makefs-dev-disk-by\\x2duuid-1234\\x2dabcd.service",
            "var-swapfile.swap",
            "declos-mkswap-var-swapfile.service",
        ]
    )
    escape = shutil.which("systemd-escape")
    if escape:  # systemd's own spelling
        for path, name in (("/srv/my-view", "srv-my\\x2dview.mount"), ("/data", "data.mount")):
            out = subprocess.run(
                [escape, "--path", "--suffix=mount", path], capture_output=True, text=True
            )
            assert out.stdout.strip() == name


def test_mount_unit_text(system):
    scratch = unit(system, "mnt-scratch.mount")
    assert "What=tmpfs" in scratch and "Where=/mnt/scratch" in scratch
    assert "Type=tmpfs" in scratch and "Options=size=16m,mode=0755" in scratch
    bind = unit(system, "srv-my\\x2dview.mount")
    assert "What=/srv/data" in bind and "Options=bind,nofail" in bind
    assert not any(x.startswith("Type=") for x in bind)  # auto: mount(8) decides
    usb = unit(system, "media-usb.mount")
    assert "What=/dev/disk/by-label/usb" in usb and not any("fsck" in x for x in usb)
    data = unit(system, "data.mount")
    fsck = "systemd-fsck@dev-disk-by\\x2duuid-1234\\x2dabcd.service"
    makefs = "declos-makefs-dev-disk-by\\x2duuid-1234\\x2dabcd.service"
    assert "What=/dev/disk/by-uuid/1234-abcd" in data
    assert f"Requires={fsck} {makefs}" in data and "RequiresMountsFor=/srv" in data
    mk = unit(system, makefs)
    assert "ExecStart=/lib/systemd/systemd-makefs ext4 /dev/disk/by-uuid/1234-abcd" in mk
    assert f"Before=data.mount {fsck} shutdown.target" in mk


def test_targets_want_and_require_the_mounts(system):
    etc = os.path.join(system[0], "etc", "systemd", "system")
    wants = sorted(os.listdir(os.path.join(etc, "local-fs.target.wants")))
    requires = sorted(os.listdir(os.path.join(etc, "local-fs.target.requires")))
    assert "srv-my\\x2dview.mount" in wants and "srv-my\\x2dview.mount" not in requires  # nofail
    assert "mnt-scratch.mount" in requires and "data.mount" in requires
    assert os.listdir(os.path.join(etc, "remote-fs.target.requires")) == ["nfs.mount"]
    assert os.listdir(os.path.join(etc, "swap.target.wants")) == ["var-swapfile.swap"]


def test_manifest_reloads_mounts_and_leaves_swap(system):
    with open(os.path.join(system[0], "manifest.json")) as f:
        units = json.load(f)["units"]
    assert units["mnt-scratch.mount"]["reloadIfChanged"] is True  # a changed mount is remounted
    assert units["mnt-scratch.mount"]["wantedBy"] == ["local-fs.target"]
    assert units["var-swapfile.swap"]["restartIfChanged"] is False


def test_swap_file_made_with_its_size(system):
    swap = unit(system, "var-swapfile.swap")
    assert "What=/var/swapfile" in swap and "Priority=5" in swap
    assert "Options=defaults,discard=once" in swap
    mk = "\n".join(unit(system, "declos-mkswap-var-swapfile.service"))
    assert "fallocate -l 67108864 /var/swapfile" in mk and "mkswap /var/swapfile" in mk


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_units_pass_systemd_analyze_verify(system):
    with open(os.path.join(system[0], "checks", "units")) as f:
        assert f.read() == "passed\n"


def test_root_file_system_and_needed_for_boot_are_warnings(build):
    s = build(
        """
        {
          fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
          fileSystems."/nix" = { device = "/dev/sda2"; fsType = "ext4"; neededForBoot = true; };
        }
        """
    )
    assert 'fileSystems."/" is left to the host distribution' in s.stderr
    assert 'fileSystems."/nix".neededForBoot: declos does not build the host\'s initrd' in s.stderr
    assert "-.mount" not in s.manifest["units"] and "nix.mount" in s.manifest["units"]


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (
            'fileSystems."mnt/x" = { device = "tmpfs"; fsType = "tmpfs"; };',
            2,
            "must be a normalized absolute path",
        ),
        ('fileSystems."/mnt/a b" = { device = "tmpfs"; fsType = "tmpfs"; };', 2, "without spaces"),
        ('fileSystems."/mnt/x/" = { device = "tmpfs"; fsType = "tmpfs"; };', 2, "normalized"),
        ('fileSystems."/mnt/x" = { fsType = "tmpfs"; };', 2, "neither device nor label is set"),
        (
            'fileSystems."/mnt/x" = { device = "/dev/sdb1"; autoFormat = true; };',
            2,
            "autoFormat needs fsType",
        ),
        (
            'fileSystems."/mnt/x" = { device = "/dev/sd b"; fsType = "ext4"; };',
            2,
            "without spaces or double quotes",
        ),
        (
            'fileSystems."/mnt/x" = { device = "tmpfs"; options = [ "a,b" ]; };',
            2,
            "may not contain a comma",
        ),
        ('swapDevices = [ { device = "/dev/sdb2"; size = 10; } ];', 2, "size makes a swap file"),
    ],
)
def test_bad_file_systems_are_located(build, text, line, expected):
    err = build("{\n  " + text + "\n}\n", fails=True)
    assert expected in err
    assert f"config.dcl:{line}" in err


def test_switch_installs_units_and_records_their_start(tmp_path):
    s = switch_text(
        tmp_path,
        '{ fileSystems."/mnt/scratch" = { device = "tmpfs"; fsType = "tmpfs"; options = [ "size=8m" ]; }; }',
    )
    assert s.code == 0, s.err
    unitfile = s.root / "etc/systemd/system/mnt-scratch.mount"
    assert (
        "Where=/mnt/scratch" in in_root(s.root, "/etc/systemd/system/mnt-scratch.mount").read_text()
    )
    assert os.path.lexists(s.root / "etc/systemd/system/local-fs.target.wants/mnt-scratch.mount")
    log = (tmp_path / "state" / "unit-actions.log").read_text()
    assert "systemctl start mnt-scratch.mount" in log
    changed = switch_text(
        tmp_path,
        '{ fileSystems."/mnt/scratch" = { device = "tmpfs"; fsType = "tmpfs"; options = [ "size=16m" ]; }; }',
    )
    assert changed.code == 0, changed.err
    log = (tmp_path / "state" / "unit-actions.log").read_text()
    assert "systemctl reload mnt-scratch.mount" in log  # a remount, not an unmount
    gone = switch_text(tmp_path, "{ }")
    assert gone.code == 0, gone.err
    assert not os.path.lexists(unitfile)
    assert (
        "systemctl stop mnt-scratch.mount" in (tmp_path / "state" / "unit-actions.log").read_text()
    )
