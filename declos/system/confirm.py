"""A switch that must be confirmed: deploy-rs' "magic rollback", on the host.

`declos switch X --confirm-within S` activates as usual, then waits for
`declos confirm ID`, run by whoever deployed (from a *new* ssh connection:
that is the proof that the host can still be reached).  Not confirmed in
S seconds, the switch is undone as a failed one is, by the host itself.

The waiting happens inside the transaction (`ConfirmedSystem.activate`):
the journal still says the switch is in progress, the system lock is
held, and the profile has not moved, so a crash or a reboot while waiting
is recovered like any interrupted switch — it is undone.  Health checks
run (in the activation) before the wait: a failing one undoes the switch
without waiting.

The process that waits must outlive the ssh session that started it (a
restart of sshd or of the network may end the session), so it runs
detached (`spawn_waiter`: a transient systemd unit on a live host, else a
new session), talking through files in `<state>/confirm/<ID>/`:

    request.json  what to activate (written by the command that asked)
    status.json   starting → activating → waiting → confirmed | unchanged |
                  rolled-back | failed (with the pid, boot id, deadline)
    log           the waiter's output, followed by the command that asked
    confirm       made by `declos confirm ID` once the state is "waiting"

`declos confirm` reports the waiter's verdict, never its own guess: a
confirmation that arrives as the time runs out is answered "rolled-back".
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable

from declos.diagnostics import DeclosError
from declos.store.store import Store
from declos.system import journal
from declos.system.plan import Plan
from declos.system.transaction import System

CONFIRM_DIR = "confirm"
FINAL = ("confirmed", "unchanged", "rolled-back", "failed", "lost")
BUSY = ("starting", "activating")
ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
POLL = 0.1
START_TIMEOUT = 60.0  # for the waiter to say it runs
KEEP_SECONDS = 7 * 86400  # finished records older than this are removed
# Passed to a waiter started as a systemd unit (which inherits no environment).
PASS_ENV = ("PATH", "LANG", "LC_ALL", "PYTHONPATH")


class ConfirmError(DeclosError):
    code = "confirm"


class NotConfirmed(DeclosError):
    code = "not-confirmed"


def new_id() -> str:
    """A fresh confirmation id: when, and 8 random hex digits."""
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(4)


def check_id(confirm_id: str) -> str:
    if not ID_RE.fullmatch(confirm_id) or confirm_id in (".", ".."):
        raise ConfirmError(f"'{confirm_id}' is not a confirmation id: letters, digits and '_.-'")
    return confirm_id


def directory(state_dir: str, confirm_id: str) -> str:
    return os.path.join(state_dir, CONFIRM_DIR, check_id(confirm_id))


def _write_json(path: str, data: dict) -> None:
    journal.write_durably(path, (json.dumps(data, sort_keys=True) + "\n").encode())


def read_status(d: str) -> dict:
    try:
        with open(os.path.join(d, "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"state": "starting"}


def write_status(d: str, state: str, **fields: object) -> dict:
    old = read_status(d)
    keep = {k: old[k] for k in ("id", "pid", "start", "boot", "toplevel") if k in old}
    status = {**keep, **fields, "state": state, "time": time.time()}
    _write_json(os.path.join(d, "status.json"), status)
    return status


def read_request(d: str) -> dict:
    with open(os.path.join(d, "request.json")) as f:
        return json.load(f)


def create(state_dir: str, confirm_id: str, request: dict) -> str:
    """Make `<state>/confirm/<ID>/` (root's only) with the request in it."""
    d = directory(state_dir, confirm_id)
    parent = os.path.dirname(d)
    os.makedirs(parent, mode=0o700, exist_ok=True)
    _prune(parent)
    try:
        os.mkdir(d, 0o700)
    except FileExistsError:
        raise ConfirmError(f"the confirmation id '{confirm_id}' is in use ({d})") from None
    _write_json(os.path.join(d, "request.json"), request)
    write_status(d, "starting", id=confirm_id)
    return d


def _prune(parent: str) -> None:
    now = time.time()
    for name in os.listdir(parent):
        d = os.path.join(parent, name)
        status = read_status(d)
        if status.get("state") in FINAL and now - status.get("time", now) > KEEP_SECONDS:
            shutil.rmtree(d, ignore_errors=True)


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def current(d: str) -> dict:
    """The status, with "lost" for a waiter that is gone without a verdict
    (killed, or the host rebooted: the next declos command undoes its switch)."""
    status = read_status(d)
    if status["state"] in FINAL or "pid" not in status:
        return status
    gone = status.get("boot") != _boot_id() or _start_time(status["pid"]) != status.get("start")
    if gone and read_status(d)["state"] not in FINAL:
        return {
            **status,
            "state": "lost",
            "message": "the process that waited for the "
            "confirmation ended without a verdict (killed, or the host rebooted): the "
            "switch is undone by the next declos command (`declos recover`)",
        }
    return read_status(d)


def wait_while(
    d: str, states: tuple[str, ...], timeout: float, tick: Callable[[], None] | None = None
) -> dict:
    """Poll the status until it leaves `states` (or `timeout` passes)."""
    deadline = time.monotonic() + timeout
    while True:
        status = current(d)
        if tick is not None:
            tick()
        if status["state"] not in states or time.monotonic() > deadline:
            return status
        time.sleep(POLL)


# --- the waiter ------------------------------------------------------------------------


class ConfirmedSystem(System):
    """A System whose transaction, once the new generation is active and its
    health checks passed, waits for the confirmation; none in time raises
    `NotConfirmed` inside the transaction, which undoes it as any failure.

    (`System._transaction` calls `activate` inside its undo-protected block;
    this relies on that.)"""

    def __init__(
        self, store: Store, root: str | None, say: Callable[[str], None], d: str, timeout: float
    ) -> None:
        super().__init__(store, root, say)
        self.dir = d
        self.timeout = timeout
        self.timed_out = False

    def activate(
        self,
        root: str,
        old: str | None,
        new: str | None,
        also: Iterable[str | None] = (),
        remember: Callable[[str, list], None] | None = None,
        dirs: bool = True,
    ) -> Plan:
        plan = super().activate(root, old, new, also, remember, dirs)
        self._await(new)
        return plan

    def _await(self, toplevel: str | None) -> None:
        request = os.path.join(self.dir, "confirm")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(request)  # only a confirmation made from now on counts
        deadline = time.time() + self.timeout
        cid = os.path.basename(self.dir)
        write_status(self.dir, "waiting", toplevel=toplevel, deadline=deadline)
        self.say(f"active; waiting {self.timeout:g} s for `declos confirm {cid}`")
        while not os.path.exists(request):
            if time.time() >= deadline:
                self.timed_out = True
                raise NotConfirmed(
                    f"not confirmed within {self.timeout:g} s (no `declos confirm {cid}` came)"
                )
            time.sleep(POLL)
        write_status(self.dir, "committing")
        self.say("confirmed")


def run_waiter(
    store: Store,
    d: str,
    say: Callable[[str], None],
    on_plan: Callable[[Plan], object] | None = None,
) -> dict:
    """Activate what `request.json` asks, wait for the confirmation, and
    write the verdict; returns the final status."""
    req = read_request(d)
    pid = os.getpid()
    write_status(d, "activating", pid=pid, start=_start_time(pid), boot=_boot_id())
    system = ConfirmedSystem(store, req["root"], say, d, float(req["timeout"]))
    system.keep_failed = bool(req.get("keepFailed"))
    system.on_plan = on_plan
    meta = (req["toplevel"], req.get("message"), req.get("configFile"), req.get("configHash"))
    try:
        with journal.system_lock(store.state_dir, wait=not req.get("noWait"), on_wait=say):
            system.recover()
            outcome = system.test(*meta) if req.get("mode") == "test" else system.switch_to(*meta)
    except DeclosError as e:
        return write_status(d, "rolled-back" if system.timed_out else "failed", message=e.message)
    except BaseException as e:
        write_status(d, "failed", message=f"{type(e).__name__}: {e}")
        raise
    finally:
        system.close()
    if outcome.generation is None:
        return write_status(
            d,
            "unchanged",
            generation=outcome.previous,
            message=f"generation {outcome.previous} is already active: nothing to confirm",
        )
    n = outcome.generation.number
    how = "" if req.get("mode") == "test" else " and the default at boot"
    failed = [u for u, _ in outcome.failed_units]
    return write_status(
        d,
        "confirmed",
        generation=n,
        failedUnits=failed,
        message=f"generation {n} is active{how}",
    )


def spawn_waiter(state_dir: str, d: str, root: str) -> None:
    """Start `declos confirm-wait` detached from this process and its session:
    as a transient systemd unit on the live system (so stopping the unit of
    the ssh session, or sshd's, cannot take it along), else in a new session."""
    cid = os.path.basename(d)
    argv = [sys.executable, "-m", "declos", "confirm-wait", "--state-dir", state_dir, cid]
    run = shutil.which("systemd-run")
    if root == "/" and os.path.isdir("/run/systemd/system") and run and os.geteuid() == 0:
        env = [f"--setenv={k}={v}" for k, v in os.environ.items() if _passed(k)]
        unit = f"declos-confirm-{cid}".replace("_", "-")
        cmd = [run, "--quiet", "--collect", f"--unit={unit}", "--property=KillMode=process"]
        proc = subprocess.run([*cmd, *env, "--", *argv], capture_output=True, text=True)
        if proc.returncode == 0:
            return
        why = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise ConfirmError(f"cannot start the confirmation waiter with systemd-run: {why}")
    with open(os.devnull, "rb") as null:
        subprocess.Popen(
            argv,
            stdin=null,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd="/",
        )


def _passed(name: str) -> bool:
    return name in PASS_ENV or name.startswith("DECLOS_")


def follow(d: str, write: Callable[[str], None], timeout: float = START_TIMEOUT) -> dict:
    """Pass the waiter's log on until it waits for the confirmation or is
    done; returns that status.  A waiter that never starts is an error."""
    log = os.path.join(d, "log")
    offset = 0

    def relay() -> None:
        nonlocal offset
        with contextlib.suppress(FileNotFoundError), open(log, "rb") as f:
            f.seek(offset)
            data = f.read()
            offset += len(data)
            if data:
                write(data.decode(errors="replace"))

    status = wait_while(d, ("starting",), timeout, relay)
    if status["state"] == "starting":
        raise ConfirmError(f"the confirmation waiter did not start within {timeout:g} s ({d})")
    status = wait_while(d, (*BUSY, "committing"), float("inf"), relay)
    relay()
    return status


def request_confirmation(d: str, wait: float) -> dict:
    """`declos confirm`: once the waiter waits, ask, and return its verdict."""
    status = wait_while(d, BUSY, wait)
    if status["state"] in BUSY:
        raise ConfirmError(f"the switch is still activating after {wait:g} s: try again")
    if status["state"] == "waiting":
        with open(os.path.join(d, "confirm"), "w") as f:
            f.write(f"{time.time()}\n")
    return wait_while(d, ("waiting", "committing"), START_TIMEOUT)


def pending(state_dir: str) -> list[str]:
    """Ids of switches that are activating or waiting."""
    parent = os.path.join(state_dir, CONFIRM_DIR)
    try:
        names = sorted(os.listdir(parent))
    except FileNotFoundError:
        return []
    return [n for n in names if current(os.path.join(parent, n))["state"] not in FINAL]
