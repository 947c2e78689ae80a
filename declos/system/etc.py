"""Managed files under `<root>/etc`: planning, applying, and drift.

`<root>/etc/static` links to the generation's `<toplevel>/etc` and is
swapped by symlink-then-rename.  A managed file is a link
`<root>/etc/NAME -> /etc/static/NAME` (absolute inside the root, as in a
chroot), or, for an entry with a mode, a copy with that mode and owner.
`<root>/etc/.declos-managed` (JSON) lists what declos put there: for each
name its link target, or its mode and content hash for a copy.

A file is declos' own ("ours") when it is a link into `/etc/static/` or the
store, or a copy whose content is that of a version some known generation
declared (or the recorded hash).  Only ours is replaced or removed; anything
else in the way is moved to `NAME.declos-backup` and reported, and a file no
longer declared but changed by hand is kept and reported.  Planning reads
the root and changes nothing; every apply function is idempotent, so
re-running a plan after a crash converges.
"""

from __future__ import annotations

import contextlib
import grp
import hashlib
import json
import os
import pwd
import shutil

from declos.system.actions import (
    Action,
    BackupEtc,
    CopyEtc,
    EtcChanged,
    KeepEtc,
    LinkEtc,
    RemoveEtc,
    SetStatic,
    WriteManaged,
)
from declos.system.manifest import EtcEntry, Manifest

MANAGED = ".declos-managed"
BACKUP_SUFFIX = ".declos-backup"
STATIC = "static"


def etc_dir(root: str) -> str:
    return os.path.join(root, "etc")


