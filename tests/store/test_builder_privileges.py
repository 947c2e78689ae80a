"""Hostile process builders: each attack must fail, the build fail cleanly
(a `BuildError`, no output, no row, no temporary left) and nothing outside
the build change — as root (builders run as the build user `declos-build`)
and as an unprivileged user (declos itself run through `setpriv`).

The attacks: remount the store writable (directly, and from a user
namespace of the builder's own), write into or chmod another store path,
add a store entry, write a root-owned world-writable file and a
world-writable directory under /tmp, write into the state directory,
become root, chown or setuid its output, hard-link a store file into it.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from store_helpers import ROOT, mkdrv, out_of

from declos.store import sandbox
from declos.store.builders import BuildError, build_one
from declos.store.gc import verify

#: Each attack's commands; `set -e` makes the first refused step fail the build.
ATTACKS = {
    "remount-store": "mount -o remount,rw,bind STORE; echo pwned > VICTIM/f",
    "remount-in-own-userns": (
        "unshare --user --map-root-user --mount /bin/sh -ec "
        "'mount -o remount,rw,bind STORE; echo pwned > VICTIM/f'"
    ),
    "write-store-path": "echo pwned > VICTIM/f",
    "chmod-store-path": "chmod 0777 VICTIM",
    "new-store-entry": "echo pwned > STORE/evil",
    "host-file": "echo pwned > SENTINEL/file",
    "host-dir": "echo pwned > SENTINEL/new",
    "state-dir": "echo pwned > STATE/db.sqlite",
    "become-root": "setpriv --reuid=0 --regid=0 --clear-groups /bin/true",
    "chown-output": "echo x > $out; chown 0:0 $out",
    "setuid-output": "echo x > $out; chmod 4755 $out",
    "hardlink-store-file": "ln VICTIM/f $out",
}


def script(attack: str, *, store: str, victim: str, sentinel: str, state: str) -> str:
    text = ATTACKS[attack]
    for key, value in (("STORE", store), ("VICTIM", victim), ("SENTINEL", sentinel)):
        text = text.replace(key, value)
    text = text.replace("STATE", state)
    return f"set -e; {text}; [ -e $out ] || echo done > $out"


@pytest.fixture
def sentinel():
    """A world-writable directory in /tmp holding a world-writable file of
    root's: only the sandbox keeps a builder from changing them."""
    path = tempfile.mkdtemp(prefix="declos-sentinel-", dir="/tmp")
    os.chmod(path, 0o777)
    Path(path, "file").write_text("untouched\n")
    os.chmod(Path(path, "file"), 0o666)
    yield path
    shutil.rmtree(path)


def assert_untouched(sentinel: str) -> None:
    assert os.listdir(sentinel) == ["file"]
    assert Path(sentinel, "file").read_text() == "untouched\n"


