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
re-running a plan after a crash converges.  Every access to the root goes
through `rootfs` (no symlink in it is followed; a symlinked `/etc` or
`/etc/ssh` is refused), so planning, applying and drift take a root path
or an open `rootfs.Root`.
"""

from __future__ import annotations

import functools
import grp
import hashlib
import json
import os
import pwd
import stat
from collections.abc import Callable

from declos.diagnostics import DeclosError
from declos.system import rootfs
from declos.system.actions import (
    Action,
    BackupEtc,
    CopyEtc,
    EtcChanged,
    KeepEtc,
    LinkEtc,
    RemoveEtc,
    RestoreEtc,
    SetStatic,
    WriteManaged,
)
from declos.system.manifest import EtcEntry, Manifest
from declos.system.rootfs import Root

MANAGED = ".declos-managed"
BACKUP_SUFFIX = ".declos-backup"
STATIC = "static"


def in_etc(name: str) -> str:
    """The path of `/etc/NAME` relative to the root."""
    return f"etc/{name}"


def read_managed(root: str | Root) -> dict[str, dict]:
    with rootfs.opened(root) as fs:
        text = fs.read_text(in_etc(MANAGED))
    try:
        data = json.loads(text) if text is not None else {}
    except json.JSONDecodeError:
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {n: rec for n, rec in files.items() if isinstance(rec, dict)}


def file_sha256(path: str) -> str | None:
    """The sha256 of a store file (never a file in the root: see `Root.sha256`)."""
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
    """Decides whether what is at `/etc/NAME` is declos' own."""

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

    def is_ours(
        self,
        fs: Root,
        name: str,
        st: os.stat_result,
        digest: Callable[[str], str | None] | None = None,
    ) -> bool:
        """`digest(name)`: the file's sha256 as a plan already read it."""
        if stat.S_ISLNK(st.st_mode):
            t = fs.readlink(in_etc(name)) or ""
            return t.startswith("/etc/static/") or bool(
                self.store_prefix and t.startswith(self.store_prefix)
            )
        if not stat.S_ISREG(st.st_mode):
            return False
        if name not in self.copies and name not in self._sources:
            return False
        have = digest(name) if digest else fs.sha256(in_etc(name))
        if have in self.copies.get(name, ()):
            return True
        return any(file_sha256(src) == have for src in self._sources.get(name, ()))


def plan_etc(
    root: str | Root,
    old: Manifest,
    new: Manifest,
    also: list[Manifest],
    store_dir: str | None = None,
) -> list[Action]:
    """The etc actions taking the root from whatever it holds to `new`."""
    with rootfs.opened(root) as fs:
        return _plan_etc(fs, old, new, also, store_dir)


def _plan_etc(
    fs: Root, old: Manifest, new: Manifest, also: list[Manifest], store_dir: str | None
) -> list[Action]:
    managed = read_managed(fs)
    ours = _Ours([old, new, *also], managed, store_dir)
    old_entries = old.etc_entries()
    new_entries = new.etc_entries()
    actions: list[Action] = []
    # What the plan reads of the root once: a copy's content (for "ours?"
    # and "in place?") and the account ids of each owner.
    digest = functools.cache(lambda name: fs.sha256(in_etc(name)))
    owner_ids = functools.cache(lambda user, group: _owner_ids(fs, user, group))

    static_target = os.path.join(new.toplevel, "etc") if new.toplevel else None
    if fs.readlink(in_etc(STATIC)) != static_target:
        actions.append(SetStatic(static_target))
    body: list[Action] = []
    for name, e in new_entries.items():
        st = fs.lstat(in_etc(name))
        before = old_entries.get(name)
        status = "added" if before is None else "changed" if before != e else None
        if st is not None and not ours.is_ours(fs, name, st, digest):
            body.append(BackupEtc(name, name + BACKUP_SUFFIX))
            st, status = None, status or "replaced"
        if not e.is_copy:
            target = link_target(e)
            if st is not None and stat.S_ISLNK(st.st_mode) and fs.readlink(in_etc(name)) == target:
                if status == "changed" and (before is None or before.source != e.source):
                    body.append(EtcChanged(name))
                continue
            body.append(LinkEtc(name, target, status or "repaired"))
        else:
            if st is not None and _copy_in_place(name, st, e, digest, owner_ids):
                continue
            body.append(CopyEtc(name, e.source, e.mode, e.user, e.group, status or "repaired"))
    candidates = set(old_entries) | set(managed)
    for m in also:
        candidates |= set(m.etc_entries())
    for name in sorted(candidates - set(new_entries)):
        st = fs.lstat(in_etc(name))
        if st is not None and not ours.is_ours(fs, name, st, digest):
            body.append(KeepEtc(name, "changed by hand; no longer managed"))
            continue
        if st is not None:
            body.append(RemoveEtc(name))
        backup = newest_backup(fs, name)
        if backup is not None:
            body.append(RestoreEtc(name, backup))
    actions.extend(body)
    content = managed_content(new_entries)
    have = fs.read_text(in_etc(MANAGED))
    if (have != content) if have is not None else bool(new_entries):
        actions.append(WriteManaged(content, len(new_entries)))
    return actions


