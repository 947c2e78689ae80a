"""The system commands: switch, generations, rollback, switch-generation, diff,
status, recover.  Arguments, output and exit codes only; the work is in
`declos.system` (and `declos.toplevel` for evaluating and building).

Output is stable and line-oriented (every listing also has `--json`);
messages about progress and waiting go to stderr.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import sys

from declos.cli_args import add_eval_settings, add_search_path, add_show_trace
from declos.cli_cache import add_substituter_args, report_substituted
from declos.cli_deploy import add_confirm_args, prebuilt_toplevel
from declos.cli_store import _add_state_dir, _open_store, add_unsafe_builders


def _say(msg: str) -> None:
    sys.stderr.write(f"declos: {msg}\n")
    sys.stderr.flush()


def _common(p, root=True, lock=True) -> None:
    _add_state_dir(p)
    if root:
        p.add_argument(
            "--root",
            metavar="DIR",
            help="the root to activate (default: the last one used, else <state>/root; "
            "the live system only with --root /)",
        )
    if lock:
        p.add_argument(
            "--no-wait", action="store_true", help="fail at once if another declos holds the lock"
        )


@contextlib.contextmanager
def _system(args, locked: bool, recover: bool = True):
    from declos.system.journal import system_lock
    from declos.system.transaction import System

    with _open_store(args) as store:
        system = System(store, getattr(args, "root", None), say=_say)
        try:
            if locked:
                with system_lock(
                    store.state_dir, wait=not getattr(args, "no_wait", False), on_wait=_say
                ):
                    if recover:
                        system.recover()
                    yield system
            else:
                yield system
        finally:
            system.close()


# --- switch -------------------------------------------------------------------------


_ACTIVATING = {
    "switch": (
        "build a configuration, make it the default and activate it",
        "Evaluate CONFIG, build config.system.build.toplevel, register it as generation N+1, "
        "activate it on the root and make it the default at boot, as one transaction.",
    ),
    "test": (
        "build a configuration and activate it, without making it the default at boot",
        "As switch, but the profile (the generation activated at the next boot) stays where it "
        "is, as nixos-rebuild test.",
    ),
    "boot": (
        "build a configuration and make it the default at the next boot, without activating it",
        "As switch, but nothing is activated now: declos-activate.service activates it at the "
        "next boot of the live system, as nixos-rebuild boot.",
    ),
}


def _add_switch(sub) -> None:
    for name, (summary, description) in _ACTIVATING.items():
        p = sub.add_parser(name, help=summary, description=description)
        p.add_argument(
            "config",
            metavar="CONFIG",
            help="the configuration file (or directory), or a toplevel built in the store",
        )
        p.add_argument(
            "-j", "--max-jobs", type=int, default=None, metavar="N", help="parallel builds"
        )
        p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
        p.add_argument("--json", action="store_true", help="print the plan as JSON")
        p.add_argument("-m", "--message", help="a note kept with the generation")
        if name != "boot":
            _add_keep_failed(p)
            add_confirm_args(p)
        add_search_path(p)
        p.add_argument("--no-eval-cache", action="store_true", help="always evaluate")
        add_eval_settings(p)
        add_unsafe_builders(p)
        add_substituter_args(p)
        add_show_trace(p)
        _common(p)
        p.set_defaults(run=_run_switch, mode=name)


def _add_keep_failed(p) -> None:
    p.add_argument(
        "--keep-failed",
        action="store_true",
        help="when a unit fails to start, keep the new generation (and report the failure) "
        "instead of putting the previous one back",
    )


def _run_switch(args) -> int:
    # The build's temporary roots (held by this store) last until activation ends.
    with _open_store(args, write=True) as store:
        return _switch(args, store)


def _switch(args, store) -> int:
    from declos.cli_store import Progress
    from declos.store.pause import pause
    from declos.system.journal import read_journal
    from declos.system.plan import render_json, render_text
    from declos.toplevel import build_toplevel

    progress = Progress()
    try:
        out = prebuilt_toplevel(args.config, store) or build_toplevel(
            args.config,
            store,
            tuple(args.include),
            jobs=args.max_jobs,
            use_cache=not args.no_eval_cache,
            on_event=progress,
            unsafe_builders=args.unsafe_builders,
            substituters=tuple(args.substituter),
            substitute=not args.no_substitute,
            on_substituted=report_substituted,
        )
    finally:
        progress.done()
    pause("built")
    if out.cached:
        _say("inputs unchanged since the last evaluation: reusing its result")
    for w in out.warnings:
        sys.stderr.write(f"warning: {w}\n")
    for c in out.checks:
        if c.not_run is not None:
            sys.stderr.write(f"warning: {c.describe()}\n")
    if args.dry_run:
        with _system(args, locked=False) as system:
            if read_journal(system.state_dir) is not None:
                _say("an interrupted switch is pending: the next command will recover it first")
            if args.mode == "boot":
                sys.stdout.write(f"would make {out.toplevel} the default at the next boot\n")
                return 0
            plan = system.plan_to(out.toplevel)
            sys.stdout.write(render_json(plan) if args.json else render_text(plan))
        return 0
    if getattr(args, "confirm_within", None) is not None:  # activated by a detached waiter
        from declos.cli_deploy import switch_confirmed

        return switch_confirmed(args, store, out)
    meta = (out.toplevel, args.message, out.config_file, out.config_hash)
    with _system(args, locked=True) as system:
        if args.mode == "boot":
            gen = system.boot(*meta)
            sys.stdout.write(
                f"generation {gen.number} is the default at the next boot "
                f"(active now: {system.describe(system.active_path())})\n"
            )
            return 0
        _prepare(system, args)
        outcome = system.test(*meta) if args.mode == "test" else system.switch_to(*meta)
    if outcome.generation is None:
        sys.stdout.write(
            f"{out.toplevel} is already the current generation ({outcome.previous}): "
            "nothing to do\n"
        )
        return 0
    done = f"generation {outcome.generation.number} is active"
    if args.mode == "test":
        done += " (not the default at boot: `declos switch` or `declos boot` makes it so)"
    return _finish(args, outcome, done)


def _prepare(system, args) -> None:
    """Print the plan before it is applied (JSON prints it after, whole)."""
    system.keep_failed = getattr(args, "keep_failed", False)
    if not getattr(args, "json", False):
        system.on_plan = _print_plan


def _print_plan(plan) -> None:
    for a in plan.actions:
        sys.stdout.write(a.describe() + "\n")
    sys.stdout.flush()


def _finish(args, outcome, done: str) -> int:
    """The result after the plan: what was not run, what failed, the summary line."""
    from declos.system.plan import render_json

    if getattr(args, "json", False):
        sys.stdout.write(render_json(outcome.plan))
    else:
        sys.stdout.write(_summary(outcome, done))
    would = [a for a in outcome.plan.actions if getattr(a, "would", False)]
    if would:
        _say(
            f"{outcome.plan.root} is not the live system: {len(would)} unit "
            f"action{'s were' if len(would) != 1 else ' was'} not run (`--root /` on the "
            "machine runs them)"
        )
    if outcome.failed_units:
        names = ", ".join(u for u, _ in outcome.failed_units)
        _say(f"kept generation {outcome.generation.number} although these units failed: {names}")
        return 1
    return 0


def _summary(outcome, done: str) -> str:
    from declos.system.transaction import drift_actions

    if outcome.repaired:
        n = len(drift_actions(outcome.plan))
        return (
            f"generation {outcome.generation.number} was already current: "
            f"repaired {n} thing{'s' if n != 1 else ''} changed since its activation\n"
        )
    return done + "\n"


# --- generations --------------------------------------------------------------------


def _add_generations(sub) -> None:
    p = sub.add_parser("generations", help="list, delete, pin and unpin system generations")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    _add_state_dir(p, root_selector=True)
    p.set_defaults(run=_run_list)
    gsub = p.add_subparsers(dest="gen_command", metavar="SUBCOMMAND")
    d = gsub.add_parser("delete", help="delete generations (never the current or a pinned one)")
    d.add_argument("numbers", nargs="*", type=int, metavar="N")
    d.add_argument("--keep", type=int, metavar="K", help="keep the newest K generations")
    d.add_argument("--older-than", metavar="AGE", help="e.g. 30d, 12h, 2w")
    _common(d)
    d.set_defaults(run=_run_delete)
    for name, pinned in (("pin", True), ("unpin", False)):
        q = gsub.add_parser(name, help=f"{name} a generation (pinned: never deleted)")
        q.add_argument("number", type=int, metavar="N")
        _common(q)
        q.set_defaults(run=_run_pin, pinned=pinned)


def _time(t: int) -> str:
    return datetime.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _run_list(args) -> int:
    with _system(args, locked=False) as system:
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


def _run_delete(args) -> int:
    from declos.system.profiles import parse_age

    if not args.numbers and args.keep is None and args.older_than is None:
        sys.stderr.write("error: give generation numbers, --keep K or --older-than AGE\n")
        return 2
    age = parse_age(args.older_than) if args.older_than else None
    with _system(args, locked=True) as system:
        deleted, refused = system.profile.delete(args.numbers, args.keep, age)
    for n in deleted:
        sys.stdout.write(f"deleted generation {n}\n")
    for r in refused:
        _say(f"kept {r}")
    if args.numbers and refused:
        return 1
    return 0


def _run_pin(args) -> int:
    with _system(args, locked=True) as system:
        system.profile.set_pinned(args.number, args.pinned)
    sys.stdout.write(f"generation {args.number} {'pinned' if args.pinned else 'unpinned'}\n")
    return 0


# --- rollback, switch-generation, recover ---------------------------------------------------


def _report(args, outcome, what: str) -> int:
    if outcome.generation is None:
        sys.stdout.write(f"generation {outcome.previous} is already current: nothing to do\n")
        return 0
    return _finish(args, outcome, f"{what}: generation {outcome.generation.number} is active")


def _add_rollback(sub) -> None:
    p = sub.add_parser("rollback", help="activate the previous generation")
    _add_keep_failed(p)
    _common(p)
    p.set_defaults(run=lambda a: _with(a, lambda s: _report(a, s.rollback(), "rolled back")))
    q = sub.add_parser("switch-generation", help="activate generation N")
    q.add_argument("number", type=int, metavar="N")
    _add_keep_failed(q)
    _common(q)
    q.set_defaults(
        run=lambda a: _with(a, lambda s: _report(a, s.switch_generation(a.number), "switched"))
    )
    r = sub.add_parser("recover", help="finish or undo an interrupted switch")
    _common(r)
    r.set_defaults(run=_run_recover)
    b = sub.add_parser(
        "activate-boot",
        help="activate the default generation at boot (run by declos-activate.service)",
        description="Finish or undo an interrupted switch, then activate the profile's current "
        "generation on the root, scripts included. declos-activate.service runs it early at "
        "every boot of a live system.",
    )
    _common(b)
    b.set_defaults(run=_run_activate_boot)


def _with(args, fn) -> int:
    with _system(args, locked=True) as system:
        _prepare(system, args)
        return fn(system)


def _run_activate_boot(args) -> int:
    if args.root is None:
        args.root = "/"
    with _system(args, locked=True, recover=False) as system:
        _prepare(system, args)
        outcome = system.activate_boot()
    if outcome is None:
        sys.stdout.write("no generation to activate\n")
        return 0
    return _finish(args, outcome, f"booted: generation {outcome.generation.number} is active")


def _run_recover(args) -> int:
    with _system(args, locked=True, recover=False) as system:
        what = system.recover()
    sys.stdout.write((what or "nothing to recover") + "\n")
    return 0


# --- diff and status -----------------------------------------------------------------------


def _add_diff(sub) -> None:
    p = sub.add_parser("diff", help="what changed between two generations")
    p.add_argument("a", nargs="?", type=int, metavar="A", help="default: the previous one")
    p.add_argument("b", nargs="?", type=int, metavar="B", help="default: the current one")
    p.add_argument("--json", action="store_true")
    _add_state_dir(p, root_selector=True)
    p.set_defaults(run=_run_diff)
    s = sub.add_parser("status", help="the current generation and files changed by hand")
    s.add_argument("--json", action="store_true")
    _common(s, lock=False)
    s.set_defaults(run=_run_status)


def _run_diff(args) -> int:
    from declos.system.diff import diff_manifests, render_diff, to_json
    from declos.system.profiles import GenerationError

    with _system(args, locked=False) as system:
        prof = system.profile
        cur = prof.current()
        if args.b is not None:
            b = prof.get(args.b)
        elif cur is not None:
            b = cur
        else:
            raise GenerationError("there is no current generation")
        if args.a is not None:
            a = prof.get(args.a)
        else:
            a = prof.previous(b.number)
            if a is None:
                raise GenerationError(f"generation {b.number} has no previous generation")
        d = diff_manifests(system.store, a.path, b.path, str(a.number), str(b.number))
    if args.json:
        data = {"from": a.number, "to": b.number, **to_json(d)}
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(f"generation {a.number} -> {b.number}\n" + render_diff(d))
    return 0


def _run_status(args) -> int:
    from declos.system.journal import read_journal
    from declos.system.manifest import EMPTY, load_manifest
    from declos.system.status import root_drift

    with _system(args, locked=False) as system:
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


COMMANDS = [_add_switch, _add_generations, _add_rollback, _add_diff]
