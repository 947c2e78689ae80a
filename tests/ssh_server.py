"""A real sshd on a loopback port for tests that reach a host over ssh
(`declos cache push ssh://…`, `declos deploy`): its own host key,
configuration and authorized key; the client is the `ssh` program, given
options with `--ssh-option` as a user's ssh_config would."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def loopback_sshd(
    tmp: Path,
    extra_config: str = "",
    wrap: Callable[[list[str]], list[str]] | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Start sshd (root only); yield its port and the `--ssh-option` arguments
    that reach it as root.  `extra_config` ends its sshd_config; `wrap` turns
    its command line into the one to run (e.g. inside a mount namespace)."""
    prog = shutil.which("sshd") or "/usr/sbin/sshd"
    if not os.path.exists(prog) or shutil.which("ssh") is None or os.geteuid() != 0:
        pytest.skip("needs root, sshd and ssh")
    d = tmp / "sshd"
    d.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", d / name], check=True)
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    os.chmod(d / "authorized_keys", 0o600)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation dir
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host\nPidFile {d}/sshd.pid\n"
        f"AuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\n" + extra_config
    )
    argv = [prog, "-D", "-e", "-f", str(d / "sshd_config")]
    with open(d / "log", "wb") as log:
        proc = subprocess.Popen(wrap(argv) if wrap else argv, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.fail(f"sshd did not start: {(d / 'log').read_text()}")
    options = [
        f"IdentityFile={d}/client",
        "StrictHostKeyChecking=no",
        "UserKnownHostsFile=/dev/null",
        "LogLevel=ERROR",
    ]
    try:
        yield port, [a for o in options for a in ("--ssh-option", o)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
