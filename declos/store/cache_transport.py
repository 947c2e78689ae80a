"""Moving a binary cache's files: reading (file://, http(s)://) and writing (a
directory, ssh://host/dir), and (de)compressing NARs.

Owns the transports only: what a file of the cache is called and how its
bytes get here or there.  Reading: `open_source(url)` gives `get(name)`
(the bytes, or None when the cache does not have the file) and
`open(name)` (a stream).  Writing: `open_dest(target)` gives a destination
to which files are `put` (each written under a temporary name and renamed,
NARs before the narinfos that name them) and then `finish`ed; over ssh
they are staged locally and sent in one `tar` stream on one connection, and
renamed into place on the host in the order they were put.  Compression:
xz and bzip2 with the standard library, zstd with the `zstd` program.  It
must not know what a narinfo says (`cache.py`).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import ipaddress
import lzma
import os
import shlex
import shutil
import subprocess
import tarfile
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import IO, Any, BinaryIO, Protocol

from declos import __version__
from declos.store.cache_narinfo import CacheError

HTTP_TIMEOUT = 60
_CHUNK = 1 << 16


# --- reading ---------------------------------------------------------------------


class FileSource:
    def __init__(self, url: str):
        self.url = url
        self.root = urllib.parse.unquote(url[len("file://") :])

    def _path(self, name: str) -> str:
        """`name` in the cache, which may not be trusted: neither the name nor
        a symlink on the way may lead out of it."""
        path = os.path.join(self.root, name)
        if (
            name.startswith("/")
            or ".." in name.split("/")
            or not os.path.realpath(path).startswith(os.path.realpath(self.root) + os.sep)
        ):
            raise CacheError(f"binary cache '{self.url}' names a file outside it: '{name}'")
        return path

    def get(self, name: str) -> bytes | None:
        try:
            with open(self._path(name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise CacheError(f"cannot read '{name}' of '{self.url}': {e.strerror}") from None

    def open(self, name: str) -> BinaryIO:
        try:
            return open(self._path(name), "rb")
        except OSError as e:
            raise CacheError(f"cannot read '{name}' of '{self.url}': {e.strerror}") from None


def _is_loopback(host: str | None) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class HttpSource:
    """GETs with urllib: the environment's proxies, except for loopback hosts."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        host = urllib.parse.urlsplit(self.url).hostname
        handlers = [urllib.request.ProxyHandler({})] if _is_loopback(host) else []
        self._opener = urllib.request.build_opener(*handlers)

    def _request(self, name: str) -> BinaryIO:
        req = urllib.request.Request(
            f"{self.url}/{urllib.parse.quote(name)}",
            headers={"User-Agent": f"declos/{__version__}"},
        )
        return self._opener.open(req, timeout=HTTP_TIMEOUT)

    def get(self, name: str) -> bytes | None:
        try:
            with self._request(name) as resp:
                return resp.read()
        except urllib.error.HTTPError as e:
            if e.code in (403, 404, 410):  # S3 answers 403 for a missing key
                return None
            raise CacheError(
                f"cannot fetch '{self.url}/{name}': HTTP {e.code} {e.reason}"
            ) from None
        except (urllib.error.URLError, OSError) as e:
            why = getattr(e, "reason", None) or e
            raise CacheError(
                f"cannot reach binary cache '{self.url}': {why} "
                "(`--no-substitute` builds without binary caches)"
            ) from None

    def open(self, name: str) -> BinaryIO:
        try:
            return self._request(name)
        except urllib.error.HTTPError as e:
            raise CacheError(
                f"cannot fetch '{self.url}/{name}': HTTP {e.code} {e.reason}"
            ) from None
        except (urllib.error.URLError, OSError) as e:
            why = getattr(e, "reason", None) or e
            raise CacheError(f"cannot reach binary cache '{self.url}': {why}") from None


def open_source(url: str) -> FileSource | HttpSource:
    if url.startswith("file://"):
        return FileSource(url)
    if url.startswith(("http://", "https://")):
        return HttpSource(url)
    raise CacheError(f"substituter '{url}' is not a file://, http:// or https:// URL")


# --- compression -----------------------------------------------------------------

COMPRESSIONS = ("xz", "zstd", "bzip2", "none")
EXTENSIONS = {"xz": ".xz", "zstd": ".zst", "bzip2": ".bz2", "gzip": ".gz", "none": ""}


