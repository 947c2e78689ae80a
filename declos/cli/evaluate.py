"""The `parse` and `eval` commands: arguments and output only.

The work is in `declos.lang.loader` (parsing), `declos.eval.instantiate`
and `declos.options.evalconfig` (evaluating, as `nix-instantiate --eval`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from declos.cli.args import (
    add_attr_paths,
    add_evaluation,
    add_function_args,
    add_source,
    function_args,
    source_error,
    usage_error,
)

if TYPE_CHECKING:
    from declos.cli.args import Subparsers


def _add_parse(sub: Subparsers) -> None:
    p = sub.add_parser(
        "parse",
        help="parse a DCL file or expression and print it back as normalized source",
        description="Parse without evaluating; print the expression as normalized DCL source.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", help="the file to parse ('-' for standard input)")
    src.add_argument("-E", "--expr", dest="expr", help="parse this expression instead of a file")
    p.add_argument("--no-cache", action="store_true", help="do not use the parse cache")
    p.set_defaults(run=_run_parse)


def _run_parse(args: argparse.Namespace) -> int:
    from declos.lang.loader import parse_expression, parse_file
    from declos.lang.printer import print_expr

    if args.expr is not None:
        tree = parse_expression(args.expr)
    else:
        tree = parse_file(args.file, use_cache=not args.no_cache)
    sys.stdout.write(print_expr(tree) + "\n")
    return 0


def _add_eval(sub: Subparsers) -> None:
    p = sub.add_parser(
        "eval",
        help="evaluate a DCL file or expression and print the value",
        description="Evaluate and print the result, taking nix-instantiate --eval's flags.",
    )
    add_source(p, "evaluate")
    p.add_argument("--eval", action="store_true", help="accepted for nix-instantiate compatibility")
    p.add_argument("--strict", action="store_true", help="evaluate the result fully")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the result as JSON")
    out.add_argument("--xml", action="store_true", help="print the result as XML")
    add_attr_paths(p, "select an attribute path")
    add_function_args(p)
    add_evaluation(p)
    p.set_defaults(run=_run_eval)


def _run_eval(args: argparse.Namespace) -> int:
    from declos.eval.deep import run_deep
    from declos.eval.instantiate import EvalRequest

    if why := source_error(args):
        return usage_error(why)
    req = EvalRequest(
        file=args.file,
        expr=args.expr,
        attr_paths=tuple(args.attr),
        args=function_args(args),
        strict=args.strict,
        output="json" if args.json else "xml" if args.xml else "nix",
        search_path=tuple(args.include),
    )
    from declos.store.builtins import EvalStore, evaluator_with_store

    # Read-only, as `nix-instantiate --eval`: store paths (of sources, files
    # and derivations) are computed under /nix/store but nothing is written.
    ev = evaluator_with_store(EvalStore.read_only(), req.search_path)
    # A configuration module under `-A config.…` is evaluated as a system
    # (declos/options/evalconfig.py); anything else as nix-instantiate does.
    from declos.options.evalconfig import run_eval_or_configuration
    from declos.progress import Ticker

    with Ticker(f"evaluating {args.file or 'the expression'}", ev.stats.describe):
        text = run_deep(run_eval_or_configuration, req, ev)
    sys.stdout.write(text)
    return 0


def add_commands(sub: Subparsers) -> None:
    _add_parse(sub)
    _add_eval(sub)
