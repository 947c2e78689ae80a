"""The parse table is stored in the cache directory, so that parsing does not
import lark (~40 ms, more than parsing a 40 KB file): lark only builds the
table when the stored one is missing or damaged, and either way the parse is
the same."""

from __future__ import annotations

import glob
import json
import marshal
import os
import subprocess
import sys

from declos import cachefile
from declos.lang import table
from declos.lang.table import MAGIC

PROBE = """
import json, sys
from declos.lang.loader import parse_file
from declos.lang.printer import print_expr
tree = parse_file(sys.argv[1], use_cache=False)
print(json.dumps({"printed": print_expr(tree), "lark": "lark" in sys.modules}))
"""

SOURCE = """\
{ lib, ... }:
let
  inherit (lib) mkIf;
  f = { a ? 1, ... }@args: a + builtins.length (builtins.attrNames args);
in {
  x = if f { b = 2; } > 1 then [ 1 "two" ./three ] else null;
  y.z = ''
    indented ${toString 4}
  '';
  "q${"r"}" = rec { s = t; t = -1.5; };
}
"""


def _parse(tmp_path, cache):
    path = tmp_path / "main.dcl"
    path.write_text(SOURCE)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        env={**os.environ, "DECLOS_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _entry(cache) -> str:
    (entry,) = glob.glob(os.path.join(cache, "parse-table-*.marshal"))
    return entry


def test_parsing_with_a_stored_table_does_not_import_lark(tmp_path):
    cache = tmp_path / "cache"
    first = _parse(tmp_path, cache)
    assert first["lark"] is True  # the table was built
    second = _parse(tmp_path, cache)
    assert second == {"printed": first["printed"], "lark": False}


def test_a_damaged_table_is_built_again(tmp_path):
    cache = tmp_path / "cache"
    printed = _parse(tmp_path, cache)["printed"]
    entry = _entry(cache)
    with open(entry, "rb") as f:
        good = f.read()
    # A well-formed entry of another shape (its checksum right): a reduction
    # naming a builder method that does not exist.
    other = marshal.dumps(({0: {"ID": (1, "expr", (("method", "no_such_method"),))}}, 0, 1))
    cachefile.write_checked(entry, MAGIC, other)
    with open(entry, "rb") as f:
        reshaped = f.read()
    assert table._read(entry) is not None  # it passes the check: only binding fails
    for damaged in (
        good[: len(good) // 2],
        good[:-1] + bytes([good[-1] ^ 1]),
        b"",
        b"junk",
        reshaped,
    ):
        with open(entry, "wb") as f:
            f.write(damaged)
        assert _parse(tmp_path, cache) == {"printed": printed, "lark": True}
        assert _parse(tmp_path, cache) == {"printed": printed, "lark": False}  # rewritten


def test_an_unwritable_cache_directory_only_means_building_each_time(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    printed = _parse(tmp_path, tmp_path / "cache")["printed"]
    assert _parse(tmp_path, blocked) == {"printed": printed, "lark": True}
    assert _parse(tmp_path, blocked) == {"printed": printed, "lark": True}
