"""`Host`: one Debian machine booted with systemd-nspawn, driven from a test.

A Host owns a root directory (a copy of the cached image) and, while it
runs, the `systemd-nspawn -b` process and the container's PID 1.  Commands
run through `nsenter -t PID -a` with a clean environment.  The console (boot
messages, failed units) goes to `console.log` beside the root; every boot
appends to it.

Stopping: `poweroff()` is a clean shutdown; `power_cut()` kills every process
of the container at once (SIGKILL to its PID 1, which the kernel turns into
SIGKILL for the whole PID namespace).  Killing only the nspawn process would
not do: the container keeps running without it.  What a power cut does not
simulate is the loss of unsynced writes: the host's page cache keeps them.

No Host outlives the test process: nspawn runs with `--kill-signal=SIGKILL`
and a parent-death signal of SIGTERM, so even a SIGKILLed pytest takes its
containers down; a normal exit (or Ctrl-C) powers them off in the fixtures'
teardown, and `kill_all()` at exit catches the rest.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from live_image import INSTALL_DECLOS, die_with_parent

# What a command in the container sees, and nothing from the test process.
BASE_ENV = {
    "PATH": "/opt/declos/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/root",
    "USER": "root",
    "LOGNAME": "root",
    "TERM": "dumb",
}
BOOT_TIMEOUT = 120.0
POWEROFF_TIMEOUT = 60.0
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_running: set[Host] = set()


class HostError(Exception):
    """A booted host did not do what a test asked (boot, a command, a poweroff)."""


def _start_time(pid: int) -> str | None:
    """The start time of `pid` (field 22 of /proc/PID/stat), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


