"""The evaluation cache: skip evaluating a configuration when nothing it read changed.

An evaluation records what it read in `ev.reads` (files, directory
listings, existence checks, environment variables) and, through a wrapper
put on the evaluator here, every path copied into the store.  `record`
stores those reads with a fingerprint of each (a content hash; for a
directory, its listing; for a copied tree, every name and byte) next to the
result, under `<state>/eval-cache/<key>.json` where the key covers the
configuration file, the search path, `DECLOS_PATH`, the declos version and
the evaluation settings (restrict-eval, pure-eval).
`lookup` returns the result only when every fingerprint is still the same
and the result is still a valid store path; it parses and evaluates nothing.

Example:
    hit = lookup(state_dir, config, search_path, store)
    if hit is None:
        ev = ...; toplevel = evaluate and build
        record(state_dir, config, search_path, ev.reads, {"toplevel": toplevel})
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from declos import __version__

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator

CACHE_DIR = "eval-cache"


def cache_key(config: str, search_path: Iterable[str] = ()) -> str:
    from declos.eval import settings

    data = [
        __version__,
        os.path.abspath(config),
        list(search_path),
        os.environ.get("DECLOS_PATH", ""),
        os.path.dirname(os.path.abspath(__file__)),
        # restrict-eval / pure-eval: a result evaluated without them must
        # not stand for one evaluated with them (what it read was allowed).
        settings.current().key(),
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


def _tree_hash(path: str) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        h.update(f"D{os.path.relpath(dirpath, path)}\0".encode())
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            h.update(f"F{n}\0".encode())
            if os.path.islink(p):
                h.update(os.readlink(p).encode())
            else:
                with open(p, "rb") as f:
                    h.update(hashlib.sha256(f.read()).digest())
                h.update(b"x" if os.access(p, os.X_OK) else b"-")
    return h.hexdigest()


def fingerprint(kind: str, path: str) -> str:
    """What a read saw, as a short string; equal fingerprints mean the same answer."""
    if kind == "env":
        value = os.environ.get(path)
        return "unset" if value is None else hashlib.sha256(value.encode()).hexdigest()
    if not os.path.lexists(path):
        return "missing"
    if kind == "exists":
        return "dir" if os.path.isdir(path) else "link" if os.path.islink(path) else "file"
    if kind == "dir" or (kind == "file" and os.path.isdir(path)):
        if kind == "file":  # a tree copied by builtins.path
            return "tree:" + _tree_hash(path)
        entries = sorted(
            (n, "d" if os.path.isdir(os.path.join(path, n)) else "f") for n in os.listdir(path)
        )
        return "dir:" + hashlib.sha256(json.dumps(entries).encode()).hexdigest()
    if kind == "path":
        return "tree:" + _tree_hash(path) if os.path.isdir(path) else fingerprint("file", path)
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return "unreadable"


def track_store_copies(ev: Evaluator) -> None:
    """Record paths the evaluation copies into the store (`"${./file}"`) as reads."""
    inner = ev.copy_path_to_store

    def copy_path_to_store(path: str) -> str:
        ev.reads.append(("path", os.path.abspath(path)))
        return inner(path)

    # This instance's method is wrapped on purpose (mypy refuses assigning to a method).
    ev.copy_path_to_store = copy_path_to_store  # type: ignore[method-assign]


def _path(state_dir: str, key: str) -> str:
    return os.path.join(state_dir, CACHE_DIR, key + ".json")


def record(
    state_dir: str,
    config: str,
    search_path: Iterable[str],
    reads: Iterable[tuple[str, str]],
    result: dict,
) -> None:
    seen: dict[tuple[str, str], str] = {}
    for kind, path in reads:
        if (kind, path) not in seen:
            seen[(kind, path)] = fingerprint(kind, path)
    entry = {"reads": [[k, p, f] for (k, p), f in seen.items()], "result": result}
    target = _path(state_dir, cache_key(config, search_path))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = f"{target}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(entry, f)
    os.replace(tmp, target)


def lookup(
    state_dir: str,
    config: str,
    search_path: Iterable[str] = (),
    is_valid: Callable[[str], bool] | None = None,
) -> dict | None:
    """The recorded result if nothing read has changed (and `is_valid(toplevel)`)."""
    try:
        with open(_path(state_dir, cache_key(config, search_path))) as f:
            entry = json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    for kind, path, fp in entry.get("reads", []):
        if fingerprint(kind, path) != fp:
            return None
    result = entry.get("result") or {}
    top = result.get("toplevel")
    if not top or (is_valid is not None and not is_valid(top)):
        return None
    return result


def invalidate(state_dir: str, config: str, search_path: Iterable[str] = ()) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_path(state_dir, cache_key(config, search_path)))
