"""The `gc` and `store …` commands: arguments and output only.

The work is in `declos.store.gc`, `declos.store.export` and the store
itself; this module parses arguments, prints results (one path per line, or
`--json`) and chooses exit codes: 0 success, 1 a check that found problems,
2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from declos.cli.output import say
from declos.cli.state import add_state_dir, open_store, store_paths

if TYPE_CHECKING:
    from declos.cli.args import Subparsers
    from declos.store.db import PathInfo
    from declos.store.store import Store

# --- gc and store ----------------------------------------------------------------


def _add_gc(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="print what would be deleted")
    p.add_argument("--max-freed", type=int, default=None, metavar="BYTES")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    add_state_dir(p, root_selector=True)
    p.set_defaults(run=_run_gc)


def _run_gc(args: argparse.Namespace) -> int:
    from declos.store.gc import collect_garbage
    from declos.system.journal import system_lock
    from declos.system.transaction import System

    with open_store(args, write=True) as store:
        # Generations are roots (gcroots/profiles); an interrupted switch is
        # settled first, under the lock that serializes switch and gc.
        system = System(store, say=say)
        try:
            with system_lock(store.state_dir, on_wait=say):
                system.recover()
                result = collect_garbage(store, dry_run=args.dry_run, max_freed=args.max_freed)
        finally:
            system.close()
    if args.json:
        data = {"deleted": list(result.deleted), "freed": result.freed, "dryRun": result.dry_run}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    for path in result.deleted:
        sys.stdout.write(path + "\n")
    verb = "would free" if result.dry_run else "freed"
    sys.stderr.write(f"{len(result.deleted)} store paths deleted, {verb} {_size(result.freed)}\n")
    return 0


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.2f} MiB"


def _run_verify(args: argparse.Namespace) -> int:
    from declos.store.gc import verify

    with open_store(args) as store:
        result = verify(store, check_contents=args.check_contents)
    if args.json:
        data = {
            "checked": result.checked,
            "missing": list(result.missing),
            "modified": [{"path": p, "expected": e, "actual": a} for p, e, a in result.modified],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        for path in result.missing:
            sys.stdout.write(f"missing: {path}\n")
        for path, expected, actual in result.modified:
            sys.stdout.write(f"modified: {path} (recorded {expected}, now {actual})\n")
        if result.ok:
            sys.stderr.write(f"{result.checked} store paths verified\n")
    return 0 if result.ok else 1


def _path_info(store: Store, path: str) -> PathInfo:
    """What the store knows about a valid path; a path that is not (any
    more: a collection ran meanwhile) is the error `store_paths` gives."""
    from declos.store.paths import StorePathError

    info = store.query_path_info(path)
    if info is None:
        raise StorePathError(f"path '{path}' is not valid")
    return info


def _run_path_info(args: argparse.Namespace) -> int:
    rows = []
    with open_store(args) as store:
        for path in store_paths(store, args.paths):
            info = _path_info(store, path)
            row: dict[str, object] = {
                "path": path,
                "narHash": info.nar_hash,
                "narSize": info.nar_size,
                "references": list(info.references),
                "deriver": info.deriver,
                "registrationTime": info.registration_time,
            }
            if info.ca:
                row["ca"] = info.ca
            if args.closure_size:
                row["closureSize"] = sum(
                    _path_info(store, p).nar_size for p in store.closure([path])
                )
            rows.append(row)
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    for row in rows:
        line = f"{row['path']}\t{row['narSize']}"
        if args.closure_size:
            line += f"\t{row['closureSize']}"
        sys.stdout.write(line + "\n")
    return 0


def _run_why_depends(args: argparse.Namespace) -> int:
    """Print the shortest chain of references from A to B, one path a line."""
    import networkx as nx

    with open_store(args) as store:
        ends = store_paths(store, [args.a, args.b])
        graph = nx.DiGraph()
        for p in store.closure([ends[0]]):
            graph.add_node(p)
            graph.add_edges_from((p, r) for r in store.query_references(p) if r != p)
    if ends[1] not in graph:
        sys.stderr.write(f"'{ends[0]}' does not depend on '{ends[1]}'\n")
        return 1
    chain = nx.shortest_path(graph, ends[0], ends[1])
    if args.json:
        sys.stdout.write(json.dumps(chain, indent=2) + "\n")
    else:
        for depth, p in enumerate(chain):
            sys.stdout.write(("  " * depth) + ("└── " if depth else "") + p + "\n")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from declos.store.export import export_paths

    if sys.stdout.isatty():
        sys.stderr.write("error: not writing a binary stream to a terminal: redirect stdout\n")
        return 2
    with open_store(args) as store:
        export_paths(store, store_paths(store, args.paths), sys.stdout.buffer, closure=args.closure)
    return 0


def _run_import(args: argparse.Namespace) -> int:
    from declos.store.export import import_paths

    with open_store(args, write=True) as store:
        paths = import_paths(store, sys.stdin.buffer, "standard input")
    for path in paths:
        sys.stdout.write(path + "\n")
    return 0


def _run_missing(args: argparse.Namespace) -> int:
    paths = args.paths or [line.strip() for line in sys.stdin if line.strip()]
    with open_store(args) as store:
        for path in paths:
            if not store.is_valid(str(store.parse_path(path))):
                sys.stdout.write(path + "\n")
    return 0


def _add_store(sub: Subparsers) -> None:
    p = sub.add_parser("store", help="inspect and maintain the store")
    ssub = p.add_subparsers(dest="store_command", metavar="SUBCOMMAND")
    ssub.required = True
    gc = ssub.add_parser("gc", help="delete store paths that no root reaches")
    _add_gc(gc)
    v = ssub.add_parser("verify", help="check that valid paths exist and are unchanged")
    v.add_argument("--check-contents", action="store_true", help="re-hash every path")
    v.add_argument("--json", action="store_true", help="print a JSON object")
    add_state_dir(v)
    v.set_defaults(run=_run_verify)
    pi = ssub.add_parser("path-info", help="show what the store knows about paths")
    pi.add_argument("paths", nargs="+", metavar="PATH")
    pi.add_argument("--closure-size", action="store_true", help="also the closure's size")
    pi.add_argument("--json", action="store_true", help="print a JSON list")
    add_state_dir(pi)
    pi.set_defaults(run=_run_path_info)
    wd = ssub.add_parser("why-depends", help="show why A's closure contains B")
    wd.add_argument("a", metavar="A")
    wd.add_argument("b", metavar="B")
    wd.add_argument("--json", action="store_true", help="print the chain as a JSON list")
    add_state_dir(wd)
    wd.set_defaults(run=_run_why_depends)
    ex = ssub.add_parser(
        "export",
        help="write store paths to stdout as a stream (nix-store --export's format)",
        description="Write PATHs (with --closure, their closures) to standard output, "
        "references first, each NAR with its references, deriver and NAR hash; "
        "`declos store import` and `nix-store --import` read it.",
    )
    ex.add_argument("paths", nargs="+", metavar="PATH", help="store paths or links to them")
    ex.add_argument("--closure", action="store_true", help="also everything they reference")
    add_state_dir(ex)
    ex.set_defaults(run=_run_export)
    im = ssub.add_parser(
        "import",
        help="add the paths of an export stream read from stdin",
        description="Read a stream made by `declos store export` (or `nix-store --export`) on "
        "standard input, check each NAR's hash, and make its paths valid, all at once: a "
        "truncated or corrupt stream adds nothing.  Prints the paths, one a line.",
    )
    add_state_dir(im)
    im.set_defaults(run=_run_import)
    mi = ssub.add_parser(
        "missing",
        help="print which of the given store paths are not valid here",
        description="Print each PATH (or, without PATHs, each line of standard input) that is "
        "not a valid path of this store: what a copy to this store must send.",
    )
    mi.add_argument("paths", nargs="*", metavar="PATH")
    add_state_dir(mi)
    mi.set_defaults(run=_run_missing)


def _add_top_gc(sub: Subparsers) -> None:
    _add_gc(sub.add_parser("gc", help="delete store paths that no root reaches"))


def add_commands(sub: Subparsers) -> None:
    _add_top_gc(sub)
    _add_store(sub)
