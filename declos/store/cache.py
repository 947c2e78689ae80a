"""Binary caches in Nix's format: pushing store paths to one, substituting from them.

Owns `push` (a closure's NARs, compressed, each named by its file hash
under `nar/`, then its `<hash>.narinfo`, signed with an Ed25519 key; paths
the cache has are skipped; references before referrers, so a reader never
sees a narinfo whose references are missing) and `Substituter`, which
makes missing paths valid from the configured caches before anything is
built: it finds each path's narinfo in the caches by Priority, refuses a
cache for another store directory, a narinfo that no trusted key signed
(unless `require-sigs = false`) and a NAR whose hash or size differs from
the narinfo's, and registers the whole closure at once (`receive.py`), so a
refusal leaves nothing behind.  The file formats are `cache_narinfo.py`,
keys `cache_keys.py`, transports `cache_transport.py`, settings
`cache_config.py`.

Example:
    push(store, open_dest("/srv/cache"), [toplevel], SecretKey.load("k.sec"))
    sub = Substituter(store, ["http://cache:8080"], trusted_keys)
    sub.substitute([out_path])     # True: valid now, with its closure
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import lzma
import os
import threading
from collections.abc import Callable, Iterable, Mapping

import attrs

from declos.store.cache_config import CONFIG_NAME, check_substituter, load_settings
from declos.store.cache_keys import PublicKey, SecretKey, verify_any
from declos.store.cache_narinfo import NIX_CACHE_INFO, CacheError, CacheInfo, NarInfo, narinfo_name
from declos.store.cache_transport import (
    EXTENSIONS,
    Compressor,
    DirDest,
    SshDest,
    decompressor,
    open_source,
)
from declos.store.export import references_first
from declos.store.hashing import Hash, nar_hash
from declos.store.nar import StreamReader
from declos.store.receive import Incoming, Receiver
from declos.store.store import Store

DEFAULT_PRIORITY = 40


def _check_store_dir(info: CacheInfo, url: str, store_dir: str) -> None:
    if info.store_dir.rstrip("/") != store_dir:
        raise CacheError(
            f"binary cache '{url}' is for the store '{info.store_dir}', not '{store_dir}': "
            "its paths cannot be used here (store paths include the store directory)"
        )


# --- push ------------------------------------------------------------------------


@attrs.frozen
class PushResult:
    pushed: tuple[str, ...]
    present: tuple[str, ...]
    file_bytes: int


def push(
    store: Store,
    dest: DirDest | SshDest,
    paths: Iterable[str],
    key: SecretKey | None = None,
    compression: str = "xz",
    on_path: Callable[[str], None] | None = None,
    level: int | None = None,
) -> PushResult:
    """Copy the closures of `paths` into the cache `dest` (from
    `cache_transport.open_dest`), signing with `key` when given, compressed
    at `level` (default: `cache_transport.DEFAULT_LEVELS`)."""
    text = dest.get(NIX_CACHE_INFO)
    if text is not None:
        _check_store_dir(
            CacheInfo.parse(text.decode(errors="replace"), dest.url), dest.url, store.store_dir
        )
    else:
        dest.put(
            NIX_CACHE_INFO, CacheInfo(store.store_dir, True, DEFAULT_PRIORITY).render().encode()
        )
    pushed: list[str] = []
    present: list[str] = []
    total = 0
    wanted = [str(store.parse_path(p)) for p in paths]
    for path in references_first(store, store.closure(wanted) if wanted else ()):
        sp = store.parse_path(path)
        if dest.has(narinfo_name(sp)):
            present.append(path)
            continue
        if on_path is not None:
            on_path(path)
        info = store.query_path_info(path)
        assert info is not None
        f, tmp = dest.temp_file()
        try:
            with f:
                comp = Compressor(compression, f, level)
                got, _ = nar_hash(path, sink=comp.write)
                comp.finish()
                if str(got) != info.nar_hash:
                    raise CacheError(
                        f"path '{path}' was modified since it became valid (NAR hash {got}, "
                        f"recorded {info.nar_hash}): not pushed"
                    )
                f.seek(0)
                file_hash = Hash("sha256", hashlib.file_digest(f, "sha256").digest())
                file_size = f.tell()
            nar_name = f"nar/{file_hash.base32()}.nar{EXTENSIONS[compression]}"
            if dest.has(nar_name):
                os.unlink(tmp)
            else:
                dest.put_file(nar_name, tmp)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        narinfo = NarInfo(
            store_path=path,
            url=nar_name,
            nar_hash=info.nar_hash,
            nar_size=info.nar_size,
            compression=compression,
            file_hash=str(file_hash),
            file_size=file_size,
            references=info.references,
            deriver=info.deriver,
            ca=info.ca,
        )
        if key is not None:
            narinfo = attrs.evolve(narinfo, sigs=(key.sign(narinfo.fingerprint()),))
        dest.put(narinfo_name(sp), narinfo.render().encode())
        pushed.append(path)
        total += file_size
    dest.finish()
    return PushResult(tuple(pushed), tuple(present), total)


# --- substitution ------------------------------------------------------------------


@attrs.frozen
class Fetched:
    path: str
    url: str
    nar_size: int


class _Cache:
    def __init__(self, url: str, store_dir: str):
        self.url = url
        self.source = open_source(url)
        text = self.source.get(NIX_CACHE_INFO)
        if text is None:
            raise CacheError(f"'{url}' is not a binary cache: it has no {NIX_CACHE_INFO}")
        self.info = CacheInfo.parse(text.decode(errors="replace"), f"{url}/{NIX_CACHE_INFO}")
        _check_store_dir(self.info, url, store_dir)


class Substituter:
    """Substitution from `urls` for `store`, trusting `trusted_keys` (by name).

    Caches are opened on first use.  Queries are memoized for the life of
    the object, so each narinfo is fetched at most once."""

    def __init__(
        self,
        store: Store,
        urls: Iterable[str],
        trusted_keys: Mapping[str, PublicKey],
        require_sigs: bool = True,
        jobs: int = 8,
    ):
        self.store = store
        self.urls = list(dict.fromkeys(check_substituter(u) for u in urls))
        self.trusted = dict(trusted_keys)
        self.require_sigs = require_sigs
        self.jobs = jobs
        self.fetched: list[Fetched] = []
        self._caches: list[_Cache] | None = None
        self._known: dict[str, tuple[_Cache, NarInfo] | None] = {}
        self._lock = threading.Lock()

    def caches(self) -> list[_Cache]:
        with self._lock:
            if self._caches is None:
                caches = [_Cache(u, self.store.store_dir) for u in self.urls]
                self._caches = sorted(caches, key=lambda c: c.info.priority)
            return self._caches

    def query(self, path: str) -> tuple[_Cache, NarInfo] | None:
        """The first cache (by priority) with a narinfo for `path`, checked."""
        with self._lock:
            if path in self._known:
                return self._known[path]
        sp = self.store.parse_path(path)
        found = None
        for cache in self.caches():
            text = cache.source.get(narinfo_name(sp))
            if text is None:
                continue
            where = f"{cache.url}/{narinfo_name(sp)}"
            info = NarInfo.parse(text.decode(errors="replace"), self.store.store_dir, where)
            if info.store_path != path:
                raise CacheError(f"{where} describes '{info.store_path}', not '{path}'")
            self._check_signature(info, where)
            found = (cache, info)
            break
        with self._lock:
            self._known[path] = found
        return found

    def _check_signature(self, info: NarInfo, where: str) -> None:
        if not self.require_sigs or verify_any(self.trusted, info.fingerprint(), info.sigs):
            return
        hint = f"(trusted-public-keys in <state>/{CONFIG_NAME})"
        if not info.sigs:
            raise CacheError(
                f"refusing to substitute '{info.store_path}': {where} is not signed, and "
                f"only paths signed by a trusted key are accepted {hint}"
            )
        names = ", ".join(sorted({f"'{s.partition(':')[0]}'" for s in info.sigs}))
        trusted = ", ".join(f"'{n}'" for n in sorted(self.trusted)) or "none"
        raise CacheError(
            f"refusing to substitute '{info.store_path}': {where} has no valid signature "
            f"by a trusted key (signed as {names}; trusted: {trusted}) {hint}"
        )

    def _closure(self, paths: list[str]) -> dict[str, tuple[_Cache, NarInfo]] | None:
        """Narinfos of every missing path in the closure of `paths`, or None
        when one of them is in no cache."""
        need: dict[str, tuple[_Cache, NarInfo]] = {}
        frontier = [p for p in dict.fromkeys(paths) if not self.store.is_valid(p)]
        with cf.ThreadPoolExecutor(self.jobs, thread_name_prefix="declos-query") as pool:
            while frontier:
                results = list(pool.map(self.query, frontier))
                if any(r is None for r in results):
                    return None
                nxt = []
                for path, found in zip(frontier, results, strict=True):
                    assert found is not None
                    need[path] = found
                    for ref in found[1].references:
                        if ref not in need and ref not in nxt and not self.store.is_valid(ref):
                            nxt.append(ref)
                frontier = [p for p in nxt if p not in need]
        return need

    def substitute(self, paths: Iterable[str]) -> bool:
        """Make `paths` valid with their closures from the caches; False
        (nothing done) when some path of the closure is in no cache.  A
        refused narinfo or NAR is a `CacheError`, and nothing is registered."""
        paths = [str(p) for p in paths]
        if not self.urls:
            return False
        need = self._closure(paths)
        if need is None:
            return False
        if not need:
            return True
        with Receiver(self.store, "a binary cache") as rx:
            with cf.ThreadPoolExecutor(self.jobs, thread_name_prefix="declos-fetch") as pool:
                for future in [pool.submit(self._fetch, rx, c, i) for c, i in need.values()]:
                    future.result()
            rx.commit()
        with self._lock:
            self.fetched.extend(Fetched(p, c.url, i.nar_size) for p, (c, i) in need.items())
        return True

    def _fetch(self, rx: Receiver, cache: _Cache, info: NarInfo) -> None:
        what = f"the NAR of '{info.store_path}' from {cache.url}/{info.url}"
        if info.url.startswith("/") or ".." in info.url.split("/"):
            raise CacheError(f"{cache.url}: the narinfo of '{info.store_path}' names '{info.url}'")
        raw = cache.source.open(info.url)
        try:
            stream = decompressor(info.compression, raw, what)
            try:
                reader = StreamReader(stream, what)
                meta = Incoming(
                    info.store_path,
                    info.nar_hash,
                    info.references,
                    info.deriver,
                    info.nar_size,
                    info.ca,
                )
                try:
                    rx.receive(meta, reader, f"{cache.url}/{info.url}")
                except (
                    EOFError,
                    OSError,
                    ValueError,
                    lzma.LZMAError,
                ) as e:  # a corrupt compressed stream
                    raise CacheError(f"cannot unpack {what}: {e}") from None
            finally:
                stream.close()
        finally:
            raw.close()


def substituter_for(
    store: Store, extra_urls: Iterable[str] = (), jobs: int = 8
) -> Substituter | None:
    """The substituter of `<state>/declos.conf` plus `extra_urls`, or None
    when no cache is configured."""
    settings = load_settings(store.state_dir)
    urls = [*settings.substituters, *extra_urls]
    if not urls:
        return None
    return Substituter(store, urls, settings.trusted(), settings.require_sigs, jobs)
