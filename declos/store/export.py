"""`declos store export` and `import`: store paths as a stream, Nix's format.

The stream is `nix-store --export`'s, so Nix's own `nix-store --import`
reads declos' streams and declos reads Nix's.  Each path is:

    u64 1 · NAR · u64 0x4558494e ("NIXE") · string <store path>
    · u64 <n> · n × string <reference> · string <deriver or "">
    · u64 1 · string "narHash=sha256:<base32>"

and the stream ends with u64 0 (every string a u64 length, the bytes, zero
padding to 8).  The last field is the slot Nix's format keeps for a legacy
signature, which Nix reads and ignores: declos puts the path's NAR hash
there, so that the importer can check every NAR on arrival (a stream from
`nix-store --export` has 0 there, and its paths are taken with the hash
they arrive with, as Nix does).  Paths are written references first.
Import is all or nothing (`receive.Receiver`): a truncated or corrupt
stream, or a hash that does not match, registers nothing.

Example:
    export_paths(store, [p], sys.stdout.buffer, closure=True)
    import_paths(store, sys.stdin.buffer)   # → the paths now valid
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from declos.store.digraph import DiGraph, lexicographical_topological_sort
from declos.store.fs import StoreError
from declos.store.hashing import NarError, nar_hash
from declos.store.nar import StreamReader
from declos.store.receive import Incoming, Receiver
from declos.store.store import Store

EXPORT_MAGIC = 0x4558494E
NAR_HASH_TAG = "narHash="
_MAX_REFS = 1 << 20
_MAX_PATH = 4096


def _u64(n: int) -> bytes:
    return n.to_bytes(8, "little")


def _str(data: str | bytes) -> bytes:
    if isinstance(data, str):
        data = data.encode()
    return _u64(len(data)) + data + b"\0" * ((-len(data)) % 8)


def references_first(store: Store, paths: Iterable[str]) -> list[str]:
    """`paths` ordered so that each comes after those of its references
    that are among them (ties by name, so the order is stable)."""
    wanted = set(paths)
    graph: DiGraph[str] = DiGraph()
    graph.add_nodes_from(wanted)
    for p in wanted:
        for r in store.query_references(p):
            if r in wanted and r != p:
                graph.add_edge(r, p)
    order = lexicographical_topological_sort(graph)
    assert order is not None  # store paths' references have no cycles (but self-references)
    return order


def export_paths(
    store: Store, paths: Iterable[str], out: BinaryIO, *, closure: bool = False
) -> list[str]:
    """Write `paths` (with `closure`, their closures) to `out`; returns them
    in the order written.  Each path's NAR is hashed as it is written and
    must still have the hash recorded when it became valid (a modified
    store path is an error, and the stream is left without its end mark,
    so that an importer refuses it)."""
    wanted = [str(store.parse_path(p)) for p in paths]
    for p in wanted:
        if not store.is_valid(p):
            raise StoreError(f"path '{p}' is not valid")
    order = references_first(store, store.closure(wanted) if closure else wanted)
    for path in order:
        info = store.query_path_info(path)
        assert info is not None
        out.write(_u64(1))
        got, _ = nar_hash(path, sink=out.write)
        if str(got) != info.nar_hash:
            raise StoreError(
                f"path '{path}' was modified since it became valid (its NAR hash is {got}, "
                f"recorded {info.nar_hash}): `declos store verify --check-contents` lists such paths"
            )
        meta = [_u64(EXPORT_MAGIC), _str(path), _u64(len(info.references))]
        meta += [_str(r) for r in info.references]
        meta += [_str(info.deriver or ""), _u64(1), _str(NAR_HASH_TAG + info.nar_hash)]
        out.write(b"".join(meta))
    out.write(_u64(0))
    out.flush()
    return order


def import_paths(store: Store, stream: BinaryIO, source: str = "the import stream") -> list[str]:
    """Read an export stream and make its paths valid, all at once; returns
    every path it held (including those already valid), in stream order."""
    reader = StreamReader(stream, source)
    seen: list[str] = []
    with Receiver(store, source) as rx:
        while True:
            marker = reader.u64()
            if marker == 0:
                break
            if marker != 1:
                raise NarError(
                    f"{source} does not look like something made by "
                    "'declos store export' or 'nix-store --export'"
                )
            seen.append(_receive_one(rx, reader, source))
        if not reader.at_end():
            raise NarError(f"{source}: trailing data after the end of the export")
        rx.commit()
    return seen


def _receive_one(rx: Receiver, reader: StreamReader, source: str) -> str:
    """Stage one path: its NAR comes first and its metadata after, so the NAR
    is unpacked first and checked against the metadata once it is read."""
    nar = rx.unpack(reader)
    if reader.u64() != EXPORT_MAGIC:
        raise NarError(f"{source}: a Nix archive in it cannot be imported: wrong format")
    path = reader.string(_MAX_PATH).decode(errors="replace")
    n = reader.u64()
    if n > _MAX_REFS:
        raise NarError(f"{source}: '{path}' has {n} references")
    refs = [reader.string(_MAX_PATH).decode(errors="replace") for _ in range(n)]
    deriver = reader.string(_MAX_PATH).decode(errors="replace") or None
    nar_hash = None
    if reader.u64() == 1:
        extra = reader.string(_MAX_PATH).decode(errors="replace")
        if extra.startswith(NAR_HASH_TAG):
            nar_hash = extra[len(NAR_HASH_TAG) :]
    rx.accept(Incoming(path, nar_hash, refs, deriver), nar)
    return path
