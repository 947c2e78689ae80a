"""The `options`, `docs` and `repl` commands: arguments and output only.

The work is in `declos.options.commands`; this module parses arguments,
builds the evaluator (with a read-only store, as `declos eval` does, so that
configurations mentioning packages or `./files` evaluate) and prints.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from declos.cli.args import add_evaluation, usage_error

if TYPE_CHECKING:
    from declos.cli.args import Subparsers
    from declos.eval.evaluator import Evaluator


def _evaluator(include: list[str]) -> Evaluator:
    from declos.store.builtins import EvalStore, evaluator_with_store

    return evaluator_with_store(EvalStore.read_only(), include)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", metavar="CONFIG", help="the configuration file (a module)")
    add_evaluation(p, settings=False)


def _add_options(sub: Subparsers) -> None:
    p = sub.add_parser(
        "options",
        help="show options: type, default, description, declarations, definitions, value",
        description="Show the options of a configuration: type, default, description, "
        "example, where each is declared and every definition with its priority and value. "
        "Without OPTION, every visible option; an OPTION naming a set of options shows "
        "all of them.",
    )
    _add_common(p)
    p.add_argument("option", nargs="*", metavar="OPTION", help="option names (a.b.c)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--all", action="store_true", help="include internal and hidden options")
    p.add_argument(
        "--explain",
        action="store_true",
        help="say which definition won and why: priorities, order, mkIf conditions",
    )
    p.set_defaults(run=_run_options)


def _run_options(args: argparse.Namespace) -> int:
    from declos.options.commands import options_report

    if args.explain and not args.option:
        return usage_error("--explain needs at least one OPTION")
    report = options_report(
        args.config,
        names=args.option,
        as_json=args.json,
        include_internal=args.all,
        explain=args.explain,
        search_path=args.include,
        evaluator=_evaluator(args.include),
    )
    sys.stdout.write(report.text)
    if report.failed:
        sys.stdout.flush()
        names = ", ".join(f"`{n}'" for n in report.failed)
        sys.stderr.write(
            f"error: {len(report.failed)} option(s) could not be evaluated: {names} "
            "(their errors are shown above)\n"
        )
        return 1
    return 0


def _add_docs(sub: Subparsers) -> None:
    p = sub.add_parser(
        "docs",
        help="render the option manual as HTML and Markdown",
        description="Write DIR/index.html (with a search box) and DIR/options.md describing "
        "every visible option of a configuration.  DIR is replaced atomically.",
    )
    _add_common(p)
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="the output directory")
    p.set_defaults(run=_run_docs)


def _run_docs(args: argparse.Namespace) -> int:
    from declos.options.commands import docs_report

    files = docs_report(
        args.config, args.out, search_path=args.include, evaluator=_evaluator(args.include)
    )
    for f in files:
        sys.stdout.write(f + "\n")
    return 0


def _add_repl(sub: Subparsers) -> None:
    p = sub.add_parser(
        "repl",
        help="an interactive prompt on a configuration (config, options, lib, pkgs)",
        description="Evaluate a configuration and read expressions from a prompt, as "
        "`nix repl` is used with a NixOS configuration: `config`, `options`, `lib` and "
        "`pkgs` are in scope; :p prints deeply, :e OPTION explains an option's value, "
        ":o OPTION shows it, :? lists the commands. Tab completes attribute paths.",
    )
    _add_common(p)
    p.set_defaults(run=_run_repl)


def _run_repl(args: argparse.Namespace) -> int:
    from declos.options.repl import ReplSession, run_repl

    session = ReplSession(args.config, lambda: _evaluator(args.include), args.include)
    return run_repl(session, show_trace=getattr(args, "show_trace", False))


def add_commands(sub: Subparsers) -> None:
    _add_options(sub)
    _add_docs(sub)
    _add_repl(sub)
