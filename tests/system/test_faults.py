"""Crashes (SIGKILL) at every named step of a switch, and after random delays:
after `declos recover` the root is exactly the old or the new generation, the
profile agrees, and `declos store verify` passes.  "Exactly" includes a
user's own file that the new generation moved aside (`new.conf`, moved back)
and a home directory it created with its parent (`/home/bob`, removed while
empty).  Also: two concurrent switches (one waits, both end consistent)."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest
from system_helpers import run_declos, runner
from system_helpers import snapshot as _snapshot

from declos.system.journal import read_journal
from declos.system.transaction import SwitchFailed

OLD = {
    "etc": {
        "hosts": "127.0.0.1 localhost\n",
        "gone.conf": "old only\n",
        "sudoers": {"text": "old\n", "mode": "0440"},
        **{f"many/f{i}.conf": f"old {i}\n" for i in range(6)},
    },
    "units": {"web.service": "[Service]\nExecStart=/bin/web\n", "old.service": "[Service]\n"},
    "users": {"alice": {"isNormalUser": True}},
    "scripts": [("marker", [], 'echo old > "$DECLOS_ROOT/marker"')],
}
NEW = {
    "etc": {
        "hosts": "10.0.0.1 db\n",
        "new.conf": "new only\n",
        "sudoers": {"text": "new\n", "mode": "0400"},
        **{f"many/f{i}.conf": f"new {i}\n" for i in range(6)},
        **{f"more/g{i}.conf": f"{i}\n" for i in range(4)},
    },
    "units": {"web.service": "[Service]\nExecStart=/bin/web2\n", "db.service": "[Service]\n"},
    "users": {"alice": {"isNormalUser": True}, "bob": {"isNormalUser": True, "createHome": True}},
    "groups": {"staff": {"members": ["alice"]}},
    "scripts": [("marker", [], 'echo new > "$DECLOS_ROOT/marker"')],
}

MINE = "etc/new.conf"  # the user's own file where NEW manages one
BACKUP = "etc/new.conf.declos-backup"

BEFORE_ACTIVATED = [
    "begin",
    "stop-unit",
    "write-accounts",
    "create-home",
    "set-static",
    "backup-etc",
    "backup-etc-journaled",
    "link-etc",
    "link-etc:3",
    "copy-etc",
    "remove-etc",
    "write-managed",
    "set-current-system",
    "run-script",
    "daemon-reload",
    "start-unit",
    "start-unit:2",
]
AFTER_ACTIVATED = ["activated", "profile-switched"]


def snapshot(root):
    return _snapshot(root, dirs=True)


def _write_mine(root):
    with open(os.path.join(root, MINE), "w") as f:
        f.write("the user's own\n")


def _reset_to_old(root):
    """After switching back to OLD (which keeps backups and homes by design),
    put the user's file back and remove bob's empty home, as before NEW."""
    if os.path.exists(os.path.join(root, BACKUP)):
        os.rename(os.path.join(root, BACKUP), os.path.join(root, MINE))
    for d in ("home/bob", "home"):
        if os.path.isdir(os.path.join(root, d)):
            os.rmdir(os.path.join(root, d))


@pytest.fixture
def scene(system, top, root, state):
    a = top(**OLD)
    t = top(**NEW)
    system.switch_to(a)
    _write_mine(root)
    s_old = snapshot(root)
    p = runner(state, t)
    assert p.wait() == 0, p.stderr.read()
    s_new = snapshot(root)
    assert BACKUP in s_new and "home/bob" in s_new and "home" not in s_old
    system.switch_generation(1)
    _reset_to_old(root)
    assert snapshot(root) == s_old and s_old != s_new
    return a, t, s_old, s_new


def _diff(now, then):
    keys = sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))
    return "; ".join(f"{k}: {then.get(k)} -> {now.get(k)}" for k in keys)


def _recover_and_check(system, state, root, a, t, s_old, s_new):
    proc = run_declos("recover", "--state-dir", state)
    assert proc.returncode == 0, proc.stderr
    assert read_journal(state) is None
    now = snapshot(root)
    assert now in (s_old, s_new), "root is neither the old nor the new generation: " + _diff(
        now, s_old
    )
    cur = system.profile.current()
    assert cur.path == (a if now == s_old else t)
    verify = run_declos("store", "verify", "--check-contents", "--state-dir", state)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    return "old" if now == s_old else "new"


def _back_to_old(system, root, s_old):
    if system.profile.current().number != 1:
        system.switch_generation(1)
        _reset_to_old(root)
    assert snapshot(root) == s_old


@pytest.mark.parametrize("step", BEFORE_ACTIVATED + AFTER_ACTIVATED)
def test_kill_at_step_then_recover(scene, system, state, root, step):
    a, t, s_old, s_new = scene
    p = runner(state, t, env={"DECLOS_TEST_DIE_AT": step})
    assert p.wait() == -signal.SIGKILL, p.stderr.read()
    assert read_journal(state) is not None
    outcome = _recover_and_check(system, state, root, a, t, s_old, s_new)
    assert outcome == ("new" if step in AFTER_ACTIVATED else "old")


@pytest.mark.parametrize("step", ["undoing", "link-etc:7", "remove-etc:3", "write-accounts:2"])
def test_kill_while_undoing_a_failed_activation(system, top, root, state, step):
    a = top(**OLD)
    bad = top(**{**NEW, "scripts": [("boom", [], "exit 1")]})
    system.switch_to(a)
    _write_mine(root)
    s_old = snapshot(root)
    p = runner(state, bad, env={"DECLOS_TEST_DIE_AT": step})
    assert p.wait() == -signal.SIGKILL, p.stderr.read()
    proc = run_declos("recover", "--state-dir", state)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(root) == s_old and system.profile.current().path == a
    assert [g.number for g in system.profile.list()] == [1]


def test_kill_after_random_delays(scene, system, state, root):
    a, t, s_old, s_new = scene
    rng = random.Random(6)
    seen = set()
    for _ in range(8):
        p = runner(state, t, env={"PYTHONDONTWRITEBYTECODE": "1"})
        time.sleep(rng.uniform(0.05, 0.6))
        p.send_signal(signal.SIGKILL)
        p.wait()
        seen.add(_recover_and_check(system, state, root, a, t, s_old, s_new))
        _back_to_old(system, root, s_old)
    assert seen  # which outcomes occur depends on timing


def test_first_switch_killed_leaves_nothing(system, top, root, state):
    before = snapshot(root)
    t = top(**NEW)
    p = runner(state, t, env={"DECLOS_TEST_DIE_AT": "run-script"})
    assert p.wait() == -signal.SIGKILL
    assert run_declos("recover", "--state-dir", state).returncode == 0
    assert snapshot(root) == before
    assert system.profile.current() is None and system.profile.list() == []


def test_two_concurrent_switches(system, top, root, state):
    slow = {**NEW, "scripts": [("slow", [], "sleep 1.5")]}
    system.switch_to(top(**OLD))
    t1 = top(**slow)
    t2 = top(**{**slow, "etc": {**slow["etc"], "hosts": "second\n"}})
    p1 = runner(state, t1)
    time.sleep(0.7)
    p2 = runner(state, t2)
    assert p1.wait() == 0 and p2.wait() == 0
    err2 = p2.stderr.read()
    assert "waiting for another declos command" in err2
    gens = system.profile.list()
    assert [g.path for g in gens[-2:]] == [t1, t2]
    assert system.profile.current().path == t2
    assert read_journal(state) is None
    from declos.system.etc import drift

    assert drift(root, t2 + "/etc") == []
    busy = run_declos("rollback", "--state-dir", state, "--no-wait")
    assert busy.returncode == 0  # nobody holds the lock now


def test_failed_activation_puts_back_the_users_file_and_removes_the_new_home(system, top, root):
    system.switch_to(top(**OLD))
    _write_mine(root)
    s_old = snapshot(root)
    said = []
    system.say = said.append
    with pytest.raises(SwitchFailed):
        system.switch_to(top(**{**NEW, "scripts": [("boom", [], "exit 1")]}))
    assert snapshot(root) == s_old
    assert f"moved /{BACKUP} back to /{MINE}" in said


def test_undo_keeps_a_created_home_that_is_no_longer_empty(system, top, root):
    system.switch_to(top(**OLD))
    _write_mine(root)
    s_old = snapshot(root)
    said = []
    system.say = said.append
    fill = 'echo notes > "$DECLOS_ROOT/home/bob/notes"; exit 1'
    with pytest.raises(SwitchFailed):
        system.switch_to(top(**{**NEW, "scripts": [("fill", [], fill)]}))
    with open(os.path.join(root, "home/bob/notes")) as f:
        assert f.read() == "notes\n"  # never delete user data
    assert any(m.startswith("kept /home/bob: ") for m in said)
    now = snapshot(root)
    assert {k: v for k, v in now.items() if not k.startswith("home")} == s_old


@pytest.mark.parametrize("step", ["write-managed", "backup-etc-journaled", "undoing"])
def test_kill_with_an_earlier_backup_in_the_way(system, top, root, state, step):
    """A backup name already taken: the switch uses `.1`, and recover moves
    exactly that one back, leaving the earlier backup alone."""
    a = top(**OLD)
    system.switch_to(a)
    _write_mine(root)
    with open(os.path.join(root, BACKUP), "w") as f:
        f.write("an older backup\n")
    s_old = snapshot(root)
    bad = top(**{**NEW, "scripts": [("boom", [], "exit 1")]})
    p = runner(state, bad, env={"DECLOS_TEST_DIE_AT": step})
    assert p.wait() == -signal.SIGKILL, p.stderr.read()
    if step != "backup-etc-journaled":
        assert os.path.exists(os.path.join(root, BACKUP + ".1"))
    assert run_declos("recover", "--state-dir", state).returncode == 0
    assert snapshot(root) == s_old and system.profile.current().path == a
