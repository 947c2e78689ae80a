"""The read-only store of a live host, tested through its mount mechanics:
each test runs a shell in a private mount namespace (`unshare -m`, standing
in for the host) where the store is declos' read-only bind mount.  There,
writes from outside declos fail with EROFS, while declos builds, deletes
generations and collects garbage (each writing declos process remounts the
store writable in a namespace of its own, which leaks nowhere); a command
that only reads does not leave the namespace; making the store read-only
is idempotent and happens in the namespace declos started in.  The same on
a booted host: tests/live/test_readonly_store.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from store_helpers import ROOT

from declos.store.store import Store
from declos.system.synth import make_toplevel
from declos.system.transaction import System

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare"
)

#: Make the store declos' read-only bind mount, as a live switch does.
PROTECT = 'mount --bind "$S" "$S" && mount -o remount,bind,ro "$S"\n'

BUILD = """
let pkgs = import <declos/pkgs>; in {
  text = pkgs.writeText "ro-text" "hello";
  run = pkgs.runCommand "ro-built" { } "echo built > $out";
}
"""


@pytest.fixture
def state(tmp_path):
    """A state directory with two generations (1 and 2, 2 current)."""
    path = tmp_path / "state"
    with Store(path) as store:
        system = System(store, str(tmp_path / "root"))
        for n in (1, 2):
            system.switch_to(make_toplevel(store, etc={"motd": f"generation {n}\n"}))
        system.close()
    return path


def in_namespace(state, script: str, **extra: str) -> subprocess.CompletedProcess:
    """Run `script` (sh -e) in a new private mount namespace; $S is the
    store, $PY runs Python with declos, `declos` is the CLI on `state`."""
    env = {**os.environ, "PYTHONPATH": ROOT, "DECLOS_STATE_DIR": str(state), **extra}
    env.pop("NO_COLOR", None)
    env["S"] = str(state / "store")
    env["PY"] = sys.executable
    prelude = 'declos() { "$PY" -m declos "$@"; }\n'
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-ec", prelude + script],
        env=env,
        capture_output=True,
        text=True,
        cwd=state.parent,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def refused(what: str) -> str:
    """Shell: `what` must fail with EROFS (its error appended to $ERR)."""
    return (
        f'if ({what}) 2>>"$ERR"; then echo "not refused: {what}"; exit 1; fi\n'
        'grep -q "Read-only file system" "$ERR"\n'
    )


def test_writes_outside_declos_fail_and_declos_builds_deletes_and_collects(state, tmp_path):
    (tmp_path / "build.dcl").write_text(textwrap.dedent(BUILD))
    gen1 = os.readlink(state / "profiles" / "system-1-link")
    script = PROTECT + refused('touch "$S/x"') + refused(f'rm -rf "{gen1}"')
    script += """
        declos build build.dcl -A run -A text --no-out-link > built
        """ + refused('touch "$S/y"') + """
        declos generations delete 1
        declos gc > collected 2> gc.err
        declos store verify
        grep -c " $S " /proc/self/mountinfo > mounts
        """  # fmt: skip
    proc = in_namespace(state, script, ERR=str(tmp_path / "err"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = (tmp_path / "built").read_text().split()
    assert [os.path.basename(p).split("-", 1)[1] for p in built] == ["ro-built", "ro-text"]
    collected = (tmp_path / "collected").read_text().split()
    # The build's outputs (rooted by nothing) and generation 1 are gone.
    assert set(built) <= set(collected) and gen1 in collected
    assert not any(os.path.lexists(p) for p in collected)
    assert "store paths deleted" in (tmp_path / "gc.err").read_text()
    assert os.path.isdir(os.readlink(state / "profiles" / "system-2-link"))
    assert (tmp_path / "mounts").read_text().strip() == "1"  # no stacked mounts
    assert not (state / "store" / "x").exists() and not (state / "store" / "y").exists()


CHECK_NAMESPACES = """
import argparse, os, sys
from declos.cli.state import open_store
def ns():
    return os.readlink("/proc/self/ns/mnt")
host = ns()
args = argparse.Namespace(state_dir=sys.argv[1])
with open_store(args) as store:
    print("reading:", "own namespace" if ns() != host else "host namespace")
    try:
        open(os.path.join(store.store_dir, "r"), "w")
    except OSError as e:
        print("reading:", e.strerror)
with open_store(args, write=True) as store:
    print("writing:", "own namespace" if ns() != host else "host namespace")
    with open(os.path.join(store.store_dir, "w"), "w") as f:
        f.write("written by declos")
"""


def test_only_a_writing_command_leaves_the_namespace(state, tmp_path):
    script = PROTECT + '"$PY" -c "$CHECK" "$STATE" > out\n' + refused('touch "$S/x"')
    proc = in_namespace(
        state, script, CHECK=CHECK_NAMESPACES, STATE=str(state), ERR=str(tmp_path / "err")
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "out").read_text().splitlines() == [
        "reading: host namespace",
        "reading: Read-only file system",
        "writing: own namespace",
    ]
    assert (state / "store" / "w").read_text() == "written by declos"


PROTECT_TWICE = """
import os, subprocess, sys
from declos.store import mounts
store, mnt = sys.argv[1:3]
mounts.writable(store)  # writable already: nothing to do, still the host's namespace
assert not mounts.in_own_namespace()
mounts.protect(store, print)  # read-only on the host; this process writes on
assert mounts.in_own_namespace()
with open(os.path.join(store, "after"), "w") as f:
    f.write("still writable for declos")
mounts.protect(store, print)  # again, from its own namespace: idempotent
argv, fds = mounts.host_command(["mount", "-t", "tmpfs", "declos-test", mnt])
subprocess.run(argv, pass_fds=fds, check=True)  # as a live activation script
print("done")
"""


def test_protecting_is_idempotent_and_acts_on_the_namespace_declos_started_in(state, tmp_path):
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = '"$PY" -c "$CHECK" "$S" "$MNT" > out\n' + refused('touch "$S/x"')
    script += 'grep -c " $S " /proc/self/mountinfo >> out\n'
    script += 'grep -q " $MNT .* declos-test" /proc/self/mountinfo && echo mounted >> out\n'
    proc = in_namespace(state, script, CHECK=PROTECT_TWICE, MNT=str(mnt), ERR=str(tmp_path / "e"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "out").read_text().splitlines() == ["done", "1", "mounted"]
    assert (state / "store" / "after").read_text() == "still writable for declos"


def test_a_store_on_a_read_only_file_system_is_a_clear_error(state, tmp_path):
    (tmp_path / "build.dcl").write_text(textwrap.dedent(BUILD))
    script = 'mount -t tmpfs -o ro declos-ro "$S"\ndeclos build build.dcl -A text --no-out-link\n'
    proc = in_namespace(state, script)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"the store {state}/store is read-only and cannot be made writable" in proc.stderr
    assert "its file system is mounted read-only" in proc.stderr
