"""The system lock, the switch journal, and test-only fault injection.

Owns `<state>/lock` (one fcntl lock serializing switch, rollback,
switch-generation, generations delete and gc) and `<state>/journal` (what a
transaction is doing: `{"op", "from", "to", "step"}`, written to a temporary
file, fsync'd, renamed into place and the directory fsync'd, so a crash
leaves either the old journal or the new one).  It must not know how a root
is activated: `activation.py` writes the steps and decides what a journal
left behind means.

Fault injection: with `DECLOS_TEST_DIE_AT=<step>` in the environment,
`checkpoint(step)` kills the process with SIGKILL at that step (tests crash a
switch at every named step and check that `declos recover` repairs it).
`DECLOS_TEST_DIE_AT=<step>:<n>` dies at the n-th time the step is reached.

Example:
    with system_lock(state_dir, wait=True, on_wait=print):
        write_journal(state_dir, {"op": "switch", "from": 3, "to": 4, "step": "begin"})
        ...
        clear_journal(state_dir)
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import signal
from collections.abc import Callable, Iterator

from declos.diagnostics import DeclosError

DIE_AT_ENV = "DECLOS_TEST_DIE_AT"
_reached: dict[str, int] = {}


class LockBusy(DeclosError):
    code = "lock-busy"


class JournalError(DeclosError):
    code = "journal"


def checkpoint(step: str) -> None:
    """Die here (SIGKILL, no cleanup) if the test environment asks for it."""
    want = os.environ.get(DIE_AT_ENV)
    if not want:
        return
    name, _, nth = want.partition(":")
    if name != step:
        return
    _reached[step] = _reached.get(step, 0) + 1
    if _reached[step] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


# --- the lock ------------------------------------------------------------------------


def lock_path(state_dir: str) -> str:
    return os.path.join(state_dir, "lock")


@contextlib.contextmanager
def system_lock(
    state_dir: str, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold `<state>/lock` exclusively.  If another declos holds it: wait
    (telling `on_wait` once) or, with `wait=False`, raise `LockBusy`.

    Reentrant within one process (a nested use is a no-op), so a command that
    holds the lock can call library functions that take it too.
    """
    if getattr(_held, state_dir, False):
        yield
        return
    os.makedirs(state_dir, exist_ok=True)
    fd = os.open(lock_path(state_dir), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = _holder(fd)
            who = f" (process {holder})" if holder else ""
            if not wait:
                raise LockBusy(
                    f"another declos command{who} holds the lock '{lock_path(state_dir)}'"
                ) from None
            if on_wait is not None:
                on_wait(f"waiting for another declos command{who} to finish…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        setattr(_held, state_dir, True)
        try:
            yield
        finally:
            setattr(_held, state_dir, False)
    finally:
        os.close(fd)


class _Held:
    pass


_held = _Held()


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip()
    except OSError:  # pragma: no cover
        return ""


# --- the journal ----------------------------------------------------------------------


def journal_path(state_dir: str) -> str:
    return os.path.join(state_dir, "journal")


def write_durably(path: str, data: bytes) -> None:
    """Write `data` to `path` atomically and durably (temp, fsync, rename, fsync dir)."""
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(os.path.dirname(path))


def fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_journal(state_dir: str, record: dict) -> None:
    write_durably(journal_path(state_dir), json.dumps(record, sort_keys=True).encode() + b"\n")


def read_journal(state_dir: str) -> dict | None:
    try:
        with open(journal_path(state_dir)) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as e:  # only a corrupted disk: writes are atomic
        raise JournalError(f"the journal '{journal_path(state_dir)}' is unreadable: {e}") from None
    if not isinstance(record, dict):
        raise JournalError(f"the journal '{journal_path(state_dir)}' is not an object")
    return record


def set_step(state_dir: str, record: dict, step: str) -> dict:
    """Record that the transaction reached `step`, then maybe die (tests)."""
    record = {**record, "step": step}
    write_journal(state_dir, record)
    checkpoint(step)
    return record


def clear_journal(state_dir: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(journal_path(state_dir))
    fsync_dir(state_dir)
