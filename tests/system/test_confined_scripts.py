"""Activation scripts on a root that is not the live system run confined to
that root: whatever a script tries against the host (write a host file
under /tmp or elsewhere, change /etc, the state directory or the store,
remount, reach the network, kill a host process, make a device node) fails
and changes nothing outside the root, while everything it does in
"$DECLOS_ROOT" works as before.  Where the confinement cannot be set up,
the script is not run, and the output says so.  As root (the script stays
root with few capabilities) and as an unprivileged user (user namespace)."""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from system_helpers import REPO

from declos.store.gc import verify
from declos.system.transaction import System

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

#: Each attack on the host, as shell, and what its error must say; TMP, VAR
#: (world-writable directories holding a world-writable file), STATE, STORE,
#: PID (a host process) and PORT (a host listener on 127.0.0.1) are filled in.
EROFS = "Read-only file system"
GONE = "nonexistent|No such file"  # the host's /tmp is not the script's
ATTACKS = {
    "host-file-in-tmp": ("echo pwned > TMP/file", GONE),
    "new-host-file-in-tmp": ("echo pwned > TMP/new", GONE),
    "host-file": ("echo pwned > VAR/file", EROFS),
    "new-host-file": ("echo pwned > VAR/new", EROFS),
    "etc-file": ("echo pwned >> /etc/hosts", EROFS),
    "new-etc-file": ("touch /etc/declos-pwned", EROFS),
    "state-db": ("echo pwned > STATE/db.sqlite", EROFS),
    "new-state-file": ("touch STATE/pwned", EROFS),
    "store-entry": ("touch STORE/evil", EROFS),
    "store-path": ('echo pwned >> "$0"', EROFS),
    "remount-host": ("mount -o remount,rw / && touch /etc/declos-pwned", "permission denied"),
    "remount-store": ("mount -o remount,rw,bind STORE && touch STORE/evil", "permission denied"),
    "remount-in-own-userns": (
        "unshare --user --map-root-user --mount sh -ec "
        "'mount -o remount,rw /; touch /etc/declos-pwned'",
        EROFS,  # /proc/self/uid_map
    ),
    "network": (
        "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", PORT), timeout=3)'",
        "Network is unreachable",
    ),
    "kill-host-process": ("kill -9 PID", "No such process"),
    "kill-everything": ("kill -9 -1", "No such process"),
    "device-node": ('mknod "$DECLOS_ROOT/disk" b 8 0', "Operation not permitted"),
    "sysrq": ("echo h > /proc/sysrq-trigger", f"{EROFS}|{GONE}"),
    "sysctl": ("echo 1 > /proc/sys/vm/drop_caches", EROFS),
    "hostname": ("hostname declos-pwned", "root|Operation not permitted"),
}


def _digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _sentinel(parent: str) -> str:
    path = tempfile.mkdtemp(prefix="declos-sentinel-", dir=parent)
    os.chmod(path, 0o777)
    Path(path, "file").write_text("untouched\n")
    os.chmod(Path(path, "file"), 0o666)
    return path


