"""The host package index's on-disk cache (`$DECLOS_CACHE_DIR`): a symlink
planted in the cache directory does not make declos write through it."""

from __future__ import annotations

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
