"""The state directory, its store and the system on a root, as commands open them.

`--state-dir DIR` (else the live system's for `--root /`, else
`declos.store.realise.state_dir_of`'s default), the store in it, and a
`declos.system.transaction.System` under the lock that serializes switches
and collections.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from declos.cli.output import say

if TYPE_CHECKING:
    from declos.store.store import Store
    from declos.system.transaction import System

LIVE_STATE_DIR = "/var/lib/declos"


def add_state_dir(p: argparse.ArgumentParser, root_selector: bool = False) -> None:
    """--state-dir DIR; with `root_selector`, also --root (only to pick the live one)."""
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        help=f"the state directory (default: {LIVE_STATE_DIR} with --root /, else "
        "$DECLOS_STATE_DIR, else $XDG_DATA_HOME/declos, else ~/.local/share/declos)",
    )
    if root_selector:
        p.add_argument(
            "--root",
            metavar="DIR",
            help=f"with --root /, use the live system's state directory ({LIVE_STATE_DIR})",
        )


def add_system_args(p: argparse.ArgumentParser, root: bool = True, lock: bool = True) -> None:
    """--state-dir, --root (the root to activate) and --no-wait (for the lock)."""
    add_state_dir(p)
    if root:
        p.add_argument(
            "--root",
            metavar="DIR",
            help="the root to activate (default: the last one used, else <state>/root; "
            "the live system only with --root /)",
        )
    if lock:
        p.add_argument(
            "--no-wait", action="store_true", help="fail at once if another declos holds the lock"
        )


def state_dir_arg(args: argparse.Namespace) -> str | None:
    """--state-dir, else the live system's state directory for --root /: its
    store must be readable by services (a home directory is not), and every
    command on the live system must find the same one."""
    if getattr(args, "state_dir", None):
        return args.state_dir
    root = getattr(args, "root", None)
    if root and os.path.realpath(root) == "/":
        return LIVE_STATE_DIR
    return None


def open_store(args: argparse.Namespace, write: bool = False) -> Store:
    """The store of the command's state directory.  `write`: the command
    writes it (builds, gc), so a live host's read-only store is made
    writable for this process (`declos.store.mounts`) before any thread starts."""
    import sqlite3

    from declos.diagnostics import DeclosError
    from declos.store.realise import state_dir_of
    from declos.store.store import Store

    state = state_dir_of(state_dir_arg(args))
    try:
        store = Store(state)
    except (OSError, sqlite3.Error) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        where = f" ({e.filename})" if isinstance(e, OSError) and e.filename else ""
        raise DeclosError(f"cannot use '{state}' as the state directory: {why}{where}") from None
    if write:
        from declos.store.mounts import writable

        try:
            writable(store.store_dir)
        except DeclosError:
            store.close()
            raise
    return store


@contextlib.contextmanager
def open_system(args: argparse.Namespace, locked: bool, recover: bool = True) -> Iterator[System]:
    """The system of --state-dir on --root; `locked`: under the system lock
    (waiting for it unless --no-wait), an interrupted switch settled first
    unless `recover` is False."""
    from declos.system.journal import system_lock
    from declos.system.transaction import System

    with open_store(args) as store:
        system = System(store, getattr(args, "root", None), say=say)
        try:
            if locked:
                with system_lock(
                    store.state_dir, wait=not getattr(args, "no_wait", False), on_wait=say
                ):
                    if recover:
                        system.recover()
                    yield system
            else:
                yield system
        finally:
            system.close()


def store_paths(store: Store, args_paths: list[str]) -> list[str]:
    """Store paths from arguments that are store paths or links to them (`result`);
    a path that is malformed, outside the store or not valid is an error."""
    from declos.store.paths import StorePathError

    out = []
    for arg in args_paths:
        real = os.path.realpath(arg) if os.path.islink(arg) else os.path.abspath(arg)
        path = str(store.path_of(real))
        if not store.is_valid(path):
            raise StorePathError(f"path '{path}' is not valid")
        out.append(path)
    return out
