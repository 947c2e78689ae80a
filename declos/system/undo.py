"""What an undo must put back beyond re-activating the previous generation.

Re-activating the previous generation (a plan from the failed target back
to it) restores every file declos manages, but two things a switch does are
not described by any manifest: a user's own file moved aside to
`NAME.declos-backup`, and a directory (with any parents) created for a new
user's home, an etc subdirectory or `/run`.  Before either happens,
activation appends it to the journal (`backups`: `[name, backup]`,
`dirs`: `[dir relative to the root, …]`, deepest first), durably.  Undoing a
transaction re-activates, removes what a crash mid-write left
(`remove_temporaries`), then runs `restore`, so the root is exactly as it
was.

Only what is safe is undone: a backup moves back only when the file's place
is empty or holds what declos put there; a directory is removed only while
it is empty (a home someone already wrote to is kept and reported — never
user data).  Every step is idempotent, so a crash while undoing converges.
Everything goes through `rootfs`: an entry under a directory that became a
symlink is left alone and reported, never followed.

Example:
    record = {"backups": [["hosts", "hosts.declos-backup"]], "dirs": [["home/bob", "home"]]}
    restore(root, record, ours=lambda name, path: False, say=print)
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Callable, Iterable

from declos.diagnostics import DeclosError
from declos.system import rootfs
from declos.system.etc import in_etc
from declos.system.rootfs import Root, RootError


def missing_dirs(root: str | Root, path: str) -> list[str]:
    """`path` (absolute inside the root) and each ancestor that does not exist
    yet, deepest first, relative to the root."""
    parts = rootfs.split(path)
    out: list[str] = []
    with rootfs.opened(root) as fs:
        while parts and not fs.lexists("/".join(parts)):
            out.append("/".join(parts))
            parts = parts[:-1]
    return out


def restore(
    root: str | Root,
    record: dict,
    ours: Callable[[str, str], bool],
    say: Callable[[str], None],
) -> None:
    """Move recorded backups back and remove recorded directories that are still empty.

    `ours(name, path)` says whether what is at `<root>/etc/NAME` is declos'
    own (and so may be replaced by the backup).
    """
    if not record.get("backups") and not record.get("dirs"):
        return
    with rootfs.opened(root) as fs:
        seen: set[tuple[str, str]] = set()
        for name, backup in reversed(record.get("backups", [])):
            if (name, backup) in seen:
                continue
            seen.add((name, backup))
            try:
                _restore_backup(fs, name, backup, ours, say)
            except DeclosError as e:
                say(f"kept /etc/{backup}: {e.message}")
        for group in reversed(record.get("dirs", [])):
            _remove_dirs(fs, group, say)


FIXED = (
    "etc/passwd",
    "etc/group",
    "etc/shadow",
    "etc/static",
    "etc/.declos-managed",
    "run/current-system",
    "var/lib/declos/accounts.json",
    "etc/systemd/system/declos-activate.service",
    "etc/systemd/system/sysinit.target.wants/declos-activate.service",
)


def remove_temporaries(root: str | Root, etc_names: Iterable[str]) -> None:
    """Remove what a crash mid-write left: `P.declos-tmp` and `P.tmp-<pid>`
    beside every path P activation writes by temp-then-rename.  A directory
    declos refuses to walk (a symlink, or a root that is no directory)
    holds none of them: it is skipped."""
    by_dir: dict[str, set[str]] = {}
    for rel in [*FIXED, *(in_etc(n) for n in etc_names)]:
        parent, _, base = rel.rpartition("/")
        by_dir.setdefault(parent, set()).add(base)
    with contextlib.ExitStack() as stack:
        try:
            fs = stack.enter_context(rootfs.opened(root))
        except RootError:
            return
        for parent, bases in by_dir.items():
            with contextlib.suppress(RootError):
                _remove_in(fs, parent, bases)


def _remove_in(fs: Root, parent: str, bases: set[str]) -> None:
    for n in fs.listdir(parent) or []:
        base, dot, suffix = n.rpartition(".")
        is_tmp = (dot and suffix == "declos-tmp" and base in bases) or (
            suffix.startswith("tmp-") and suffix[4:].isdigit() and base in bases
        )
        if not is_tmp:
            continue
        st = fs.lstat(f"{parent}/{n}")
        if st is not None and (stat.S_ISLNK(st.st_mode) or stat.S_ISREG(st.st_mode)):
            fs.unlink(f"{parent}/{n}")


def _restore_backup(
    fs: Root,
    name: str,
    backup: str,
    ours: Callable[[str, str], bool],
    say: Callable[[str], None],
) -> None:
    src, dest = in_etc(backup), in_etc(name)
    if not fs.lexists(src):
        return  # never moved (the crash came first), or already moved back
    st = fs.lstat(dest)
    if st is not None:
        if stat.S_ISDIR(st.st_mode) or not ours(name, dest):
            say(f"kept /etc/{backup}: /etc/{name} holds a file declos did not put there")
            return
        fs.unlink(dest)
    fs.rename(src, dest)
    say(f"moved /etc/{backup} back to /etc/{name}")


def _remove_dirs(fs: Root, group: list[str], say: Callable[[str], None]) -> None:
    for i, rel in enumerate(group):
        try:
            fs.rmdir(rel + rootfs.TMP)  # a crash between mkdir and rename
            st = fs.lstat(rel)
            if st is None or (stat.S_ISDIR(st.st_mode) and fs.rmdir(rel)):
                continue
        except DeclosError as e:
            say(f"kept /{rel}: {e.message}")
            return
        if not stat.S_ISDIR(st.st_mode):
            say(f"kept /{rel}: it is no longer a directory declos created")
        elif i == 0:
            say(f"kept /{rel}: the undone generation created it, but it is not empty")
        return  # a parent of a kept directory stays too
