"""Hashes as Nix computes and prints them: Nix's base32, hash compression, and
the base16/base32/base64/SRI forms of a digest.

Pure code with no file system and no store knowledge, so that the evaluator
(`builtins.hashString`, `convertHash`, `placeholder`, `outputHash` checks)
and the store (paths, NAR hashes) share one copy: `declos.store.hashing`
re-exports everything here and adds the NAR serialisation.

Example: `base32_encode(hashlib.sha256(b"bar").digest())` is what
`nix-hash --type sha256 --to-base32 fcde2b2e...` prints.
"""

from __future__ import annotations

import base64
import hashlib

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
