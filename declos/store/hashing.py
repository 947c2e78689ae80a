"""Hashes as Nix computes and prints them, and Nix's NAR serialisation.

Owns: Nix's base32 (its own alphabet and bit order), hash compression
(`compressHash`), conversion between base16, base32, base64 and SRI forms
(for `builtins.hashString`, `builtins.convertHash` and store paths), and the
NAR ("Nix ARchive") serialisation of a file tree, whose SHA-256 is the content
hash of a store path.  It must not know about store paths, the database or
derivations.

Example: `base32_encode(hashlib.sha256(b"bar").digest())` is what
`nix-hash --type sha256 --to-base32 fcde2b2e...` prints.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Callable, Iterator

import attrs

from declos.diagnostics import DeclosError

BASE32_CHARS = "0123456789abcdfghijklmnpqrsvwxyz"
_BASE32_INDEX = {c: i for i, c in enumerate(BASE32_CHARS)}

#: Digest sizes in bytes of the algorithms Nix supports.
HASH_SIZES = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}


class HashError(DeclosError):
    code = "bad-hash"


# --- base32 ---------------------------------------------------------------


def base32_len(size: int) -> int:
    """Characters in the base32 form of `size` bytes (52 for SHA-256, 32 for 20 bytes)."""
    return (size * 8 - 1) // 5 + 1


def base32_encode(data: bytes) -> str:
    """Nix's base32: the bytes read as a little-endian number, printed most
    significant 5-bit digit first."""
    n = int.from_bytes(data, "little")
    length = base32_len(len(data)) if data else 0
    return "".join(BASE32_CHARS[(n >> (5 * k)) & 0x1F] for k in range(length - 1, -1, -1))


def base32_decode(text: str, size: int | None = None) -> bytes:
    """The inverse of `base32_encode`; `size` defaults to what the length implies.

    Rejects characters outside the alphabet and, as Nix does, strings whose
    value does not fit in `size` bytes.
    """
    if size is None:
        size = len(text) * 5 // 8
    if len(text) != base32_len(size):
        raise HashError(f"invalid base-32 hash '{text}'")
    n = 0
    for c in text:
        digit = _BASE32_INDEX.get(c)
        if digit is None:
            raise HashError(f"invalid base-32 hash '{text}'")
        n = (n << 5) | digit
    if n >> (size * 8):
        raise HashError(f"invalid base-32 hash '{text}'")
    return n.to_bytes(size, "little")


def compress_hash(digest: bytes, size: int) -> bytes:
    """Nix's `compressHash`: XOR-fold `digest` into `size` bytes."""
    out = bytearray(size)
    for i, b in enumerate(digest):
        out[i % size] ^= b
    return bytes(out)


# --- Hash values and their printed forms ----------------------------------


