"""`switch`, `test` and `boot`: build a configuration (`declos.cli.build.
build_config`, the path `declos build CONFIG` takes too) and hand its
toplevel to `declos.system`; `--confirm-within S` hands the activation to
a detached waiter (`declos.system.confirm`).  Arguments, output and exit
codes only.

Output is stable and line-oriented (the plan also as `--json`); messages
about progress and waiting go to stderr.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from typing import TYPE_CHECKING

from declos.cli.args import add_building, add_evaluation
from declos.cli.build import build_config, toplevel_build
from declos.cli.output import print_plan, say
from declos.cli.state import add_system_args, open_store, open_system
from declos.diagnostics import DeclosError

if TYPE_CHECKING:
    from declos.cli.args import Subparsers
    from declos.store.store import Store
    from declos.system.plan import Plan
    from declos.system.profiles import Generation
    from declos.system.transaction import SwitchOutcome, System
    from declos.toplevel import ToplevelOutcome

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


def _add_switch(sub: Subparsers) -> None:
    for name, (summary, description) in _ACTIVATING.items():
        p = sub.add_parser(name, help=summary, description=description)
        p.add_argument(
            "config",
            metavar="CONFIG",
            help="the configuration file (or directory), or a toplevel built in the store",
        )
        p.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")
        p.add_argument("--json", action="store_true", help="print the plan as JSON")
        p.add_argument("-m", "--message", help="a note kept with the generation")
        if name != "boot":
            add_keep_failed(p)
            add_confirm_args(p)
        p.add_argument("--no-eval-cache", action="store_true", help="always evaluate")
        add_building(p)
        add_evaluation(p)
        add_system_args(p)
        p.set_defaults(run=_run_switch, mode=name)


def add_keep_failed(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--keep-failed",
        action="store_true",
        help="when a unit fails to start, keep the new generation (and report the failure) "
        "instead of putting the previous one back",
    )


def _run_switch(args: argparse.Namespace) -> int:
    # The build's temporary roots (held by this store) last until activation ends.
    with open_store(args, write=True) as store:
        return _switch(args, store)


def _switch(args: argparse.Namespace, store: Store) -> int:
    from declos.store.pause import pause
    from declos.system.journal import read_journal
    from declos.system.plan import render_json, render_text

    if getattr(args, "confirm_within", None) is not None:
        _check_confirm_args(args)  # before anything is evaluated or built
    how = toplevel_build(args, use_cache=not args.no_eval_cache, accept_built=True)
    out = build_config(args.config, store, how)
    pause("built")
    if args.dry_run:
        with open_system(args, locked=False) as system:
            if read_journal(system.state_dir) is not None:
                say("an interrupted switch is pending: the next command will recover it first")
            if args.mode == "boot":
                sys.stdout.write(f"would make {out.toplevel} the default at the next boot\n")
                return 0
            plan = system.plan_to(out.toplevel)
            sys.stdout.write(render_json(plan) if args.json else render_text(plan))
        return 0
    if getattr(args, "confirm_within", None) is not None:  # activated by a detached waiter
        return _switch_confirmed(args, store, out)
    meta = (out.toplevel, args.message, out.config_file, out.config_hash)
    with open_system(args, locked=True) as system:
        if args.mode == "boot":
            gen = system.boot(*meta)
            sys.stdout.write(
                f"generation {gen.number} is the default at the next boot "
                f"(active now: {system.describe(system.active_path())})\n"
            )
            return 0
        prepare(system, args)
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
    return finish(args, outcome, done)


def prepare(system: System, args: argparse.Namespace) -> None:
    """Print the plan before it is applied (JSON prints it after, whole)."""
    system.keep_failed = getattr(args, "keep_failed", False)
    if not getattr(args, "json", False):
        system.on_plan = print_plan


def finish(args: argparse.Namespace, outcome: SwitchOutcome, done: str) -> int:
    """The result after the plan: what was not run, what failed, the summary line.
    Only for an outcome that activated something: callers say "nothing to do"
    themselves when nothing changed (no generation, no plan)."""
    from declos.system.plan import render_json

    gen, plan = outcome.generation, outcome.plan
    assert gen is not None and plan is not None
    if getattr(args, "json", False):
        sys.stdout.write(render_json(plan))
    else:
        sys.stdout.write(_summary(gen, plan, outcome.repaired, done))
    would = [a for a in plan.actions if getattr(a, "would", False)]
    if would:
        say(
            f"{plan.root} is not the live system: {len(would)} unit "
            f"action{'s were' if len(would) != 1 else ' was'} not run (`--root /` on the "
            "machine runs them)"
        )
    if outcome.failed_units:
        names = ", ".join(u for u, _ in outcome.failed_units)
        say(f"kept generation {gen.number} although these units failed: {names}")
        return 1
    return 0


def _summary(gen: Generation, plan: Plan, repaired: bool, done: str) -> str:
    from declos.system.transaction import drift_actions

    if repaired:
        n = len(drift_actions(plan))
        return (
            f"generation {gen.number} was already current: "
            f"repaired {n} thing{'s' if n != 1 else ''} changed since its activation\n"
        )
    return done + "\n"


def add_confirm_args(p: argparse.ArgumentParser) -> None:
    """`--confirm-within S` and `--confirm-id ID`, for switch and test."""
    p.add_argument(
        "--confirm-within",
        type=float,
        metavar="S",
        help="after activating, wait S seconds for `declos confirm ID` (from a new "
        "connection); without it the previous generation is put back, by a process "
        "that outlives this command and its ssh session",
    )
    p.add_argument(
        "--confirm-id",
        metavar="ID",
        help="the id `declos confirm` takes (default: made up and printed)",
    )


def _check_confirm_args(args: argparse.Namespace) -> None:
    from declos.system import confirm

    if not (math.isfinite(args.confirm_within) and args.confirm_within > 0):
        raise DeclosError("--confirm-within must be more than 0 seconds")
    if args.confirm_id:
        confirm.check_id(args.confirm_id)


def _switch_confirmed(args: argparse.Namespace, store: Store, out: ToplevelOutcome) -> int:
    """Hand the activation to a detached waiter and show its output until it
    waits for the confirmation (exit 0) or has failed and undone it (1)."""
    from declos.system import confirm

    with open_system(args, locked=False) as system:
        root = system.root
    cid = confirm.check_id(args.confirm_id) if args.confirm_id else confirm.new_id()
    request = {
        "toplevel": out.toplevel,
        "root": root,
        "mode": args.mode,
        "message": args.message,
        "configFile": out.config_file,
        "configHash": out.config_hash,
        "keepFailed": getattr(args, "keep_failed", False),
        "noWait": args.no_wait,
        "timeout": args.confirm_within,
    }
    d = confirm.create(store.state_dir, cid, request)
    confirm.spawn_waiter(store.state_dir, d, root)
    status = confirm.follow(d, _relay)
    state = status["state"]
    if state == "waiting":
        left = max(0, int(status["deadline"] - time.time()))
        sys.stdout.write(
            f"active and waiting for confirmation: run `declos confirm {cid}` within {left} s "
            "(from a new connection), else the previous generation is put back\n"
        )
        return 0
    if state in ("confirmed", "unchanged"):
        sys.stdout.write(status["message"] + "\n")
        return 0
    raise confirm.ConfirmError(status.get("message") or f"the switch ended {state}")


def _relay(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def add_commands(sub: Subparsers) -> None:
    _add_switch(sub)
