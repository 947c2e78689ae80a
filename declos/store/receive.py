"""Receiving store paths as NARs from outside: an import stream, a binary cache.

Owns `Receiver`, the one way a path that was not built here becomes valid:
each NAR is unpacked into a private staging directory inside the store
(`.tmp-recv-…`, kept from `gc` by the shared gc lock held for the whole
receipt), its NAR hash and size computed from the bytes as they arrive and
compared with what the sender claimed, and only when every path has
arrived does `commit` rename them into place and register them all in one
transaction, as a build does with its outputs.  A short or corrupt stream,
a hash mismatch or a reference that is neither valid nor received leaves
no path and no row.  It must not know where the NARs come from (export
streams: `export.py`; binary caches: `cache.py`).

Example:
    with Receiver(store) as rx:
        rx.receive(Incoming(path, "sha256:…", refs), StreamReader(stream))
        rx.commit()                 # the paths are valid from here on
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable

import attrs

from declos.store.db import PathInfo
from declos.store.fs import StoreError, move_into_place, normalise, remove_tree
from declos.store.hashing import Hash, HashError
from declos.store.nar import StreamReader, restore
from declos.store.paths import StorePath, StorePathError
from declos.store.store import TMP_PREFIX, Store


class ReceiveError(StoreError):
    code = "receive"


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@attrs.frozen
class Incoming:
    """What the sender says about a path: its NAR hash and size when it
    knows them (None: take what arrives, as `nix-store --import` does)."""

    path: str
    nar_hash: str | None = None
    references: tuple[str, ...] = attrs.field(converter=_strings, default=())
    deriver: str | None = None
    nar_size: int | None = None
    ca: str | None = None


@attrs.frozen
class Unpacked:
    """A NAR unpacked at `tmp` in the staging directory, with what it hashed to."""

    tmp: str
    nar_hash: Hash
    nar_size: int


class Receiver:
    """Stage incoming paths, then make them valid together (`commit`)."""

    def __init__(self, store: Store, source: str = "the stream"):
        self.store = store
        self.source = source
        self._staged: dict[str, tuple[str, PathInfo]] = {}
        self._stack = contextlib.ExitStack()
        self._dir: str | None = None
        self._count = 0
        self._lock = threading.Lock()  # substitution unpacks NARs on several threads

    def __enter__(self) -> Receiver:
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.store.gc_shared())
            self._dir = tempfile.mkdtemp(prefix=TMP_PREFIX + "recv-", dir=self.store.store_dir)
            stack.callback(remove_tree, self._dir)  # runs before the gc lock is released
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _parse(self, path: str, what: str) -> StorePath:
        try:
            return self.store.parse_path(path)
        except StorePathError as e:
            raise ReceiveError(f"{self.source}: {what}: {e.message}") from None

    def receive(self, meta: Incoming, reader: StreamReader, source: str | None = None) -> PathInfo:
        """Unpack the NAR that `reader` is at for `meta.path` and check it."""
        return self.accept(meta, self.unpack(reader), source)

    def unpack(self, reader: StreamReader) -> Unpacked:
        """Unpack the NAR that `reader` is at, before knowing what it is
        (an export stream says so after the NAR); `accept` checks it."""
        assert self._dir is not None
        with self._lock:
            tmp = os.path.join(self._dir, str(self._count))
            self._count += 1
        reader.start_tap()
        restore(reader, tmp)
        got, size = reader.stop_tap()
        return Unpacked(tmp, got, size)

    def accept(self, meta: Incoming, nar: Unpacked, source: str | None = None) -> PathInfo:
        """Stage the unpacked `nar` as `meta.path` if it is what `meta` says
        (errors name `source`, else the receiver's)."""
        source = source or self.source
        sp = self._parse(meta.path, "bad store path")
        refs = tuple(str(self._parse(r, f"bad reference of '{sp}'")) for r in meta.references)
        deriver = str(self._parse(meta.deriver, f"bad deriver of '{sp}'")) if meta.deriver else None
        if meta.nar_hash is not None:
            try:
                expected = Hash.parse(meta.nar_hash)
            except HashError as e:
                raise ReceiveError(f"{source}: '{sp}': {e.message}") from None
            if expected != nar.nar_hash:
                raise ReceiveError(
                    f"NAR hash mismatch in '{sp}' from {source}:\n"
                    f"  expected: {expected}\n       got: {nar.nar_hash}"
                )
        if meta.nar_size is not None and nar.nar_size != meta.nar_size:
            raise ReceiveError(
                f"NAR size mismatch in '{sp}' from {source}: "
                f"expected {meta.nar_size} bytes, got {nar.nar_size}"
            )
        normalise(nar.tmp)
        info = PathInfo(str(sp), str(nar.nar_hash), nar.nar_size, refs, deriver, meta.ca)
        with self._lock:
            if str(sp) in self._staged:
                raise ReceiveError(f"{source}: '{sp}' arrives twice")
            self._staged[str(sp)] = (nar.tmp, info)
        return info

    def commit(self) -> list[str]:
        """Make every staged path valid (those valid already are left as
        they are); returns the paths that became valid, in order."""
        store = self.store
        staged = self._staged
        for path, (_, info) in staged.items():
            for ref in info.references:
                if ref not in staged and not store.is_valid(ref):
                    raise ReceiveError(
                        f"cannot add '{path}' from {self.source}: its reference '{ref}' is "
                        "neither valid in this store nor among the paths received"
                    )
        with contextlib.ExitStack() as locks:
            for path in sorted(staged):  # a fixed order: no lock-order deadlock
                locks.enter_context(store.lock_path(store.parse_path(path)))
            new = [p for p in staged if not store.is_valid(p)]
            renamed: list[str] = []
            try:
                for path in new:
                    remove_tree(path)  # present but never registered: a crash after rename
                    move_into_place(staged[path][0], path)
                    renamed.append(path)
                store.db.register(staged[p][1] for p in new)
            except BaseException:
                for path in renamed:
                    remove_tree(path)
                raise
            store.add_temp_roots(staged)
        return new
