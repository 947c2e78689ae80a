"""checks-lib's `isNormalizedRelative` (and so `isNormalizedAbsolute`, the
absolute-path type, etc targets): two regular expressions instead of
splitting the string, with the same answer as the split for every string.

The split is the definition (`lib.splitString "/"`, then no component empty,
"." or ".."); hypothesis compares the two in declos, and real Nix evaluates
both on the same strings when it is installed (CI installs it).
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nix_oracle import NIX_INSTANTIATE, run_nix

from declos.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROGRAM = """
let
  lib = import {repo}/declos/options/lib/default.dcl;
  chk = import {repo}/modules/config/checks-lib.dcl {{ inherit lib; }};
  bySplit = s: s != "" && chk.isSingleLine s
    && lib.all (p: p != "" && p != "." && p != "..") (lib.splitString "/" s);
  strings = builtins.fromJSON (builtins.readFile {strings});
in
map (s: [ (bySplit s) (chk.isNormalizedRelative s)
          (chk.isNormalizedAbsolute "/${{s}}") (bySplit s || s == "") ]) strings
"""

EXAMPLES = [
    "", "a", "a/b", "/a", "a/", "a//b", ".", "..", "a/.", "a/..", "./a", "../a", "a/./b",
    "a/../b", "...", ".a", "a.", "a/.b/c", "a/b../c", "..a", "a/...", " ", "a b/c",
    "a\nb", "a/\n", "a\u2028b", "é/ü", "a\tb", "/", "//", "a:b", "a/b/", "a\rb", "a\x00b",
]  # fmt: skip


def _program(tmp_path, strings: list[str]) -> str:
    data = tmp_path / "strings.json"
    data.write_text(json.dumps(strings))
    path = tmp_path / "check.nix"
    path.write_text(PROGRAM.format(repo=REPO, strings=data))
    return str(path)


def _declos(path: str, capsys) -> list:
    assert main(["eval", "--strict", "--json", path]) == 0
    return json.loads(capsys.readouterr().out)


def _agree(rows: list) -> None:
    for by_split, relative, absolute, absolute_by_split in rows:
        assert relative == by_split
        assert absolute == absolute_by_split


def test_the_examples(tmp_path, capsys):
    rows = _declos(_program(tmp_path, EXAMPLES), capsys)
    _agree(rows)
    assert [r[1] for r in rows[:4]] == [False, True, True, False]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(alphabet="a./\n\t:", max_size=10), min_size=1, max_size=40))
def test_any_string(tmp_path_factory, capsys, strings):
    # (capsys is read, and so emptied, by each example)
    _agree(_declos(_program(tmp_path_factory.mktemp("s"), strings), capsys))


@pytest.mark.skipif(NIX_INSTANTIATE is None, reason="nix-instantiate is not installed")
def test_real_nix_gives_the_same_answers(tmp_path, capsys):
    # Not the NUL: Nix's strings end at one ("a\0b" is "a" there).
    path = _program(tmp_path, [s for s in EXAMPLES if "\x00" not in s])
    nix = run_nix([NIX_INSTANTIATE, "--eval", "--strict", "--json", path], check=True)
    assert json.loads(nix.stdout) == _declos(path, capsys)
