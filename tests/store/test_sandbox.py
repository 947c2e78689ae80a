"""A process builder that tries to write into another store path: a clear
error, no output path, no row, and (with a sandbox) the other path intact.

Run in every sandbox mode this host offers: `mount` (root, as the build
user), `userns` and `check` (no sandbox, only with unsafe builders allowed:
the damage is found after the build and named).  Hostile builders beyond
the store are in test_builder_privileges.py."""

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
    if request.param == "check":
        monkeypatch.setenv(sandbox.UNSAFE_ENV, "1")
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
        assert "read-only to builders" in message
        assert Path(victim, "f").read_text() == "precious\n"
        assert sorted(os.listdir(victim)) == ["f"]
        assert verify(store, check_contents=True).ok
        proc = store_verify_cli(store)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_writes_beside_the_output_and_into_the_state_dir(store, mode, victim):
    """The store is read-only; the rest of the state directory is not even
    there (a tmpfs holds only the store and the build's own directory)."""
    if mode == "check":
        pytest.skip("only a sandbox keeps new store entries and the state directory out")
    db_before = Path(store.state_dir, "db.sqlite").read_bytes()
    targets = {
        f"{store.store_dir}/new-entry": "read-only to builders",
        f"{store.state_dir}/db.sqlite": "exit code",
        f"{store.logs_dir}/x": "exit code",
        f"{store.builds_dir}/x": "exit code",
    }
    for i, (target, said) in enumerate(targets.items()):
        drv = mkdrv(store, f"beside-{i}", f"set -e; echo x > {target}; echo done > $out")
        with pytest.raises(BuildError, match=said):
            build_one(store, drv)
        assert_nothing_for(store, drv)
    assert not os.path.exists(f"{store.store_dir}/new-entry")
    assert not os.path.exists(f"{store.logs_dir}/x") and not os.path.exists(f"{store.builds_dir}/x")
    assert Path(store.state_dir, "db.sqlite").read_bytes()[:100] == db_before[:100]
    assert verify(store, check_contents=True).ok


def test_the_state_directory_is_out_of_sight(store, mode):
    if mode == "check":
        pytest.skip("no sandbox: the builder sees everything")
    drv = mkdrv(store, "look", f"ls -a {store.state_dir} > $out; ls {store.builds_dir} >> $out")
    out = Path(str(build_one(store, drv)["out"])).read_text().split()
    assert out[:4] == [".", "..", "builds", "store"]
    assert len(out) == 5 and out[4].startswith("look-")  # its own build directory only


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
    native = "mount" if os.geteuid() == 0 else "userns"
    assert mode == (native if sandbox.available(native) else "check")


def test_without_a_sandbox_process_builders_are_refused(store, monkeypatch):
    monkeypatch.setenv(sandbox.ENV_VAR, "check")
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    drv = mkdrv(store, "plain", "echo hi > $out")
    with pytest.raises(BuildError) as info:
        build_one(store, drv)
    message = str(info.value)
    assert f"cannot build '{drv}': process builders need a build sandbox" in message
    assert "--unsafe-builders" in message and "DECLOS_UNSAFE_BUILDERS=1" in message
    assert_nothing_for(store, drv)
    # In-process builders need no sandbox.
    text = store.derivation({"name": "t", "system": "x", "builder": "builtin:text", "text": "t"})
    assert Path(str(build_one(store, str(text[0]))["out"])).read_text() == "t"
    # Allowed, the builder runs unprotected.
    out = build_one(store, drv, unsafe=True)["out"]
    assert Path(str(out)).read_text() == "hi\n"


def test_a_host_without_a_sandbox_names_why(store, monkeypatch):
    """The probe of the native sandbox fails (here: its program is gone):
    the refusal says what failed."""
    monkeypatch.delenv(sandbox.ENV_VAR, raising=False)
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    monkeypatch.setattr(sandbox, "HELPER", "/nonexistent/sandbox_exec.py")
    monkeypatch.setattr(sandbox, "_probed", {})
    drv = mkdrv(store, "plain", "echo hi > $out")
    with pytest.raises(BuildError, match=r"there is none here \('/nonexistent/sandbox_exec.py' is"):
        build_one(store, drv)
    assert_nothing_for(store, drv)
