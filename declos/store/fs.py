"""File-system operations on trees entering the store.

Owns what is done to the bytes of an output before it becomes valid:
copying a source tree (with a filter), rewriting a build's temporary path to
its final one, Nix's normalisation (mtime 1, modes 0444/0555, no
setuid/setgid, no special files), scanning for references, and deleting
read-only trees.  It must not know about the database or path names.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Iterable

from declos.diagnostics import DeclosError
from declos.store.hashing import Hash, file_hash
from declos.store.paths import HASH_PART_LEN


class StoreError(DeclosError):
    code = "store"


class RefScanner:
    """Finds which candidate hash parts occur in a stream of bytes.

    Fed the NAR of an output (names, symlink targets and contents), as Nix
    scans.  A hash split across two chunks is still found.
    """

    def __init__(self, candidates: Iterable[str]):
        self.pending = {h.encode() for h in candidates}
        self.found: set[str] = set()
        self._tail = b""

    def __call__(self, chunk: bytes) -> None:
        if not self.pending:
            return
        data = self._tail + chunk
        hits = {h for h in self.pending if h in data}
        if hits:
            self.pending -= hits
            self.found |= {h.decode() for h in hits}
        self._tail = data[-(HASH_PART_LEN - 1) :]


def remove_tree(path: str) -> None:
    """Delete a file or a read-only tree, if it exists."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(path)
        return
    for root, dirs, _files in os.walk(path):
        os.chmod(root, 0o700)
        for d in dirs:
            full = os.path.join(root, d)
            if not os.path.islink(full):
                os.chmod(full, 0o700)
    shutil.rmtree(path)


def normalise(path: str) -> None:
    """Nix's canonicalisation: files 0444 (0555 if executable), directories
    0555, every mtime 1.  Special files (devices, sockets, fifos) are refused."""
    st = os.lstat(path)
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        pass
    elif stat.S_ISREG(mode):
        os.chmod(path, 0o555 if mode & stat.S_IXUSR else 0o444)
    elif stat.S_ISDIR(mode):
        os.chmod(path, 0o755)
        for name in os.listdir(path):
            normalise(os.path.join(path, name))
        os.chmod(path, 0o555)
    else:
        raise StoreError(f"file '{path}' has an unsupported type")
    os.utime(path, (1, 1), follow_symlinks=False)


def move_into_place(src: str, dest: str) -> None:
    """`rename(src, dest)` for a normalised output.  Moving a directory to
    another parent rewrites its `..`, which needs write permission on the
    directory itself: a normalised one (0555) lacks it unless we are root,
    so it is given for the move and taken back (mtime 1 again)."""
    st = os.lstat(src)
    if not stat.S_ISDIR(st.st_mode) or st.st_mode & stat.S_IWUSR:
        os.rename(src, dest)
        return
    os.chmod(src, stat.S_IMODE(st.st_mode) | stat.S_IWUSR)
    try:
        os.rename(src, dest)
    except BaseException:
        os.chmod(src, stat.S_IMODE(st.st_mode))
        raise
    os.chmod(dest, stat.S_IMODE(st.st_mode))
    os.utime(dest, (1, 1), follow_symlinks=False)


def rewrite_token(path: str, old: bytes, new: bytes) -> None:
    """Replace `old` by `new` (same length) in file contents and symlink
    targets under `path`: a build's temporary `$out` becomes its final path."""
    assert len(old) == len(new)
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(os.fsencode(path))
        if old in target:
            os.unlink(path)
            os.symlink(target.replace(old, new), path)
    elif stat.S_ISREG(st.st_mode):
        with open(path, "rb") as f:
            data = f.read()
        if old in data:
            os.chmod(path, st.st_mode | stat.S_IWUSR)
            with open(path, "wb") as f:
                f.write(data.replace(old, new))
    elif stat.S_ISDIR(st.st_mode):
        os.chmod(path, st.st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
        for name in os.listdir(path):
            rewrite_token(os.path.join(path, name), old, new)


def flat_hash(path: str, algo: str) -> Hash:
    if not os.path.isfile(path) or os.path.islink(path):
        raise StoreError(f"output '{path}' of a flat fixed-output derivation is not a regular file")
    return file_hash(path, algo)


def _file_type(st: os.stat_result) -> str:
    if stat.S_ISREG(st.st_mode):
        return "regular"
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    if stat.S_ISLNK(st.st_mode):
        return "symlink"
    return "unknown"


def copy_tree(src: str, dest: str, filter: Callable[[str, str], bool] | None) -> None:
    """Copy a tree keeping symlinks and the owner's execute bit only."""
    st = os.lstat(src)
    kind = _file_type(st)
    if kind == "symlink":
        os.symlink(os.readlink(src), dest)
    elif kind == "regular":
        shutil.copyfile(src, dest, follow_symlinks=False)
        os.chmod(dest, 0o755 if st.st_mode & stat.S_IXUSR else 0o644)
    elif kind == "directory":
        os.mkdir(dest)
        for name in sorted(os.listdir(src)):
            child = os.path.join(src, name)
            if filter is not None and not filter(child, _file_type(os.lstat(child))):
                continue
            copy_tree(child, os.path.join(dest, name), filter)
    else:
        raise StoreError(f"file '{src}' has an unsupported type")
