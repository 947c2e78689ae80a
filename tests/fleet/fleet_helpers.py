"""Helpers of the fleet tests: running `declos deploy`, a closed port, an sshd."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_declos(*args: str, check: int | None = 0, env=None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "DECLOS_STATE_DIR")}
    environ["PYTHONPATH"] = REPO + os.pathsep + environ.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "declos", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**environ, **(env or {})},
        timeout=600,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    if check is not None:
        assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hosts_of(proc: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {h["name"]: h for h in json.loads(proc.stdout)["hosts"]}


@contextlib.contextmanager
def sshd(tmp: Path, state: str, path: str) -> Iterator[tuple[int, list[str]]]:
    """An sshd on a loopback port, in a mount namespace of its own where
    `state` is an empty tmpfs: a host whose state directory has the
    deployer's path but not its contents.  Commands run with PATH=`path`.
    Yields the port and the `--ssh-option` arguments that reach it."""
    prog = shutil.which("sshd") or "/usr/sbin/sshd"
    if not os.path.exists(prog) or shutil.which("ssh") is None or os.geteuid() != 0:
        pytest.skip("needs root, sshd and ssh")
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare")
    d = tmp / "sshd"
    d.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", d / name], check=True)
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    os.chmod(d / "authorized_keys", 0o600)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    os.makedirs(state, exist_ok=True)
    port = closed_port()
    force = f'env PATH={path} PYTHONPATH={REPO} /bin/sh -c "$SSH_ORIGINAL_COMMAND"'
    (d / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host\nPidFile {d}/sshd.pid\n"
        f"AuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        f"StrictModes no\nForceCommand {force}\n"
    )
    script = f"mount -t tmpfs none {state} && exec {prog} -D -e -f {d}/sshd_config"
    with open(d / "log", "wb") as log:
        proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script], stderr=log
        )
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