def read_managed(root: str) -> dict[str, dict]:
    try:
        with open(os.path.join(etc_dir(root), MANAGED)) as f:
            return json.load(f).get("files", {})
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def file_sha256(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                h.update(chunk)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return h.hexdigest()


def link_target(entry: EtcEntry) -> str:
    return f"/etc/static/{entry.name}" if entry.in_static else entry.source


def _mode_int(mode: str) -> int:
    return int(mode, 8) & 0o7777


class _Ours:
    """Decides whether what is at a path is declos' own."""

    def __init__(self, manifests: list[Manifest], managed: dict[str, dict], store_dir: str | None):
        self.copies: dict[str, set[str]] = {}
        self._sources: dict[str, set[str]] = {}
        for m in manifests:
            for e in m.etc_entries().values():
                if e.is_copy:
                    self._sources.setdefault(e.name, set()).add(e.source)
        for name, rec in managed.items():
            if rec.get("sha256"):
                self.copies.setdefault(name, set()).add(rec["sha256"])
        self.store_prefix = store_dir.rstrip("/") + "/" if store_dir else None

    def is_ours(self, name: str, path: str, st: os.stat_result) -> bool:
        if os.path.stat.S_ISLNK(st.st_mode):
            t = os.readlink(path)
            return t.startswith("/etc/static/") or bool(
                self.store_prefix and t.startswith(self.store_prefix)
            )
        if not os.path.stat.S_ISREG(st.st_mode):
            return False
        if name not in self.copies and name not in self._sources:
            return False
        digest = file_sha256(path)
        if digest in self.copies.get(name, ()):
            return True
        return any(file_sha256(src) == digest for src in self._sources.get(name, ()))


def plan_etc(
    root: str,
    old: Manifest,
    new: Manifest,
    also: list[Manifest],
    store_dir: str | None = None,
) -> list[Action]:
    """The etc actions taking the root from whatever it holds to `new`."""
    etc = etc_dir(root)
    managed = read_managed(root)
    ours = _Ours([old, new, *also], managed, store_dir)
    old_entries = old.etc_entries()
    new_entries = new.etc_entries()
    actions: list[Action] = []
    static_target = os.path.join(new.toplevel, "etc") if new.toplevel else None
    static = os.path.join(etc, STATIC)
    current_static = os.readlink(static) if os.path.islink(static) else None
    if current_static != static_target:
        actions.append(SetStatic(static_target))
    body: list[Action] = []
    for name, e in new_entries.items():
        path = os.path.join(etc, name)
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            st = None
        before = old_entries.get(name)
        status = "added" if before is None else "changed" if before != e else None
        if st is not None and not ours.is_ours(name, path, st):
            body.append(BackupEtc(name, name + BACKUP_SUFFIX))
            st, status = None, status or "replaced"
        if not e.is_copy:
            target = link_target(e)
            if st is not None and os.path.stat.S_ISLNK(st.st_mode) and os.readlink(path) == target:
                if status == "changed" and (before is None or before.source != e.source):
                    body.append(EtcChanged(name))
                continue
            body.append(LinkEtc(name, target, status or "repaired"))
        else:
            if st is not None and _copy_in_place(root, path, st, e):
                continue
            body.append(CopyEtc(name, e.source, e.mode, e.user, e.group, status or "repaired"))
    candidates = set(old_entries) | set(managed)
    for m in also:
        candidates |= set(m.etc_entries())
    for name in sorted(candidates - set(new_entries)):
        path = os.path.join(etc, name)
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        if ours.is_ours(name, path, st):
            body.append(RemoveEtc(name))
        else:
            body.append(KeepEtc(name, "changed by hand; no longer managed"))
    actions.extend(body)
    content = managed_content(new_entries)
    try:
        with open(os.path.join(etc, MANAGED)) as f:
            same = f.read() == content
    except FileNotFoundError:
        same = not new_entries
    if not same:
        actions.append(WriteManaged(content, len(new_entries)))
    return actions


def _copy_in_place(root: str, path: str, st: os.stat_result, e: EtcEntry) -> bool:
    if not os.path.stat.S_ISREG(st.st_mode) or (st.st_mode & 0o7777) != _mode_int(e.mode):
        return False
    if os.geteuid() == 0 and (st.st_uid, st.st_gid) != _owner_ids(root, e.user, e.group):
        return False
    return file_sha256(path) == file_sha256(e.source)


def managed_content(entries: dict[str, EtcEntry]) -> str:
    files = {}
    for name, e in entries.items():
        if e.is_copy:
            files[name] = {"mode": e.mode, "sha256": file_sha256(e.source)}
        else:
            files[name] = {"target": link_target(e)}
    return json.dumps({"version": 1, "files": files}, sort_keys=True, indent=1) + "\n"


# --- applying -----------------------------------------------------------------------


def _replace_link(target: str, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.declos-tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(target, tmp)
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    os.replace(tmp, path)


def apply_set_static(root: str, a: SetStatic) -> None:
    path = os.path.join(etc_dir(root), STATIC)
    if a.target is None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    else:
        _replace_link(a.target, path)


def backup_name(root: str, a: BackupEtc) -> str:
    """The first free name for `a`'s backup (`NAME.declos-backup`, then `.1`, `.2` …)."""
    backup, n = a.backup, 1
    while os.path.lexists(os.path.join(etc_dir(root), backup)):
        backup = f"{a.backup}.{n}"
        n += 1
    return backup


def apply_backup(root: str, a: BackupEtc, backup: str | None = None) -> None:
    """Move the file in the way aside, to `backup` (default: the first free name)."""
    path = os.path.join(etc_dir(root), a.name)
    if not os.path.lexists(path):
        return  # done before a crash
    os.rename(path, os.path.join(etc_dir(root), backup or backup_name(root, a)))


def ours_checker(root: str, manifests: list[Manifest], store_dir: str | None):
    """`check(name, path)`: is what is at `path` (`<root>/etc/NAME`) declos' own?"""
    ours = _Ours(manifests, read_managed(root), store_dir)

    def check(name: str, path: str) -> bool:
        try:
            st = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return True
        return ours.is_ours(name, path, st)

    return check


def apply_link(root: str, a: LinkEtc) -> None:
    _replace_link(a.target, os.path.join(etc_dir(root), a.name))


def _owner_ids(root: str, user: str, group: str) -> tuple[int, int]:
    """Resolve names in the target root's passwd/group (then the host's)."""
    uid = _lookup(os.path.join(etc_dir(root), "passwd"), user, 2)
    gid = _lookup(os.path.join(etc_dir(root), "group"), group, 2)
    if uid is None:
        try:
            uid = pwd.getpwnam(user).pw_uid
        except KeyError:
            uid = 0
    if gid is None:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            gid = 0
    return uid, gid


def _lookup(path: str, name: str, field: int) -> int | None:
    if name.isdigit():
        return int(name)
    try:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split(":")
                if parts[0] == name and len(parts) > field and parts[field].isdigit():
                    return int(parts[field])
    except FileNotFoundError:
        pass
    return None


def apply_copy(root: str, a: CopyEtc) -> None:
    path = os.path.join(etc_dir(root), a.name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.declos-tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    shutil.copyfile(a.source, tmp)
    os.chmod(tmp, _mode_int(a.mode))
    if os.geteuid() == 0:
        os.chown(tmp, *_owner_ids(root, a.user, a.group))
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    os.replace(tmp, path)


def apply_remove(root: str, a: RemoveEtc) -> None:
    etc = etc_dir(root)
    path = os.path.join(etc, a.name)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    parent = os.path.dirname(path)
    while parent != etc and parent.startswith(etc):
        try:
            os.rmdir(parent)  # only while empty
        except OSError:
            break
        parent = os.path.dirname(parent)


def apply_managed(root: str, a: WriteManaged) -> None:
    from declos.system.journal import write_durably

    path = os.path.join(etc_dir(root), MANAGED)
    if a.count == 0:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    os.makedirs(etc_dir(root), exist_ok=True)
    write_durably(path, a.content.encode())


# --- drift ---------------------------------------------------------------------------


def drift(root: str, static_target: str | None) -> list[tuple[str, str]]:
    """(name, what) for every managed file changed or replaced since activation."""
    out: list[tuple[str, str]] = []
    etc = etc_dir(root)
    static = os.path.join(etc, STATIC)
    if static_target is not None and (
        not os.path.islink(static) or os.readlink(static) != static_target
    ):
        out.append((STATIC, "replaced"))
    for name, rec in sorted(read_managed(root).items()):
        path = os.path.join(etc, name)
        if not os.path.lexists(path):
            out.append((name, "missing"))
        elif "target" in rec:
            if not os.path.islink(path):
                out.append((name, "replaced by a file"))
            elif os.readlink(path) != rec["target"]:
                out.append((name, f"relinked to {os.readlink(path)}"))
        else:
            if os.path.islink(path) or not os.path.isfile(path):
                out.append((name, "replaced"))
            elif file_sha256(path) != rec.get("sha256"):
                out.append((name, "content changed"))
            elif oct(os.stat(path).st_mode & 0o7777)[2:].zfill(4) != rec["mode"].zfill(4):
                out.append((name, "mode changed"))
    return out
