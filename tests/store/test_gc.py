"""Garbage collection and verify on a real store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from declos.store.gc import (
    add_indirect_root,
    add_root,
    collect_garbage,
    find_roots,
    verify,
)
from declos.store.store import Store


@pytest.fixture
def populated(tmp_path):
    """A store with a chain kept by a root and a chain kept by nothing;
    the adding Store is closed, so its temporary roots are gone."""
    state = tmp_path / "state"
    with Store(state) as s:
        lib = s.add_text("lib", "lib")
        app = s.add_text("app", f"uses {lib}", [lib])
        orphan_dep = s.add_text("orphan-dep", "o")
        orphan = s.add_text("orphan", f"uses {orphan_dep}", [orphan_dep])
        src = tmp_path / "tree"
        (src / "d").mkdir(parents=True)
        (src / "d" / "f").write_text("f")
        tree = s.add_path(src)
    paths = {"lib": lib, "app": app, "orphan": orphan, "orphan_dep": orphan_dep, "tree": tree}
    return state, {k: str(v) for k, v in paths.items()}


def test_gc_keeps_the_closure_of_roots(populated, tmp_path):
    state, p = populated
    with Store(state) as s:
        add_root(s, p["app"], "myapp")
        assert find_roots(s)[p["app"]].endswith("gcroots/myapp")
        dry = collect_garbage(s, dry_run=True)
        assert set(dry.deleted) == {p["orphan"], p["orphan_dep"], p["tree"]}
        assert all(os.path.exists(x) for x in p.values())
        result = collect_garbage(s)
        assert result.deleted.index(p["orphan"]) < result.deleted.index(p["orphan_dep"])
        assert result.freed > 0
        for k in ("orphan", "orphan_dep", "tree"):
            assert not os.path.lexists(p[k]) and not s.is_valid(p[k])
        for k in ("app", "lib"):
            assert os.path.exists(p[k]) and s.is_valid(p[k])
        assert collect_garbage(s).deleted == ()
        assert verify(s, check_contents=True).ok


def test_indirect_root_and_extra_roots(populated, tmp_path):
    state, p = populated
    with Store(state) as s:
        result_link = tmp_path / "result"
        add_indirect_root(s, p["orphan"], result_link)
        assert os.readlink(result_link) == p["orphan"]
        collect_garbage(s, extra_roots=lambda: [p["tree"] + "/d/f"])
        assert all(s.is_valid(p[k]) for k in ("orphan", "orphan_dep", "tree"))
        assert not s.is_valid(p["app"])
        result_link.unlink()  # the user removed ./result: the root is gone
        collect_garbage(s)
        assert not s.is_valid(p["orphan"]) and not s.is_valid(p["tree"])
        assert os.listdir(os.path.join(s.gcroots_dir, "auto")) == []


def test_roots_through_a_directory_link(populated, tmp_path):
    state, p = populated
    profiles = state / "profiles"
    profiles.mkdir()
    (profiles / "system-1-link").symlink_to(p["app"])
    (profiles / "system").symlink_to("system-1-link")
    with Store(state) as s:
        os.symlink(profiles, os.path.join(s.gcroots_dir, "profiles"))
        collect_garbage(s)
        assert s.is_valid(p["app"]) and s.is_valid(p["lib"]) and not s.is_valid(p["orphan"])


def test_gc_max_freed(populated):
    state, p = populated
    with Store(state) as s:
        result = collect_garbage(s, max_freed=1)
        assert len(result.deleted) == 1
        assert sum(s.is_valid(x) for x in p.values()) == len(p) - 1


def test_temporary_roots_of_a_live_process_are_kept(populated):
    state, p = populated
    code = (
        "import sys, time; from declos.store.store import Store; "
        f"s = Store({str(state)!r}); s.add_text('orphan', 'held'); "
        f"s.add_temp_root({p['orphan']!r}); print('ready', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        with Store(state) as s:
            collect_garbage(s)
            assert s.is_valid(p["orphan"]) and s.is_valid(p["orphan_dep"])
            assert not s.is_valid(p["app"])
    finally:
        proc.kill()
        proc.wait()
    time.sleep(0.1)
    with Store(state) as s:
        collect_garbage(s)  # the process is gone: its temporary roots too
        assert not s.is_valid(p["orphan"])
        assert os.listdir(s.temproots_dir) == []


def test_gc_removes_unregistered_leftovers(populated):
    state, p = populated
    with Store(state) as s:
        add_root(s, p["app"], "app")
        junk = Path(s.store_dir, ".tmp-" + "0" * 27 + "-x")
        junk.mkdir()
        (junk / "f").write_text("half")
        os.chmod(junk, 0o555)
        collect_garbage(s)
        assert not junk.exists()
        assert sorted(os.listdir(s.store_dir)) == sorted(
            os.path.basename(p[k]) for k in ("app", "lib")
        )


def test_verify_reports_modified_and_missing(populated):
    state, p = populated
    with Store(state) as s:
        assert verify(s).ok and verify(s).checked == len(p)
        f = Path(p["tree"], "d", "f")
        os.chmod(f, 0o644)
        f.write_text("tampered")
        os.chmod(p["lib"], 0o644)
        os.unlink(p["lib"])
        quick = verify(s)
        assert quick.missing == (p["lib"],) and quick.modified == ()
        full = verify(s, check_contents=True)
        assert [m[0] for m in full.modified] == [p["tree"]]
        assert not full.ok
