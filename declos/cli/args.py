"""Argument groups that several `declos` commands share, each defined once.

Every command that evaluates takes `add_evaluation` (-I, --option and the
settings flags, --show-trace/-q); `eval` and `build` take the same
`add_source`, `add_attr_paths` and `add_function_args`; `build`, `switch`
and `deploy` the same `add_building`.  The state directory and the root
are `declos.cli.state`'s.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from declos.eval.settings import EvalSettings

if TYPE_CHECKING:
    from typing import TypeAlias

    #: What `add_commands(sub)` of each command family takes (`add_subparsers`' result).
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def usage_error(message: str) -> int:
    """`error: MESSAGE` on stderr; exit status 2 (wrong usage, as argparse's)."""
    sys.stderr.write(f"error: {message}\n")
    return 2


# --- what to evaluate: FILE or -E EXPR, -A, --arg/--argstr -----------------------------------


def add_source(p: argparse.ArgumentParser, verb: str) -> None:
    """FILE, or `-E EXPR` instead (exactly one: `source_error` says so)."""
    p.add_argument("file", nargs="?", help=f"the file to {verb}")
    p.add_argument("-E", "--expr", dest="expr", help=f"{verb} this expression instead of a file")


def source_error(args: argparse.Namespace) -> str | None:
    """Why FILE and -E EXPR do not name one source, or None."""
    if (args.file is None) == (args.expr is None):
        return "give exactly one of FILE or -E EXPR"
    return None


def add_attr_paths(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument(
        "-A", "--attr", action="append", default=[], metavar="ATTRPATH", help=f"{help} (repeatable)"
    )


def add_function_args(p: argparse.ArgumentParser) -> None:
    """`--arg NAME EXPR` and `--argstr NAME STRING`, as nix-instantiate takes them."""
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


def function_args(args: argparse.Namespace) -> tuple[tuple[str, str, bool], ...]:
    """--arg and --argstr as (name, text, is_expr), the requests' form."""
    return tuple((n, e, True) for n, e in args.arg) + tuple((n, s, False) for n, s in args.argstr)


# --- how to evaluate: -I, settings, --show-trace -----------------------------------------------


def add_evaluation(p: argparse.ArgumentParser, settings: bool = True) -> None:
    """-I; the evaluation settings (unless `settings` is False); --show-trace and -q."""
    add_search_path(p)
    if settings:
        add_eval_settings(p)
    add_show_trace(p)


def add_search_path(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-I",
        dest="include",
        action="append",
        default=[],
        metavar="PATH",
        help="add a search path entry (name=path or a directory)",
    )


def add_show_trace(p: argparse.ArgumentParser) -> None:
    """`--show-trace` after the subcommand.  SUPPRESS keeps `declos
    --show-trace CMD …` (the flag before it) from being reset to False by this
    default; `declos.cli.main` renders errors with `args.show_trace`."""
    p.add_argument(
        "--show-trace",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show every frame of an error's trace",
    )
    # `-q` likewise, after the subcommand as before it (declos.progress).
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS,
        help="no progress reports on standard error",
    )


def add_eval_settings(p: argparse.ArgumentParser) -> None:
    """Nix's evaluation settings: `--option NAME VALUE` (as nix-instantiate
    takes it) and the flags Nix makes of its Boolean settings."""
    p.add_argument(
        "--option",
        dest="eval_options",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set an evaluation setting: restrict-eval, pure-eval or abort-on-warn, true or false",
    )
    p.add_argument(
        "--restrict-eval",
        action="store_true",
        help="read, import and copy files only under the configuration's directory, "
        'the module library and -I/DECLOS_PATH entries; getEnv returns ""',
    )
    p.add_argument(
        "--pure-eval",
        action="store_true",
        help="--restrict-eval, and ignore DECLOS_PATH; no builtins.currentTime",
    )
    p.add_argument("--impure", action="store_true", help="turn pure-eval off")


def eval_settings(args: argparse.Namespace, warn: Callable[[str], object]) -> EvalSettings:
    """The settings the command line asks for (defaults for a command
    without the flags).  An unknown `--option` is a warning, as in Nix; a bad
    value raises `SettingError`."""
    settings = EvalSettings()
    for name, value in getattr(args, "eval_options", None) or []:
        try:
            settings = settings.with_option(name, value)
        except KeyError:
            warn(f"warning: unknown setting '{name}'\n")
    if getattr(args, "restrict_eval", False):
        settings = attrs.evolve(settings, restrict_eval=True)
    if getattr(args, "pure_eval", False):
        settings = attrs.evolve(settings, pure_eval=True)
    if getattr(args, "impure", False):
        settings = attrs.evolve(settings, pure_eval=False)
    return settings


# --- building: -j, --unsafe-builders, binary caches ---------------------------------------------


def add_building(
    p: argparse.ArgumentParser, jobs_help: str = "parallel builds", substitutes: bool = True
) -> None:
    """-j N, --unsafe-builders and (unless `substitutes` is False)
    --substituter URL / --no-substitute: what `build`, `switch` and `deploy`
    take to build."""
    p.add_argument("-j", "--max-jobs", type=int, default=None, metavar="N", help=jobs_help)
    p.add_argument(
        "--unsafe-builders",
        action="store_true",
        help="where no build sandbox can be had, run process builders anyway, unprotected "
        "(they could change the store and anything this user may write)",
    )
    if substitutes:
        p.add_argument(
            "--substituter",
            action="append",
            default=[],
            metavar="URL",
            help="also substitute from this binary cache (file://, http://, https://), besides "
            "the substituters of <state>/declos.conf",
        )
        p.add_argument(
            "--no-substitute",
            action="store_true",
            help="build everything here; use no binary cache",
        )
