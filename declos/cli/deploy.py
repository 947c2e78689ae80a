"""`declos deploy` (fleets over ssh) and the confirmation of a switch made
with `switch --confirm-within S` (`declos.cli.switch`): `declos confirm`
and the detached waiter.  A host deploys by running `declos switch
TOPLEVEL`, the path every configuration's toplevel takes.

Arguments, output and exit codes only: fleets are `declos.fleet`, the
confirmation protocol `declos.system.confirm`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from declos.cli.args import add_building, add_evaluation, usage_error
from declos.cli.output import print_plan, say
from declos.cli.state import LIVE_STATE_DIR, add_state_dir, open_store, state_dir_arg

if TYPE_CHECKING:
    from declos.cli.args import Subparsers

# --- confirm and the waiter ------------------------------------------------------------------


def _add_confirm(sub: Subparsers) -> None:
    p = sub.add_parser(
        "confirm",
        help="confirm a switch made with --confirm-within, so that it stays",
        description="Tell a switch started with --confirm-within that the host can still be "
        "reached; prints its verdict (confirmed, or rolled back if the time ran out). Waits "
        "for a switch still activating. Without ID: the one switch waiting.",
    )
    p.add_argument("id", nargs="?", metavar="ID")
    p.add_argument(
        "--wait",
        type=float,
        default=600,
        metavar="S",
        help="how long to wait for a switch still activating (default 600)",
    )
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    add_state_dir(p, root_selector=True)
    p.set_defaults(run=_run_confirm)
    w = sub.add_parser("confirm-wait")  # no help: internal, started by switch --confirm-within
    w.add_argument("id", metavar="ID")
    add_state_dir(w)
    w.set_defaults(run=_run_confirm_wait)


def _run_confirm(args: argparse.Namespace) -> int:
    from declos.store.realise import state_dir_of
    from declos.system import confirm

    state = state_dir_of(state_dir_arg(args))
    cid = args.id
    if cid is None:
        waiting = confirm.pending(state)
        if len(waiting) != 1:
            what = "no switch is" if not waiting else f"{len(waiting)} switches are"
            listed = "".join(f"\n  {w}" for w in waiting)
            raise confirm.ConfirmError(
                f"{what} waiting for a confirmation in {state}{listed}"
                + ("\ngive the id" if waiting else "")
            )
        cid = waiting[0]
    d = confirm.directory(state, cid)
    if not os.path.isdir(d):
        raise confirm.ConfirmError(f"no switch with the id '{cid}' in {state}")
    status = confirm.request_confirmation(d, args.wait)
    ok = status["state"] in ("confirmed", "unchanged")
    if args.json:
        keys = ("state", "generation", "message", "failedUnits", "toplevel")
        data = {"id": cid, **{k: status[k] for k in keys if k in status}}
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
        return 0 if ok else 1
    if not ok:
        raise confirm.ConfirmError(f"{status['state']}: {status.get('message', '')}")
    sys.stdout.write(f"{status['state']}: {status['message']}\n")
    return 0


def _run_confirm_wait(args: argparse.Namespace) -> int:
    from declos.system import confirm

    d = confirm.directory(os.path.abspath(args.state_dir or "."), args.id)
    if not os.path.isfile(os.path.join(d, "request.json")):
        raise confirm.ConfirmError(f"no switch request in {d}")
    fd = os.open(os.path.join(d, "log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for target in (1, 2):
        os.dup2(fd, target)
    os.close(fd)
    # fd 1 is the log now; sys.stdout is a TextIOWrapper (typeshed: TextIO, no reconfigure).
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    with open_store(args) as store:
        final = confirm.run_waiter(store, d, say, on_plan=print_plan)
    say(final.get("message", final["state"]))
    return 0 if final["state"] in ("confirmed", "unchanged") else 1


# --- deploy ------------------------------------------------------------------------------


def _add_deploy(sub: Subparsers) -> None:
    p = sub.add_parser(
        "deploy",
        help="build the configurations of a fleet and deploy them to its hosts over ssh",
        description="Evaluate every node of FLEET ({ defaults = MODULE; nodes.<name> = MODULE; }), "
        "build every closure once, copy what each host lacks over ssh, and activate it there as "
        "a transaction: switch, health checks, then a confirmation over a new ssh connection "
        "within --confirm-timeout, without which the host puts its previous generation back by "
        "itself. The hosts need declos on their PATH.",
    )
    p.add_argument("fleet", metavar="FLEET", help="the fleet file")
    p.add_argument(
        "--on",
        action="append",
        default=[],
        metavar="NAME|@TAG,...",
        help="only these nodes: names (globs: web-*) or @tags, comma-separated",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="evaluate, build and say what each host lacks"
    )
    p.add_argument(
        "--confirm-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds a host waits for the confirmation after activating (default 30)",
    )
    p.add_argument(
        "--ssh-option",
        action="append",
        default=[],
        metavar="KEY=VAL",
        help="passed to ssh as -o KEY=VAL (repeatable)",
    )
    p.add_argument(
        "--build-on",
        choices=("local", "target"),
        default="local",
        help="build here, once for the fleet (default), or on each host",
    )
    p.add_argument(
        "-k",
        "--keep-going",
        action="store_true",
        help="deploy the nodes that evaluated and built even if others did not",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--state-dir",
        metavar="DIR",
        help=f"the state directory here and on every host (default {LIVE_STATE_DIR}, a live "
        "host's): store paths name their store directory, so both ends use the same one",
    )
    add_building(
        p,
        jobs_help="evaluation processes and parallel builds (default: the number of CPUs)",
        substitutes=False,
    )
    add_evaluation(p)
    p.set_defaults(run=_run_deploy)
    r = sub.add_parser("deploy-realise")  # no help: run on a host by deploy --build-on target
    r.add_argument("drvs", nargs="+", metavar="DRV")
    add_state_dir(r)
    r.set_defaults(run=_run_realise)


def _run_deploy(args: argparse.Namespace) -> int:
    from declos.fleet import summary
    from declos.fleet.deploy import DeployOptions, deploy

    for opt in args.ssh_option:
        key, eq, _ = opt.partition("=")
        if not eq or not key.isalnum():
            return usage_error(f"--ssh-option takes KEY=VALUE, not '{opt}'")
    if args.confirm_timeout <= 0:
        return usage_error("--confirm-timeout must be more than 0 seconds")
    args.state_dir = os.path.abspath(args.state_dir or LIVE_STATE_DIR)
    opts = DeployOptions(
        fleet=os.path.abspath(args.fleet),
        state_dir=args.state_dir,
        on=tuple(args.on),
        jobs=max(1, args.max_jobs or os.cpu_count() or 1),
        dry_run=args.dry_run,
        confirm_timeout=args.confirm_timeout,
        ssh_options=tuple(args.ssh_option),
        build_on=args.build_on,
        keep_going=args.keep_going,
        search_path=tuple(args.include),
        show_trace=getattr(args, "show_trace", False),
        unsafe_builders=args.unsafe_builders,
    )
    with open_store(args, write=True) as store:
        outcome = deploy(opts, store)
    if args.json:
        sys.stdout.write(summary.to_json(outcome))
    else:
        sys.stdout.write(summary.text(outcome))
        sys.stdout.flush()
        sys.stderr.write(summary.failures(outcome))
    return 0 if outcome.ok else 1


def _run_realise(args: argparse.Namespace) -> int:
    """Build `.drv` paths already in the store; print their outputs."""
    from declos.store.cache import substituter_for
    from declos.store.graph import build

    with open_store(args, write=True) as store:
        drvs = [str(store.parse_path(d)) for d in args.drvs]
        sub = substituter_for(store, ())
        result = build(store, drvs, substitute=sub.substitute if sub is not None else None)
        result.raise_for_failure()
        for d in drvs:
            sys.stdout.write(result.outputs[d]["out"] + "\n")
    return 0


def add_commands(sub: Subparsers) -> None:
    _add_confirm(sub)
    _add_deploy(sub)
