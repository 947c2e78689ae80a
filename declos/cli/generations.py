"""The generation commands: generations (list, delete, pin, unpin),
rollback, switch-generation, recover, activate-boot, diff and status.
Arguments, output and exit codes only; the work is in `declos.system`.

Output is stable and line-oriented (every listing also has `--json`);
messages about progress and waiting go to stderr.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from declos.cli.output import say
from declos.cli.state import add_state_dir, add_system_args, open_system
from declos.cli.switch import add_keep_failed, finish, prepare

if TYPE_CHECKING:
    from declos.cli.args import Subparsers
    from declos.system.transaction import SwitchOutcome, System

# --- generations --------------------------------------------------------------------


def _add_generations(sub: Subparsers) -> None:
    p = sub.add_parser("generations", help="list, delete, pin and unpin system generations")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    add_state_dir(p, root_selector=True)
    p.set_defaults(run=_run_list)
    gsub = p.add_subparsers(dest="gen_command", metavar="SUBCOMMAND")
    d = gsub.add_parser("delete", help="delete generations (never the current or a pinned one)")
    d.add_argument("numbers", nargs="*", type=int, metavar="N")
    d.add_argument("--keep", type=int, metavar="K", help="keep the newest K generations")
    d.add_argument("--older-than", metavar="AGE", help="e.g. 30d, 12h, 2w")
    add_system_args(d)
    d.set_defaults(run=_run_delete)
    for name, pinned in (("pin", True), ("unpin", False)):
        q = gsub.add_parser(name, help=f"{name} a generation (pinned: never deleted)")
        q.add_argument("number", type=int, metavar="N")
        add_system_args(q)
        q.set_defaults(run=_run_pin, pinned=pinned)


def _time(t: int) -> str:
    return datetime.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _run_list(args: argparse.Namespace) -> int:
    with open_system(args, locked=False) as system:
        gens = system.profile.list()
    if args.json:
        sys.stdout.write(json.dumps([g.to_json() for g in gens], indent=2) + "\n")
        return 0
    for g in gens:
        mark = "*" if g.current else " "
        pin = " pinned" if g.pinned else ""
        size = f" {g.closure_size}B" if g.closure_size is not None else ""
        conf = f" {g.config_file} {g.config_hash}" if g.config_file else ""
        msg = f" {json.dumps(g.message)}" if g.message else ""
        sys.stdout.write(
            f"{mark}{g.number:4d}  {_time(g.created)}  {g.path}{size}{pin}{conf}{msg}\n"
        )
    return 0


def _run_delete(args: argparse.Namespace) -> int:
    from declos.system.profiles import parse_age

    if not args.numbers and args.keep is None and args.older_than is None:
        sys.stderr.write("error: give generation numbers, --keep K or --older-than AGE\n")
        return 2
    age = parse_age(args.older_than) if args.older_than else None
    with open_system(args, locked=True) as system:
        deleted, refused = system.profile.delete(args.numbers, args.keep, age)
    for n in deleted:
        sys.stdout.write(f"deleted generation {n}\n")
    for r in refused:
        say(f"kept {r}")
    if args.numbers and refused:
        return 1
    return 0


def _run_pin(args: argparse.Namespace) -> int:
    with open_system(args, locked=True) as system:
        system.profile.set_pinned(args.number, args.pinned)
    sys.stdout.write(f"generation {args.number} {'pinned' if args.pinned else 'unpinned'}\n")
    return 0


# --- rollback, switch-generation, recover ---------------------------------------------------


def _report(args: argparse.Namespace, outcome: SwitchOutcome, what: str) -> int:
    if outcome.generation is None:
        sys.stdout.write(f"generation {outcome.previous} is already current: nothing to do\n")
        return 0
    return finish(args, outcome, f"{what}: generation {outcome.generation.number} is active")


def _add_rollback(sub: Subparsers) -> None:
    p = sub.add_parser("rollback", help="activate the previous generation")
    add_keep_failed(p)
    add_system_args(p)
    p.set_defaults(run=lambda a: _with(a, lambda s: _report(a, s.rollback(), "rolled back")))
    q = sub.add_parser("switch-generation", help="activate generation N")
    q.add_argument("number", type=int, metavar="N")
    add_keep_failed(q)
    add_system_args(q)
    q.set_defaults(
        run=lambda a: _with(a, lambda s: _report(a, s.switch_generation(a.number), "switched"))
    )
    r = sub.add_parser("recover", help="finish or undo an interrupted switch")
    add_system_args(r)
    r.set_defaults(run=_run_recover)
    b = sub.add_parser(
        "activate-boot",
        help="activate the default generation at boot (run by declos-activate.service)",
        description="Finish or undo an interrupted switch, then activate the profile's current "
        "generation on the root, scripts included. declos-activate.service runs it early at "
        "every boot of a live system.",
    )
    add_system_args(b)
    b.set_defaults(run=_run_activate_boot)


def _with(args: argparse.Namespace, fn: Callable[[System], int]) -> int:
    with open_system(args, locked=True) as system:
        prepare(system, args)
        return fn(system)


def _run_activate_boot(args: argparse.Namespace) -> int:
    if args.root is None:
        args.root = "/"
    with open_system(args, locked=True, recover=False) as system:
        prepare(system, args)
        outcome = system.activate_boot()
    if outcome is None:
        sys.stdout.write("no generation to activate\n")
        return 0
    assert outcome.generation is not None  # activate_boot always activates one
    return finish(args, outcome, f"booted: generation {outcome.generation.number} is active")


def _run_recover(args: argparse.Namespace) -> int:
    with open_system(args, locked=True, recover=False) as system:
        what = system.recover()
    sys.stdout.write((what or "nothing to recover") + "\n")
    return 0


# --- diff and status -----------------------------------------------------------------------


def _add_diff(sub: Subparsers) -> None:
    p = sub.add_parser("diff", help="what changed between two generations")
    p.add_argument("a", nargs="?", type=int, metavar="A", help="default: the previous one")
    p.add_argument("b", nargs="?", type=int, metavar="B", help="default: the current one")
    p.add_argument("--json", action="store_true")
    add_state_dir(p, root_selector=True)
    p.set_defaults(run=_run_diff)
    s = sub.add_parser("status", help="the current generation and files changed by hand")
    s.add_argument("--json", action="store_true")
    add_system_args(s, lock=False)
    s.set_defaults(run=_run_status)


def _run_diff(args: argparse.Namespace) -> int:
    from declos.system.diff import diff_manifests, render_diff, to_json
    from declos.system.profiles import GenerationError

    with open_system(args, locked=False) as system:
        prof = system.profile
        cur = prof.current()
        if args.b is not None:
            b = prof.get(args.b)
        elif cur is not None:
            b = cur
        else:
            raise GenerationError("there is no current generation")
        a = prof.get(args.a) if args.a is not None else prof.previous(b.number)
        if a is None:
            raise GenerationError(f"generation {b.number} has no previous generation")
        d = diff_manifests(system.store, a.path, b.path, str(a.number), str(b.number))
    if args.json:
        data = {"from": a.number, "to": b.number, **to_json(d)}
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(f"generation {a.number} -> {b.number}\n" + render_diff(d))
    return 0


def _run_status(args: argparse.Namespace) -> int:
    from declos.system.journal import read_journal
    from declos.system.manifest import EMPTY, load_manifest
    from declos.system.status import root_drift

    with open_system(args, locked=False) as system:
        cur = system.profile.current()
        pending = read_journal(system.state_dir)
        found = root_drift(system.root, load_manifest(cur.path) if cur else EMPTY)
        root = system.root
    if args.json:
        data = {
            "root": root,
            "current": cur.to_json() if cur else None,
            "interrupted": pending,
            "drift": [d.to_json() for d in found],
        }
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
        return 0
    sys.stdout.write(f"root {root}\n")
    if cur is None:
        sys.stdout.write("no current generation\n")
    else:
        sys.stdout.write(f"generation {cur.number} {cur.path}\n")
    if pending:
        sys.stdout.write(f"interrupted {pending.get('op')} to generation {pending.get('to')}\n")
        if pending.get("undoError"):
            sys.stdout.write(f"undo failed: {pending['undoError']} (run `declos recover`)\n")
    for d in found:
        sys.stdout.write(d.describe() + "\n")
    if cur is not None and not found:
        sys.stdout.write("no drift\n")
    return 0


def add_commands(sub: Subparsers) -> None:
    _add_generations(sub)
    _add_rollback(sub)
    _add_diff(sub)
