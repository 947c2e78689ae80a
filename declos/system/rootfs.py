"""The one way planning, activation and undo touch a target root.

A root is a tree someone else may have shaped: an image, a container, a
mounted disk.  A directory symlink in it (`etc -> /etc`, `etc/ssh ->
../../..`, `home -> /`) would make a path-string write like
`open(root + "/etc/passwd")` land outside the root.  So the root path itself
(the user's `--root`, trusted) is opened once with O_DIRECTORY, and every
path below it is relative, validated (no empty, `.` or `..` component, no
NUL) and walked one component at a time with
`openat(O_DIRECTORY|O_NOFOLLOW)`.  A symlink or non-directory in the middle
of a path is refused with an `UnsafeRoot` error naming it and where it
points; the last component is never followed either (lstat, readlink,
unlink, rename and O_NOFOLLOW opens work on the entry itself).  After the
walk, everything is a `dir_fd=` call, so nothing is resolved by path string.

Writes are temp-then-rename: the temp is created O_CREAT|O_EXCL|O_NOFOLLOW
with only its final mode's owner bits, chowned and chmod'ed on its fd,
filled, fsync'd, renamed and the directory fsync'd; whatever sits at the
temp name (a stale temp, a planted symlink) is unlinked, never followed,
first.  The only symlinks declos creates inside a root are final
components (`/etc/NAME`, `/etc/static`, `/run/current-system`): none is
ever walked through.

Test fault injection: `journal.checkpoint("temp REL")` runs right after a
temp file `REL` (e.g. `etc/shadow.declos-tmp`) is created, before its
content is written.

Example:
    with Root.open("/mnt/image", create=True) as fs:
        fs.makedirs("etc/ssh")
        fs.write_file("etc/ssh/sshd_config", b"PermitRootLogin no\\n", 0o644)
        fs.read_text("etc/passwd")    # None: missing; UnsafeRoot: `etc` is a symlink
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from typing import TypeVar

from declos.diagnostics import DeclosError
from declos.system import journal

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_TEMP = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
NO_FOLLOW = "declos follows no symbolic link it did not create inside a root"
TMP = ".declos-tmp"
_T = TypeVar("_T")


class RootError(DeclosError):
    """A file operation inside the root failed (permission, disk full, …)."""

    code = "root"


class UnsafeRoot(RootError):
    """A path inside the root leads through a symlink or a non-directory, or is not a
    normalized relative path: declos refuses it rather than write outside the root."""

    code = "unsafe-root"


def split(rel: str) -> list[str]:
    """The components of `rel` (a path inside the root; one leading `/` allowed).

    `"/home/bob"` is `["home", "bob"]`; `"home/../x"`, `"a//b"`, `"."` and
    `""` are refused."""
    if "\0" in rel:
        raise UnsafeRoot(f"the path {rel!r} contains a NUL byte")
    parts = (rel[1:] if rel.startswith("/") else rel).split("/")
    bad = [p for p in parts if p in ("", ".", "..")]
    if bad:
        raise UnsafeRoot(
            f"'{rel}' is not a normalized path inside a root "
            f"(it has {'an empty' if bad[0] == '' else repr(bad[0])} component)"
        )
    return parts


def shown(parts: list[str]) -> str:
    return "/" + "/".join(parts)


@contextlib.contextmanager
def opened(root: str | Root) -> Iterator[Root]:
    """`root` itself if it is open already, else the root at that path for the block."""
    if isinstance(root, Root):
        yield root
        return
    with Root.open(root) as fs:
        yield fs


def _bad_root(path: str) -> str:
    if os.path.lexists(path):
        return f"cannot use '{path}' as the root: it is not a directory"
    parent = os.path.dirname(path)
    while parent != os.path.dirname(parent) and not os.path.lexists(parent):
        parent = os.path.dirname(parent)
    return f"cannot use '{path}' as the root: '{parent}' is not a directory"


class Root:
    """An open target root.  Paths are relative to it (`"etc/passwd"` or `"/etc/passwd"`).

    A root that does not exist yet (`fd` None) reads as empty; opening it
    with `create=True` makes it."""

    def __init__(self, path: str, fd: int | None):
        self.path = path
        self.fd = fd

    @classmethod
    def open(cls, path: str, create: bool = False) -> Root:
        path = os.path.abspath(path)
        try:
            if create:
                os.makedirs(path, exist_ok=True)
            fd: int | None = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = None
        except (NotADirectoryError, FileExistsError):
            raise UnsafeRoot(_bad_root(path)) from None
        except OSError as e:
            raise RootError(f"cannot open the root '{path}': {e.strerror}") from None
        return cls(path, fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> Root:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the walk -------------------------------------------------------------------

    def _refuse(self, verb: str, parts: list[str], why: str) -> UnsafeRoot:
        return UnsafeRoot(f"refusing to {verb} {shown(parts)} in {self.path}: {why}")

    def _what(self, dir_fd: int, name: str, parts: list[str]) -> str:
        """Why the entry `name` (at `parts`) cannot be walked through or opened."""
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            return f"{shown(parts)} changed while declos walked it"
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(name, dir_fd=dir_fd)
            return f"{shown(parts)} is a symbolic link (-> {target}); {NO_FOLLOW}"
        return f"{shown(parts)} is not a directory"

    def _walk(
        self, parts: list[str], verb: str, target: list[str], made: list[str] | None = None
    ) -> int | None:
        """An fd for the directory `parts` (the caller closes it); None if it
        does not exist.  With `made`, missing directories are created (0755)
        and their paths appended to it."""
        if self.fd is None:
            if made is None:
                return None
            raise RootError(f"cannot {verb} {shown(target)}: the root '{self.path}' does not exist")
        fd = os.dup(self.fd)
        try:
            for i, name in enumerate(parts):
                try:
                    nfd = os.open(name, _DIR, dir_fd=fd)
                except FileNotFoundError:
                    if made is None:
                        os.close(fd)
                        return None
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, 0o755, dir_fd=fd)
                        made.append("/".join(parts[: i + 1]))
                    try:
                        nfd = os.open(name, _DIR, dir_fd=fd)
                    except OSError:
                        why = self._what(fd, name, parts[: i + 1])
                        raise self._refuse(verb, target, why) from None
                except OSError as e:
                    if e.errno not in (errno.ENOTDIR, errno.ELOOP):
                        raise RootError(
                            f"cannot {verb} {shown(target)} in {self.path}: "
                            f"{shown(parts[: i + 1])}: {e.strerror}"
                        ) from None
                    why = self._what(fd, name, parts[: i + 1])
                    raise self._refuse(verb, target, why) from None
                os.close(fd)
                fd = nfd
        except BaseException:
            os.close(fd)
            raise
        return fd

    @contextlib.contextmanager
    def _at(self, rel: str, verb: str) -> Iterator[tuple[int | None, str, list[str]]]:
        """(fd of the parent directory or None if missing, last component, components).
        An OSError in the block becomes a RootError naming the path."""
        parts = split(rel)
        fd = self._walk(parts[:-1], verb, parts)
        try:
            yield fd, parts[-1], parts
        except OSError as e:
            raise RootError(
                f"cannot {verb} {shown(parts)} in {self.path}: {e.strerror or e}"
            ) from None
        finally:
            if fd is not None:
                os.close(fd)

    # --- reading --------------------------------------------------------------------

    def lstat(self, rel: str) -> os.stat_result | None:
        """The entry itself (a symlink is not followed); None if missing."""
        with self._at(rel, "inspect") as (fd, name, _):
            if fd is None:
                return None
            try:
                return os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                return None

    def lexists(self, rel: str) -> bool:
        return self.lstat(rel) is not None

    def readlink(self, rel: str) -> str | None:
        """The target of the symlink at `rel`; None if missing or not a symlink."""
        with self._at(rel, "inspect") as (fd, name, _):
            if fd is None:
                return None
            try:
                return os.readlink(name, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ENOENT, errno.EINVAL):
                    return None
                raise

    def read_bytes(self, rel: str) -> bytes | None:
        """The content of the regular file at `rel`; None if missing.  A
        symlink or anything but a regular file is refused."""
        with self._at(rel, "read") as (fd, name, parts):
            if fd is None:
                return None
            try:
                f = os.open(name, _READ, dir_fd=fd)
            except FileNotFoundError:
                return None
            except OSError as e:
                if e.errno != errno.ELOOP:
                    raise
                raise self._refuse("read", parts, self._what(fd, name, parts)) from None
            if not stat.S_ISREG(os.fstat(f).st_mode):
                os.close(f)
                raise self._refuse("read", parts, f"{shown(parts)} is not a regular file")
            with os.fdopen(f, "rb") as file:
                return file.read()

    def read_text(self, rel: str) -> str | None:
        data = self.read_bytes(rel)
        return None if data is None else data.decode(errors="surrogateescape")

    def sha256(self, rel: str) -> str | None:
        """The sha256 of the regular file at `rel`; None if missing or not a regular file."""
        st = self.lstat(rel)
        if st is None or not stat.S_ISREG(st.st_mode):
            return None
        data = self.read_bytes(rel)
        return None if data is None else hashlib.sha256(data).hexdigest()

    def listdir(self, rel: str) -> list[str] | None:
        """The names in the directory `rel`; None if missing.  A symlink is refused."""
        parts = split(rel)
        fd = self._walk(parts, "list", parts)
        if fd is None:
            return None
        try:
            return os.listdir(fd)
        finally:
            os.close(fd)

    # --- writing --------------------------------------------------------------------

    def makedirs(self, rel: str) -> list[str]:
        """Create `rel` and its missing parents (0755); the created ones, outermost first."""
        parts = split(rel)
        made: list[str] = []
        fd = self._walk(parts, "create", parts, made)
        assert fd is not None  # with `made`, the walk creates or raises
        os.close(fd)
        return made

    def mkdir(self, rel: str, mode: int = 0o755) -> None:
        with self._at(rel, "create") as (fd, name, _):
            os.mkdir(name, mode, dir_fd=self._need(fd, rel))

    def chown_dir(self, rel: str, uid: int, gid: int) -> None:
        """Change the owner of the directory `rel` (never a symlink) through its fd."""
        with self._at(rel, "change the owner of") as (parent, name, parts):
            fd = self._need(parent, rel)
            try:
                d = os.open(name, _DIR, dir_fd=fd)
            except OSError as e:
                if e.errno not in (errno.ENOTDIR, errno.ELOOP):
                    raise
                why = self._what(fd, name, parts)
                raise self._refuse("change the owner of", parts, why) from None
            try:
                os.fchown(d, uid, gid)
            finally:
                os.close(d)

    def write_file(
        self,
        rel: str,
        data: bytes,
        mode: int,
        owner: tuple[int, int] | None = None,
        tmp: str = TMP,
        replace_dir: bool = False,
    ) -> None:
        """Replace `rel` atomically and durably by a regular file holding `data`."""
        self._install(rel, mode, owner, tmp, replace_dir, lambda fd: _write_all(fd, data))

    def copy_file(
        self,
        source: str,
        rel: str,
        mode: int,
        owner: tuple[int, int] | None = None,
        replace_dir: bool = False,
    ) -> None:
        """Replace `rel` by a copy of `source` (a file outside the root: the store).

        The content is fsync'd before the rename (never a half-written
        sudoers), the directory is not: an old copy after a power cut is
        repaired by the next switch."""

        def fill(fd: int) -> None:
            with open(source, "rb") as src:
                for chunk in iter(lambda: src.read(1 << 16), b""):
                    _write_all(fd, chunk)

        self._install(rel, mode, owner, TMP, replace_dir, fill, durable=False)

    def _install(
        self,
        rel: str,
        mode: int,
        owner: tuple[int, int] | None,
        tmp: str,
        replace_dir: bool,
        fill: Callable[[int], None],
        durable: bool = True,
    ) -> None:
        """Temp (final mode's owner bits, O_EXCL|O_NOFOLLOW), chown, chmod, fill,
        fsync, rename; with `durable`, the directory is fsync'd too."""
        with self._at(rel, "write") as (fd, name, parts):
            fd = self._need(fd, rel)
            temp = name + tmp
            f = self._create(fd, temp, parts, lambda: os.open(temp, _TEMP, mode & 0o700, dir_fd=fd))
            try:
                journal.checkpoint("temp " + "/".join([*parts[:-1], temp]))
                if owner is not None:
                    os.fchown(f, *owner)
                os.fchmod(f, mode)
                fill(f)
                os.fsync(f)
            except BaseException:
                os.close(f)
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=fd)
                raise
            os.close(f)
            self._put(fd, temp, name, replace_dir, durable)

    def symlink(self, target: str, rel: str, tmp: str = TMP, replace_dir: bool = False) -> None:
        """Point the symlink `rel` at `target` atomically (a new link renamed over it).

        Not fsync'd: a link lost to a power cut is re-made by the next
        switch (every apply is idempotent); files are fsync'd because what
        they replace (passwd, shadow) must never be seen half-written."""
        with self._at(rel, "write") as (fd, name, parts):
            fd = self._need(fd, rel)
            temp = name + tmp
            self._create(fd, temp, parts, lambda: os.symlink(target, temp, dir_fd=fd))
            self._put(fd, temp, name, replace_dir, durable=False)

    def _create(self, fd: int, temp: str, parts: list[str], make: Callable[[], _T]) -> _T:
        """`make()` the temp; whatever is at its name first (a stale temp, a
        planted symlink) is unlinked, never followed."""
        try:
            return make()
        except FileExistsError:
            st = os.stat(temp, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                where = [*parts[:-1], temp]
                raise self._refuse("write", parts, f"{shown(where)} is a directory") from None
            os.unlink(temp, dir_fd=fd)
            return make()

    def _put(self, fd: int, temp: str, name: str, replace_dir: bool, durable: bool = True) -> None:
        if replace_dir:
            with contextlib.suppress(FileNotFoundError):
                if stat.S_ISDIR(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                    shutil.rmtree(name, dir_fd=fd)
        os.rename(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
        if durable:
            os.fsync(fd)

    def rename(self, src: str, dst: str) -> None:
        """Move the entry `src` (not followed) to `dst`, both inside the root."""
        with self._at(src, "move") as (sfd, sname, _), self._at(dst, "move") as (dfd, dname, _):
            dfd = self._need(dfd, dst)
            os.rename(sname, dname, src_dir_fd=self._need(sfd, src), dst_dir_fd=dfd)

    def unlink(self, rel: str) -> bool:
        """Remove the file or symlink `rel`; False if it was missing."""
        with self._at(rel, "remove") as (fd, name, _):
            if fd is None:
                return False
            try:
                os.unlink(name, dir_fd=fd)
            except FileNotFoundError:
                return False
            return True

    def rmdir(self, rel: str) -> bool:
        """Remove the directory `rel` if it is empty; False if it is missing,
        not empty, or not a directory (a symlink is never followed)."""
        with self._at(rel, "remove") as (fd, name, _):
            if fd is None:
                return False
            try:
                os.rmdir(name, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ENOENT, errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                    return False
                raise
            return True

    def rmtree(self, rel: str) -> None:
        """Remove the directory tree `rel` (symlinks in it are removed, never followed)."""
        with self._at(rel, "remove") as (fd, name, parts):
            if fd is None:
                return
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if not stat.S_ISDIR(st.st_mode):
                raise self._refuse("remove", parts, self._what(fd, name, parts))
            assert shutil.rmtree.avoids_symlink_attacks
            shutil.rmtree(name, dir_fd=fd)

    def _need(self, fd: int | None, rel: str) -> int:
        if fd is None:
            where = shown(split(rel))
            raise RootError(f"cannot write {where} in {self.path}: its directory is missing")
        return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
