"""The host package index's on-disk cache (`$DECLOS_CACHE_DIR`): a symlink
planted in the cache directory does not make declos write through it."""

from __future__ import annotations

import json
import os

import pytest

from declos.store.pkgs.host_index import HostIndex


def test_a_symlink_at_the_temporary_name_is_not_written_through(tmp_path, monkeypatch):
    idx = HostIndex.probe()
    if idx.manager is None:
        pytest.skip("no apt package index on this host")
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(cache))
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    planted = cache / f"host-index-{idx._fingerprint()}.txt.tmp-{os.getpid()}"
    planted.symlink_to(victim)
    names = idx.names()
    assert "dpkg" in names
    assert victim.read_text() == "precious\n"


def test_after_an_index_change_the_names_asked_before_are_asked_again_at_once(
    tmp_path, monkeypatch
):
    """`apt-cache policy` takes as long for one name as for hundreds: the
    first package asked for a new state of the index brings with it the
    answers for those the previous state's file held (the same configuration
    needs them again after `apt-get update`), in one call."""
    idx = HostIndex.probe()
    if idx.manager is None:
        pytest.skip("no apt package index on this host")
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(cache))
    stale = cache / "host-versions-0123456789abcdef0123456789abcdef.json"
    stale.write_text(
        json.dumps({"dpkg": "0-old", "apt": None, "no-such-package-x": "1", "bad name;x": "2"})
    )
    assert idx.candidate("bash") is not None
    (fresh,) = cache.glob("host-versions-*.json")
    assert fresh != stale and not stale.exists()
    known = json.loads(fresh.read_text())
    assert set(known) == {"bash", "dpkg", "apt", "no-such-package-x"}
    assert known["dpkg"] not in (None, "0-old") and known["apt"] is not None
    assert known["no-such-package-x"] is None
    assert idx.candidate("dpkg") == known["dpkg"]
