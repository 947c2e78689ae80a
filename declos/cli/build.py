"""The `build` command, and `build_config`: CONFIG to a built toplevel as
`build`, `switch`, `test` and `boot` all show it.

The work is in `declos.store.realise` (`-A ATTRPATH`: nix-build's
derivations) and `declos.toplevel` (CONFIG: a system configuration's
toplevel).  Output: the output paths, one a line, on stdout; a status line
on a terminal while building; warnings, substitutions and failures on
stderr.  Exit codes: 0 success, 1 a failed build, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from declos.cli.args import (
    add_attr_paths,
    add_building,
    add_evaluation,
    add_function_args,
    add_source,
    function_args,
    source_error,
    usage_error,
)
from declos.cli.output import Progress, colour, paint, report_substituted, say, warn
from declos.cli.state import add_state_dir, open_store

if TYPE_CHECKING:
    from declos.cli.args import Subparsers
    from declos.store.graph import BuildResult
    from declos.store.store import Store
    from declos.toplevel import ToplevelBuild, ToplevelOutcome


def _add_build(sub: Subparsers) -> None:
    p = sub.add_parser(
        "build",
        help="build the derivations at an attribute path and print their output paths",
        description="Evaluate FILE, select -A ATTRPATH (a derivation, or a list or set of "
        "them), build what is missing and print the output paths, as nix-build does. "
        "Without -A, FILE is a system configuration: its config.system.build.toplevel "
        "is built (with the module library), its warnings printed.",
    )
    add_source(p, "evaluate")
    add_attr_paths(p, "the attribute path to build (without it FILE is a configuration)")
    add_function_args(p)
    p.add_argument("-o", "--out-link", default="result", metavar="LINK", help="default: result")
    p.add_argument("--no-out-link", action="store_true", help="make no result link")
    p.add_argument("-k", "--keep-going", action="store_true", help="build what does not fail")
    p.add_argument("--timeout", type=float, default=None, help="seconds per builder")
    add_building(p)
    add_evaluation(p)
    add_state_dir(p)
    p.set_defaults(run=_run_build)


def toplevel_build(args: argparse.Namespace, **more: Any) -> ToplevelBuild:
    """The `declos.toplevel.ToplevelBuild` of the flags `add_building` and
    `add_evaluation` add, with `more` (the command's own)."""
    from declos.toplevel import ToplevelBuild

    return ToplevelBuild(
        search_path=tuple(args.include),
        jobs=args.max_jobs,
        unsafe_builders=args.unsafe_builders,
        substituters=tuple(args.substituter),
        substitute=not args.no_substitute,
        **more,
    )


def build_config(
    config: str, store: Store, how: ToplevelBuild, check: bool = True
) -> ToplevelOutcome:
    """`declos.toplevel.build_toplevel` of CONFIG with the build's
    status line, what was substituted, and the warnings, shown one way for
    every command that builds a configuration."""
    from declos.toplevel import build_toplevel

    progress = Progress()
    try:
        out = build_toplevel(
            config, store, how, progress, on_substituted=report_substituted, check=check
        )
    finally:
        progress.done()
    if out.cached:
        say("inputs unchanged since the last evaluation: reusing its result")
    for message in out.messages():
        warn(message)
    return out


def _run_build(args: argparse.Namespace) -> int:
    if why := source_error(args):
        return usage_error(why)
    if args.expr is not None and not args.attr:
        return usage_error("-E EXPR needs -A ATTRPATH")
    out_link = None if args.no_out_link else args.out_link
    with open_store(args, write=True) as store:
        if not args.attr:
            how = toplevel_build(
                args,
                use_cache=False,
                out_link=out_link,
                keep_going=args.keep_going,
                timeout=args.timeout,
            )
            out = build_config(args.file, store, how, check=False)
            if out.failed is not None:
                return _failed(args, out.failed)
            sys.stdout.write(out.toplevel + "\n")
            return 0
        return _build_attrs(args, store, out_link)


def _build_attrs(args: argparse.Namespace, store: Store, out_link: str | None) -> int:
    """`-A ATTRPATH…`: nix-build."""
    from declos.store.realise import BuildRequest, realise

    req = BuildRequest(
        file=args.file,
        expr=args.expr,
        attr_paths=tuple(args.attr),
        args=function_args(args),
        search_path=tuple(args.include),
        out_link=out_link,
        jobs=args.max_jobs,
        keep_going=args.keep_going,
        timeout=args.timeout,
        unsafe_builders=args.unsafe_builders,
        substituters=tuple(args.substituter),
        substitute=not args.no_substitute,
    )
    progress = Progress()
    try:
        outcome = realise(req, store, on_event=progress)
    finally:
        progress.done()
    report_substituted(outcome.substituted)
    for path in outcome.out_paths:
        sys.stdout.write(path + "\n")
    if outcome.result.failed:
        return _failed(args, outcome.result)
    return 0


def _failed(args: argparse.Namespace, result: BuildResult) -> int:
    """Every failure, then how many failed and were not built; exit status 1."""
    from declos.diagnostics import render

    sys.stdout.flush()
    for drv_path in sorted(result.failed):
        sys.stderr.write(render(result.failed[drv_path], show_trace=args.show_trace))
    if len(result.failed) > 1 or result.skipped:
        summary = (
            f"error: {len(result.failed)} build(s) failed"
            f", {len(result.skipped)} dependent(s) not built\n"
        )
        sys.stderr.write(paint(summary, "31", colour(sys.stderr)))
    return 1


def add_commands(sub: Subparsers) -> None:
    _add_build(sub)