def _copy_in_place(
    name: str,
    st: os.stat_result,
    e: EtcEntry,
    digest: Callable[[str], str | None],
    owner_ids: Callable[[str, str], tuple[int, int]],
) -> bool:
    """Whether /etc/NAME (`st`) already is the copy `e` asks for; `digest`
    and `owner_ids` read the root (once per plan)."""
    if not stat.S_ISREG(st.st_mode) or (st.st_mode & 0o7777) != _mode_int(e.mode):
        return False
    if os.geteuid() == 0 and (st.st_uid, st.st_gid) != owner_ids(e.user, e.group):
        return False
    return digest(name) == file_sha256(e.source)


def managed_content(entries: dict[str, EtcEntry]) -> str:
    files = {}
    for name, e in entries.items():
        if e.is_copy:
            files[name] = {"mode": e.mode, "sha256": file_sha256(e.source)}
        else:
            files[name] = {"target": link_target(e)}
    return json.dumps({"version": 1, "files": files}, sort_keys=True, indent=1) + "\n"


# --- applying -----------------------------------------------------------------------


def _makedirs_for(fs: Root, rel: str) -> None:
    parent = os.path.dirname(rel)
    if parent:
        fs.makedirs(parent)


def apply_set_static(fs: Root, a: SetStatic) -> None:
    if a.target is None:
        fs.unlink(in_etc(STATIC))
    else:
        fs.symlink(a.target, in_etc(STATIC), replace_dir=True)


def backup_name(fs: Root, a: BackupEtc) -> str:
    """The first free name for `a`'s backup (`NAME.declos-backup`, then `.1`, `.2` …)."""
    backup, n = a.backup, 1
    while fs.lexists(in_etc(backup)):
        backup = f"{a.backup}.{n}"
        n += 1
    return backup


def newest_backup(fs: Root, name: str) -> str | None:
    """The last thing declos moved aside from `/etc/NAME` (`NAME.declos-backup`,
    then `.1`, `.2` …: the highest number), if it is a file or a link."""
    parent, _, base = name.rpartition("/")
    prefix = base + BACKUP_SUFFIX
    found: list[tuple[int, str]] = []
    for entry in fs.listdir(in_etc(parent) if parent else "etc") or []:
        rest = entry[len(prefix) :]
        if entry.startswith(prefix) and (rest == "" or (rest[:1] == "." and rest[1:].isdigit())):
            found.append((int(rest[1:] or 0), entry))
    for _, entry in sorted(found, reverse=True):
        rel = f"{parent}/{entry}" if parent else entry
        st = fs.lstat(in_etc(rel))
        if st is not None and not stat.S_ISDIR(st.st_mode):
            return rel
        return None
    return None


def apply_restore(fs: Root, a: RestoreEtc) -> bool:
    """Move the backup back, only into an empty place (idempotent after a crash);
    whether it moved."""
    if fs.lexists(in_etc(a.name)) or not fs.lexists(in_etc(a.backup)):
        return False
    fs.rename(in_etc(a.backup), in_etc(a.name))
    return True