class Host:
    """A Debian host booted in a container.  See tests/live/README.md."""

    def __init__(
        self,
        root: Path,
        *,
        name: str,
        wheels: Path,
        console: Path,
        private_network: bool = True,
    ) -> None:
        self.root = root
        self.name = name
        self.wheels = wheels
        self.console = console
        self.private_network = private_network
        self.boots = 0
        self._nspawn: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self._pid_start: str | None = None

    def __repr__(self) -> str:
        return f"<Host {self.name} {'running' if self.running else 'stopped'}>"

    # -- lifecycle --------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._nspawn is not None and self._nspawn.poll() is None

    @property
    def pid(self) -> int:
        """The container's PID 1, as the host sees it."""
        if self._pid is None or not self.running:
            raise HostError(f"{self.name} is not running")
        return self._pid

    def boot(self, timeout: float = BOOT_TIMEOUT) -> None:
        """Start the container and wait until `systemctl is-system-running`
        says running or degraded."""
        if self._nspawn is not None:
            self._reap()
        if self.running:
            raise HostError(f"{self.name} is already running")
        cmd = ["systemd-nspawn", "-q", "-D", str(self.root), "--register=no", "--keep-unit"]
        cmd += ["-M", self.name, "-b", "--kill-signal=SIGKILL"]
        # The machine's own /etc/localtime and resolv.conf, as on a real host: nspawn
        # would otherwise rewrite them at every boot (drift declos would repair).
        cmd += ["--timezone=off", "--resolv-conf=off"]
        cmd += [f"--bind-ro={self.wheels}:/wheels"]
        if self.private_network:
            cmd.append("--private-network")
        self.boots += 1
        with open(self.console, "ab") as log:
            log.write(f"==== boot {self.boots} of {self.name} ====\n".encode())
            log.flush()
            self._nspawn = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "dumb"},
                start_new_session=True,
                preexec_fn=die_with_parent,  # nspawn then SIGKILLs the container
            )
        _running.add(self)
        deadline = time.monotonic() + timeout
        try:
            self._pid = self._find_init(deadline)
            self._pid_start = _start_time(self._pid)
            self._wait_until_up(deadline, timeout)
        except BaseException:
            self._kill()
            raise

    def _find_init(self, deadline: float) -> int:
        """PID 1 of the container: nspawn's child once it runs systemd."""
        assert self._nspawn is not None
        nspawn = self._nspawn.pid
        while time.monotonic() < deadline:
            if self._nspawn.poll() is not None:
                raise self._error(f"systemd-nspawn exited {self._nspawn.returncode} while booting")
            with contextlib.suppress(OSError):
                for child in Path(f"/proc/{nspawn}/task/{nspawn}/children").read_text().split():
                    if Path(f"/proc/{child}/comm").read_text().strip() == "systemd":
                        return int(child)
            time.sleep(0.02)
        raise self._error("systemd did not start in the container")

    def _wait_until_up(self, deadline: float, timeout: float) -> None:
        state = "(no answer)"
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if not self.running:
                raise self._error(f"systemd-nspawn exited {self._nspawn.returncode} while booting")  # type: ignore[union-attr]
            try:
                proc = self._nsenter(
                    ["systemctl", "is-system-running", "--wait"], timeout=left, env=BASE_ENV
                )
            except subprocess.TimeoutExpired:
                break
            state = (proc.stdout.decode(errors="replace").strip() or "(no answer)").splitlines()[-1]
            if state in ("running", "degraded"):
                return
            if state == "maintenance":  # rescue or emergency mode: it will not come up
                raise self._error(f"booted into {state} (rescue or emergency mode)")
            time.sleep(0.1)  # the manager's bus is not up yet, or still starting
        raise self._error(
            f"did not finish booting in {timeout:.0f} s (systemctl is-system-running: {state})"
        )

    def poweroff(self, timeout: float = POWEROFF_TIMEOUT) -> None:
        """Shut down cleanly (`systemctl poweroff`) and wait for nspawn to exit.
        If it has not within `timeout`, cut the power and raise."""
        if not self.running:
            self._reap()
            return
        with contextlib.suppress(subprocess.TimeoutExpired, HostError):
            self._nsenter(["systemctl", "poweroff"], timeout=10, env=BASE_ENV)
        try:
            self._nspawn.wait(timeout)  # type: ignore[union-attr]
        except subprocess.TimeoutExpired:
            self._kill()
            raise self._error(f"did not power off within {timeout:.0f} s; cut the power") from None
        self._reap()

    def reboot(self, timeout: float = BOOT_TIMEOUT) -> None:
        """A clean poweroff, then boot the same root again."""
        self.poweroff()
        self.boot(timeout)

    def power_cut(self) -> None:
        """Every process of the container dies at once; `boot()` starts it again."""
        if not self.running:
            raise HostError(f"{self.name} is not running")
        self._kill()

    def _kill(self) -> None:
        if self._pid is not None and _start_time(self._pid) == self._pid_start:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        if self._nspawn is not None:
            if self._pid is None:  # no container yet: stop nspawn itself
                with contextlib.suppress(ProcessLookupError):
                    self._nspawn.send_signal(signal.SIGTERM)
            try:
                self._nspawn.wait(30)
            except subprocess.TimeoutExpired:
                self._nspawn.kill()
                self._nspawn.wait()
        self._reap()

    def _reap(self) -> None:
        if self._nspawn is not None and self._nspawn.poll() is not None:
            self._nspawn = None
            self._pid = self._pid_start = None
            _running.discard(self)

    # -- commands ---------------------------------------------------------

    def _nsenter(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str], stdin: bytes = b""
    ) -> subprocess.CompletedProcess[bytes]:
        """nsenter forks the command into the container's PID namespace; both
        share a new process group, so a timeout kills the command too (killing
        nsenter alone would leave it running in the container)."""
        cmd = ["nsenter", "-t", str(self.pid), "-a", *argv]
        with subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            start_new_session=True,
        ) as proc:
            try:
                out, err = proc.communicate(stdin, timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                try:
                    out, err = proc.communicate(timeout=5)
                except subprocess.TimeoutExpired:  # a daemon it started holds the pipes
                    out, err = b"", b""
                raise subprocess.TimeoutExpired(cmd, timeout, out, err) from None
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)

    def run(
        self,
        cmd: str | Sequence[str],
        *,
        check: bool = True,
        timeout: float = 120,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `cmd` in the container as root: a string through `sh -c`, a
        list as is.  The environment is BASE_ENV plus `env`; stdout and stderr
        are captured as text.  With `check`, a non-zero exit raises HostError
        showing both; a timeout always raises."""
        argv = ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        data = input.encode() if isinstance(input, str) else (input or b"")
        try:
            proc = self._nsenter(argv, timeout=timeout, env={**BASE_ENV, **(env or {})}, stdin=data)
        except subprocess.TimeoutExpired as e:
            raise HostError(
                f"on {self.name}: {_show(cmd)} did not finish within {timeout:.0f} s"
                + _outputs(e.stdout or b"", e.stderr or b"")
            ) from None
        if check and proc.returncode != 0:
            raise HostError(
                f"on {self.name}: {_show(cmd)} exited {proc.returncode}"
                + _outputs(proc.stdout, proc.stderr)
            )
        return subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode(errors="replace"),
            proc.stderr.decode(errors="replace"),
        )

    def write_file(self, path: str, text: str | bytes, mode: int = 0o644) -> None:
        """Create or replace `path` (parents made), owned by root.  Running: from
        inside the container.  Stopped: directly in the root directory."""
        data = text.encode() if isinstance(text, str) else text
        if self.running:
            script = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1" && chmod "$2" "$1"'
            self.run(["sh", "-c", script, "sh", path, f"{mode:o}"], input=data)
            return
        target = self._in_root(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(mode)

    def read_file(self, path: str) -> str:
        """The text of `path` in the container (HostError if it cannot be read)."""
        if self.running:
            return self.run(["cat", "--", path]).stdout
        return self._in_root(path).read_text()

    def copy_in(self, host_path: str | os.PathLike[str], container_path: str) -> None:
        """Copy a file, or a directory's contents, from the test machine to
        `container_path` (created; files owned by root)."""
        src = Path(host_path)
        if src.is_dir():
            archive = subprocess.run(
                ["tar", "-C", str(src), "-cf", "-", "."], capture_output=True, check=True
            ).stdout
            script = 'mkdir -p -- "$1" && tar -C "$1" -xf - --no-same-owner'
            if self.running:
                self.run(["sh", "-c", script, "sh", container_path], input=archive)
            else:
                dest = self._in_root(container_path)
                dest.mkdir(parents=True, exist_ok=True)
                subprocess.run(
                    ["tar", "-C", str(dest), "-xf", "-", "--no-same-owner"],
                    input=archive,
                    check=True,
                )
        else:
            self.write_file(container_path, src.read_bytes(), src.stat().st_mode & 0o7777)

    def _in_root(self, path: str) -> Path:
        """`path` of a stopped container as a path on this machine: symlinks
        are followed as the container would (an absolute target starts again
        at the root), so none leads out of it."""
        if not path.startswith("/"):
            raise HostError(f"{path!r}: container paths are absolute")
        parts = [p for p in path.split("/") if p not in ("", ".")]
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = self.root.joinpath(*resolved, part)
            if candidate.is_symlink():
                hops += 1
                if hops > 40:
                    raise HostError(f"{path}: too many levels of symbolic links")
                target = os.readlink(candidate)
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p not in ("", ".")] + parts
                continue
            resolved.append(part)
        return self.root.joinpath(*resolved)

    def install_declos(self) -> str:
        """Install declos from /wheels into the venv /opt/declos; returns
        `declos --version`."""
        return self.run(INSTALL_DECLOS, timeout=600).stdout.strip().splitlines()[-1]

    def journal(self, unit: str | None = None, lines: int = 100) -> str:
        """The last `lines` lines of the journal (of every boot kept), of
        `unit` only if given."""
        cmd = ["journalctl", "--no-pager", "-q", "-n", str(lines)]
        return self.run(cmd + (["-u", unit] if unit else []), check=False).stdout

    # -- diagnostics ------------------------------------------------------

    def console_tail(self, lines: int = 40) -> str:
        """The end of the console log, colours removed."""
        try:
            text = self.console.read_text(errors="replace")
        except OSError:
            return "(no console log)"
        return "\n".join(_ANSI.sub("", text).rstrip().splitlines()[-lines:])

    def _error(self, message: str) -> HostError:
        return HostError(
            f"{self.name}: {message}\n--- console of {self.name} (last lines) ---\n"
            + self.console_tail()
        )


def _show(cmd: str | Sequence[str]) -> str:
    return repr(cmd) if isinstance(cmd, str) else shlex.join(cmd)


def _outputs(stdout: bytes, stderr: bytes) -> str:
    out = ""
    for label, data in (("stdout", stdout), ("stderr", stderr)):
        text = data.decode(errors="replace").rstrip()
        if text:
            out += f"\n--- {label} ---\n{text[-4000:]}"
    return out


@atexit.register
def kill_all() -> None:
    """Cut the power of every host still running (the fixtures' teardown
    normally has already powered them off)."""
    for host in list(_running):
        with contextlib.suppress(Exception):
            host._kill()