@attrs.frozen
class Hash:
    """A digest with its algorithm, printable in every form Nix accepts.

    `Hash.parse("sha256-/N4rLtula/QIYB+3If6bXDONEO5CnqBPrlURto+/j7k=")`
    and `Hash.parse("fcde2b2e...", "sha256")` are equal.
    """

    algo: str
    digest: bytes

    @classmethod
    def of(cls, algo: str, data: bytes | str) -> Hash:
        if algo not in HASH_SIZES:
            raise HashError(f"unknown hash algorithm '{algo}'")
        if isinstance(data, str):
            data = data.encode()
        return cls(algo, hashlib.new(algo, data).digest())

    @classmethod
    def parse(cls, text: str, algo: str | None = None) -> Hash:
        """Parse `<algo>:<hash>`, SRI `<algo>-<base64>`, or a bare hash given `algo`.

        The bare part may be base16, Nix base32 or base64; its length tells which.
        """
        rest = text
        is_sri = False
        if ":" in text:
            prefix, rest = text.split(":", 1)
        elif "-" in text:
            prefix, rest = text.split("-", 1)
            is_sri = True
        else:
            prefix = None
        if prefix is not None:
            if prefix not in HASH_SIZES:
                raise HashError(f"unknown hash algorithm '{prefix}' in '{text}'")
            if algo is not None and algo != prefix:
                raise HashError(f"hash '{text}' should have type '{algo}'")
            algo = prefix
        if algo is None:
            raise HashError(f"hash '{text}' does not include a type")
        if algo not in HASH_SIZES:
            raise HashError(f"unknown hash algorithm '{algo}'")
        size = HASH_SIZES[algo]
        if is_sri:
            return cls(algo, _b64decode(rest, size, text))
        if len(rest) == size * 2:
            try:
                return cls(algo, bytes.fromhex(rest))
            except ValueError:
                raise HashError(f"invalid base-16 hash '{text}'") from None
        if len(rest) == base32_len(size):
            return cls(algo, base32_decode(rest, size))
        if len(rest) == (4 * size // 3 + 3) & ~3:
            return cls(algo, _b64decode(rest, size, text))
        raise HashError(f"hash '{text}' has wrong length for hash type '{algo}'")

    def base16(self) -> str:
        return self.digest.hex()

    def base32(self) -> str:
        return base32_encode(self.digest)

    def base64(self) -> str:
        return base64.b64encode(self.digest).decode()

    def sri(self) -> str:
        return f"{self.algo}-{self.base64()}"

    def to_string(self, encoding: str = "base32", include_algo: bool = True) -> str:
        """`encoding` is one of base16, base32 (alias nix32), base64, sri."""
        if encoding == "sri":
            return self.sri()
        body = {
            "base16": self.base16,
            "base32": self.base32,
            "nix32": self.base32,
            "base64": self.base64,
        }.get(encoding)
        if body is None:
            raise HashError(f"unknown hash encoding '{encoding}'")
        return f"{self.algo}:{body()}" if include_algo else body()

    def __str__(self) -> str:
        return self.to_string("base32")


def _b64decode(text: str, size: int, whole: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise HashError(f"invalid base-64 hash '{whole}'") from None
    if len(raw) != size:
        raise HashError(f"invalid SRI hash '{whole}'")
    return raw


def sha256(data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).digest()


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
    """Unpack a NAR (as `nix-store --restore`); `dest` must not exist."""
    reader = _NarReader(data)
    if reader.string() != NAR_MAGIC.encode():
        raise NarError("input is not a Nix archive")
    reader.node(os.fsencode(dest))
    if reader.pos != len(data):
        raise NarError("trailing data after the Nix archive")


class _NarReader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def string(self) -> bytes:
        n = int.from_bytes(self.data[self.pos : self.pos + 8], "little")
        start = self.pos + 8
        end = start + n
        if end > len(self.data):
            raise NarError("truncated Nix archive")
        self.pos = end + (-n) % 8
        return self.data[start:end]

    def expect(self, *tokens: str) -> None:
        for tok in tokens:
            got = self.string()
            if got != tok.encode():
                raise NarError(f"bad Nix archive: expected '{tok}', got '{got!r}'")

    def node(self, dest: bytes) -> None:
        self.expect("(", "type")
        kind = self.string()
        if kind == b"regular":
            tag = self.string()
            executable = tag == b"executable"
            if executable:
                self.expect("")
                tag = self.string()
            if tag != b"contents":
                raise NarError("bad Nix archive: expected 'contents'")
            contents = self.string()
            with open(dest, "wb") as f:
                f.write(contents)
            os.chmod(dest, 0o755 if executable else 0o644)
            self.expect(")")
        elif kind == b"symlink":
            self.expect("target")
            os.symlink(self.string(), dest)
            self.expect(")")
        elif kind == b"directory":
            os.mkdir(dest)
            previous = None
            while (tag := self.string()) != b")":
                if tag != b"entry":
                    raise NarError("bad Nix archive: expected 'entry'")
                self.expect("(", "name")
                name = self.string()
                if (
                    previous is not None
                    and name <= previous
                    or name in (b"", b".", b"..")
                    or b"/" in name
                ):
                    raise NarError(f"bad Nix archive: invalid entry name '{name!r}'")
                previous = name
                self.expect("node")
                self.node(os.path.join(dest, name))
                self.expect(")")
        else:
            raise NarError(f"bad Nix archive: unknown file type '{kind!r}'")
