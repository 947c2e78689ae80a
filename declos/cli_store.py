"""The `build`, `gc` and `store …` commands: arguments, progress, output.

The work is in `declos.store.realise` and `declos.store.gc`; this module
parses arguments, shows progress (a status line on a terminal, nothing when
piped), prints results (one path per line, or `--json`) and chooses exit
codes: 0 success, 1 a failed build or a check that found problems, 2 wrong
usage.  Colour only on a terminal, and never with NO_COLOR set.
"""

from __future__ import annotations

import json
import os
import sys

from declos.cli_args import add_eval_settings, add_search_path, add_show_trace
from declos.diagnostics import render


def _colour(stream) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _paint(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


LIVE_STATE_DIR = "/var/lib/declos"


def _add_state_dir(p, root_selector: bool = False) -> None:
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        help=f"the state directory (default: {LIVE_STATE_DIR} with --root /, else "
        "$DECLOS_STATE_DIR, else $XDG_DATA_HOME/declos, else ~/.local/share/declos)",
    )
    if root_selector:
        p.add_argument(
            "--root",
            metavar="DIR",
            help=f"with --root /, use the live system's state directory ({LIVE_STATE_DIR})",
        )


def state_dir_arg(args) -> str | None:
    """--state-dir, else the live system's state directory for --root /: its
    store must be readable by services (a home directory is not), and every
    command on the live system must find the same one."""
    if getattr(args, "state_dir", None):
        return args.state_dir
    root = getattr(args, "root", None)
    if root and os.path.realpath(root) == "/":
        return LIVE_STATE_DIR
    return None


def add_unsafe_builders(p) -> None:
    p.add_argument(
        "--unsafe-builders",
        action="store_true",
        help="where no build sandbox can be had, run process builders anyway, unprotected "
        "(they could change the store and anything this user may write)",
    )


def _open_store(args, write: bool = False):
    """The store of the command's state directory.  `write`: the command
    writes it (builds, gc), so a live host's read-only store is made
    writable for this process (`declos.store.mounts`) before any thread starts."""
    import sqlite3

    from declos.diagnostics import DeclosError
    from declos.store.realise import state_dir_of
    from declos.store.store import Store

    state = state_dir_of(state_dir_arg(args))
    try:
        store = Store(state)
    except (OSError, sqlite3.Error) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        where = f" ({e.filename})" if isinstance(e, OSError) and e.filename else ""
        raise DeclosError(f"cannot use '{state}' as the state directory: {why}{where}") from None
    if write:
        from declos.store.mounts import writable

        try:
            writable(store.store_dir)
        except DeclosError:
            store.close()
            raise
    return store


# --- build ---------------------------------------------------------------------


def _add_build(sub) -> None:
    p = sub.add_parser(
        "build",
        help="build the derivations at an attribute path and print their output paths",
        description="Evaluate FILE, select -A ATTRPATH (a derivation, or a list or set of "
        "them), build what is missing and print the output paths, as nix-build does. "
        "Without -A, FILE is a system configuration: its config.system.build.toplevel "
        "is built (with the module library), its warnings printed.",
    )
    p.add_argument("file", nargs="?", help="the file to evaluate")
    p.add_argument("-E", "--expr", dest="expr", help="evaluate this expression instead of a file")
    p.add_argument(
        "-A",
        "--attr",
        action="append",
        default=[],
        metavar="ATTRPATH",
        help="the attribute path to build (repeatable; without it FILE is a configuration)",
    )
    p.add_argument("--arg", nargs=2, action="append", default=[], metavar=("NAME", "EXPR"))
    p.add_argument("--argstr", nargs=2, action="append", default=[], metavar=("NAME", "STRING"))
    add_search_path(p)
    p.add_argument("-o", "--out-link", default="result", metavar="LINK", help="default: result")
    p.add_argument("--no-out-link", action="store_true", help="make no result link")
    p.add_argument("-j", "--max-jobs", type=int, default=None, metavar="N", help="parallel builds")
    p.add_argument("-k", "--keep-going", action="store_true", help="build what does not fail")
    p.add_argument("--timeout", type=float, default=None, help="seconds per builder")
    add_unsafe_builders(p)
    from declos.cli_cache import add_substituter_args

    add_substituter_args(p)
    add_eval_settings(p)
    add_show_trace(p)
    _add_state_dir(p)
    p.set_defaults(run=_run_build)


