"""The `declos` command: argument parsing, error rendering and exit codes only.

Exit status: 0 success; 1 an error in the user's input (one located message,
never a traceback); 2 wrong usage (argparse's own convention).  Heavy modules
(lark, networkx, jinja2) are imported inside the commands that use them, so
that `declos --version` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from declos import __version__
from declos.cli_args import add_eval_settings, add_search_path, add_show_trace, eval_settings
from declos.diagnostics import DeclosError, render


class _Parser(argparse.ArgumentParser):
    """argparse with exit status 2 for usage errors (its default) and `error:` prefix."""


def _add_parse(sub) -> None:
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


def _run_parse(args) -> int:
    from declos.lang.loader import parse_expression, parse_file
    from declos.lang.printer import print_expr

    if args.expr is not None:
        tree = parse_expression(args.expr)
    else:
        tree = parse_file(args.file, use_cache=not args.no_cache)
    sys.stdout.write(print_expr(tree) + "\n")
    return 0


def _add_eval(sub) -> None:
    p = sub.add_parser(
        "eval",
        help="evaluate a DCL file or expression and print the value",
        description="Evaluate and print the result, taking nix-instantiate --eval's flags.",
    )
    p.add_argument("file", nargs="?", help="the file to evaluate")
    p.add_argument("-E", "--expr", dest="expr", help="evaluate this expression instead of a file")
    p.add_argument("--eval", action="store_true", help="accepted for nix-instantiate compatibility")
    p.add_argument("--strict", action="store_true", help="evaluate the result fully")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the result as JSON")
    out.add_argument("--xml", action="store_true", help="print the result as XML")
    p.add_argument(
        "-A", "--attr", action="append", default=[], help="select an attribute path (repeatable)"
    )
    p.add_argument(
        "--arg",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "EXPR"),
        help="pass NAME as the value of EXPR to a function result",
    )
    p.add_argument(
        "--argstr",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "STRING"),
        help="pass NAME as the string STRING to a function result",
    )
    add_search_path(p)
    add_eval_settings(p)
    add_show_trace(p)
    p.set_defaults(run=_run_eval)


def _run_eval(args) -> int:
    from declos.eval.evaluator import run_deep
    from declos.eval.instantiate import EvalRequest

    if (args.file is None) == (args.expr is None):
        sys.stderr.write("error: give exactly one of FILE or -E EXPR\n")
        return 2
    req = EvalRequest(
        file=args.file,
        expr=args.expr,
        attr_paths=tuple(args.attr),
        args=tuple((n, e, True) for n, e in args.arg)
        + tuple((n, s, False) for n, s in args.argstr),
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


def _store_commands(sub) -> None:
    from declos.cli_store import COMMANDS as STORE_COMMANDS

    for add in STORE_COMMANDS:
        add(sub)


def _options_commands(sub) -> None:
    from declos.cli_options import COMMANDS as OPTIONS_COMMANDS

    for add in OPTIONS_COMMANDS:
        add(sub)


def _system_commands(sub) -> None:
    from declos.cli_system import COMMANDS as SYSTEM_COMMANDS

    for add in SYSTEM_COMMANDS:
        add(sub)


def _cache_commands(sub) -> None:
    from declos.cli_cache import COMMANDS as CACHE_COMMANDS

    for add in CACHE_COMMANDS:
        add(sub)


def _deploy_commands(sub) -> None:
    from declos.cli_deploy import COMMANDS as DEPLOY_COMMANDS

    for add in DEPLOY_COMMANDS:
        add(sub)


COMMANDS = [
    _add_parse,
    _add_eval,
    _store_commands,
    _options_commands,
    _system_commands,
    _cache_commands,
    _deploy_commands,
]


def _command_of(argv: list[str]) -> str | None:
    """The subcommand named on the command line (the first word not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with every command; given `argv`, only as far as the
    group holding its command (building every group's parsers and importing
    their modules costs more than evaluating a small file)."""
    parser = _Parser(
        prog="declos",
        description="Declarative system configuration for any Linux, "
        "in the Nix expression language.",
    )
    parser.add_argument("--version", action="version", version=f"declos {__version__}")
    parser.add_argument(
        "--show-trace", action="store_true", help="show every frame of an error's trace"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress reports on standard error"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    wanted = _command_of(argv) if argv is not None else None
    for add in COMMANDS:
        add(sub)
        if wanted is not None and wanted in sub.choices:
            break
    return parser


def main(argv: list[str] | None = None) -> int:
    """The `declos` command; `argv` None means this process's arguments.

    Run as the command itself (`argv` None), it leaves with `os._exit` once
    the command has finished and its output is flushed: tearing down the
    interpreter frees an evaluation's millions of objects one by one (0.7 s
    after a large configuration, nothing a user waits for), and nothing is
    left to close, since commands close their files, locks and databases
    themselves.  Called with a list (tests, scripts) it returns."""
    if argv is None:
        from declos.eval.evaluator import keep_last_evaluator

        keep_last_evaluator()
        rc = _main(sys.argv[1:])
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(rc)
    return _main(argv)


def _main(argv: list[str]) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    show_trace = getattr(args, "show_trace", False)
    from declos.progress import set_quiet

    set_quiet(getattr(args, "quiet", False))
    from declos.eval.settings import SettingError, using

    try:
        settings = eval_settings(args, sys.stderr.write)
    except SettingError as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
    try:
        # The command's evaluators take these (Nix's evalSettings); reset after.
        with using(settings):
            return args.run(args)
    except DeclosError as err:
        sys.stderr.write(render(err, show_trace=show_trace))
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted by the user\n")
        return 130
    except BrokenPipeError:
        # Output piped into a command that stopped reading (e.g. `| head`).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
