"""The system profile: numbered generations, the current pointer, pins.

Owns `<state>/profiles/system-<N>-link -> <toplevel>` and `profiles/system
-> system-<N>-link` (replaced by symlink-then-rename, so it always names one
generation or the other), `<state>/gcroots/profiles -> <state>/profiles`
(every generation is a GC root), and the `Generations` table in
`<state>/db.sqlite` (creation time, message, configuration file and its
hash, closure size, pinned).  It must not activate anything: choosing what
the root looks like is `activation.py`'s job.

The links are the truth; the table adds metadata.  A link without a row (a
crash between the two) is listed with what can be recomputed; a row without
a link is dropped when listed.

Example:
    profile = Profile(store)
    gen = profile.add(toplevel, message="first")   # system-1-link, not current yet
    profile.set_current(gen.number)
    profile.current().path == toplevel
"""

from __future__ import annotations

import builtins
import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Iterable

import attrs

from declos.diagnostics import DeclosError
from declos.store.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS Generations (
    number      INTEGER PRIMARY KEY NOT NULL,
    path        TEXT NOT NULL,
    created     INTEGER NOT NULL,
    message     TEXT,
    configFile  TEXT,
    configHash  TEXT,
    closureSize INTEGER,
    pinned      INTEGER NOT NULL DEFAULT 0
);
"""


class GenerationError(DeclosError):
    code = "generation"


@attrs.frozen
class Generation:
    number: int
    path: str
    created: int
    message: str | None = None
    config_file: str | None = None
    config_hash: str | None = None
    closure_size: int | None = None
    pinned: bool = False
    current: bool = False

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "current": self.current,
            "path": self.path,
            "created": self.created,
            "message": self.message,
            "configurationFile": self.config_file,
            "configurationHash": self.config_hash,
            "closureSize": self.closure_size,
            "pinned": self.pinned,
        }


def replace_symlink(target: str, link: str) -> None:
    """Point `link` at `target` atomically: a new link, renamed over the old."""
    tmp = f"{link}.tmp-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)


class Profile:
    """The `system` profile of one state directory."""

    def __init__(self, store: Store, name: str = "system"):
        self.store = store
        self.name = name
        self._re = re.compile(rf"^{re.escape(name)}-(\d+)-link$")
        self.dir = os.path.join(store.state_dir, "profiles")
        os.makedirs(self.dir, exist_ok=True)
        root = os.path.join(store.gcroots_dir, "profiles")
        if os.path.realpath(root) != os.path.realpath(self.dir):
            replace_symlink(self.dir, root)
        self._db = sqlite3.connect(
            os.path.join(store.state_dir, "db.sqlite"), timeout=60, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # --- paths ----------------------------------------------------------------------

    def link(self, number: int) -> str:
        return os.path.join(self.dir, f"{self.name}-{number}-link")

    @property
    def current_link(self) -> str:
        return os.path.join(self.dir, self.name)

    def _numbers(self) -> list[int]:
        out = []
        for entry in os.listdir(self.dir):
            m = self._re.match(entry)
            if m and os.path.islink(os.path.join(self.dir, entry)):
                out.append(int(m[1]))
        return sorted(out)

    def current_number(self) -> int | None:
        try:
            target = os.readlink(self.current_link)
        except FileNotFoundError:
            return None
        m = self._re.match(os.path.basename(target))
        return int(m[1]) if m else None

    # --- reading --------------------------------------------------------------------

    def list(self) -> list[Generation]:
        rows = {
            r[0]: r
            for r in self._db.execute(
                "SELECT number, path, created, message, configFile, configHash, closureSize,"
                " pinned FROM Generations"
            )
        }
        current = self.current_number()
        gens = []
        numbers = self._numbers()
        for n in numbers:
            path = os.readlink(self.link(n))
            r = rows.get(n)
            if r is None or r[1] != path:
                created = int(os.lstat(self.link(n)).st_mtime)
                gens.append(Generation(n, path, created, current=n == current))
                continue
            gens.append(
                Generation(n, r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), current=n == current)
            )
        stale = [n for n in rows if n not in numbers]
        if stale:
            self._db.executemany("DELETE FROM Generations WHERE number = ?", [(n,) for n in stale])
        return gens

    def get(self, number: int) -> Generation:
        for g in self.list():
            if g.number == number:
                return g
        raise GenerationError(f"generation {number} does not exist")

    def current(self) -> Generation | None:
        n = self.current_number()
        return self.get(n) if n is not None and os.path.islink(self.link(n)) else None

    def previous(self, number: int) -> Generation | None:
        older = [g for g in self.list() if g.number < number]
        return older[-1] if older else None

    # --- writing --------------------------------------------------------------------

    def add(
        self,
        path: str,
        message: str | None = None,
        config_file: str | None = None,
        config_hash: str | None = None,
    ) -> Generation:
        """Register `path` as generation N+1 (N the highest ever listed), not current."""
        numbers = self._numbers()
        row = self._db.execute("SELECT max(number) FROM Generations").fetchone()
        number = max([0, row[0] or 0, *numbers]) + 1
        try:
            infos = [self.store.query_path_info(p) for p in self.store.closure([path])]
        except DeclosError:
            infos = [None]
        # unknown (None) when `path` is not valid, or a path of its closure was
        # collected (a concurrent gc) after closure() listed it
        size = None if None in infos else sum(i.nar_size for i in infos if i is not None)
        created = int(time.time())
        self._db.execute(
            "INSERT OR REPLACE INTO Generations (number, path, created, message, configFile,"
            " configHash, closureSize, pinned) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            (number, path, created, message, config_file, config_hash, size),
        )
        replace_symlink(path, self.link(number))
        return Generation(number, path, created, message, config_file, config_hash, size)

    def set_current(self, number: int) -> None:
        if not os.path.islink(self.link(number)):
            raise GenerationError(f"generation {number} does not exist")
        replace_symlink(os.path.basename(self.link(number)), self.current_link)

    def clear_current(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.current_link)

    def set_pinned(self, number: int, pinned: bool) -> None:
        gen = self.get(number)
        self._db.execute(
            "INSERT OR IGNORE INTO Generations (number, path, created) VALUES (?, ?, ?)",
            (number, gen.path, gen.created),
        )
        self._db.execute(
            "UPDATE Generations SET pinned = ? WHERE number = ?", (int(pinned), number)
        )

    def remove(self, number: int) -> None:
        """Forget generation `number` (the link goes first: the links are the truth)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.link(number))
        self._db.execute("DELETE FROM Generations WHERE number = ?", (number,))

    def delete(
        self,
        numbers: Iterable[int] = (),
        keep: int | None = None,
        older_than: float | None = None,
        now: float | None = None,
    ) -> tuple[builtins.list[int], builtins.list[str]]:  # `list`: the method above
        """Delete generations by number, all but the newest `keep`, or those
        created more than `older_than` seconds ago.  Never the current one,
        never a pinned one.  Returns (deleted, reasons for what was refused)."""
        gens = self.list()
        by_number = {g.number: g for g in gens}
        chosen: set[int] = set()
        refused: list[str] = []
        for n in numbers:
            if n not in by_number:
                raise GenerationError(f"generation {n} does not exist")
            chosen.add(n)
        if keep is not None:
            chosen.update(g.number for g in gens[: max(0, len(gens) - keep)])
        if older_than is not None:
            limit = (time.time() if now is None else now) - older_than
            chosen.update(g.number for g in gens if g.created < limit)
        deleted = []
        for n in sorted(chosen):
            g = by_number[n]
            if g.current:
                refused.append(f"generation {n} is the current one")
            elif g.pinned:
                refused.append(f"generation {n} is pinned")
            else:
                self.remove(n)
                deleted.append(n)
        return deleted, refused


def parse_age(text: str) -> float:
    """`30d`, `12h`, `90m`, `45s`, `2w` → seconds."""
    m = re.fullmatch(r"(\d+)\s*([smhdw])", text.strip())
    if not m:
        raise GenerationError(f"'{text}' is not an age (e.g. 30d, 12h, 2w)")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}[m[2]]
    return int(m[1]) * unit
