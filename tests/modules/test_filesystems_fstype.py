"""fileSystems and swapDevices cannot be made to write a unit they do not declare.

fsType is written unquoted into `ExecStart=/lib/systemd/systemd-makefs TYPE
DEVICE` and Type=, so `fsType = "ext4 /dev/sdb"` would format another
device than the declared one: it is a file system type name.  A swap
option, a `depends` path or a label with a line end would add a line to
the unit (a second What= wins), a label with "/" leaves /dev/disk/by-label,
a swap file is also written into the `sh -c` script that makes it, and a
device path with ".." (`/dev/../etc/passwd`, `LABEL=../../sdb`) is another
device than it seems (autoFormat formats what is not under /dev).
Each is refused at evaluation with the option, the definition's file:line
and what was expected, and nothing is built; plain values render as
before."""

from __future__ import annotations

import pytest

FS = 'fileSystems."/data"'
CASES = [
    (
        "fsType with a second device",
        f'{FS} = {{ device = "/dev/sda1"; fsType = "ext4 /dev/sdb"; autoFormat = true; }};',
        ['fileSystems."/data".fsType', "is not of type", "file system type name"],
    ),
    (
        "fsType with a line end",
        f'{FS} = {{ device = "/dev/sda1"; fsType = "ext4\\nWhat=/dev/sdb"; }};',
        ['fileSystems."/data".fsType', "file system type name"],
    ),
    (
        "fsType as an option",
        f'{FS} = {{ device = "/dev/sda1"; fsType = "-oremount"; }};',
        ['fileSystems."/data".fsType', "file system type name"],
    ),
    (
        "depends with a line end",
        f'{FS} = {{ device = "/dev/sda1"; fsType = "ext4"; depends = [ "/srv\\n[Mount]\\nWhat=/dev/sdb" ]; }};',
        ['fileSystems."/data".depends', "must be a normalized absolute path"],
    ),
    (
        "depends with a space",
        f'{FS} = {{ device = "/dev/sda1"; fsType = "ext4"; depends = [ "/srv /home" ]; }};',
        ['fileSystems."/data".depends', "without spaces"],
    ),
    (
        "label leaving by-label",
        f'{FS} = {{ label = "../../sdb"; fsType = "ext4"; autoFormat = true; }};',
        ['fileSystems."/data".label', '"../../sdb"', 'without "/"'],
    ),
    (
        "device leaving /dev through ..",
        f'{FS} = {{ device = "/dev/../etc/passwd"; fsType = "ext4"; autoFormat = true; }};',
        ['fileSystems."/data"', '"/dev/../etc/passwd"', "must be a normalized path"],
    ),
    (
        "fstab label leaving by-label",
        f'{FS} = {{ device = "LABEL=../../sdb"; fsType = "ext4"; autoFormat = true; }};',
        ['fileSystems."/data"', '"LABEL=../../sdb"', "LABEL=", 'without "/"'],
    ),
    (
        "swap fstab label leaving by-label",
        'swapDevices = [ { device = "LABEL=../../sdb"; } ];',
        ["swapDevices, entry 1", '"LABEL=../../sdb"', "must be a normalized path"],
    ),
    (
        "swap option with a line end",
        'swapDevices = [ { device = "/dev/sda2"; options = [ "defaults\\nWhat=/dev/sdb" ]; } ];',
        ["swapDevices, entry 1, options", "may not contain a comma or a line end"],
    ),
    (
        "swap label leaving by-label",
        'swapDevices = [ { label = "../../sdb"; } ];',
        ["swapDevices, entry 1, label", 'without "/"'],
    ),
    (
        "swap file with shell syntax",
        'swapDevices = [ { device = "/var/x>/etc/shadow"; size = 64; } ];',
        ["swapDevices, entry 1", "made by a shell script", "only letters, digits"],
    ),
]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_value_that_would_change_a_unit_is_refused(build, what, line, expected):
    err = build("{\n  " + line + "\n}\n", fails=True)
    for text in expected:
        assert text in err
    assert "config.dcl:2" in err
    made = build.store_names()
    assert not [n for n in made if n.endswith("declos-system")]


def test_plain_values_render_as_before(build):
    system = build(
        """
        {
          fileSystems."/data" = {
            label = "data-1"; fsType = "ext4"; autoFormat = true; depends = [ "/srv" ];
            options = [ "noatime" "x-systemd.device-timeout=10s" ];
          };
          fileSystems."/mnt/ssh" = { device = "alice@host:/home"; fsType = "fuse.sshfs"; options = [ "nofail" ]; };
          fileSystems."/mnt/share" = { device = "//server/share"; fsType = "cifs"; };
          fileSystems."/mnt/home" = { device = "UUID=1234-ABCD"; fsType = "vfat"; };
          swapDevices = [
            { device = "/var/swap-1.img"; size = 64; discardPolicy = "both"; options = [ "nofail" ]; }
            { label = "swap"; priority = 3; }
          ];
        }
        """
    )
    data = system.unit("data.mount")
    assert "RequiresMountsFor=/srv\n" in data
    assert "What=/dev/disk/by-label/data-1\nWhere=/data\nType=ext4\n" in data
    assert "Options=noatime,x-systemd.device-timeout=10s\n" in data
    makefs = system.unit("declos-makefs-dev-disk-by\\x2dlabel-data\\x2d1.service")
    assert "ExecStart=/lib/systemd/systemd-makefs ext4 /dev/disk/by-label/data-1\n" in makefs
    assert "Type=fuse.sshfs\n" in system.unit("mnt-ssh.mount")
    assert "What=//server/share\n" in system.unit("mnt-share.mount")
    assert "What=/dev/disk/by-uuid/1234-ABCD\n" in system.unit("mnt-home.mount")
    swapfile = system.unit("var-swap\\x2d1.img.swap")
    assert "What=/var/swap-1.img\nOptions=nofail,discard=both\n" in swapfile
    assert "mkswap /var/swap-1.img;" in system.unit("declos-mkswap-var-swap\\x2d1.img.service")
    label = system.unit("dev-disk-by\\x2dlabel-swap.swap")
    assert "Priority=3\nOptions=defaults\n" in label
