"""One host of a deploy, once its toplevel is known: copy, activate, confirm.

- copy: connect (the master connection), check that `declos` runs there,
  ask `declos store missing` which paths of the closure it lacks, and
  stream them (`export_paths`, nix-store --export's format, NAR hashes
  included) into `declos store import` on the host, which checks every NAR
  as it arrives and makes the paths valid all at once: a copy cut short
  (the deployer killed, the connection lost) leaves nothing.  With
  `--build-on target`, the `.drv` closure is sent instead and the host
  builds it (`declos deploy-realise`).
- activate: `declos switch TOPLEVEL --root / --confirm-within S` on the
  host; it activates (health checks included), then waits, detached from
  this ssh session, for the confirmation.  Exit 1: it failed and is undone.
- confirm: `declos confirm ID` over a *new* ssh connection; it prints the
  host's verdict.  A host that cannot be reached again puts its previous
  generation back by itself when the time is up.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

import attrs

from declos.diagnostics import DeclosError
from declos.fleet.fleet import Deployment
from declos.fleet.ssh import SSH_FAILED, Connection, SshError, drain, last_line
from declos.store.pause import pause
from declos.system import confirm

if TYPE_CHECKING:
    from declos.fleet.display import Board
    from declos.store.store import Store

CONFIRM_SLACK = 60.0  # beyond --confirm-timeout, for the host's verdict
MIB = 1024 * 1024


class HostFailed(DeclosError):
    code = "host-failed"

    def __init__(self, phase: str, message: str):
        super().__init__(message)
        self.phase = phase


@attrs.define
class HostRun:
    """What happened to one node (filled in as the deploy goes)."""

    name: str
    deployment: Deployment | None = None
    toplevel: str | None = None
    drv_path: str | None = None
    status: str = "pending"  # deployed, unchanged, failed, cancelled, would-deploy
    phase: str | None = None  # where it failed or stopped
    error: str | None = None
    generation: int | None = None
    copied_paths: int = 0
    copied_bytes: int = 0
    cached: bool = False
    seconds: dict[str, float] = attrs.field(factory=dict)
    log: list[str] = attrs.field(factory=list)

    def fail(self, phase: str, error: str) -> None:
        self.status, self.phase, self.error = "failed", phase, error.rstrip("\n")

    def to_json(self) -> dict:
        dep = self.deployment
        return {
            "name": self.name,
            "status": self.status,
            "phase": self.phase,
            "error": self.error,
            "target": dep.describe() if dep else None,
            "toplevel": self.toplevel,
            "generation": self.generation,
            "copied": {"paths": self.copied_paths, "bytes": self.copied_bytes},
            "evaluationCached": self.cached,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@attrs.frozen
class HostOptions:
    state_dir: str
    confirm_timeout: float
    ssh_options: tuple[str, ...]
    control_dir: str
    dry_run: bool = False
    build_on_target: bool = False
    message: str = "declos deploy"


class _Meter:
    """The export stream's way to ssh: counts bytes for the display; the
    test hook `DECLOS_TEST_PAUSE_AT=copy` holds the copy once some bytes
    are on their way (so that a test can kill the deployer mid-copy)."""

    def __init__(self, out: IO[bytes], total: int, progress: Callable[[str], None]) -> None:
        self.out, self.total, self.progress = out, total, progress
        self.sent = 0
        self.shown = 0.0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.sent += len(data)
        now = time.monotonic()
        if now - self.shown > 0.25:
            self.shown = now
            self.progress(f"{self.sent / MIB:.1f}/{self.total / MIB:.1f} MiB")
        if self.sent == len(data):  # the first write
            self.out.flush()
            pause("copy")
        return len(data)

    def flush(self) -> None:
        self.out.flush()


class HostDeploy:
    """The copy, activate and confirm phases of one host, on its own thread."""

    def __init__(
        self,
        run: HostRun,
        store: Store,
        opts: HostOptions,
        board: Board,
        stop: threading.Event,
        label: str,
    ) -> None:
        self.run, self.store, self.opts, self.board, self.stop = run, store, opts, board, stop
        assert run.deployment is not None
        self.conn = Connection(run.deployment, opts.ssh_options, opts.control_dir, label)

    def go(self) -> None:
        try:
            self._phases()
        except HostFailed as e:
            self.run.fail(e.phase, e.message)
            self.board.phase(self.run.name, e.phase, "failed", e.message)
        finally:
            self.conn.close()

    def _phase(self, phase: str, fn: Callable[[], str]) -> None:
        self.board.phase(self.run.name, phase, "running")
        started = time.monotonic()
        try:
            detail = fn()
        except HostFailed:
            raise
        except DeclosError as e:
            raise HostFailed(phase, e.message) from None
        self.run.seconds[phase] = time.monotonic() - started
        self.board.phase(self.run.name, phase, "done", detail or "")

    def _phases(self) -> None:
        run = self.run
        self._phase("copy", self._copy)
        if self.opts.dry_run:
            run.status = "would-deploy"
            return
        if self._builds_on_host():
            self._phase("build", self._build_remote)
        elif self.opts.build_on_target:
            self.board.phase(run.name, "build", "done", "unchanged")
        if self.stop.is_set():
            run.status, run.phase = "cancelled", "activate"
            self.board.phase(run.name, "activate", "skipped", "cancelled: a build failed")
            return
        cid = confirm.new_id()
        self._phase("activate", lambda: self._activate(cid))
        self._phase("confirm", lambda: self._confirm(cid))

    # -- copy ----------------------------------------------------------------------------

    def _say(self, phase: str, detail: str) -> None:
        self.board.phase(self.run.name, phase, "running", detail)

    def _declos(self, *args: str) -> list[str]:
        return ["declos", *args, "--state-dir", self.opts.state_dir]

    def _builds_on_host(self) -> bool:
        """`--build-on target`, for a node evaluated now: the host gets its
        `.drv` closure and builds it.  A node the evaluation cache gave has no
        `.drv` but a toplevel built here by an earlier deploy: its built
        closure is sent instead, as with `--build-on local`."""
        return self.opts.build_on_target and self.run.drv_path is not None

    def _copy(self) -> str:
        self._say("copy", f"connecting to {self.conn.describe()}")
        self.conn.open()
        root = self.run.drv_path if self._builds_on_host() else self.run.toplevel
        assert root is not None
        closure = sorted(self.store.closure([root]))
        listed = self.conn.run(self._declos("store", "missing"), input="\n".join(closure) + "\n")
        if listed.returncode == SSH_FAILED:
            raise SshError(f"ssh to {self.conn.describe()} failed: {last_line(listed.stderr)}")
        if listed.returncode == 127 or "declos: command not found" in listed.stderr:
            raise HostFailed(
                "copy",
                f"declos is not on PATH on {self.conn.describe()} ({last_line(listed.stderr)}): "
                "install it there, on the PATH that commands run over ssh get (for example a "
                "link to it in /usr/local/bin)",
            )
        if listed.returncode != 0:
            raise SshError(
                f"asking {self.conn.describe()} what it lacks failed: {last_line(listed.stderr)}"
            )
        wanted = set(closure)  # the host's answer names only paths it was asked about
        missing = [p for p in listed.stdout.split() if p in wanted]
        size = 0
        for p in missing:
            info = self.store.query_path_info(p)
            if info is None:  # collected since the closure was read (it is rooted: never)
                raise HostFailed("copy", f"'{p}' is no longer a valid path of the local store")
            size += info.nar_size
        self.run.copied_paths, self.run.copied_bytes = len(missing), size
        if self.opts.dry_run:
            return f"would copy {len(missing)} paths ({size / MIB:.1f} MiB)"
        if missing:
            self._send(missing, size)
        return f"{len(missing)} paths, {size / MIB:.1f} MiB"

    def _send(self, paths: list[str], size: int) -> None:
        from declos.store.export import export_paths

        proc = self.conn.popen(
            self._declos("store", "import"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        out: list[bytes] = []
        err: list[bytes] = []
        readers = [drain(proc.stdout, out), drain(proc.stderr, err)]
        meter = _Meter(proc.stdin, size, lambda d: self._say("copy", d))
        try:
            # references first; `meter` has the write and flush that export_paths uses of
            # its BinaryIO.
            export_paths(self.store, paths, meter)  # type: ignore[arg-type]
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the import stopped: its own message says why
        except BaseException:
            proc.kill()
            raise
        status = proc.wait()
        for t in readers:
            t.join()
        if status != 0:
            why = last_line(b"".join(err).decode(errors="replace"))
            raise HostFailed("copy", f"copying to {self.conn.describe()} failed: {why}")

    def _build_remote(self) -> str:
        assert self.run.drv_path is not None
        argv = self._declos("deploy-realise", self.run.drv_path)
        status, lines = self.conn.stream(argv, lambda line: self._line(line))
        if status != 0:
            raise HostFailed("build", _error_text(lines) or f"the build exited {status}")
        self.run.toplevel = lines[-1].strip()
        return ""

    # -- activate and confirm ------------------------------------------------------------------

    def _line(self, text: str) -> None:
        self.run.log.append(text)
        self.board.line(self.run.name, text)

    def _activate(self, cid: str) -> str:
        assert self.run.toplevel is not None
        argv = ["declos", "switch", self.run.toplevel, "--root", "/"]
        argv += ["--state-dir", self.opts.state_dir, "-m", f"{self.opts.message}: {self.run.name}"]
        argv += ["--confirm-within", f"{self.opts.confirm_timeout:g}", "--confirm-id", cid]
        status, lines = self.conn.stream(argv, self._line)
        if status == SSH_FAILED:  # the session died (a restarted network?): ask anew
            self._line("declos: the ssh session ended during the activation")
            return "session lost"
        if status != 0:
            raise HostFailed("activate", _error_text(lines) or f"the switch exited {status}")
        return ""

    def _confirm(self, cid: str) -> str:
        argv = self._declos("confirm", cid, "--json")
        wait = self.opts.confirm_timeout + CONFIRM_SLACK + 600
        proc = self.conn.run(argv, new=True, timeout=wait)
        if proc.returncode == SSH_FAILED:
            raise HostFailed(
                "confirm",
                f"cannot log into {self.conn.describe()} again after the activation "
                f"({last_line(proc.stderr)}): it puts its previous generation back by itself "
                f"once {self.opts.confirm_timeout:g} s have passed without a confirmation",
            )
        try:
            verdict = json.loads(proc.stdout)
        except ValueError:
            why = last_line(proc.stderr) or f"exit status {proc.returncode}"
            raise HostFailed("confirm", f"confirming failed: {why}") from None
        state = verdict.get("state")
        self.run.generation = verdict.get("generation")
        if state == "confirmed":
            self.run.status = "deployed"
            return f"generation {self.run.generation}"
        if state == "unchanged":
            self.run.status = "unchanged"
            return "unchanged"
        raise HostFailed("confirm", f"{state}: {verdict.get('message', '')}")


def _error_text(lines: list[str]) -> str:
    """The error a declos command printed (from its `error:` line on)."""
    for i, line in enumerate(lines):
        if line.startswith("error:"):
            return "\n".join(lines[i:])
    return "\n".join(lines[-5:])