@pytest.fixture
def as_root(monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    monkeypatch.delenv(sandbox.ENV_VAR, raising=False)
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    if not sandbox.available("mount"):
        pytest.skip(f"no build sandbox for root here: {sandbox.why_not('mount')}")


@pytest.fixture
def victim(store, tmp_path):
    src = tmp_path / "victim"
    src.mkdir()
    (src / "f").write_text("precious\n")
    return str(store.add_path(src))


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_builder_as_root(store, as_root, victim, sentinel, attack):
    text = script(
        attack, store=store.store_dir, victim=victim, sentinel=sentinel, state=store.state_dir
    )
    drv = mkdrv(store, f"attack-{attack}", text, srcs=[victim])
    with pytest.raises(BuildError) as info:
        build_one(store, drv)
    if attack == "setuid-output":
        assert "setuid or setgid" in str(info.value)
    out = out_of(store, drv)
    assert not os.path.lexists(out) and not store.is_valid(out)
    assert not [e for e in os.listdir(store.store_dir) if e.startswith(".tmp")]
    assert store.db.all_valid() == sorted([victim, drv])
    assert Path(victim, "f").read_text() == "precious\n" and os.listdir(victim) == ["f"]
    assert verify(store, check_contents=True).ok
    assert_untouched(sentinel)


def test_a_builder_runs_as_the_build_user_without_privileges(store, as_root):
    drv = mkdrv(
        store,
        "whoami",
        "mkdir $out; id -u > $out/uid; id -G > $out/groups; "
        "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status > $out/caps; "
        "echo $$ > $out/pid; touch $out/made",
    )
    out = Path(str(build_one(store, drv)["out"]))
    user = pwd.getpwnam(sandbox.BUILD_USER)
    assert user.pw_uid != 0 and user.pw_gid != 0
    assert user.pw_shell.endswith("nologin") or user.pw_shell == "/bin/false"
    assert (out / "uid").read_text().split() == [str(user.pw_uid)]
    assert (out / "groups").read_text().split() == [str(user.pw_gid)]
    caps = dict(line.split(":") for line in (out / "caps").read_text().splitlines())
    assert {k: v.strip() for k, v in caps.items()} == {
        "CapInh": "0000000000000000",
        "CapPrm": "0000000000000000",
        "CapEff": "0000000000000000",
        "CapBnd": "0000000000000000",
        "CapAmb": "0000000000000000",
        "NoNewPrivs": "1",
    }
    assert (out / "pid").read_text().strip() == "1"  # its own PID namespace
    # Chown'ed back and normalised as any output.
    for p in (out, out / "made"):
        st = os.lstat(p)
        assert (st.st_uid, st.st_gid) == (0, 0)
        assert not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_unsafe_builders_from_the_cli(declos, monkeypatch):
    """Without a sandbox (forced here), `declos build` refuses process
    builders unless --unsafe-builders is given."""
    f = declos.write(
        "p.dcl",
        'let pkgs = import <declos/pkgs>; in pkgs.runCommand "p" { } "echo hi > $out"',
    )
    monkeypatch.setenv(sandbox.ENV_VAR, "check")
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    refused = declos("build", f, "-A", "", "--no-out-link", check=1)
    assert "process builders need a build sandbox" in refused.stderr
    assert "--unsafe-builders" in refused.stderr
    assert refused.stdout == ""
    built = declos("build", f, "-A", "", "--no-out-link", "--unsafe-builders")
    assert Path(built.stdout.strip()).read_text() == "hi\n"


# --- as an unprivileged user -----------------------------------------------------------

USER = "nobody"


def _site_packages() -> str:
    import attrs

    return os.path.dirname(os.path.dirname(attrs.__file__))


def _python_for(user: pwd.struct_passwd) -> str | None:
    """An interpreter `user` can run with declos' dependencies importable."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT}:{_site_packages()}"}
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        probe = _as(user, [python, "-c", "import attrs, lark, jinja2, networkx, declos"], env)
        if probe.returncode == 0:
            return python
    return None


def _as(user, argv, env, cwd="/") -> subprocess.CompletedProcess:
    setpriv = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    return subprocess.run(
        [*setpriv, "/bin/sh", "-c", 'exec "$@"', "sh", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def unprivileged():
    """(user, python, a work directory of the user's beside /tmp)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to become another user")
    user = pwd.getpwnam(USER)
    python = _python_for(user)
    if python is None:
        pytest.skip(f"no Python interpreter that '{USER}' can run with declos")
    top = tempfile.mkdtemp(prefix="declos-unprivileged-", dir="/tmp")
    os.chmod(top, 0o755)
    work = Path(top, "work")
    work.mkdir()
    os.chown(work, user.pw_uid, user.pw_gid)
    yield user, python, work
    shutil.rmtree(top)


def test_hostile_builders_as_an_unprivileged_user(unprivileged, sentinel):
    user, python, work = unprivileged
    state = work / "state"
    store = state / "store"
    # `self."attack-…"`: a name with a dash is not an identifier in `rec`.
    lines = ["let pkgs = import <declos/pkgs>; in with pkgs; let self = {"]
    lines.append('  victim = runCommand "victim" { } "mkdir $out; echo precious > $out/f";')
    names = []
    for attack in sorted(ATTACKS):
        text = script(
            attack, store=str(store), victim="VICTIM", sentinel=sentinel, state=str(state)
        )
        literal = json.dumps(text).replace("VICTIM", "${self.victim}")
        names.append(f"attack-{attack}")
        lines.append(f'  "attack-{attack}" = runCommand "attack-{attack}" {{ }} {literal};')
    lines.append('  whoami = runCommand "whoami" { } "id -u > $out";')
    listed = " ".join(f'self."{n}"' for n in names)
    lines.append(f"  attacks = [ self.whoami {listed} ];")
    lines.append("}; in self")
    (work / "hostile.dcl").write_text("\n".join(lines) + "\n")
    env = {
        "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
        "HOME": str(work),
        "PYTHONPATH": f"{ROOT}:{_site_packages()}",
        "DECLOS_STATE_DIR": str(state),
    }
    declos = [python, "-m", "declos"]
    run = _as(
        user, [*declos, "build", "hostile.dcl", "-A", "attacks", "-k", "--no-out-link"], env, work
    )
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 1, run.stderr
    assert "need a build sandbox" not in run.stderr  # the userns sandbox ran them
    for name in names:
        assert f"error: builder for '{store}/" in run.stderr
        assert f"-{name}.drv'" in run.stderr, (name, run.stderr)
    assert f"error: {len(names)} build(s) failed" in run.stderr
    # The builder ran as the user itself, not as root.
    whoami = [p for p in run.stdout.split() if p.endswith("-whoami")]
    assert len(whoami) == 1 and Path(whoami[0]).read_text().strip() == str(user.pw_uid)
    victim = next(p for p in os.listdir(store) if p.endswith("-victim"))
    assert Path(store, victim, "f").read_text() == "precious\n"
    assert not any(e.startswith(".tmp") or e == "evil" for e in os.listdir(store))
    assert_untouched(sentinel)
    check = _as(user, [*declos, "store", "verify", "--check-contents"], env, work)
    assert check.returncode == 0, check.stdout + check.stderr


def test_switch_without_a_sandbox_needs_unsafe_builders(declos, monkeypatch, tmp_path):
    """A configuration with a process builder (a check): refused before
    anything is activated, switched with --unsafe-builders."""
    config = declos.write(
        "c.dcl",
        """{ config, pkgs, ... }: {
          networking.hostName = "unsafe";
          system.checks = [ (pkgs.runCommand "check-motd" { } "echo passed > $out") ];
          system.stateVersion = "24.11";
        }""",
    )
    root = tmp_path / "root"
    monkeypatch.setenv(sandbox.ENV_VAR, "check")
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    refused = declos("switch", config, "--root", str(root), check=1)
    assert "check-motd.drv': process builders need a build sandbox" in refused.stderr
    assert "--unsafe-builders" in refused.stderr
    assert not (root / "etc").exists()
    assert not (declos.state / "profiles" / "system-1-link").exists()
    done = declos("switch", config, "--root", str(root), "--unsafe-builders")
    assert "generation 1 is active" in done.stdout
    assert (root / "etc" / "hostname").is_symlink()
