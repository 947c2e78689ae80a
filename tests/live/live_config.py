"""Switching a booted live host to a configuration text.

    proc = switch(host, "{ users.users.alice.isNormalUser = true; }")
    failed = switch(host, text, "--keep-failed", check=False)   # its CompletedProcess

The text is written to `CFG` (/root/cfg/config.dcl) and `declos switch CFG
--root /` runs on the host; with `check`, a non-zero exit fails the test
with the command's output.
"""

from __future__ import annotations

import subprocess

from live_host import Host

CFG = "/root/cfg/config.dcl"


def switch(
    host: Host, text: str, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    host.write_file(CFG, text)
    proc = host.run(["declos", "switch", CFG, "--root", "/", *args], check=False, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc
