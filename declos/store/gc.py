"""Garbage collection and verification of the store.

Owns GC roots (`<state>/gcroots/`: symlinks into the store, symlinks to
directories of such links — e.g. `gcroots/profiles -> <state>/profiles` — and
`gcroots/auto/` indirect roots for `result` links), the temporary roots of
running processes, deleting every path no root reaches, and `verify`, which
re-hashes valid paths.  GC holds `<state>/gc.lock` exclusively, so it never
runs during an install, and it never deletes a path a live process has
marked as a temporary root.  It must not know what a root means (a
generation, a result link); callers pass extra roots as a callable.

Example:
    add_indirect_root(store, out_path, "./result")   # like nix-build -o result
    result = collect_garbage(store)                  # deletes everything else
    verify(store, check_contents=True).modified
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator

import attrs

from declos.store.fs import remove_tree
from declos.store.hashing import nar_hash
from declos.store.paths import StorePath, StorePathError
from declos.store.store import Store

_MAX_ROOT_DEPTH = 8


@attrs.frozen
class GCResult:
    deleted: tuple[str, ...]
    freed: int
    dry_run: bool = False


@attrs.frozen
class VerifyResult:
    missing: tuple[str, ...]
    modified: tuple[tuple[str, str, str], ...]  # (path, recorded hash, actual hash)
    checked: int

    @property
    def ok(self) -> bool:
        return not self.missing and not self.modified


# --- roots -----------------------------------------------------------------------


def add_indirect_root(store: Store, target: StorePath | str, link: str | os.PathLike) -> str:
    """Point `link` (e.g. `./result`) at `target` and make it a GC root for as
    long as it exists and still points into the store."""
    link = os.path.abspath(os.fspath(link))
    target = str(store.parse_path(target))
    _replace_symlink(target, link)
    auto = os.path.join(store.gcroots_dir, "auto")
    os.makedirs(auto, exist_ok=True)
    name = hashlib.sha256(link.encode()).hexdigest()[:32]
    _replace_symlink(link, os.path.join(auto, name))
    return link


def add_root(store: Store, target: StorePath | str, name: str) -> str:
    """A direct root `gcroots/<name> -> target`."""
    path = os.path.join(store.gcroots_dir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _replace_symlink(str(store.parse_path(target)), path)
    return path


def _replace_symlink(target: str, link: str) -> None:
    tmp = f"{link}.tmp-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def find_roots(
    store: Store, extra_roots: Callable[[], Iterable[str]] | None = None
) -> dict[str, str]:
    """Every root: store path -> what roots it (a link, `temporary`, `extra`).

    Dangling indirect roots (a deleted `result` link) are removed.
    """
    roots: dict[str, str] = {}
    for link, target in _scan_links(store, store.gcroots_dir, 0):
        with contextlib.suppress(StorePathError):
            roots.setdefault(str(store.path_of(target)), link)
    for path in _temp_roots(store):
        roots.setdefault(path, "temporary")
    for path in extra_roots() if extra_roots else ():
        with contextlib.suppress(StorePathError):
            roots.setdefault(str(store.path_of(str(path))), "extra")
    return roots


def _scan_links(store: Store, directory: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > _MAX_ROOT_DEPTH:
        return
    try:
        names = sorted(os.listdir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return
    prefix = store.store_dir + "/"
    for name in names:
        link = os.path.join(directory, name)
        if not os.path.islink(link):
            if os.path.isdir(link):
                yield from _scan_links(store, link, depth + 1)
            continue
        target = os.path.realpath(link)
        if target.startswith(prefix):
            yield link, target
        elif os.path.isdir(target):
            yield from _scan_links(store, target, depth + 1)
        elif not os.path.exists(target) and os.path.basename(directory) == "auto":
            with contextlib.suppress(FileNotFoundError):
                os.unlink(link)  # the result link it pointed at is gone


def _temp_roots(store: Store) -> Iterator[str]:
    """Paths recorded by live processes; files of dead ones are removed."""
    for name in sorted(os.listdir(store.temproots_dir)):
        path = os.path.join(store.temproots_dir, name)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # its store was closed since the listing
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # held: the process is alive
                with os.fdopen(os.dup(fd)) as f:
                    yield from f.read().split()
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
        finally:
            os.close(fd)


# --- collection -------------------------------------------------------------------


@contextlib.contextmanager
def gc_exclusive(store: Store) -> Iterator[None]:
    fd = os.open(os.path.join(store.state_dir, "gc.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def collect_garbage(
    store: Store,
    *,
    extra_roots: Callable[[], Iterable[str]] | None = None,
    dry_run: bool = False,
    max_freed: int | None = None,
) -> GCResult:
    """Delete every valid path not in the closure of a root, referrers
    before their references, and every unregistered entry in the store
    (leftovers of crashed builds).  Stops once `max_freed` bytes are freed.
    A path is made invalid before its files go, so a crash midway leaves at
    most an unregistered entry."""
    with gc_exclusive(store):
        roots = [p for p in find_roots(store, extra_roots) if store.is_valid(p)]
        live = store.closure(roots) if roots else set()
        valid = set(store.db.all_valid())
        dead = valid - live
        order = _referrers_first(store, dead)
        deleted: list[str] = []
        freed = 0
        for path in order:
            if max_freed is not None and freed >= max_freed:
                break
            size = _disk_usage(path)
            if not dry_run:
                store.db.invalidate([path])
                remove_tree(path)
            deleted.append(path)
            freed += size
        if not dry_run and (max_freed is None or freed < max_freed):
            for name in sorted(os.listdir(store.store_dir)):
                path = os.path.join(store.store_dir, name)
                if path not in valid:
                    freed += _disk_usage(path)
                    remove_tree(path)
            for name in os.listdir(store.locks_dir):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(store.locks_dir, name))
    return GCResult(tuple(deleted), freed, dry_run)


def _referrers_first(store: Store, dead: set[str]) -> list[str]:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(dead)
    graph.add_edges_from(
        (a, b) for a, b in store.db.all_references() if a in dead and b in dead and a != b
    )
    return list(nx.lexicographical_topological_sort(graph))


def _disk_usage(path: str) -> int:
    total = 0
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return 0
    total += st.st_size
    if os.path.isdir(path) and not os.path.islink(path):
        for root, dirs, files in os.walk(path):
            for n in dirs + files:
                total += os.lstat(os.path.join(root, n)).st_size
    return total


# --- verification ------------------------------------------------------------------


def verify(store: Store, check_contents: bool = False) -> VerifyResult:
    """Check that every valid path exists and, with `check_contents`, that
    its NAR hash is still the one recorded."""
    missing: list[str] = []
    modified: list[tuple[str, str, str]] = []
    paths = store.db.all_valid()
    for path in paths:
        if not os.path.lexists(path):
            missing.append(path)
            continue
        if check_contents:
            info = store.query_path_info(path)
            assert info is not None  # one of `all_valid`
            algo = info.nar_hash.split(":", 1)[0]
            actual = str(nar_hash(path, algo)[0])
            if actual != info.nar_hash:
                modified.append((path, info.nar_hash, actual))
    return VerifyResult(tuple(missing), tuple(modified), len(paths))