class Progress:
    """`[built/to build, running N] building <name>` on a terminal; silent when piped."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.colour = _colour(self.stream)
        self.shown = False

    def __call__(self, event) -> None:
        from declos.progress import quiet

        if not self.tty or quiet():
            return
        name = os.path.basename(event.drv_path).split("-", 1)[-1].removesuffix(".drv")
        verb = {"start": "building", "built": "built", "failed": "failed", "skipped": "skipped"}
        counts = f"[{event.done}/{event.total}"
        rest = f" built, {event.running} running] {verb[event.kind]} {name}"
        if event.kind == "failed":
            line = _paint(counts + rest, "31", self.colour)
        else:
            line = _paint(counts, "32", self.colour) + rest
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _run_build(args) -> int:
    from declos.store.realise import BuildRequest, realise

    if (args.file is None) == (args.expr is None):
        sys.stderr.write("error: give exactly one of FILE or -E EXPR\n")
        return 2
    if args.expr is not None and not args.attr:
        sys.stderr.write("error: -E EXPR needs -A ATTRPATH\n")
        return 2
    req = BuildRequest(
        file=args.file,
        expr=args.expr,
        attr_paths=tuple(args.attr),
        args=tuple((n, e, True) for n, e in args.arg)
        + tuple((n, s, False) for n, s in args.argstr),
        search_path=tuple(args.include),
        out_link=None if args.no_out_link else args.out_link,
        jobs=args.max_jobs,
        keep_going=args.keep_going,
        timeout=args.timeout,
        unsafe_builders=args.unsafe_builders,
        substituters=tuple(args.substituter),
        substitute=not args.no_substitute,
    )
    warnings: list[str] = []
    evaluate = None if args.attr else _toplevel_evaluator(warnings)
    progress = Progress()
    with _open_store(args, write=True) as store:
        try:
            outcome = realise(req, store, on_event=progress, evaluate=evaluate)
        finally:
            progress.done()
    if evaluate is not None and outcome.out_paths:
        from declos.toplevel import read_checks

        warnings.extend(c.describe() for c in read_checks(outcome.out_paths[0]) if c.not_run)
    for message in warnings:
        sys.stderr.write(_paint("warning:", "35", _colour(sys.stderr)) + f" {message}\n")
    from declos.cli_cache import report_substituted

    report_substituted(outcome.substituted)
    result = outcome.result
    for path in outcome.out_paths:
        sys.stdout.write(path + "\n")
    sys.stdout.flush()
    if not result.failed:
        return 0
    colour = _colour(sys.stderr)
    for drv_path in sorted(result.failed):
        sys.stderr.write(render(result.failed[drv_path], show_trace=args.show_trace))
    if len(result.failed) > 1 or result.skipped:
        summary = (
            f"error: {len(result.failed)} build(s) failed"
            f", {len(result.skipped)} dependent(s) not built\n"
        )
        sys.stderr.write(_paint(summary, "31", colour))
    return 1


def evaluate_toplevel(req, store, warnings: list[str] | None = None):
    """`req.file` as a system configuration (with the module library): the
    build target of its `config.system.build.toplevel`, appending
    `config.warnings` to `warnings`.  Failed assertions throw here."""
    from declos.eval.instantiate import select_attr_path
    from declos.eval.values import Attrs, force, string_text
    from declos.options.configuration import evaluate_configuration
    from declos.store.builtins import evaluator_with_store
    from declos.store.realise import collect_derivations

    ev, result = evaluate_configuration(
        req.file, evaluator=evaluator_with_store(store, req.search_path)
    )
    toplevel = select_attr_path(ev, result, "config.system.build.toplevel", Attrs())
    targets = collect_derivations(ev, toplevel, Attrs())
    if warnings is not None:
        config_warnings = select_attr_path(ev, result, "config.warnings", Attrs())
        warnings.extend(string_text(force(w)) for w in force(config_warnings))
    return targets


def _toplevel_evaluator(warnings: list[str]):
    return lambda req, store: evaluate_toplevel(req, store, warnings)


# --- gc and store ----------------------------------------------------------------


def _add_gc(p) -> None:
    p.add_argument("--dry-run", action="store_true", help="print what would be deleted")
    p.add_argument("--max-freed", type=int, default=None, metavar="BYTES")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    _add_state_dir(p, root_selector=True)
    p.set_defaults(run=_run_gc)


def _run_gc(args) -> int:
    from declos.store.gc import collect_garbage
    from declos.system.journal import system_lock
    from declos.system.transaction import System

    with _open_store(args, write=True) as store:
        # Generations are roots (gcroots/profiles); an interrupted switch is
        # settled first, under the lock that serializes switch and gc.
        system = System(store, say=lambda m: sys.stderr.write(f"declos: {m}\n"))
        try:
            with system_lock(store.state_dir, on_wait=lambda m: sys.stderr.write(f"declos: {m}\n")):
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


def _run_verify(args) -> int:
    from declos.store.gc import verify

    with _open_store(args) as store:
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


def _run_path_info(args) -> int:
    from declos.store.paths import StorePathError

    rows = []
    with _open_store(args) as store:
        for arg in args.paths:
            real = os.path.realpath(arg) if os.path.islink(arg) else os.path.abspath(arg)
            try:
                path = str(store.path_of(real))
            except StorePathError as e:
                sys.stderr.write(f"error: {e.message}\n")
                return 1
            info = store.query_path_info(path)
            if info is None:
                sys.stderr.write(f"error: path '{path}' is not valid\n")
                return 1
            row = {
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
                    store.query_path_info(p).nar_size for p in store.closure([path])
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


def _run_why_depends(args) -> int:
    """Print the shortest chain of references from A to B, one path a line."""
    import networkx as nx

    with _open_store(args) as store:
        ends = []
        for arg in (args.a, args.b):
            real = os.path.realpath(arg) if os.path.islink(arg) else os.path.abspath(arg)
            path = str(store.path_of(real))
            if not store.is_valid(path):
                sys.stderr.write(f"error: path '{path}' is not valid\n")
                return 1
            ends.append(path)
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


def _run_export(args) -> int:
    from declos.cli_cache import _store_paths
    from declos.store.export import export_paths

    if sys.stdout.isatty():
        sys.stderr.write("error: not writing a binary stream to a terminal: redirect stdout\n")
        return 2
    with _open_store(args) as store:
        export_paths(
            store, _store_paths(store, args.paths), sys.stdout.buffer, closure=args.closure
        )
    return 0


def _run_import(args) -> int:
    from declos.store.export import import_paths

    with _open_store(args, write=True) as store:
        paths = import_paths(store, sys.stdin.buffer, "standard input")
    for path in paths:
        sys.stdout.write(path + "\n")
    return 0


def _run_missing(args) -> int:
    paths = args.paths or [line.strip() for line in sys.stdin if line.strip()]
    with _open_store(args) as store:
        for path in paths:
            if not store.is_valid(str(store.parse_path(path))):
                sys.stdout.write(path + "\n")
    return 0


def _add_store(sub) -> None:
    p = sub.add_parser("store", help="inspect and maintain the store")
    ssub = p.add_subparsers(dest="store_command", metavar="SUBCOMMAND")
    ssub.required = True
    gc = ssub.add_parser("gc", help="delete store paths that no root reaches")
    _add_gc(gc)
    v = ssub.add_parser("verify", help="check that valid paths exist and are unchanged")
    v.add_argument("--check-contents", action="store_true", help="re-hash every path")
    v.add_argument("--json", action="store_true", help="print a JSON object")
    _add_state_dir(v)
    v.set_defaults(run=_run_verify)
    pi = ssub.add_parser("path-info", help="show what the store knows about paths")
    pi.add_argument("paths", nargs="+", metavar="PATH")
    pi.add_argument("--closure-size", action="store_true", help="also the closure's size")
    pi.add_argument("--json", action="store_true", help="print a JSON list")
    _add_state_dir(pi)
    pi.set_defaults(run=_run_path_info)
    wd = ssub.add_parser("why-depends", help="show why A's closure contains B")
    wd.add_argument("a", metavar="A")
    wd.add_argument("b", metavar="B")
    wd.add_argument("--json", action="store_true", help="print the chain as a JSON list")
    _add_state_dir(wd)
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
    _add_state_dir(ex)
    ex.set_defaults(run=_run_export)
    im = ssub.add_parser(
        "import",
        help="add the paths of an export stream read from stdin",
        description="Read a stream made by `declos store export` (or `nix-store --export`) on "
        "standard input, check each NAR's hash, and make its paths valid, all at once: a "
        "truncated or corrupt stream adds nothing.  Prints the paths, one a line.",
    )
    _add_state_dir(im)
    im.set_defaults(run=_run_import)
    mi = ssub.add_parser(
        "missing",
        help="print which of the given store paths are not valid here",
        description="Print each PATH (or, without PATHs, each line of standard input) that is "
        "not a valid path of this store: what a copy to this store must send.",
    )
    mi.add_argument("paths", nargs="*", metavar="PATH")
    _add_state_dir(mi)
    mi.set_defaults(run=_run_missing)


def _add_top_gc(sub) -> None:
    _add_gc(sub.add_parser("gc", help="delete store paths that no root reaches"))


COMMANDS = [_add_build, _add_top_gc, _add_store]
