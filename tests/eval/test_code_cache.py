"""The code cache (`declos/eval/units.py`): files' compiled code kept on disk.

Each test runs `declos eval` as a process (the cache on disk is what a
second run reads) with its own cache directory, and checks what a user
sees: the same output from a warm cache, from a damaged entry (generated
again and rewritten) and from a cache directory that cannot be written.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from declos.eval.units import MAGIC

PROGRAM = """
let
  lib = import ./lib.dcl;
in {
  sum = lib.fold (a: b: a + b) 0 [ 1 2 3 4 ];
  text = lib.greet "cache";
}
"""

LIB = """
rec {
  fold = f: z: xs: if xs == [ ] then z else f (builtins.head xs) (fold f z (builtins.tail xs));
  greet = who: "hello ${who}";
}
"""

EXPECTED = '{ sum = 10; text = "hello cache"; }\n'


def _eval(file, cache) -> subprocess.CompletedProcess:
    env = {**os.environ, "DECLOS_CACHE_DIR": str(cache)}
    env.pop("DECLOS_PATH", None)
    return subprocess.run(
        [sys.executable, "-m", "declos", "eval", "--strict", str(file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def program(tmp_path):
    (tmp_path / "lib.dcl").write_text(LIB)
    main = tmp_path / "main.dcl"
    main.write_text(PROGRAM)
    return main


def _entries(cache) -> list:
    return sorted((cache / "code").glob("*.marshal"))


def test_a_warm_cache_gives_the_same_result(program, tmp_path):
    cache = tmp_path / "cache"
    cold = _eval(program, cache)
    assert cold.returncode == 0, cold.stderr
    entries = _entries(cache)
    assert len(entries) == 2  # main.dcl and lib.dcl
    before = {p: p.stat().st_mtime_ns for p in entries}
    warm = _eval(program, cache)
    assert (warm.returncode, warm.stdout, warm.stderr) == (0, cold.stdout, cold.stderr)
    assert {p: p.stat().st_mtime_ns for p in _entries(cache)} == before  # read, not rewritten


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "empty", "old format"])
def test_a_damaged_entry_is_generated_again(program, tmp_path, damage):
    cache = tmp_path / "cache"
    cold = _eval(program, cache)
    assert cold.returncode == 0, cold.stderr
    for entry in _entries(cache):
        data = entry.read_bytes()
        if damage == "flipped byte":
            i = len(data) * 2 // 3
            data = data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1 :]
        elif damage == "truncated":
            data = data[: len(data) // 2]
        elif damage == "empty":
            data = b""
        else:
            data = b"declos-code 1\n" + data[len(MAGIC) :]
        entry.write_bytes(data)
    again = _eval(program, cache)
    assert (again.returncode, again.stdout, again.stderr) == (0, cold.stdout, cold.stderr)
    # Rewritten whole: a third run reads them and still agrees.
    third = _eval(program, cache)
    assert (third.returncode, third.stdout) == (0, cold.stdout)
    assert all(e.read_bytes().startswith(MAGIC) for e in _entries(cache))


def test_an_unwritable_cache_only_means_no_caching(program, tmp_path):
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache directory would be\n")
    result = _eval(program, cache)
    assert (result.returncode, result.stdout) == (0, EXPECTED), result.stderr
    assert result.stderr == ""
