"""Helpers of the fleet tests: running `declos deploy`, a closed port, an sshd."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ssh_server import loopback_sshd

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
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare")
    os.makedirs(state, exist_ok=True)
    force = f'env PATH={path} PYTHONPATH={REPO} /bin/sh -c "$SSH_ORIGINAL_COMMAND"'

    def in_namespace(argv: list[str]) -> list[str]:
        script = f"mount -t tmpfs none {state} && exec {shlex.join(argv)}"
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]

    with loopback_sshd(tmp, f"ForceCommand {force}\n", in_namespace) as reached:
        yield reached
