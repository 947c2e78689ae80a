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

Example:
    record = {"backups": [["hosts", "hosts.declos-backup"]], "dirs": [["home/bob", "home"]]}
    restore(root, record, ours=lambda name, path: False, say=print)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from declos.system.etc import etc_dir


def missing_dirs(root: str, path: str) -> list[str]:
    """`path` (absolute inside the root) and each ancestor that does not exist
    yet, deepest first, relative to the root."""
    out: list[str] = []
    rel = path.strip("/")
    while rel and not os.path.lexists(os.path.join(root, rel)):
        out.append(rel)
        rel = os.path.dirname(rel)
    return out


def restore(
    root: str,
    record: dict,
    ours: Callable[[str, str], bool],
    say: Callable[[str], None],
) -> None:
    """Move recorded backups back and remove recorded directories that are still empty.

    `ours(name, path)` says whether what is at `<root>/etc/NAME` is declos'
    own (and so may be replaced by the backup).
    """
    seen: set[tuple[str, str]] = set()
    for name, backup in reversed(record.get("backups", [])):
        if (name, backup) in seen:
            continue
        seen.add((name, backup))
        _restore_backup(root, name, backup, ours, say)
    for group in reversed(record.get("dirs", [])):
        _remove_dirs(root, group, say)


FIXED = (
    "etc/passwd",
    "etc/group",
    "etc/shadow",
    "etc/static",
    "etc/.declos-managed",
    "run/current-system",
    "var/lib/declos/accounts.json",
)


def remove_temporaries(root: str, etc_names) -> None:
    """Remove what a crash mid-write left: `P.declos-tmp` and `P.tmp-<pid>`
    beside every path P activation writes by temp-then-rename."""
    by_dir: dict[str, set[str]] = {}
    for rel in [*FIXED, *(f"etc/{n}" for n in etc_names)]:
        path = os.path.join(root, rel)
        by_dir.setdefault(os.path.dirname(path), set()).add(os.path.basename(path))
    for parent, bases in by_dir.items():
        try:
            names = os.listdir(parent)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for n in names:
            base, dot, suffix = n.rpartition(".")
            is_tmp = (dot and suffix == "declos-tmp" and base in bases) or (
                suffix.startswith("tmp-") and suffix[4:].isdigit() and base in bases
            )
            tmp = os.path.join(parent, n)
            if is_tmp and (os.path.islink(tmp) or os.path.isfile(tmp)):
                os.unlink(tmp)


def _restore_backup(root, name, backup, ours, say) -> None:
    etc = etc_dir(root)
    src, dest = os.path.join(etc, backup), os.path.join(etc, name)
    if not os.path.lexists(src):
        return  # never moved (the crash came first), or already moved back
    if os.path.lexists(dest):
        if (os.path.isdir(dest) and not os.path.islink(dest)) or not ours(name, dest):
            say(f"kept /etc/{backup}: /etc/{name} holds a file declos did not put there")
            return
        os.unlink(dest)
    os.rename(src, dest)
    say(f"moved /etc/{backup} back to /etc/{name}")


def _remove_dirs(root: str, group: list[str], say: Callable[[str], None]) -> None:
    for i, rel in enumerate(group):
        path = os.path.join(root, rel)
        with contextlib.suppress(FileNotFoundError, OSError):
            os.rmdir(path + ".declos-tmp")  # a crash between mkdir and rename
        if not os.path.lexists(path):
            continue
        try:
            os.rmdir(path)
        except OSError:
            if i == 0:
                say(f"kept /{rel}: the undone generation created it, but it is not empty")
            return  # a parent of a kept directory stays too
