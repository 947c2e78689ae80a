"""The read-only store of a live host, and how declos still writes it.

After the first activation of the live root (and again at every boot, by
`declos activate-boot`), `<state>/store` is a read-only bind mount of itself
(`protect`), as NixOS's store is: no process on the host, root shells
included, can change it (EROFS).  A declos command that writes the store
(a build, sources copied during evaluation, gc) calls `writable` when it
opens the store: as root, with the store read-only, the process moves into
a mount namespace of its own (`unshare(CLONE_NEWNS)`, every mount a slave
so that nothing propagates back to the host) and remounts the store
writable there only.  That must happen on the main thread before any other
thread exists (a thread that unshares moves alone; evaluation's and the
build pool's threads, made later, inherit the namespace).  A non-root
user's store is never made read-only: it is no live host's.

What must still happen in the host's namespace (making the store read-only
after a live activation, and the live root's activation scripts, which may
mount things) goes through `sandbox_exec.py`, which joins the namespace
this process left (`host_command`; a thread cannot join it either).

Example:
    mounts.writable(store.store_dir)        # before anything writes it
    ...build...
    mounts.protect(store.store_dir, say)    # after a live activation
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Sequence

from declos.diagnostics import DeclosError
from declos.store import sandbox_exec as sx
from declos.store.sandbox import HELPER


class StoreReadOnly(DeclosError):
    """The store is read-only and declos cannot make it writable for itself."""

    code = "store-read-only"


#: The mount namespace this process left (an fd), once it has left it.
_host_ns: int | None = None
#: Stores this process asked to write (`writable`).
_writers: set[str] = set()


def is_read_only(path: str) -> bool:
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)


def in_own_namespace() -> bool:
    """Has this process left the host's mount namespace (`writable`)?"""
    return _host_ns is not None


def writable(store_dir: str) -> None:
    """Make `store_dir` writable for this process if it is declos' read-only
    bind mount (as root; nothing to do otherwise).  Raises StoreReadOnly
    when it cannot (another thread runs already, no CAP_SYS_ADMIN, or the
    store is on a read-only file system rather than declos' bind mount)."""
    global _host_ns
    store = os.path.realpath(store_dir)
    _writers.add(store)
    if os.geteuid() != 0 or not os.path.isdir(store) or not is_read_only(store):
        return
    why = None
    if not sx.is_mount_point(store):
        why = "it is on a read-only file system, not declos' read-only bind mount"
    elif _host_ns is None and len(os.listdir("/proc/self/task")) > 1:
        why = "this declos process runs several threads already (it must be made writable first)"
    if why is None:
        try:
            if _host_ns is None:
                host = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
                try:
                    sx.unshare(sx.CLONE_NEWNS)
                except sx.SetupError:
                    os.close(host)
                    raise
                _host_ns = host
                sx.mount("none", "/", None, sx.MS_REC | sx.MS_SLAVE)
            sx.remount(store, read_only=False)
        except sx.SetupError as e:
            why = str(e)
    if why is None and is_read_only(store):
        why = "its file system is mounted read-only"
    if why is not None:
        raise StoreReadOnly(f"the store {store} is read-only and cannot be made writable: {why}")


def protect(store_dir: str, say: Callable[[str], None]) -> None:
    """Make `store_dir` a read-only bind mount of itself on the host (in the
    mount namespace this process started in), as root; idempotent.  A
    failure is said as a warning (the activation it follows stands).  A
    process that writes the store itself then makes it writable for itself
    (`writable`), if it still can."""
    if os.geteuid() != 0:
        return
    store = os.path.realpath(store_dir)
    try:
        if _host_ns is None:
            sx.make_read_only(store)
        else:
            proc = subprocess.run(
                [sys.executable, "-I", "-S", HELPER, "protect", str(_host_ns), store],
                pass_fds=(_host_ns,),
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
            )
            if proc.returncode != 0:
                raise sx.SetupError(proc.stderr.strip() or f"exit status {proc.returncode}")
    except (sx.SetupError, OSError) as e:
        say(f"warning: the store {store} could not be made read-only: {e}")
        return
    # Made read-only here too (never left the namespace, or a new mount
    # propagated in): a writer makes it writable for itself again.
    if store in _writers and is_read_only(store):
        with contextlib.suppress(StoreReadOnly):  # else a later write fails with EROFS
            writable(store)


def host_command(argv: Sequence[str]) -> tuple[list[str], tuple[int, ...]]:
    """`argv` run in the host's mount namespace, and the fds to pass it:
    unchanged unless this process left it (`writable`)."""
    if _host_ns is None:
        return list(argv), ()
    helper = [sys.executable, "-I", "-S", HELPER, "enter", str(_host_ns), "--"]
    return [*helper, *argv], (_host_ns,)
