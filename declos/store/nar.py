"""Reading NARs from a stream: unpacking one to disk while hashing it.

Owns `StreamReader` (exact reads from a binary stream, with a tap that
hashes and counts a stretch of it, and Nix's wire primitives: u64, padded
strings) and `restore`, which unpacks a NAR from such a reader into a new
path without holding it in memory.  Only canonical NARs are accepted (zero
padding, directory entries strictly sorted, no `.`/`..`/`/`/NUL in names),
so the hash of the bytes read is the hash of the tree written: a NAR that
`nar_hash` would not reproduce is refused.  Writing NARs is
`hashing.nar_chunks`; this module must not know about store paths or the
database.

Example:
    r = StreamReader(sys.stdin.buffer)
    r.start_tap()
    restore(r, "/tmp/x")
    nar_hash, nar_size = r.stop_tap()
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Protocol

from declos.store.hashing import NAR_MAGIC, Hash, NarError

_CHUNK = 1 << 16
_MAX_NAME = 255
_MAX_TARGET = 4095
_MAX_TOKEN = 64


class Readable(Protocol):
    """What `StreamReader` reads from: a binary file, or a decompressing stream."""

    def read(self, n: int = -1, /) -> bytes: ...


class StreamReader:
    """Exact reads from `stream`; a short read is a `NarError` naming `what`."""

    def __init__(self, stream: Readable, what: str = "the stream"):
        self.stream = stream
        self.what = what
        self._hasher: Any = None  # a hashlib object while tapping
        self._tapped = 0

    def start_tap(self) -> None:
        """Hash and count everything read from now on."""
        self._hasher = hashlib.sha256()
        self._tapped = 0

    def stop_tap(self) -> tuple[Hash, int]:
        assert self._hasher is not None
        h, self._hasher = self._hasher, None
        return Hash("sha256", h.digest()), self._tapped

    def read(self, n: int) -> bytes:
        parts = []
        left = n
        while left > 0:
            chunk = self.stream.read(min(left, _CHUNK))
            if not chunk:
                raise NarError(f"{self.what} ended early (truncated)")
            parts.append(chunk)
            left -= len(chunk)
        data = b"".join(parts)
        if self._hasher is not None:
            self._hasher.update(data)
            self._tapped += n
        return data

    def at_end(self) -> bool:
        return not self.stream.read(1)

    def u64(self) -> int:
        return int.from_bytes(self.read(8), "little")

    def padding(self, n: int) -> None:
        if (-n) % 8 and self.read((-n) % 8).strip(b"\0"):
            raise NarError(f"{self.what}: non-zero padding")

    def string(self, limit: int = _MAX_TOKEN) -> bytes:
        n = self.u64()
        if n > limit:
            raise NarError(f"{self.what}: a string of {n} bytes where at most {limit} fit")
        data = self.read(n)
        self.padding(n)
        return data

    def expect(self, *tokens: str) -> None:
        for tok in tokens:
            got = self.string()
            if got != tok.encode():
                raise NarError(f"{self.what}: bad Nix archive: expected '{tok}', got {got!r}")


def restore(reader: StreamReader, dest: str) -> None:
    """Unpack the NAR coming from `reader` at `dest` (which must not exist)."""
    if reader.string() != NAR_MAGIC.encode():
        raise NarError(f"{reader.what}: not a Nix archive")
    _node(reader, os.fsencode(dest))


def _node(r: StreamReader, dest: bytes) -> None:
    r.expect("(", "type")
    kind = r.string()
    if kind == b"regular":
        tag = r.string()
        executable = tag == b"executable"
        if executable:
            r.expect("")
            tag = r.string()
        if tag != b"contents":
            raise NarError(f"{r.what}: bad Nix archive: expected 'contents'")
        size = r.u64()
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755 if executable else 0o644)
        with os.fdopen(fd, "wb") as f:
            left = size
            while left:
                chunk = r.read(min(left, _CHUNK))
                f.write(chunk)
                left -= len(chunk)
        r.padding(size)
        r.expect(")")
    elif kind == b"symlink":
        r.expect("target")
        target = r.string(_MAX_TARGET)
        if not target or b"\0" in target:
            raise NarError(f"{r.what}: bad Nix archive: invalid symlink target")
        os.symlink(target, dest)
        r.expect(")")
    elif kind == b"directory":
        os.mkdir(dest, 0o755)
        previous = None
        while (tag := r.string()) != b")":
            if tag != b"entry":
                raise NarError(f"{r.what}: bad Nix archive: expected 'entry'")
            r.expect("(", "name")
            name = r.string(_MAX_NAME)
            if (
                (previous is not None and name <= previous)
                or name in (b"", b".", b"..")
                or b"/" in name
                or b"\0" in name
            ):
                raise NarError(f"{r.what}: bad Nix archive: invalid entry name {name!r}")
            previous = name
            r.expect("node")
            _node(r, os.path.join(dest, name))
            r.expect(")")
    else:
        raise NarError(f"{r.what}: bad Nix archive: unknown file type {kind!r}")
