"""Binary cache signing keys in Nix's formats, and narinfo signatures.

Owns the key files (`NAME:base64(seed ‖ public)` for a secret key, as
libsodium lays it out and `nix-store --generate-binary-cache-key` writes it;
`NAME:base64(public)` for a public key), signatures (`NAME:base64(sig)`) and
Nix's fingerprint of a path, which is what is signed:
`1;<storePath>;<narHash>;<narSize>;<reference>,<reference>,…` (full store
paths, sorted).  The curve arithmetic is `ed25519.py`; it must not know how
narinfos are laid out (`cache_narinfo.py`).

Example:
    key = SecretKey.generate("cache.example.org-1")
    sig = key.sign(fingerprint(path, "sha256:…", 1234, refs))   # "cache.example.org-1:…"
    key.public().verify(fingerprint(…), sig)                    # True
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable, Mapping

import attrs

from declos.diagnostics import DeclosError
from declos.store import ed25519

_NAME_RE = re.compile(r"[^\s:]+")


class CacheKeyError(DeclosError):
    code = "cache-key"


def fingerprint(store_path: str, nar_hash: str, nar_size: int, references: Iterable[str]) -> str:
    """Nix's `ValidPathInfo::fingerprint`.  `nar_hash` must be a SHA-256 in
    Nix's `sha256:<base32>` form; `references` are full store paths."""
    if not nar_hash.startswith("sha256:"):
        raise CacheKeyError(f"cannot sign '{store_path}': its NAR hash '{nar_hash}' is not SHA-256")
    refs = ",".join(sorted(set(references)))
    return f"1;{store_path};{nar_hash};{nar_size};{refs}"


def check_key_name(name: str) -> str:
    if not _NAME_RE.fullmatch(name):
        raise CacheKeyError(
            f"invalid key name '{name}': it must be non-empty, without ':' or blanks "
            "(for example 'cache.example.org-1')"
        )
    return name


def _split(text: str, size: int, what: str, where: str) -> tuple[str, bytes]:
    name, colon, data = text.strip().partition(":")
    if not colon or not _NAME_RE.fullmatch(name):
        raise CacheKeyError(f"{where}: a {what} must be NAME:BASE64, got '{text.strip()[:60]}'")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise CacheKeyError(f"{where}: the {what} '{name}' is not valid base64") from None
    if len(raw) != size:
        raise CacheKeyError(
            f"{where}: the {what} '{name}' has {len(raw)} bytes, an Ed25519 {what} has {size}"
        )
    return name, raw


@attrs.frozen
class PublicKey:
    name: str
    key: bytes = attrs.field(repr=False)

    @classmethod
    def parse(cls, text: str, where: str = "public key") -> PublicKey:
        return cls(*_split(text, 32, "public key", where))

    def __str__(self) -> str:
        return f"{self.name}:{base64.b64encode(self.key).decode()}"

    def verify(self, message: str, signature: str) -> bool:
        """Whether `signature` (`NAME:base64`) is this key's signature of
        `message`; a signature by another key name is not."""
        name, colon, data = signature.partition(":")
        if not colon or name != self.name:
            return False
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return False
        return ed25519.verify(self.key, message.encode(), raw)


@attrs.frozen
class SecretKey:
    name: str
    seed: bytes = attrs.field(repr=False)

    @classmethod
    def generate(cls, name: str) -> SecretKey:
        return cls(check_key_name(name), os.urandom(32))

    @classmethod
    def parse(cls, text: str, where: str = "secret key") -> SecretKey:
        name, raw = _split(text, 64, "secret key", where)
        key = cls(name, raw[:32])
        if ed25519.public_key(key.seed) != raw[32:]:
            raise CacheKeyError(
                f"{where}: the secret key '{name}' does not hold its own public key"
            )
        return key

    @classmethod
    def load(cls, path: str) -> SecretKey:
        try:
            with open(path) as f:
                text = f.read()
        except OSError as e:
            raise CacheKeyError(f"cannot read the secret key file '{path}': {e.strerror}") from None
        return cls.parse(text, path)

    def public(self) -> PublicKey:
        return PublicKey(self.name, ed25519.public_key(self.seed))

    def __str__(self) -> str:
        raw = self.seed + ed25519.public_key(self.seed)
        return f"{self.name}:{base64.b64encode(raw).decode()}"

    def sign(self, message: str) -> str:
        sig = ed25519.sign(self.seed, message.encode())
        return f"{self.name}:{base64.b64encode(sig).decode()}"


def verify_any(
    keys: Mapping[str, PublicKey], message: str, signatures: Iterable[str]
) -> PublicKey | None:
    """The trusted key (by name) that made one of `signatures`, or None."""
    for sig in signatures:
        key = keys.get(sig.partition(":")[0])
        if key is not None and key.verify(message, sig):
            return key
    return None
