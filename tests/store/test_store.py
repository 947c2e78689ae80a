"""Adding paths to a real temporary store: atomicity, normalisation, references."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from declos.store.db import PathInfo, StoreDB, StoreDBError
from declos.store.fs import RefScanner
from declos.store.hashing import nar_hash
from declos.store.paths import StorePath, StorePathError, make_text_path
from declos.store.store import Store, StoreError


def store_entries(store):
    return sorted(os.listdir(store.store_dir))


def test_add_text(store):
    p = store.add_text("foo", "bar")
    assert p == make_text_path("foo", b"bar", (), store.store_dir)
    assert Path(str(p)).read_text() == "bar"
    st = os.lstat(str(p))
    assert stat.S_IMODE(st.st_mode) == 0o444 and st.st_mtime == 1
    info = store.query_path_info(p)
    assert info.nar_hash == str(nar_hash(str(p))[0]) and info.nar_size > 3
    assert info.references == () and info.ca.startswith("text:sha256:")
    assert store.is_valid(p) and store.is_valid(str(p))


def test_adding_twice_is_a_noop(store):
    p = store.add_text("foo", "bar")
    t = store.query_path_info(p).registration_time
    ino = os.lstat(str(p)).st_ino
    assert store.add_text("foo", "bar") == p
    assert os.lstat(str(p)).st_ino == ino
    assert store.query_path_info(p).registration_time == t
    assert store_entries(store) == [p.base_name]


def test_text_references_and_closure(store):
    a = store.add_text("a", "A")
    b = store.add_text("b", f"uses {a}", [a])
    c = store.add_text("c", f"uses {b}", [b])
    assert store.query_references(c) == [str(b)]
    assert store.query_referrers(a) == [str(b)]
    assert store.closure([c]) == {str(a), str(b), str(c)}
    assert store.closure([a]) == {str(a)}


def test_add_path_tree(store, tmp_path):
    src = tmp_path / "src"
    (src / "bin").mkdir(parents=True)
    (src / "bin" / "tool").write_text("#!/bin/sh\n")
    os.chmod(src / "bin" / "tool", 0o4775)  # setuid, group write: all dropped
    (src / "data").write_text("data")
    (src / "link").symlink_to("data")
    p = store.add_path(src)
    assert p.name == "src"
    real = str(p)
    assert nar_hash(real) == nar_hash(src)
    assert stat.S_IMODE(os.lstat(f"{real}/bin/tool").st_mode) == 0o555
    assert stat.S_IMODE(os.lstat(f"{real}/data").st_mode) == 0o444
    assert stat.S_IMODE(os.lstat(real).st_mode) == 0o555
    assert os.readlink(f"{real}/link") == "data"
    for root, dirs, files in os.walk(real):
        for n in dirs + files + ["."]:
            assert os.lstat(os.path.join(root, n)).st_mtime == 1
    assert store.add_path(src) == p
    assert store.add_path(src, name="other") != p


def test_add_path_filter_and_flat(store, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "keep").write_text("k")
    (src / "drop.tmp").write_text("d")
    (src / "sub").mkdir()
    (src / "sub" / "x.tmp").write_text("x")
    seen = []

    def keep(path, kind):
        seen.append((os.path.basename(path), kind))
        return not path.endswith(".tmp")

    p = store.add_path(src, name="filtered", filter=keep)
    assert sorted(os.listdir(str(p))) == ["keep", "sub"]
    assert ("sub", "directory") in seen and ("keep", "regular") in seen
    assert not any(e.startswith(".tmp") for e in store_entries(store))
    flat = store.add_path(src / "keep", recursive=False)
    assert Path(str(flat)).read_text() == "k"
    with pytest.raises(StoreError):
        store.add_path(src, recursive=False)
    with pytest.raises(StorePathError):
        store.add_path(src, name="bad name")


@pytest.mark.parametrize("stage", ["before-rename", "before-register"])
def test_failure_between_build_and_registration_leaves_nothing(store, stage):
    class Boom(Exception):
        pass

    def fault(s):
        if s == stage:
            raise Boom(s)

    store.fault = fault
    with pytest.raises(Boom):
        store.add_text("foo", "bar")
    p = make_text_path("foo", b"bar", (), store.store_dir)
    assert store_entries(store) == []
    assert not store.is_valid(p)
    assert store.db.all_valid() == []
    store.fault = None
    assert store.add_text("foo", "bar") == p
    assert store_entries(store) == [p.base_name]


def test_leftovers_of_a_crash_are_removed(store):
    p = make_text_path("foo", b"bar", (), store.store_dir)
    tmp = store.tmp_path_for(p)
    os.makedirs(tmp)
    os.chmod(tmp, 0o555)
    with open(str(p), "w") as f:  # renamed but never registered
        f.write("half")
    assert store.add_text("foo", "bar") == p
    assert Path(str(p)).read_text() == "bar"
    assert store_entries(store) == [p.base_name]


def test_install_produces_nothing(store):
    p = make_text_path("x", b"x", (), store.store_dir)
    with pytest.raises(StoreError, match="failed to produce output path"):
        store.install(p, lambda tmp: None)
    assert store_entries(store) == []


def test_reference_scanning_and_self_reference(store):
    a = store.add_text("a", "A")
    b = store.add_text("b", "B")
    dest = StorePath(store.store_dir, "0" * 32, "out")

    def produce(tmp):
        os.mkdir(tmp)
        with open(f"{tmp}/f", "w") as f:
            f.write(f"x{a}/bin/y and me: {tmp}/bin")

    info = store.install(dest, produce, ref_candidates=[a, b])
    assert set(info.references) == {str(a), str(dest)}
    assert Path(f"{dest}/f").read_text().endswith(f"and me: {dest}/bin")
    assert store.closure([dest]) == {str(a), str(dest)}


def test_ref_scanner_across_chunks():
    h = "0123456789abcdfghijklmnpqrsvwxyz"
    s = RefScanner([h, "z" * 32])
    s(b"...." + h[:10].encode())
    s(h[10:].encode() + b"...")
    assert s.found == {h}


def test_db_transactions(tmp_path):
    db = StoreDB(tmp_path / "db.sqlite")
    assert (
        sqlite3.connect(tmp_path / "db.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
        == "wal"
    )
    with pytest.raises(StoreDBError, match="not valid"):
        db.register([PathInfo("/s/a", "sha256:x", 1), PathInfo("/s/b", "sha256:y", 1, ["/s/c"])])
    assert db.all_valid() == []  # the whole batch rolled back
    db.register(
        [PathInfo("/s/a", "sha256:x", 1), PathInfo("/s/b", "sha256:y", 1, ["/s/a", "/s/b"])]
    )
    assert db.closure(["/s/b"]) == {"/s/a", "/s/b"}
    with pytest.raises(StoreDBError, match="still referenced"):
        db.invalidate(["/s/a"])
    db.invalidate(["/s/a", "/s/b"])
    assert db.all_valid() == []
    db.close()


def test_two_stores_share_a_state_dir(tmp_path):
    with Store(tmp_path / "s") as one, Store(tmp_path / "s") as two:
        p = one.add_text("t", "t")
        assert two.is_valid(p)
        assert two.add_text("t", "t") == p


def test_store_derivation_for_the_evaluator(store):
    src = store.add_text("script", "echo hi > $out")
    path, drv = store.derivation(
        {"name": "x", "system": "x86_64-linux", "builder": "/bin/sh", "script": str(src)},
        args=["-e", str(src)],
        input_srcs=[str(src)],
    )
    assert store.is_valid(path) and path.name == "x.drv"
    assert store.read_derivation(path) == drv
    assert store.query_references(path) == [str(src)]
    assert store.db.derivation_outputs(str(path)) == {"out": drv.outputs["out"].path}
    top, top_drv = store.derivation(
        {"name": "y", "system": "x86_64-linux", "builder": "/bin/sh", "x": drv.outputs["out"].path},
        input_drvs={str(path): ["out"]},
        write=False,
    )
    assert not store.is_valid(top) and str(path) in top_drv.input_drvs
