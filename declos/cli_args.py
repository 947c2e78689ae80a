"""Arguments that several `declos` subcommands share, defined once."""

from __future__ import annotations

import argparse


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