class Host:
    """What an attack may not change, recorded before the switch."""

    def __init__(self, state: str, store) -> None:
        self.state, self.store = state, store
        self.tmp = _sentinel("/tmp")
        self.var = _sentinel("/var/lib")
        self.victim = subprocess.Popen(["sleep", "300"])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.setblocking(False)
        self.hosts = _digest("/etc/hosts")
        self.hostname = socket.gethostname()
        self.db = _digest(os.path.join(state, "db.sqlite"))

    def fill(self, text: str) -> str:
        for key, value in (
            ("TMP", self.tmp),
            ("VAR", self.var),
            ("STATE", self.state),
            ("STORE", self.store.store_dir),
            ("PID", str(self.victim.pid)),
            ("PORT", str(self.listener.getsockname()[1])),
        ):
            text = text.replace(key, value)
        return text

    def assert_unchanged(self) -> None:
        for d in (self.tmp, self.var):
            assert os.listdir(d) == ["file"] and Path(d, "file").read_text() == "untouched\n"
        assert _digest("/etc/hosts") == self.hosts
        assert not os.path.lexists("/etc/declos-pwned")
        assert socket.gethostname() == self.hostname
        assert _digest(os.path.join(self.state, "db.sqlite")) == self.db
        assert not os.path.lexists(os.path.join(self.state, "pwned"))
        assert not os.path.lexists(os.path.join(self.store.store_dir, "evil"))
        assert verify(self.store, check_contents=True).ok
        assert self.victim.poll() is None, "the host process was killed"
        with pytest.raises(BlockingIOError):
            self.listener.accept()

    def close(self) -> None:
        self.victim.kill()
        self.victim.wait()
        self.listener.close()
        shutil.rmtree(self.tmp)
        shutil.rmtree(self.var)


@pytest.fixture
def host(state, store):
    h = Host(state, store)
    yield h
    h.close()


def switch(store, root, toplevel) -> list[str]:
    said: list[str] = []
    system = System(store, root, say=said.append)
    try:
        system.switch_to(toplevel)
    finally:
        system.close()
    return said


def attempt(text: str) -> str:
    """A script that runs `text` in a subshell and writes its exit status
    and error output into the root."""
    return (
        "set +e\n"
        f'( {text} ) > "$DECLOS_ROOT/attack.out" 2>&1\n'
        'echo $? > "$DECLOS_ROOT/attack.status"\n'
    )


@needs_root
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_script_on_a_scratch_root_cannot_touch_the_host(store, root, top, host, attack):
    shell, error = ATTACKS[attack]
    t = top(scripts=[("attack", [], attempt(host.fill(shell)))])
    said = switch(store, root, t)
    assert not any("script not run" in line for line in said), said
    out = Path(root, "attack.out").read_text()
    assert Path(root, "attack.status").read_text().strip() != "0", out
    assert re.search(error, out), out
    host.assert_unchanged()
    assert not os.path.lexists(os.path.join(root, "disk"))


@needs_root
def test_writing_into_the_root_works_as_before(store, root, top, host):
    script = """
        mkdir -p "$DECLOS_ROOT/var/cache/app" "$DECLOS_ROOT/srv/shared"
        echo data > "$DECLOS_ROOT/var/cache/app/file"
        chown 1234:2345 "$DECLOS_ROOT/srv/shared"
        chmod 2770 "$DECLOS_ROOT/srv/shared"
        ln -sfn /srv/shared "$DECLOS_ROOT/shared"
        echo scratch > /tmp/declos-scratch && cat /tmp/declos-scratch
        [ "$(pwd)" = "$DECLOS_ROOT" ]
        [ -r "$0" ] && sort --version > /dev/null
        echo "listed: $(cat "$DECLOS_ROOT/etc/passwd" | wc -l)"
    """
    t = top(scripts=[("work", [], script)], users={"alice": {"isNormalUser": True}})
    said = switch(store, root, t)
    assert "work: scratch" in said and "work: listed: 1" in said, said
    assert Path(root, "var/cache/app/file").read_text() == "data\n"
    st = os.stat(os.path.join(root, "srv/shared"))
    assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o7777)) == (1234, 2345, "0o2770")
    assert os.readlink(os.path.join(root, "shared")) == "/srv/shared"
    assert not os.path.exists("/tmp/declos-scratch")  # its /tmp was its own
    host.assert_unchanged()


@needs_root
def test_a_failing_confined_script_fails_the_switch_as_before(store, root, top):
    t = top(scripts=[("bad", [], "echo going wrong; exit 3")])
    with pytest.raises(Exception, match="activation script 'bad' failed with exit status 3"):
        switch(store, root, t)


