"""The on-disk parse cache: ASTs stored by content hash, so unchanged files
are not parsed again.

An entry's key is sha256 over the declos version, the file's path and its
text, so an edit, a move or a declos upgrade each miss the cache (old
entries are simply never read again).  Entries live in
`$DECLOS_CACHE_DIR`, else `$XDG_CACHE_HOME/declos`, else `~/.cache/declos`,
under `parse/`.

An entry is a magic line, a sha256 of the payload, and the pickled tree.
The `Source` the spans point at is not stored: pickling replaces it by a
reference that loading resolves to the caller's `Source`, so a cached tree
is indistinguishable from a fresh one.  A corrupt or truncated entry fails
the checksum or the unpickling and is parsed again and rewritten.  Writes go
to a temporary file renamed into place, so readers never see half an entry;
when the cache directory cannot be written, parsing simply goes uncached.
This module never raises anything but the parser's own `ParseError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path
from typing import IO

from declos import __version__, dirs
from declos.diagnostics import Source
from declos.lang import ast
from declos.lang.parser import gc_paused, parse_source

MAGIC = b"declos-parse-cache 1\n"
_DIGEST = 32
_SOURCE_REF = "source"


def cache_dir() -> Path:
    """The directory holding parse cache entries (it may not exist yet)."""
    return Path(dirs.cache_dir()) / "parse"


def cache_key(source: Source) -> str:
    h = hashlib.sha256()
    for part in (__version__, source.path or "", source.text):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class _Pickler(pickle.Pickler):
    def __init__(self, file: IO[bytes], source: Source):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._source = source

    def persistent_id(self, obj: object) -> str | None:
        if obj is self._source:
            return _SOURCE_REF
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], source: Source):
        super().__init__(file)
        self._source = source

    def persistent_load(self, pid: object) -> Source:
        if pid == _SOURCE_REF:
            return self._source
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")


def _load(entry: Path, source: Source) -> ast.Expr | None:
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + _DIGEST
    if len(data) < head or not data.startswith(MAGIC):
        return None
    payload = memoryview(data)[head:]
    if hashlib.sha256(payload).digest() != data[len(MAGIC) : head]:
        return None
    try:
        with gc_paused():
            tree = _Unpickler(io.BytesIO(payload), source).load()
    except Exception:  # a damaged entry of any kind is just a miss
        return None
    return tree if isinstance(tree, ast.Expr) else None


def _store(entry: Path, source: Source, tree: ast.Expr) -> None:
    buf = io.BytesIO()
    try:
        with gc_paused():
            _Pickler(buf, source).dump(tree)
    except (RecursionError, pickle.PicklingError):  # a very deep tree: not cached
        return
    payload = buf.getvalue()
    data = MAGIC + hashlib.sha256(payload).digest() + payload
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, entry)
        tmp = None
    except OSError:
        pass  # an unwritable or full cache: parse without caching
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def cached_parse(source: Source, store: bool = True) -> ast.Expr:
    """Parse `source`, reusing the cached tree for the same version, path and
    text; `store`: cache a tree parsed here (the evaluator does not: the
    code it generates from the tree is cached and answers every later
    evaluation of the text, and pickling the tree of a large file was ~10
    ms of a one-line change's switch)."""
    entry = cache_dir() / f"{cache_key(source)}.pickle"
    tree = _load(entry, source)
    if tree is None:
        tree = parse_source(source)
        if store:
            _store(entry, source, tree)
    return tree
