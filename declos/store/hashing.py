"""Nix's NAR serialisation and the hashes of files and trees.

Owns the NAR ("Nix ARchive") serialisation of a file tree, whose SHA-256 is
the content hash of a store path, and flat file hashes.  The pure hash code
(Nix's base32, `compressHash`, `Hash` and its printed forms) lives in
`declos.eval.hashes`, shared with the evaluator, and is re-exported here.
It must not know about store paths, the database or derivations.

Example: `nar_hash(p)[0].base32()` is what `nix-hash --type sha256 --base32 p`
prints.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator

from declos.diagnostics import DeclosError
from declos.eval.hashes import (  # noqa: F401 - re-exported for the store
    BASE32_CHARS,
    HASH_SIZES,
    Hash,
    HashError,
    base32_decode,
    base32_encode,
    base32_len,
    compress_hash,
    sha256,
)

# --- NAR serialisation -----------------------------------------------------

NAR_MAGIC = "nix-archive-1"
_PAD = b"\0" * 8
_CHUNK = 1 << 16


class NarError(DeclosError):
    code = "nar"


def _nar_str(data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode()
    n = len(data)
    return n.to_bytes(8, "little") + data + _PAD[: (-n) % 8]


def _tokens(*items: str) -> bytes:
    return b"".join(_nar_str(s) for s in items)


def nar_chunks(path: str | os.PathLike) -> Iterator[bytes]:
    """The NAR serialisation of `path`, as a stream of byte chunks.

    Layout, every string as a little-endian u64 length, the bytes, and zero
    padding to 8: `nix-archive-1 ( type regular [executable ""] contents <data> )`,
    `( type symlink target <t> )`, or `( type directory entry ( name <n> node
    <nar> ) ... )` with entries sorted by name bytewise.  Only the owner's
    execute bit is recorded; times, owners and other modes are not.
    """
    yield _nar_str(NAR_MAGIC)
    yield from _nar_node(os.fsencode(path))


def _nar_node(path: bytes) -> Iterator[bytes]:
    st = os.lstat(path)
    mode = st.st_mode
    if stat.S_ISREG(mode):
        head = [_tokens("(", "type", "regular")]
        if mode & stat.S_IXUSR:
            head.append(_tokens("executable", ""))
        head.append(_tokens("contents"))
        size = st.st_size
        head.append(size.to_bytes(8, "little"))
        yield b"".join(head)
        written = 0
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                written += len(chunk)
                yield chunk
        if written != size:
            raise NarError(f"file '{os.fsdecode(path)}' changed while it was being archived")
        yield _PAD[: (-size) % 8] + _tokens(")")
    elif stat.S_ISLNK(mode):
        yield _tokens("(", "type", "symlink", "target") + _nar_str(os.readlink(path)) + _tokens(")")
    elif stat.S_ISDIR(mode):
        yield _tokens("(", "type", "directory")
        for name in sorted(os.listdir(path)):
            yield _tokens("entry", "(", "name") + _nar_str(name) + _tokens("node")
            yield from _nar_node(os.path.join(path, name))
            yield _tokens(")")
        yield _tokens(")")
    else:
        raise NarError(f"file '{os.fsdecode(path)}' has an unsupported type")


def nar_bytes(path: str | os.PathLike) -> bytes:
    """The whole NAR of `path` (what `nix-store --dump PATH` writes)."""
    return b"".join(nar_chunks(path))


def nar_hash(
    path: str | os.PathLike,
    algo: str = "sha256",
    sink: Callable[[bytes], object] | None = None,
) -> tuple[Hash, int]:
    """Hash of the NAR of `path` and the NAR's size, in one pass.

    `sink`, if given, sees every chunk too (the reference scanner uses this).
    `nar_hash(p)[0].base32()` is what `nix-hash --type sha256 --base32 p` prints.
    """
    h = hashlib.new(algo)
    size = 0
    for chunk in nar_chunks(path):
        h.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink(chunk)
    return Hash(algo, h.digest()), size


def file_hash(path: str | os.PathLike, algo: str = "sha256") -> Hash:
    """The flat hash of a regular file's contents (`nix-hash --flat`)."""
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return Hash(algo, h.digest())


def restore_nar(data: bytes, dest: str | os.PathLike) -> None:
    """Unpack a NAR (as `nix-store --restore`); `dest` must not exist.
    `nar.restore` on the bytes: the one NAR reader, with its checks."""
    import io

    from declos.store.nar import StreamReader, restore

    reader = StreamReader(io.BytesIO(data), "the Nix archive")
    restore(reader, os.fspath(dest))
    if not reader.at_end():
        raise NarError("trailing data after the Nix archive")
