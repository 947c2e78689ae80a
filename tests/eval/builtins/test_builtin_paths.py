"""File-system builtins and the reads they record."""

from __future__ import annotations

import os

from declos.eval.evaluator import Evaluator


def test_read_dir_types_and_reads(nix, tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "d").mkdir()
    os.symlink("f", tmp_path / "l")
    os.mkfifo(tmp_path / "p")
    ev = Evaluator()
    assert nix(f"builtins.readDir {tmp_path}", ev) == (
        '{ d = "directory"; f = "regular"; l = "symlink"; p = "unknown"; }'
    )
    assert ("dir", str(tmp_path)) in ev.reads


def test_read_file_records(nix, tmp_path):
    (tmp_path / "f").write_text("héllo")
    ev = Evaluator()
    assert nix(f"builtins.readFile {tmp_path}/f", ev) == '"héllo"'
    assert ("file", f"{tmp_path}/f") in ev.reads


def test_path_exists(nix, tmp_path):
    (tmp_path / "f").write_text("x")
    os.symlink("missing", tmp_path / "dangling")
    assert nix(f'builtins.pathExists "{tmp_path}/dangling"') == "true"
    assert nix(f'builtins.pathExists "{tmp_path}/f/"') == "false"
    assert nix(f'builtins.pathExists "{tmp_path}/"') == "true"


def test_errors(nix_error, tmp_path):
    assert nix_error(f"builtins.readFile {tmp_path}/nope") == (
        f"opening file '{tmp_path}/nope': No such file or directory"
    )
    # current Nix's wording (2.8's "reading from file: Is a directory" named no path)
    assert nix_error(f"builtins.readFile {tmp_path}") == (
        f"reading from file '{tmp_path}': Is a directory"
    )
    assert nix_error(f"builtins.readFileType {tmp_path}/nope") == (
        f"getting status of '{tmp_path}/nope': No such file or directory"
    )
    assert nix_error('builtins.toPath "a"') == "string 'a' doesn't represent an absolute path"


def test_to_file_with_a_read_only_store(nix):
    assert nix('builtins.toFile "foo" "bar"') == '"/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo"'


def test_to_file_needs_a_store(nix_error):
    assert "needs a store" in nix_error('builtins.toFile "foo" "bar"', Evaluator())


def test_filter_source_needs_store(nix_error, tmp_path):
    msg = nix_error(f"builtins.filterSource (p: t: true) {tmp_path}", Evaluator())
    assert "needs a store" in msg


class FakeStore:
    store_dir = "/nix/store"

    def __init__(self):
        self.calls = []

    def add_path(self, path, name=None, filter=None, recursive=True):
        kept = sorted(
            p for p in os.listdir(path) if filter is None or filter(f"{path}/{p}", "regular")
        )
        self.calls.append((path, name, kept, recursive))
        return f"/nix/store/cccccccccccccccccccccccccccccccc-{name}"

    def add_text(self, name, text, references):
        self.calls.append((name, text, sorted(references)))
        return f"/nix/store/dddddddddddddddddddddddddddddddd-{name}"


def test_store_calls(nix, tmp_path):
    (tmp_path / "a").write_text("1")
    (tmp_path / "b").write_text("2")
    store = FakeStore()
    ev = Evaluator(store=store)
    expr = (
        f'builtins.path {{ path = {tmp_path}; name = "src"; filter = p: t: baseNameOf p == "a"; }}'
    )
    assert nix(expr, ev) == '"/nix/store/cccccccccccccccccccccccccccccccc-src"'
    assert store.calls[-1] == (str(tmp_path), "src", ["a"], True)
    assert nix('builtins.toFile "t" "x"', ev) == '"/nix/store/dddddddddddddddddddddddddddddddd-t"'