RUNNER = """
import sys
from declos.store.store import Store
from declos.system.synth import make_toplevel
from declos.system.transaction import System
state, root, script = sys.argv[1:4]
store = Store(state)
top = make_toplevel(store, scripts=[("probe", [], script)], etc={"motd": "hello\\n"})
system = System(store, root, say=lambda m: print(m, flush=True))
print("generation", system.switch_to(top).generation.number)
"""


def _as_nobody(argv: list[str], **kw) -> subprocess.CompletedProcess:
    user = pwd.getpwnam("nobody")
    setpriv = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
    return subprocess.run([*setpriv, *argv], capture_output=True, text=True, **kw)


def _python_for_nobody(env: dict) -> str | None:
    """An interpreter 'nobody' can run, and run again as `sys.executable`
    (the sandbox helper), with declos importable."""
    check = (
        "import subprocess, sys, declos, attrs, lark; subprocess.run([sys.executable, '-c', ''])"
    )
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if _as_nobody([python, "-c", check], env=env, cwd="/").returncode == 0:
            return python
    return None


@needs_root
def test_where_it_cannot_be_confined_a_script_is_not_run(tmp_path):
    """In a user namespace that may make no network namespace, the
    confinement cannot be set up: the switch goes on without the script."""
    state, root = tmp_path / "state", tmp_path / "root"
    script = 'echo ran > "$DECLOS_ROOT/ran"'
    inner = 'echo 0 > /proc/sys/user/max_net_namespaces && exec "$@"'
    argv = ["unshare", "--user", "--map-root-user", "sh", "-c", inner, "sh"]
    argv += [sys.executable, "-c", RUNNER, str(state), str(root), script]
    env = {**os.environ, "PYTHONPATH": REPO}
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no user namespaces here: {probe.stderr.decode().strip()}")
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    (not_run,) = [line for line in lines if line.startswith("script not run probe (")]
    assert "No space left on device" in not_run
    assert "generation 1" in lines
    assert not (root / "ran").exists()
    assert (root / "etc/motd").is_symlink()  # the rest of the activation happened


def test_as_an_unprivileged_user_the_script_runs_confined_as_that_user(tmp_path):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to become another user")
    import attrs

    site = os.path.dirname(os.path.dirname(attrs.__file__))
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO}:{site}"}
    python = _python_for_nobody(env)
    if python is None:
        pytest.skip("no Python interpreter that 'nobody' can run with declos")
    user = pwd.getpwnam("nobody")
    work = Path(tempfile.mkdtemp(prefix="declos-unprivileged-", dir="/var/tmp"))
    sentinel = _sentinel("/var/lib")
    try:
        os.chmod(work, 0o755)
        os.chown(work, user.pw_uid, user.pw_gid)
        script = (
            'id -u > "$DECLOS_ROOT/uid"\n'
            f"if echo pwned > {sentinel}/new; then echo escaped; fi\n"
            f"if echo pwned > {sentinel}/file; then echo escaped; fi\n"
        )
        argv = [python, "-c", RUNNER, str(work / "state"), str(work / "root"), script]
        proc = _as_nobody(argv, env=env, cwd=work)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "escaped" not in proc.stdout and "script not run" not in proc.stdout, proc.stdout
        assert "Read-only file system" in proc.stdout
        assert (work / "root/uid").read_text() == f"{user.pw_uid}\n"
        assert os.listdir(sentinel) == ["file"]
        assert Path(sentinel, "file").read_text() == "untouched\n"
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(sentinel, ignore_errors=True)


def test_the_host_process_survives_a_script_that_signals_everything(store, root, top, host):
    """Its own PID namespace: `kill -9 -1` reaches nothing of the host."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    t = top(scripts=[("killer", [], "sleep 30 & kill -9 -1; echo done")])
    said = switch(store, root, t)
    assert "killer: done" in said
    assert host.victim.poll() is None
    os.kill(host.victim.pid, signal.SIGCONT)  # still ours to signal
