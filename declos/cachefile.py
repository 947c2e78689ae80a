"""Files of declos' cache directory: written whole or not at all, read back only if intact.

- `replace(path, data)`: `data` written to a temporary that is made new
  (O_EXCL, O_NOFOLLOW: the cache directory may be shared, and a name planted
  there must not make declos write elsewhere), then renamed over `path`.  A
  cache that cannot be written is skipped: nothing is raised.
- `write_checked(path, magic, payload)` / `read_checked(path, magic)`: an
  entry is `magic`, the CRC-32 and length of the payload, then the payload;
  the key naming an entry already covers its content, so the check only has
  to catch a damaged file (CRC-32 is ~3x cheaper than SHA-256 on the ~8 MB
  of code a warm evaluation reads).  A missing, short, foreign or damaged
  entry reads as None.

Like `declos.dirs`, it imports nothing of declos, so every package may use it.
"""

from __future__ import annotations

import contextlib
import os
import zlib


def replace(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with open(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def write_checked(path: str, magic: bytes, payload: bytes) -> None:
    replace(path, magic + _check(payload) + payload)


def read_checked(path: str, magic: bytes) -> memoryview | None:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head = len(magic) + 12
    if len(data) < head or not data.startswith(magic):
        return None
    payload = memoryview(data)[head:]
    if data[len(magic) : head] != _check(payload):
        return None
    return payload


def _check(payload: bytes | memoryview) -> bytes:
    return zlib.crc32(payload).to_bytes(4, "little") + len(payload).to_bytes(8, "little")