def apply_backup(fs: Root, a: BackupEtc, backup: str | None = None) -> None:
    """Move the file in the way aside, to `backup` (default: the first free name)."""
    if not fs.lexists(in_etc(a.name)):
        return  # done before a crash
    fs.rename(in_etc(a.name), in_etc(backup or backup_name(fs, a)))


def ours_checker(
    root: str | Root, manifests: list[Manifest], store_dir: str | None
) -> Callable[[str, str], bool]:
    """`check(name, path)`: is what is at `/etc/NAME` declos' own?  (`path`,
    `<root>/etc/NAME`, is only for messages: the root is read through `rootfs`.)"""
    managed = read_managed(root)
    ours = _Ours(manifests, managed, store_dir)

    def check(name: str, path: str) -> bool:
        with rootfs.opened(root) as fs:
            st = fs.lstat(in_etc(name))
            return st is None or ours.is_ours(fs, name, st)

    return check


def apply_link(fs: Root, a: LinkEtc) -> None:
    _makedirs_for(fs, in_etc(a.name))
    fs.symlink(a.target, in_etc(a.name), replace_dir=True)


def _owner_ids(fs: Root, user: str, group: str) -> tuple[int, int]:
    """Resolve names in the target root's passwd/group (then the host's)."""
    uid = _lookup(fs, "etc/passwd", user, 2)
    gid = _lookup(fs, "etc/group", group, 2)
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


def _lookup(fs: Root, rel: str, name: str, field: int) -> int | None:
    if name.isdigit():
        return int(name)
    for line in (fs.read_text(rel) or "").split("\n"):  # as glibc: only \n ends an entry
        parts = line.split(":")
        if parts[0] == name and len(parts) > field and parts[field].isdigit():
            return int(parts[field])
    return None


def apply_copy(fs: Root, a: CopyEtc) -> None:
    rel = in_etc(a.name)
    _makedirs_for(fs, rel)
    owner = _owner_ids(fs, a.user, a.group) if os.geteuid() == 0 else None
    fs.copy_file(a.source, rel, _mode_int(a.mode), owner, replace_dir=True)


def apply_remove(fs: Root, a: RemoveEtc) -> None:
    fs.unlink(in_etc(a.name))
    parent = os.path.dirname(a.name)
    while parent and fs.rmdir(in_etc(parent)):  # only while empty
        parent = os.path.dirname(parent)


def apply_managed(fs: Root, a: WriteManaged) -> None:
    if a.count == 0:
        fs.unlink(in_etc(MANAGED))
        return
    fs.makedirs("etc")
    fs.write_file(in_etc(MANAGED), a.content.encode(), 0o644, tmp=f".tmp-{os.getpid()}")


# --- drift ---------------------------------------------------------------------------


def drift(root: str | Root, static_target: str | None) -> list[tuple[str, str]]:
    """(name, what) for every managed file changed or replaced since activation.

    A file declos refuses to inspect (under a directory that became a
    symlink) is reported as such; a root or `/etc` it refuses to read
    raises `rootfs.UnsafeRoot`."""
    out: list[tuple[str, str]] = []
    with rootfs.opened(root) as fs:
        if static_target is not None and fs.readlink(in_etc(STATIC)) != static_target:
            out.append((STATIC, "replaced"))
        for name, rec in sorted(read_managed(fs).items()):
            try:
                what = _drift_of(fs, name, rec)
            except DeclosError as e:
                what = f"not inspected: {e.message}"
            if what is not None:
                out.append((name, what))
    return out


def _drift_of(fs: Root, name: str, rec: dict) -> str | None:
    rel = in_etc(name)
    st = fs.lstat(rel)
    if st is None:
        return "missing"
    if "target" in rec:
        if not stat.S_ISLNK(st.st_mode):
            return "replaced by a file"
        target = fs.readlink(rel)
        return f"relinked to {target}" if target != rec["target"] else None
    if not stat.S_ISREG(st.st_mode):
        return "replaced"
    if fs.sha256(rel) != rec.get("sha256"):
        return "content changed"
    if oct(st.st_mode & 0o7777)[2:].zfill(4) != str(rec.get("mode", "")).zfill(4):
        return "mode changed"
    return None
