"""Arguments that several `declos` subcommands share, defined once."""

from __future__ import annotations

import argparse

import attrs

from declos.eval.settings import EvalSettings


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
    default; `cli.main` renders errors with `args.show_trace`."""
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


def eval_settings(args: argparse.Namespace, warn) -> EvalSettings:
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