class _ProcessReader:
    """The output of `argv` fed with `stream` by a thread (zstd -d)."""

    def __init__(self, argv: list[str], stream: BinaryIO):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._feeder = threading.Thread(target=self._feed, args=(stream,), daemon=True)
        self._feeder.start()

    def _feed(self, stream: BinaryIO) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            while chunk := stream.read(_CHUNK):
                self.proc.stdin.write(chunk)
        with contextlib.suppress(OSError):
            self.proc.stdin.close()

    def read(self, n: int = -1) -> bytes:
        assert self.proc.stdout is not None
        return self.proc.stdout.read(n)

    def close(self) -> None:
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self.proc.kill()
        self.proc.wait()
        self._feeder.join(timeout=5)


def _zstd() -> str:
    prog = shutil.which("zstd")
    if prog is None:
        raise CacheError("zstd compression needs the 'zstd' program, which is not on PATH")
    return prog


class Decompressed(Protocol):
    """What `decompressor` returns: a file of the lzma, bz2 or gzip modules,
    `stream` itself, or zstd's output."""

    def read(self, n: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


def decompressor(compression: str, stream: BinaryIO, what: str) -> Decompressed:
    """A stream of the decompressed bytes of `stream`."""
    if compression == "xz":
        return lzma.LZMAFile(stream)
    if compression == "bzip2":
        return bz2.BZ2File(stream)
    if compression == "gzip":
        return gzip.GzipFile(fileobj=stream)
    if compression == "none":
        return stream
    if compression == "zstd":
        return _ProcessReader([_zstd(), "-d", "-q", "-c"], stream)
    raise CacheError(f"{what} is compressed with '{compression}', which declos cannot read")


#: xz's level 1 rather than its default 6: on store contents it is 2-5 times
#: faster for files a few percent larger (13 MB of text and random bytes:
#: 2.0 s against 11.2 s, 4.43 MB against 4.37 MB).
DEFAULT_LEVELS = {"xz": 1, "bzip2": 9, "zstd": 3}
_LEVEL_RANGES = {"xz": (0, 9), "bzip2": (1, 9), "zstd": (1, 19)}


class Compressor:
    """Incremental compression into `out` (a file), for writing NARs."""

    def __init__(self, compression: str, out: BinaryIO, level: int | None = None):
        self.out = out
        self._proc: subprocess.Popen | None = None
        self._c: Any = None  # an lzma or bz2 compressor
        level = DEFAULT_LEVELS.get(compression, 0) if level is None else level
        low, high = _LEVEL_RANGES.get(compression, (0, 0))
        if compression in _LEVEL_RANGES and not low <= level <= high:
            raise CacheError(f"{compression} compression levels are {low} to {high}, not {level}")
        if compression == "xz":
            self._c = lzma.LZMACompressor(lzma.FORMAT_XZ, preset=level)
        elif compression == "bzip2":
            self._c = bz2.BZ2Compressor(level)
        elif compression == "zstd":
            self._c = None
            argv = [_zstd(), "-q", "-c", f"-{level}"]
            self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out)
        elif compression == "none":
            self._c = None
        else:
            raise CacheError(
                f"unknown compression '{compression}' (one of {', '.join(COMPRESSIONS)})"
            )

    def write(self, data: bytes) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.write(data)
        elif self._c is not None:
            self.out.write(self._c.compress(data))
        else:
            self.out.write(data)

    def finish(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            if self._proc.wait() != 0:
                raise CacheError("zstd failed to compress a NAR")
        elif self._c is not None:
            self.out.write(self._c.flush())
        self.out.flush()


# --- writing ---------------------------------------------------------------------


class DirDest:
    """A cache in a local directory."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.url = f"file://{self.root}"

    def get(self, name: str) -> bytes | None:
        return FileSource(self.url).get(name)

    def has(self, name: str) -> bool:
        return os.path.exists(os.path.join(self.root, name))

    def temp_file(self) -> tuple[io.BufferedRandom, str]:
        nar_dir = os.path.join(self.root, "nar")
        os.makedirs(nar_dir, mode=0o755, exist_ok=True)  # on the first write only
        if os.path.islink(nar_dir):  # every file is written there first: not out of the cache
            raise CacheError(f"cannot push to '{self.url}': its 'nar' is a symlink")
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=nar_dir)
        return os.fdopen(fd, "w+b"), tmp

    def put_file(self, name: str, tmp: str) -> None:
        """Give the file at `tmp` (from `temp_file`) its name."""
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(self.root, name))

    def put(self, name: str, data: bytes) -> None:
        f, tmp = self.temp_file()
        with f:
            f.write(data)
        self.put_file(name, tmp)

    def finish(self) -> None:
        pass

    def close(self) -> None:
        pass


class SshDest:
    """A cache in a directory on a host reached with `ssh` (its ssh_config,
    agent and known_hosts apply): files are staged in a local directory and
    sent at `finish` in one tar stream, then renamed into place in the order
    they were put, so the host never shows a narinfo before its NAR."""

    def __init__(self, target: str, ssh_options: tuple[str, ...] = ()):
        parts = urllib.parse.urlsplit(target)
        if not parts.hostname or not parts.path.startswith("/") or parts.path == "/":
            raise CacheError(f"'{target}' is not ssh://[USER@]HOST[:PORT]/DIR")
        self.url = target
        self.dir = parts.path.rstrip("/")
        self.host = (f"{parts.username}@" if parts.username else "") + parts.hostname
        self.argv = ["ssh", "-o", "BatchMode=yes"]
        for opt in ssh_options:
            self.argv += ["-o", opt]
        if parts.port:
            self.argv += ["-p", str(parts.port)]
        self._stage = tempfile.mkdtemp(prefix="declos-push-")
        self._local = DirDest(self._stage)
        self._order: list[str] = []
        self._remote = self._list()

    def _ssh(self, script: str, stdin: IO[bytes] | None = None, what: str = "") -> bytes:
        argv = [*self.argv, "--", self.host, script]
        try:
            proc = subprocess.run(argv, stdin=stdin, capture_output=True, timeout=3600)
        except FileNotFoundError:
            raise CacheError("'ssh' is not on PATH") from None
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            raise CacheError(
                f"{what or 'ssh'} on '{self.host}' failed (exit {proc.returncode})"
                + (f": {err[-1]}" if err else "")
            )
        return proc.stdout

    def _list(self) -> dict[str, bytes | None]:
        d = shlex.quote(self.dir)
        out = self._ssh(
            f"cat {d}/nix-cache-info 2>/dev/null; echo; echo '\x1f'; "
            f"cd {d} 2>/dev/null && ls -1 | grep '[.]narinfo$' || true",
            what=f"listing {self.url}",
        )
        info, _, names = out.partition(b"\n\x1f\n")
        remote: dict[str, bytes | None] = {n: None for n in names.decode().split()}
        if info.strip():
            remote["nix-cache-info"] = info.strip() + b"\n"
        return remote

    def get(self, name: str) -> bytes | None:
        if name == "nix-cache-info":
            return self._remote.get(name) or self._local.get(name)
        return self._local.get(name)

    def has(self, name: str) -> bool:
        return name in self._remote or self._local.has(name)

    def temp_file(self) -> tuple[io.BufferedRandom, str]:
        return self._local.temp_file()

    def put_file(self, name: str, tmp: str) -> None:
        self._local.put_file(name, tmp)
        self._order.append(name)

    def put(self, name: str, data: bytes) -> None:
        self._local.put(name, data)
        self._order.append(name)

    def finish(self) -> None:
        if not self._order:
            return
        with open(os.path.join(self._stage, ".order"), "w") as f:
            f.write("".join(n + "\n" for n in self._order))
        d = shlex.quote(self.dir)
        script = (
            f"set -e; mkdir -p {d}/nar; t=$(mktemp -d {d}/.tmp-push-XXXXXX); "
            f'trap \'rm -rf "$t"\' EXIT; tar -C "$t" -xf -; '
            f'while IFS= read -r f; do chmod 644 "$t/$f"; mv -f "$t/$f" {d}/"$f"; done < "$t/.order"'
        )
        with tempfile.TemporaryFile() as tar_file:
            with tarfile.open(fileobj=tar_file, mode="w") as tar:
                for name in [".order", *self._order]:
                    tar.add(os.path.join(self._stage, name), arcname=name)
            tar_file.seek(0)
            self._ssh(script, stdin=tar_file, what=f"pushing to {self.url}")
        self._order.clear()

    def close(self) -> None:
        shutil.rmtree(self._stage, ignore_errors=True)


def open_dest(target: str, ssh_options: tuple[str, ...] = ()) -> DirDest | SshDest:
    """`DIR`, `file:///DIR` or `ssh://[USER@]HOST[:PORT]/DIR`."""
    if target.startswith("ssh://"):
        return SshDest(target, ssh_options)
    if target.startswith("file://"):
        return DirDest(urllib.parse.unquote(target[len("file://") :]))
    if "://" in target:
        raise CacheError(f"cannot push to '{target}': give a directory, file:// or ssh:// URL")
    return DirDest(target)
