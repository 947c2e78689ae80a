"""The `cache` commands (keygen, push, fetch).  Arguments, output and exit
codes only; the work is in `declos.store.cache` and its neighbours.

Output: what was pushed or fetched, one store path a line, on stdout (with
`--json` an object); counts and sizes on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from declos.cli.output import report_substituted
from declos.cli.state import add_state_dir, open_store, store_paths

if TYPE_CHECKING:
    from declos.cli.args import Subparsers

# --- keygen ----------------------------------------------------------------------


def _run_keygen(args: argparse.Namespace) -> int:
    from declos.store.cache_keys import SecretKey

    key = SecretKey.generate(args.name)
    secret = args.secret_key_file or f"{args.name}.sec"
    public = args.public_key_file or f"{args.name}.pub"
    for path in (secret, public):
        if os.path.lexists(path):
            sys.stderr.write(f"error: '{path}' exists already: not overwriting a key\n")
            return 1
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(str(key))
    with open(public, "x") as f:
        f.write(str(key.public()))
    sys.stdout.write(f"{key.public()}\n")
    sys.stderr.write(
        f"declos: secret key in {secret} (keep it private), public key in {public}: trust it "
        f"with `trusted-public-keys = {key.public()}` in <state>/declos.conf\n"
    )
    return 0


# --- push ------------------------------------------------------------------------


def _run_push(args: argparse.Namespace) -> int:
    from declos.store.cache import push
    from declos.store.cache_config import load_settings
    from declos.store.cache_keys import SecretKey
    from declos.store.cache_transport import open_dest

    if bool(args.paths) == bool(args.all):
        sys.stderr.write("error: give PATH... or --all\n")
        return 2
    with open_store(args) as store:
        key_file = args.secret_key_file
        if key_file is None:
            files = load_settings(store.state_dir).secret_key_files
            key_file = files[0] if files else None
        key = SecretKey.load(key_file) if key_file else None
        paths = store.db.all_valid() if args.all else store_paths(store, args.paths)
        dest = open_dest(args.dest, tuple(args.ssh_option))
        try:
            result = push(store, dest, paths, key, args.compression, level=args.level)
        finally:
            dest.close()
    if args.json:
        data = {
            "pushed": list(result.pushed),
            "present": list(result.present),
            "bytes": result.file_bytes,
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        for path in result.pushed:
            sys.stdout.write(path + "\n")
    signed = f"signed by '{key.name}'" if key else "unsigned"
    sys.stderr.write(
        f"declos: pushed {len(result.pushed)} paths ({result.file_bytes / (1024 * 1024):.2f} MiB "
        f"{args.compression}, {signed}) to {dest.url}; {len(result.present)} were there already\n"
    )
    return 0


# --- fetch -----------------------------------------------------------------------


def _run_fetch(args: argparse.Namespace) -> int:
    from declos.store.cache import substituter_for
    from declos.store.cache_narinfo import CacheError

    with open_store(args, write=True) as store:
        paths = [str(store.parse_path(os.path.abspath(p))) for p in args.paths]
        sub = substituter_for(store, args.substituter)
        if sub is None:
            raise CacheError(
                "no binary cache to fetch from: give --substituter URL or set substituters "
                f"in {os.path.join(store.state_dir, 'declos.conf')}"
            )
        if not sub.substitute(paths):
            missing = [p for p in paths if not store.is_valid(p) and sub.query(p) is None]
            what = ", ".join(f"'{p}'" for p in missing) or "a reference of the paths"
            raise CacheError(f"{what}: in no binary cache ({', '.join(sub.urls)})")
    if args.json:
        sys.stdout.write(json.dumps([f.path for f in sub.fetched], indent=2) + "\n")
    else:
        for f in sub.fetched:
            sys.stdout.write(f.path + "\n")
    report_substituted(sub.fetched)
    return 0


def _add_cache(sub: Subparsers) -> None:
    p = sub.add_parser("cache", help="binary caches: signing keys, pushing, fetching")
    csub = p.add_subparsers(dest="cache_command", metavar="SUBCOMMAND")
    csub.required = True
    kg = csub.add_parser(
        "keygen",
        help="make an Ed25519 signing key pair for a binary cache",
        description="Write NAME's secret key (NAME:base64, mode 0600) and public key in Nix's "
        "formats, and print the public key.",
    )
    kg.add_argument("name", metavar="NAME", help="the key's name, e.g. cache.example.org-1")
    kg.add_argument("--secret-key-file", metavar="FILE", help="default: NAME.sec")
    kg.add_argument("--public-key-file", metavar="FILE", help="default: NAME.pub")
    kg.set_defaults(run=_run_keygen)
    pu = csub.add_parser(
        "push",
        help="copy store paths with their closures into a binary cache",
        description="Write the closures of PATHs (or of every valid path) into the binary cache "
        "DEST (a directory, file:///DIR or ssh://[USER@]HOST[:PORT]/DIR) in Nix's layout, signed "
        "with the secret key (--secret-key-file, else secret-key-files of <state>/declos.conf).",
    )
    pu.add_argument("dest", metavar="DEST")
    pu.add_argument("paths", nargs="*", metavar="PATH", help="store paths or links to them")
    pu.add_argument("--all", action="store_true", help="every valid path of the store")
    pu.add_argument("--secret-key-file", metavar="FILE", help="sign with this key")
    pu.add_argument(
        "--compression", choices=("xz", "zstd", "bzip2", "none"), default="xz", help="default: xz"
    )
    pu.add_argument(
        "--level",
        type=int,
        default=None,
        metavar="N",
        help="compression level (xz: 0-9, default 1; zstd: 1-19, default 3; bzip2: 1-9, default 9)",
    )
    pu.add_argument(
        "--ssh-option", action="append", default=[], metavar="KEY=VAL", help="passed as ssh -o"
    )
    pu.add_argument("--json", action="store_true", help="print a JSON object")
    add_state_dir(pu)
    pu.set_defaults(run=_run_push)
    fe = csub.add_parser(
        "fetch",
        help="make store paths valid from binary caches",
        description="Substitute PATHs and their closures from the configured binary caches "
        "(and --substituter URLs), checking signatures and NAR hashes.",
    )
    fe.add_argument("paths", nargs="+", metavar="PATH")
    fe.add_argument("--substituter", action="append", default=[], metavar="URL")
    fe.add_argument("--json", action="store_true", help="print a JSON list")
    add_state_dir(fe)
    fe.set_defaults(run=_run_fetch)


def add_commands(sub: Subparsers) -> None:
    _add_cache(sub)
