"""Activation at boot: `declos-activate.service` on a live host.

A live host must come up on exactly one generation, with /etc, accounts and
units consistent, even after a power cut in the middle of a switch.  The
first switch of the live root installs `/etc/systemd/system/
declos-activate.service` (and its `sysinit.target.wants` link), a file
declos owns like `/etc/passwd` (not an etc entry of a generation, so no
configuration can replace it).  Early at every boot, before sysinit.target
and so before any service starts, it runs `declos activate-boot`: finish or
undo an interrupted transaction (`recover`), then activate the profile's
current generation — the boot default that `declos switch` and
`declos boot` set — from whatever the root holds, scripts included
(`/run` is empty after a boot).  Unit files it changes are loaded by a
`daemon-reload` before the units start.

The unit runs this declos (`sys.executable -m declos`) on this state
directory; a reinstall elsewhere rewrites it at the next live switch.
"""

from __future__ import annotations

import shlex
import sys

from declos.system.actions import Action, WriteBootUnit
from declos.system.rootfs import Root

UNIT = "declos-activate.service"
UNIT_PATH = f"etc/systemd/system/{UNIT}"
WANTS_PATH = f"etc/systemd/system/sysinit.target.wants/{UNIT}"
WANTS_TARGET = f"/etc/systemd/system/{UNIT}"


def unit_text(state_dir: str) -> str:
    command = shlex.join(
        [sys.executable, "-m", "declos", "activate-boot", "--state-dir", state_dir]
    )
    return f"""# Written by declos: activates the default generation at every boot.
[Unit]
Description=Activate the declos system configuration
DefaultDependencies=no
After=local-fs.target
Before=sysinit.target shutdown.target systemd-tmpfiles-setup.service
Conflicts=shutdown.target
RequiresMountsFor={state_dir}

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart={command}
StandardOutput=journal+console

[Install]
WantedBy=sysinit.target
"""


def plan_boot_unit(fs: Root, state_dir: str) -> list[Action]:
    """Install or update the unit (and enable it) when it is not what it should be."""
    text = unit_text(state_dir)
    if fs.read_text(UNIT_PATH) == text and fs.readlink(WANTS_PATH) == WANTS_TARGET:
        return []
    return [WriteBootUnit(text)]


def apply_boot_unit(fs: Root, a: WriteBootUnit) -> None:
    fs.makedirs("etc/systemd/system/sysinit.target.wants")
    fs.write_file(UNIT_PATH, a.text.encode(), 0o644)
    fs.symlink(WANTS_TARGET, WANTS_PATH)
