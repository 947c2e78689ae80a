"""The `declos` command: argument parsing, error rendering and exit codes only.

Exit status: 0 success; 1 an error in the user's input (one located message,
never a traceback); 2 wrong usage (argparse's own convention).

Each command family is a module of this package with an `add_commands(sub)`
(`GROUPS` names them, in `declos --help`'s order); only the family of the
command given is imported and its parsers built, and heavy modules (lark,
networkx, jinja2) only inside the commands that use them, so that `declos
eval -E 1` and `declos --version` start fast.  Shared argument groups are
`declos.cli.args`, the state directory and store `declos.cli.state`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import Any

from declos import __version__
from declos.diagnostics import DeclosError, render

#: (module of declos.cli, the commands it adds), in the order `--help` lists them.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("evaluate", ("parse", "eval")),
    ("build", ("build",)),
    ("store", ("gc", "store")),
    ("options", ("options", "docs", "repl")),
    ("switch", ("switch", "test", "boot")),
    ("generations", ("generations", "rollback", "switch-generation", "recover",
                     "activate-boot", "diff", "status")),
    ("cache", ("cache",)),
    ("deploy", ("confirm", "confirm-wait", "deploy", "deploy-realise")),
)  # fmt: skip


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, its width found as `shutil.get_terminal_size`
    finds it, without importing shutil: argparse makes a formatter for every
    argument added, and shutil (with bz2, lzma and fnmatch) cost ~1.5 ms of
    every command's start-up."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    with contextlib.suppress(KeyError, ValueError):
        if (columns := int(os.environ["COLUMNS"])) > 0:
            return columns
    with contextlib.suppress(AttributeError, ValueError, OSError):
        # sys.__stdout__ is None without a standard output (pythonw, a closed fd 1).
        if sys.__stdout__ is not None and (
            (columns := os.get_terminal_size(sys.__stdout__.fileno()).columns) > 0
        ):
            return columns
    return 80


class _Parser(argparse.ArgumentParser):
    """argparse with exit status 2 for usage errors (its default) and `error:` prefix;
    subcommands' parsers are of this class too (argparse's add_subparsers)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def _command_of(argv: list[str]) -> str | None:
    """The subcommand named on the command line (the first word not an option)."""
    for word in argv:
        if not word.startswith("-"):
            return word
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with every command; given `argv` naming a known command,
    with only that command's family (building every family's parsers and
    importing their modules costs more than evaluating a small file)."""
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
    chosen = [m for m, names in GROUPS if wanted in names] or [m for m, _ in GROUPS]
    for module in chosen:
        # __import__ (the import statement's), which `-X importtime` reports.
        __import__(f"declos.cli.{module}", fromlist=("add_commands",)).add_commands(sub)
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
        from declos.eval.deep import keep_last_evaluator

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
    from declos.cli.args import eval_settings
    from declos.eval.settings import SettingError, using
    from declos.progress import set_quiet

    set_quiet(getattr(args, "quiet", False))
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
