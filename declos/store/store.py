"""The store on disk: putting paths into it atomically, and asking about them.

Owns the state directory layout (`store/`, `db.sqlite`, `logs/`, `gcroots/`,
`locks/`, `temproots/`, `builds/`) and the one protocol by which anything
becomes a valid path (`Store.install`): produce it under a temporary name
inside the store, normalise it (mtime 1, no write bits, no setuid/setgid),
hash and scan it for references, rename it into place, register it in the
database.  A failure at any step leaves no path and no row; a crash leaves
at most an unregistered entry that the next install of that path (or `gc`)
removes.  It must not know how derivations are built (builders.py) or in
what order (graph.py).

Example:
    store = Store("/tmp/state")
    p = store.add_text("greeting", "hello")       # like builtins.toFile
    src = store.add_path("./nginx.conf")          # like "${./nginx.conf}"
    store.is_valid(p), store.closure([p])
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping

from declos.diagnostics import Span
from declos.store.db import PathInfo, StoreDB
from declos.store.derivation import (
    Derivation,
    drv_path,
    instantiate,
    parse_derivation,
    unparse,
)
from declos.store.fs import (
    RefScanner,
    StoreError,
    copy_tree,
    flat_hash,
    move_into_place,
    normalise,
    remove_tree,
    rewrite_token,
)
from declos.store.hashing import Hash, file_hash, nar_hash
from declos.store.paths import (
    DRV_EXTENSION,
    HASH_PART_LEN,
    StorePath,
    check_name,
    make_fixed_output_path,
    make_source_path,
    make_text_path,
    store_path_of,
    to_store_path,
)

TMP_PREFIX = ".tmp-"
# A temporary path has the same length as the final one, so that a builder's
# own `$out` can be rewritten to the final path after the build: where the
# 32-character hash will be stand `.tmp-` and 16 characters (a directory of
# its own, the only place a process builder may write: see sandbox.py), `/`
# and 10 more characters.
_TMP_DIR_CHARS = 16
_TMP_FILE_CHARS = HASH_PART_LEN - len(TMP_PREFIX) - _TMP_DIR_CHARS - 1


class Store:
    """A store rooted at `<state_dir>/store` with its database and logs.

    Thread-safe: the graph builder installs outputs from several threads.
    Several processes may share one state directory: an install takes a lock
    per output path, and `gc` excludes installs with `<state>/gc.lock`.
    """

    def __init__(self, state_dir: str | os.PathLike):
        self.state_dir = os.path.abspath(os.fspath(state_dir))
        self.store_dir = os.path.join(self.state_dir, "store")
        self.logs_dir = os.path.join(self.state_dir, "logs")
        self.gcroots_dir = os.path.join(self.state_dir, "gcroots")
        self.locks_dir = os.path.join(self.state_dir, "locks")
        self.temproots_dir = os.path.join(self.state_dir, "temproots")
        self.builds_dir = os.path.join(self.state_dir, "builds")
        for d in (
            self.store_dir,
            self.logs_dir,
            self.gcroots_dir,
            self.locks_dir,
            self.temproots_dir,
            self.builds_dir,
        ):
            os.makedirs(d, exist_ok=True)
        self.db = StoreDB(os.path.join(self.state_dir, "db.sqlite"))
        self._temproots: int | None = None
        self._rooted: set[str] = set()
        self._roots_lock = threading.Lock()
        #: Test hook: called with a stage name ("before-rename",
        #: "before-register") during every install; raising there simulates a
        #: crash or a failure at that point.
        self.fault: Callable[[str], None] | None = None

    def close(self) -> None:
        """Close the database and drop this store's temporary roots."""
        self.db.close()
        with self._roots_lock:
            if self._temproots is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._temproots_file)
                os.close(self._temproots)
                self._temproots = None
                self._rooted.clear()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- locks and temporary roots ------------------------------------------

    @contextlib.contextmanager
    def lock_path(self, path: StorePath) -> Iterator[None]:
        """Exclusive lock on one output, across threads and processes (flock)."""
        fd = os.open(os.path.join(self.locks_dir, path.hash_part), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def gc_shared(self) -> Iterator[None]:
        """Held while adding paths: `gc` (exclusive) waits until it is released."""
        fd = os.open(os.path.join(self.state_dir, "gc.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    def add_temp_root(self, path: StorePath | str) -> None:
        """Keep `path` alive against `gc` for as long as this process runs
        (or until `close`).  Take it under `gc_shared` after checking that
        `path` is valid, or use `keep_if_valid`: a gc that started in between
        would not see it."""
        self.add_temp_roots([path])

    def add_temp_roots(self, paths: Iterable[StorePath | str]) -> None:
        with self._roots_lock:
            new = [str(p) for p in paths if str(p) not in self._rooted]
            if not new:
                return
            if self._temproots is None:
                self._temproots = self._open_temproots()
            os.write(self._temproots, "".join(f"{p}\n" for p in new).encode())
            self._rooted.update(new)

    def _open_temproots(self) -> int:
        """A new file `temproots/<pid>-<random>`, locked while we live.  `gc`
        removes such files when it can lock them (their process is gone): if
        it removed ours between the open and the lock, make another."""
        while True:
            path = os.path.join(self.temproots_dir, f"{os.getpid()}-{os.urandom(4).hex()}")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._temproots_file = path
                return fd
            os.close(fd)

    def keep_if_valid(self, paths: Iterable[StorePath | str]) -> bool:
        """Whether every one of `paths` is valid; if so they are temporary
        roots from now on.  Both under the gc lock, so a path found valid
        here cannot be collected before it is rooted (`gc` holds the lock
        from reading the roots to deleting)."""
        printed = [str(p) for p in paths]
        with self.gc_shared():
            if not all(self.db.is_valid(p) for p in printed):
                return False
            self.add_temp_roots(printed)
            return True

    # --- paths --------------------------------------------------------------

    def parse_path(self, path: StorePath | str) -> StorePath:
        return to_store_path(self.store_dir, path)

    def is_valid(self, path: StorePath | str) -> bool:
        return self.db.is_valid(str(path))

    def query_path_info(self, path: StorePath | str) -> PathInfo | None:
        return self.db.query(str(path))

    def query_references(self, path: StorePath | str) -> list[str]:
        return self.db.references(str(path))

    def query_referrers(self, path: StorePath | str) -> list[str]:
        return self.db.referrers(str(path))

    def closure(self, paths: Iterable[StorePath | str]) -> set[str]:
        """The runtime closure: `paths` and everything they reference, transitively."""
        return self.db.closure(str(p) for p in paths)

    def path_of(self, path: str) -> StorePath:
        """The top-level store path containing `path`."""
        return store_path_of(path, self.store_dir)

    # --- installing ---------------------------------------------------------

    def tmp_dir_for(self, dest: StorePath) -> str:
        """The private directory in which `dest` is built (`.tmp-…`)."""
        return f"{self.store_dir}/{TMP_PREFIX}{dest.hash_part[:_TMP_DIR_CHARS]}"

    def tmp_path_for(self, dest: StorePath) -> str:
        """Where `dest` is built: a path as long as `dest`, in `tmp_dir_for(dest)`."""
        tail = dest.hash_part[_TMP_DIR_CHARS : _TMP_DIR_CHARS + _TMP_FILE_CHARS]
        return f"{self.tmp_dir_for(dest)}/{tail}-{dest.name}"

    def install(
        self,
        dest: StorePath,
        produce: Callable[[str], None],
        *,
        ref_candidates: Iterable[StorePath | str] = (),
        references: Iterable[StorePath | str] = (),
        deriver: str | None = None,
        expected: tuple[Hash, bool] | None = None,
        ca: str | None = None,
        derivation_outputs: dict[str, str] | None = None,
    ) -> PathInfo:
        """Make `dest` valid by calling `produce(tmp)` to write it at `tmp`.

        A no-op when `dest` is valid.  `produce` runs under the output's lock;
        the temporary name is rewritten to `dest`'s hash part wherever it
        occurs, then the result is normalised and scanned for the hash parts
        of `ref_candidates` (and of `dest` itself); `references` are recorded
        whether found or not (a text file's context).  `expected` (hash,
        recursive) checks a fixed output.  Raises `StoreError` if `produce`
        wrote nothing; any failure leaves neither `tmp`, `dest`, nor a row.
        """
        infos = self.install_outputs(
            {"out": dest},
            lambda tmps: produce(tmps["out"]),
            ref_candidates=ref_candidates,
            references=references,
            deriver=deriver,
            expected={"out": expected} if expected else None,
            ca=ca,
            derivation_outputs=derivation_outputs,
        )
        return infos["out"]

    def install_outputs(
        self,
        dests: Mapping[str, StorePath],
        produce: Callable[[dict[str, str]], None],
        *,
        ref_candidates: Iterable[StorePath | str] = (),
        references: Iterable[StorePath | str] = (),
        deriver: str | None = None,
        expected: Mapping[str, tuple[Hash, bool]] | None = None,
        ca: str | None = None,
        derivation_outputs: dict[str, str] | None = None,
        before_produce: Callable[[], None] | None = None,
    ) -> dict[str, PathInfo]:
        """`install` for several outputs built by one `produce(tmps)` call
        (a multi-output derivation); they are registered in one transaction
        and may refer to each other.  `before_produce` runs under the locks
        just before `produce` (to count builds that really happen)."""
        for dest in dests.values():
            if dest.store_dir != self.store_dir:
                raise StoreError(f"path '{dest}' is not in the store '{self.store_dir}'")
        with self.gc_shared():
            existing = self._query_all(dests)
            if existing is not None:
                return existing
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.gc_shared())
            for dest in sorted(dests.values()):  # a fixed order: no lock-order deadlock
                stack.enter_context(self.lock_path(dest))
            existing = self._query_all(dests)
            if existing is not None:
                return existing
            tmps = {o: self.tmp_path_for(d) for o, d in dests.items()}
            tmp_dirs = [self.tmp_dir_for(d) for d in dests.values()]
            for dest in dests.values():
                remove_tree(self.tmp_dir_for(dest))  # left by a killed build of this very path
                try:
                    os.mkdir(self.tmp_dir_for(dest), 0o700)
                except OSError as e:  # EROFS, EACCES: not a store this process may write
                    raise StoreError(
                        f"cannot write the store '{self.store_dir}': {e.strerror}"
                    ) from None
                if not self.db.is_valid(str(dest)):
                    remove_tree(str(dest))  # present but never registered: a crash after rename
            renamed: list[str] = []
            try:
                if before_produce is not None:
                    before_produce()
                produce(dict(tmps))
                infos = self._finish(dests, tmps, ref_candidates, references, deriver, expected, ca)
                self._fault("before-rename")
                for o, dest in dests.items():
                    if not self.db.is_valid(str(dest)):
                        move_into_place(tmps[o], str(dest))
                        renamed.append(str(dest))
                self._fault("before-register")
                self.db.register(
                    infos.values(),
                    {str(dests["out"]): derivation_outputs} if derivation_outputs else None,
                )
            except BaseException:
                for tmp_dir in tmp_dirs:
                    remove_tree(tmp_dir)
                for real in renamed:
                    remove_tree(real)
                raise
            for tmp_dir in tmp_dirs:  # with a copy built although already valid
                remove_tree(tmp_dir)
            self.add_temp_roots(dests.values())
            return infos

    def _query_all(self, dests: Mapping[str, StorePath]) -> dict[str, PathInfo] | None:
        infos = {}
        for o, dest in dests.items():
            info = self.db.query(str(dest))
            if info is None:
                return None
            infos[o] = info
        self.add_temp_roots(dests.values())
        return infos

    def _finish(self, dests, tmps, ref_candidates, references, deriver, expected, ca):
        """Rewrite, normalise, check and scan each built output."""
        for o, dest in dests.items():
            if not os.path.lexists(tmps[o]):
                raise StoreError(f"builder failed to produce output path '{dest}'")
        candidates = {self.parse_path(c).hash_part: str(c) for c in ref_candidates}
        candidates.update({d.hash_part: str(d) for d in dests.values()})
        infos = {}
        for o, dest in dests.items():
            tmp = tmps[o]
            for other, other_dest in dests.items():
                token = self._tmp_token(tmps[other])
                rewrite_token(tmp, token, other_dest.hash_part.encode())
            normalise(tmp)
            scanner = RefScanner(candidates)
            h, size = nar_hash(tmp, sink=scanner)
            if expected and o in expected:
                want, recursive = expected[o]
                got = nar_hash(tmp, want.algo)[0] if recursive else flat_hash(tmp, want.algo)
                if got != want:
                    raise StoreError(
                        f"hash mismatch in fixed-output derivation '{dest}':\n"
                        f"  specified: {want.sri()}\n     got:    {got.sri()}"
                    )
            infos[o] = PathInfo(
                path=str(dest),
                nar_hash=str(h),
                nar_size=size,
                references=[candidates[f] for f in scanner.found] + [str(r) for r in references],
                deriver=deriver,
                ca=ca,
            )
        return infos

    def _tmp_token(self, tmp: str) -> bytes:
        """What stands for the hash part in a temporary path."""
        return tmp[len(self.store_dir) + 1 :][:HASH_PART_LEN].encode()

    def _fault(self, stage: str) -> None:
        if self.fault is not None:
            self.fault(stage)

    def add_text(
        self, name: str, text: str | bytes, references: Iterable[StorePath | str] = ()
    ) -> StorePath:
        """`builtins.toFile`: a text file addressed by its contents and references.

        The references are recorded as given (they must be valid), not scanned.
        """
        data = text.encode() if isinstance(text, str) else text
        refs = sorted({str(r) for r in references})
        dest = make_text_path(name, data, refs, self.store_dir)

        def produce(tmp: str) -> None:
            with open(tmp, "wb") as f:
                f.write(data)

        self.install(dest, produce, references=refs, ca=f"text:{Hash.of('sha256', data)}")
        return dest

    def add_path(
        self,
        src: str | os.PathLike,
        name: str | None = None,
        *,
        recursive: bool = True,
        filter: Callable[[str, str], bool] | None = None,
    ) -> StorePath:
        """Copy a file or tree into the store, content-addressed (`"${./x}"`,
        `builtins.path`, `builtins.filterSource`).

        `filter(path, type)` with type "regular", "directory", "symlink" or
        "unknown" decides what is copied, as in Nix.  `recursive=False` adds
        one regular file by its flat hash.  Adding the same content again is
        a no-op.
        """
        src = os.path.abspath(os.fspath(src))
        name = check_name(name if name is not None else os.path.basename(src))
        if not recursive:
            if not os.path.isfile(src):
                raise StoreError(f"'{src}' is not a regular file")
            h = file_hash(src)
            dest = make_fixed_output_path(name, h, False, self.store_dir)
            self.install(dest, lambda tmp: copy_tree(src, tmp, None), ca=f"fixed:{h}")
            return dest
        if filter is None:
            h = nar_hash(src)[0]
            dest = make_source_path(name, h, self.store_dir)
            self.install(dest, lambda tmp: copy_tree(src, tmp, None), ca=f"fixed:r:{h}")
            return dest
        # With a filter, the hash is known only after copying what it keeps;
        # under the gc lock, since gc removes what is not registered.
        with self.gc_shared():
            staging = tempfile.mkdtemp(prefix=TMP_PREFIX + "add-", dir=self.store_dir)
            try:
                staged = os.path.join(staging, "x")
                copy_tree(src, staged, filter)
                h = nar_hash(staged)[0]
                dest = make_source_path(name, h, self.store_dir)
                self.install(dest, lambda tmp: os.rename(staged, tmp), ca=f"fixed:r:{h}")
                return dest
            finally:
                remove_tree(staging)

    # --- derivations --------------------------------------------------------

    def add_derivation(self, drv: Derivation) -> StorePath:
        """Write `drv` as a `.drv` file (its inputs must be valid already)."""
        text = unparse(drv)
        refs = drv.references()
        # derivation.drv_path, without unparsing the derivation a second time
        dest = make_text_path(drv.name + DRV_EXTENSION, text, refs, self.store_dir)
        if self.keep_if_valid([dest]):  # most of them, after a small change: one query
            return dest

        def produce(tmp: str) -> None:
            with open(tmp, "w") as f:
                f.write(text)

        self.install(dest, produce, references=refs, derivation_outputs=drv.output_paths())
        return dest

    def derivation(
        self,
        env: Mapping[str, str],
        *,
        args: Iterable[str] = (),
        input_drvs: Mapping[str, Iterable[str]] | None = None,
        input_srcs: Iterable[str] = (),
        write: bool = True,
        span: Span | None = None,
    ) -> tuple[StorePath, Derivation]:
        """`derivationStrict` for the evaluator: compute outputs and the drv
        path from the coerced attributes (see `derivation.instantiate`), and
        write the `.drv` unless `write` is false (`nix-instantiate --eval`
        does not write either).  Returns (drv path, derivation)."""
        drv = instantiate(
            env,
            args=args,
            input_drvs=input_drvs,
            input_srcs=input_srcs,
            store_dir=self.store_dir,
            resolve=self.read_derivation,
            span=span,
        )
        path = self.add_derivation(drv) if write else drv_path(drv, self.store_dir)
        return path, drv

    def read_derivation(self, path: StorePath | str) -> Derivation:
        sp = self.parse_path(path)
        if not sp.is_derivation:
            raise StoreError(f"'{sp}' is not a derivation")
        try:
            with open(str(sp)) as f:
                text = f.read()
        except FileNotFoundError:
            raise StoreError(f"derivation '{sp}' does not exist") from None
        return parse_derivation(text, sp.name[: -len(DRV_EXTENSION)])
