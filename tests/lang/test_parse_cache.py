"""The on-disk parse cache (declos/lang/cache.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from declos.diagnostics import ParseError, Source
from declos.lang import cache
from declos.lang.parser import parse_source

TEXT = '{ a = 1; b = [ "x${y}" ./p ]; inherit (z) w; }\n'


@pytest.fixture
def cache_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(root))
    return root


@pytest.fixture
def parses(monkeypatch) -> list:
    """Records every real parse the cache falls back to."""
    calls = []

    def counting(source):
        calls.append(source)
        return parse_source(source)

    monkeypatch.setattr(cache, "parse_source", counting)
    return calls


def src(text: str = TEXT, path: str = "/src/a.dcl") -> Source:
    return Source(path, text)


def entries(root: Path) -> list[Path]:
    return sorted((root / "parse").iterdir()) if (root / "parse").exists() else []


def test_second_parse_is_a_hit(cache_root, parses):
    first = cache.cached_parse(src())
    second_source = src()
    second = cache.cached_parse(second_source)
    assert len(parses) == 1
    assert second == first == parse_source(src())
    assert len(entries(cache_root)) == 1


def test_cached_spans_point_at_the_callers_source(cache_root):
    cache.cached_parse(src())
    source = src()
    tree = cache.cached_parse(source)
    assert tree.span.source is source
    assert tree.bindings[1].value.span.source is source
    assert tree.bindings[0].span.location() == "/src/a.dcl:1:3"


@pytest.mark.parametrize(
    "change",
    [
        lambda s: src(TEXT + " "),
        lambda s: src(path="/src/b.dcl"),
    ],
    ids=["text", "path"],
)
def test_text_or_path_change_misses(cache_root, parses, change):
    cache.cached_parse(src())
    cache.cached_parse(change(None))
    assert len(parses) == 2


def test_version_change_invalidates(cache_root, parses, monkeypatch):
    cache.cached_parse(src())
    monkeypatch.setattr(cache, "__version__", "999.0")
    cache.cached_parse(src())
    assert len(parses) == 2
    assert len(entries(cache_root)) == 2


def corrupt_garbage(data: bytes) -> bytes:
    return b"not a cache entry at all"


def corrupt_truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def corrupt_empty(data: bytes) -> bytes:
    return b""


def corrupt_flip(data: bytes) -> bytes:
    i = len(data) - 10
    return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :]


def corrupt_bad_pickle(data: bytes) -> bytes:
    import hashlib

    payload = b"\x80\x05garbage."
    head = len(cache.MAGIC)
    return data[:head] + hashlib.sha256(payload).digest() + payload


def corrupt_wrong_type(data: bytes) -> bytes:
    import hashlib
    import pickle

    payload = pickle.dumps({"not": "an expression"})
    return cache.MAGIC + hashlib.sha256(payload).digest() + payload


@pytest.mark.parametrize(
    "corrupt",
    [
        corrupt_garbage,
        corrupt_truncate,
        corrupt_empty,
        corrupt_flip,
        corrupt_bad_pickle,
        corrupt_wrong_type,
    ],
)
def test_corrupt_entry_is_ignored_and_rewritten(cache_root, parses, corrupt):
    expected = cache.cached_parse(src())
    (entry,) = entries(cache_root)
    good = entry.read_bytes()
    entry.write_bytes(corrupt(good))
    assert cache.cached_parse(src()) == expected
    assert len(parses) == 2
    assert entry.read_bytes() == good
    assert cache.cached_parse(src()) == expected
    assert len(parses) == 2


def test_unwritable_cache_dir_parses_without_caching(tmp_path, monkeypatch, parses):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(blocker / "cache"))
    assert cache.cached_parse(src()) == parse_source(src())
    assert cache.cached_parse(src()) == parse_source(src())
    assert len(parses) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_cache_dir(tmp_path, monkeypatch, parses):
    root = tmp_path / "ro"
    (root / "parse").mkdir(parents=True)
    (root / "parse").chmod(0o500)
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(root))
    try:
        assert cache.cached_parse(src()) == parse_source(src())
    finally:
        (root / "parse").chmod(0o700)


def test_failed_rename_leaves_nothing_half_written(cache_root, parses, monkeypatch):
    def failing_replace(a, b):
        raise OSError("disk full")

    monkeypatch.setattr(cache.os, "replace", failing_replace)
    assert cache.cached_parse(src()) == parse_source(src())
    assert entries(cache_root) == []
    monkeypatch.undo()


def test_no_temporary_files_remain(cache_root):
    cache.cached_parse(src())
    names = [p.name for p in entries(cache_root)]
    assert len(names) == 1
    assert names[0].endswith(".pickle")
    assert not names[0].startswith(".tmp-")


def test_parse_errors_propagate_and_are_not_cached(cache_root, parses):
    for _ in range(2):
        with pytest.raises(ParseError):
            cache.cached_parse(src("{ a = ; }"))
    assert len(parses) == 2
    assert entries(cache_root) == []


def test_deep_tree_is_parsed_even_if_it_cannot_be_pickled(cache_root):
    text = "1" + " + 1" * 20000
    tree = cache.cached_parse(src(text))
    assert tree.op == "+"


def test_cache_dir_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("DECLOS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "declos" / "parse"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "declos" / "parse"
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_dir() == tmp_path / "explicit" / "parse"


def test_cli_uses_the_cache(cache_root, tmp_path, capsys):
    from declos.cli import main

    f = tmp_path / "x.dcl"
    f.write_text("a: a + 1\n")
    assert main(["parse", str(f)]) == 0
    assert len(entries(cache_root)) == 1
    assert main(["parse", str(f)]) == 0
    assert capsys.readouterr().out == "a: a + 1\n" * 2
