"""Ed25519 signatures (RFC 8032), in pure Python, for binary cache keys.

Owns the curve arithmetic of RFC 8032 section 5.1 (edwards25519, SHA-512):
deriving a public key from a 32-byte seed, signing and verifying.  It is the
reference algorithm of the RFC's section 6, in extended homogeneous
coordinates, with a table of the base point's doublings so that signing
and key derivation only add.  It is not constant-time: signing happens on
the machine that owns the secret key, where timing is not observable by an
attacker, and verification handles only public data.  It must not know
about key files or narinfos (`cache_keys.py` does).

Example:
    pub = public_key(seed)             # 32 bytes
    sig = sign(seed, b"message")       # 64 bytes, deterministic
    verify(pub, b"message", sig)       # True
"""

from __future__ import annotations

import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the group order (RFC 8032's q)
_D = -121665 * pow(121666, -1, P) % P
_D2 = 2 * _D % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z
_IDENTITY: Point = (0, 1, 1, 0)


def _add(p: Point, q: Point) -> Point:
    """The complete addition law of twisted Edwards curves with a = -1."""
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = p[3] * _D2 * q[3] % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _double(p: Point) -> Point:
    a = p[0] * p[0] % P
    b = p[1] * p[1] % P
    c = 2 * p[2] * p[2] % P
    h = a + b
    e = h - (p[0] + p[1]) ** 2
    g = a - b
    f = c + g
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s: int, p: Point) -> Point:
    q = _IDENTITY
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _double(p)
        s >>= 1
    return q


def _recover_x(y: int, sign: int) -> int | None:
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, -1, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * _SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


_GY = 4 * pow(5, -1, P) % P
_GX = _recover_x(_GY, 0)
assert _GX is not None
_G: Point = (_GX, _GY, 1, _GX * _GY % P)
_G_DOUBLINGS: list[Point] = []


def _mul_base(s: int) -> Point:
    """`s`·G by adding precomputed 2^i·G (made on first use)."""
    if not _G_DOUBLINGS:
        p = _G
        for _ in range(256):
            _G_DOUBLINGS.append(p)
            p = _double(p)
    q = _IDENTITY
    i = 0
    while s > 0:
        if s & 1:
            q = _add(q, _G_DOUBLINGS[i])
        s >>= 1
        i += 1
    return q


def _equal(p: Point, q: Point) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def _compress(p: Point) -> bytes:
    zinv = pow(p[2], -1, P)
    x = p[0] * zinv % P
    y = p[1] * zinv % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _decompress(data: bytes) -> Point | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def _sha512_mod_l(data: bytes) -> int:
    return int.from_bytes(hashlib.sha512(data).digest(), "little") % L


def _expand(seed: bytes) -> tuple[int, bytes]:
    if len(seed) != 32:
        raise ValueError("an Ed25519 secret key (seed) is 32 bytes")
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def public_key(seed: bytes) -> bytes:
    """The 32-byte public key of a 32-byte secret seed."""
    a, _ = _expand(seed)
    return _compress(_mul_base(a))


def sign(seed: bytes, message: bytes) -> bytes:
    """The 64-byte signature R || S of `message` (RFC 8032 5.1.6)."""
    a, prefix = _expand(seed)
    pub = _compress(_mul_base(a))
    r = _sha512_mod_l(prefix + message)
    big_r = _compress(_mul_base(r))
    h = _sha512_mod_l(big_r + pub + message)
    s = (r + h * a) % L
    return big_r + s.to_bytes(32, "little")


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is `public`'s signature of `message` (RFC 8032
    5.1.7, cofactorless as libsodium checks: S < L, R and A valid points)."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    h = _sha512_mod_l(signature[:32] + public + message)
    return _equal(_mul_base(s), _add(r, _mul(h, a)))
