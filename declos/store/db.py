"""The store's metadata database: which paths are valid and what they refer to.

Owns `<state>/db.sqlite` (SQLite in WAL mode): valid paths with their NAR
hash, NAR size, deriver, content address and registration time; the
reference edges between them; and the outputs of each derivation.  A path is
valid exactly when it has a row here.  Everything about one path (or one
batch of paths) is written in one transaction, so a crash leaves either all
of it or none.  It must not touch the store directory itself: `Store` does
that and calls in here last.

Example: `db.register([PathInfo(path, "sha256:...", 120, references=(dep,))])`
then `db.closure([path]) == {path, dep, ...}`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable

import attrs

from declos.diagnostics import DeclosError

SCHEMA = """
CREATE TABLE IF NOT EXISTS ValidPaths (
    id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    path             TEXT UNIQUE NOT NULL,
    hash             TEXT NOT NULL,
    registrationTime INTEGER NOT NULL,
    deriver          TEXT,
    narSize          INTEGER,
    ca               TEXT
);
CREATE TABLE IF NOT EXISTS Refs (
    referrer  INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE CASCADE,
    reference INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE RESTRICT,
    PRIMARY KEY (referrer, reference)
);
CREATE INDEX IF NOT EXISTS IndexReferrer ON Refs(referrer);
CREATE INDEX IF NOT EXISTS IndexReference ON Refs(reference);
CREATE TABLE IF NOT EXISTS DerivationOutputs (
    drv  INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE CASCADE,
    id   TEXT NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (drv, id)
);
CREATE INDEX IF NOT EXISTS IndexDerivationOutputs ON DerivationOutputs(path);
"""


class StoreDBError(DeclosError):
    code = "store-db"


def _sorted_set(references: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(references)))


@attrs.frozen
class PathInfo:
    """What the database knows about one valid path.

    `nar_hash` is printed as Nix prints it (`sha256:<base32>`); `references`
    are printed store paths, possibly including the path itself.
    """

    path: str
    nar_hash: str
    nar_size: int
    references: tuple[str, ...] = attrs.field(converter=_sorted_set, default=())
    deriver: str | None = None
    ca: str | None = None
    registration_time: int = attrs.field(factory=lambda: int(time.time()))


class StoreDB:
    """A connection to the metadata database, safe to share between threads."""

    def __init__(self, path: str):
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, timeout=60, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- writing -----------------------------------------------------------

    def register(
        self, infos: Iterable[PathInfo], derivation_outputs: dict[str, dict[str, str]] | None = None
    ) -> None:
        """Make `infos` valid, all in one transaction.

        Each reference must be valid already or be one of `infos`.  An
        already-valid path is left as it is (registration is idempotent).
        `derivation_outputs` maps a `.drv` path (valid, or among `infos`) to
        its output paths.
        """
        infos = list(infos)
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                new = []
                for info in infos:
                    if self._id(info.path) is None:
                        c.execute(
                            "INSERT INTO ValidPaths (path, hash, registrationTime, deriver, narSize, ca)"
                            " VALUES (?, ?, ?, ?, ?, ?)",
                            (
                                info.path,
                                info.nar_hash,
                                info.registration_time,
                                info.deriver,
                                info.nar_size,
                                info.ca,
                            ),
                        )
                        new.append(info)
                for info in new:
                    referrer = self._id(info.path)
                    for ref in info.references:
                        ref_id = self._id(ref)
                        if ref_id is None:
                            raise StoreDBError(
                                f"cannot register '{info.path}': its reference '{ref}' is not valid"
                            )
                        c.execute("INSERT OR IGNORE INTO Refs VALUES (?, ?)", (referrer, ref_id))
                for drv, outputs in (derivation_outputs or {}).items():
                    drv_id = self._id(drv)
                    if drv_id is None:
                        raise StoreDBError(f"derivation '{drv}' is not valid")
                    c.executemany(
                        "INSERT OR REPLACE INTO DerivationOutputs VALUES (?, ?, ?)",
                        [(drv_id, name, path) for name, path in outputs.items()],
                    )
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    def invalidate(self, paths: Iterable[str]) -> None:
        """Forget `paths` in one transaction.  Fails if a path outside the set
        still refers to one of them."""
        paths = list(paths)
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                ids = {p: self._id(p) for p in paths}
                ids = {p: i for p, i in ids.items() if i is not None}
                for p, i in ids.items():
                    for (referrer,) in c.execute(
                        "SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.referrer"
                        " WHERE r.reference = ? AND r.referrer != ?",
                        (i, i),
                    ).fetchall():
                        if referrer not in ids:
                            raise StoreDBError(
                                f"cannot delete '{p}': it is still referenced by '{referrer}'"
                            )
                values = [(i,) for i in ids.values()]
                c.executemany("DELETE FROM Refs WHERE referrer = ?", values)
                c.executemany("DELETE FROM ValidPaths WHERE id = ?", values)
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise

    # --- reading -----------------------------------------------------------

    def _id(self, path: str) -> int | None:
        row = self._conn.execute("SELECT id FROM ValidPaths WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def is_valid(self, path: str) -> bool:
        with self._lock:
            return self._id(str(path)) is not None

    def query(self, path: str) -> PathInfo | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, path, hash, registrationTime, deriver, narSize, ca"
                " FROM ValidPaths WHERE path = ?",
                (str(path),),
            ).fetchone()
            if row is None:
                return None
            refs = self._conn.execute(
                "SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference"
                " WHERE r.referrer = ?",
                (row[0],),
            ).fetchall()
        return PathInfo(
            path=row[1],
            nar_hash=row[2],
            registration_time=row[3],
            deriver=row[4],
            nar_size=row[5],
            ca=row[6],
            references=[r[0] for r in refs],
        )

    def references(self, path: str) -> list[str]:
        info = self.query(path)
        if info is None:
            raise StoreDBError(f"path '{path}' is not valid")
        return list(info.references)

    def referrers(self, path: str) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.referrer"
                " JOIN ValidPaths t ON t.id = r.reference WHERE t.path = ? ORDER BY v.path",
                (str(path),),
            ).fetchall()
        return [r[0] for r in rows]

    def closure(self, paths: Iterable[str]) -> set[str]:
        """Every valid path reachable from `paths` by references, `paths` included.

        Invalid starting paths are an error: their closure is unknown.
        """
        paths = [str(p) for p in paths]
        with self._lock:
            for p in paths:
                if self._id(p) is None:
                    raise StoreDBError(f"path '{p}' is not valid")
            rows = self._conn.execute(
                "WITH RECURSIVE closure(id) AS ("
                "  SELECT id FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))"
                "  UNION SELECT r.reference FROM Refs r JOIN closure c ON r.referrer = c.id)"
                " SELECT v.path FROM ValidPaths v JOIN closure USING (id)",
                (json.dumps(paths),),
            ).fetchall()
        return {r[0] for r in rows}

    def all_valid(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT path FROM ValidPaths ORDER BY path")]

    def all_references(self) -> list[tuple[str, str]]:
        """Every (referrer, reference) edge, for building a graph in one query."""
        with self._lock:
            return self._conn.execute(
                "SELECT a.path, b.path FROM Refs r JOIN ValidPaths a ON a.id = r.referrer"
                " JOIN ValidPaths b ON b.id = r.reference"
            ).fetchall()

    def derivation_outputs(self, drv: str) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT o.id, o.path FROM DerivationOutputs o JOIN ValidPaths v ON v.id = o.drv"
                " WHERE v.path = ?",
                (str(drv),),
            ).fetchall()
        return dict(rows)
