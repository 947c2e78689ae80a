"""A process builder that tries to write into another store path: a clear
error, no output path, no row, and (with a sandbox) the other path intact.

Run in every sandbox mode this host offers: `mount` (root), `userns` and
`check` (no namespace: the damage is found after the build and named)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_helpers import ROOT, mkdrv, out_of

from declos.store import sandbox
from declos.store.builders import BuildError, build_one
from declos.store.gc import verify

ATTACKS = {
    "write": "echo x > {victim}/new",
    "overwrite": "echo x > {victim}/f",
    "chmod": "chmod 0777 {victim}/f",
    "rm": "rm -rf {victim}/f",
    "rm-path": "rm -rf {victim}",
}


@pytest.fixture(params=sandbox.MODES)
def mode(request, monkeypatch):
    if not sandbox.available(request.param):
        pytest.skip(f"no '{request.param}' sandbox on this host")
    monkeypatch.setenv(sandbox.ENV_VAR, request.param)
    return request.param


@pytest.fixture
def victim(store, tmp_path):
    src = tmp_path / "victim"
    src.mkdir()
    (src / "f").write_text("precious\n")
    return str(store.add_path(src))


def assert_nothing_for(store, drv):
    out = out_of(store, drv)
    assert not os.path.lexists(out)
    assert not store.is_valid(out)
    assert not [e for e in os.listdir(store.store_dir) if e.startswith(".tmp")]


def store_verify_cli(store) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "declos", "store", "verify", "--check-contents"],
        env={**os.environ, "DECLOS_STATE_DIR": store.state_dir, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_builder_writing_into_another_store_path(store, mode, victim, attack):
    script = "set -e; " + ATTACKS[attack].format(victim=victim) + "; echo done > $out"
    drv = mkdrv(store, f"evil-{attack}", script, srcs=[victim])
    with pytest.raises(BuildError) as info:
        build_one(store, drv)
    message = str(info.value)
    assert_nothing_for(store, drv)
    assert store.db.all_valid() == sorted([victim, drv])
    if mode == "check":
        # No protection: the damage is done, but found and named.
        assert "modified store paths that are not its outputs" in message
        assert victim in message
        assert not verify(store, check_contents=True).ok
    else:
        assert "failed with exit code" in message
        assert "the store is read-only to builders" in message
        assert Path(victim, "f").read_text() == "precious\n"
        assert sorted(os.listdir(victim)) == ["f"]
        assert verify(store, check_contents=True).ok
        proc = store_verify_cli(store)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_writes_beside_the_output_and_into_the_state_dir(store, mode, victim):
    if mode == "check":
        pytest.skip("only a sandbox keeps new store entries and the state directory out")
    for i, target in enumerate(
        [f"{store.store_dir}/new-entry", f"{store.state_dir}/db.sqlite", f"{store.logs_dir}/x"]
    ):
        drv = mkdrv(store, f"beside-{i}", f"set -e; echo x > {target}; echo done > $out")
        with pytest.raises(BuildError, match="read-only to builders"):
            build_one(store, drv)
        assert_nothing_for(store, drv)
    assert not os.path.exists(f"{store.store_dir}/new-entry")
    assert verify(store, check_contents=True).ok


def test_an_ignored_failed_write_changes_nothing(store, mode, victim):
    if mode == "check":
        pytest.skip("without a sandbox the write succeeds (and is reported)")
    drv = mkdrv(store, "sly", f"echo x > {victim}/f 2>/dev/null; echo done > $out")
    out = build_one(store, drv)["out"]
    assert Path(str(out)).read_text() == "done\n"
    assert Path(victim, "f").read_text() == "precious\n"
    assert verify(store, check_contents=True).ok


def test_a_sandboxed_build_works_as_before(store, mode, victim):
    """$out, a second output, the build directory and the inputs as usual."""
    drv = mkdrv(
        store,
        "fine",
        f"set -e; echo tmp > $TMPDIR/t; mkdir $out $dev; cat {victim}/f $TMPDIR/t > $out/f; "
        "echo $out > $dev/ref",
        srcs=[victim],
        outputs="out dev",
    )
    outs = build_one(store, drv)
    assert Path(str(outs["out"]), "f").read_text() == "precious\ntmp\n"
    assert Path(str(outs["dev"]), "ref").read_text() == f"{outs['out']}\n"
    assert store.query_references(outs["dev"]) == [str(outs["out"])]
    assert verify(store, check_contents=True).ok


def test_unknown_mode_is_a_clear_error(store, monkeypatch):
    monkeypatch.setenv(sandbox.ENV_VAR, "chroot")
    drv = mkdrv(store, "x", "echo > $out")
    with pytest.raises(BuildError, match="DECLOS_SANDBOX must be one of mount, userns, check"):
        build_one(store, drv)
    assert_nothing_for(store, drv)


def test_default_mode_protects_when_it_can(monkeypatch):
    monkeypatch.delenv(sandbox.ENV_VAR, raising=False)
    mode = sandbox.sandbox_mode()
    if os.geteuid() == 0 and sandbox.available("mount"):
        assert mode == "mount"
    elif sandbox.available("userns"):
        assert mode == "userns"
    else:
        assert mode == "check"
