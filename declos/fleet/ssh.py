"""Reaching a host with the `ssh` program: one multiplexed connection, and new ones.

The `ssh` program (not a library) so that the user's ssh_config, agent,
known_hosts, ProxyJump and certificates apply.  Per host, one master
connection (`ControlMaster`, its socket in a private directory of the
deployer, `ControlPersist` so that it goes away by itself if the deployer
dies) carries every command of the copy and the activation; `new=True`
makes a connection of its own (`ControlPath=none`), which is what proves,
after an activation, that the host can still be logged into.

Options: `--ssh-option K=V` come first (ssh takes the first value it
sees for an option), then declos' own (`BatchMode=yes`: never a password
prompt in the middle of a table; a connect timeout; keep-alives).
Remote commands are argv lists quoted for the login shell; a target user
other than root runs them with `sudo -n`.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any

from declos.diagnostics import DeclosError
from declos.fleet.fleet import Deployment

PERSIST = 120  # seconds a master outlives its last command (a killed deployer's)
CONNECT_TIMEOUT = 15
SSH_FAILED = 255


class SshError(DeclosError):
    code = "ssh"


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


class Connection:
    """`ssh` to one host: `open` starts the master, `close` ends it."""

    def __init__(self, dep: Deployment, options: Sequence[str], control_dir: str, label: str):
        self.dep = dep
        self.options = tuple(options)
        self.control = os.path.join(control_dir, label)
        self.opened = False

    def describe(self) -> str:
        return self.dep.describe()

    def argv(self, *, master: bool = False, new: bool = False) -> list[str]:
        argv = ["ssh"]
        if new:
            argv += ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
        elif master:
            argv += ["-o", "ControlMaster=yes", "-o", f"ControlPath={self.control}"]
            argv += ["-o", f"ControlPersist={PERSIST}"]
        else:
            argv += ["-o", "ControlMaster=no", "-o", f"ControlPath={self.control}"]
        for opt in self.options:
            argv += ["-o", opt]
        argv += ["-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT}"]
        argv += ["-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"]
        if self.dep.port:
            argv += ["-p", str(self.dep.port)]
        return [*argv, "-l", self.dep.user]

    def remote(self, command: Sequence[str]) -> str:
        """The command line the login shell runs."""
        text = shlex.join(command)
        return text if self.dep.user == "root" else "sudo -n " + text

    def open(self) -> None:
        """Connect (the master goes to the background once logged in); once."""
        if self.opened:
            return
        with tempfile.TemporaryFile("w+") as err:
            try:
                proc = subprocess.run(
                    [*self.argv(master=True), "-f", "-N", "--", self.dep.host],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    timeout=CONNECT_TIMEOUT * 4,
                )
            except FileNotFoundError:
                raise SshError("'ssh' is not on PATH: declos deploy runs OpenSSH's ssh") from None
            except subprocess.TimeoutExpired:
                raise SshError(f"cannot connect to {self.describe()}: timed out") from None
            err.seek(0)
            text = err.read()
        if proc.returncode != 0:
            why = last_line(text) or f"ssh exited {proc.returncode}"
            raise SshError(f"cannot connect to {self.describe()}: {why}")
        self.opened = True

    def close(self) -> None:
        if not self.opened:
            return
        self.opened = False
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                [*self.argv(), "-O", "exit", "--", self.dep.host],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=30,
            )

    def popen(self, command: Sequence[str], *, new: bool = False, **kw: Any) -> subprocess.Popen:
        argv = [*self.argv(new=new), "--", self.dep.host, self.remote(command)]
        return subprocess.Popen(argv, **kw)

    def run(
        self,
        command: Sequence[str],
        *,
        input: str | None = None,
        new: bool = False,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        proc = self.popen(
            command,
            new=new,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise SshError(
                f"{shlex.join(command)} on {self.describe()} did not finish in {timeout:g} s"
            ) from None
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def stream(
        self, command: Sequence[str], on_line: Callable[[str], None], *, new: bool = False
    ) -> tuple[int, list[str]]:
        """Run `command`, passing each line of its output (stdout and stderr)
        on as it comes; returns the exit status and the lines."""
        proc = self.popen(
            command,
            new=new,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        lines: list[str] = []
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            on_line(line)
        return proc.wait(), lines


def drain(stream: IO[bytes], into: list[bytes]) -> threading.Thread:
    """Read a pipe to its end on a thread (so that the other end never blocks)."""

    def run() -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            into.append(chunk)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t
