"""Never write outside the root (issue 10, kinds 2 and 7).

A root may hold directory symlinks declos did not create (`etc`, `etc/ssh`,
`home`, `var/lib/declos`, `run`, absolute or relative), a home with `..`,
or symlinks planted at the temp names activation writes through.  Each test
asserts a clean error (or a correct result) and that a sentinel directory
beside the root, `outside`, and everything else outside the state directory
stays byte for byte as it was.  Kind 7: a crash while the accounts are
written never forgets an account declos created, and shadow's temp file is
never readable by others.
"""

from __future__ import annotations

import json
import os
import signal
import stat

import pytest
from system_helpers import run_declos, runner, snapshot

from declos.diagnostics import DeclosError
from declos.system.accounts import apply_create_home, load_state, plan_accounts
from declos.system.actions import CreateHome
from declos.system.etc import drift
from declos.system.journal import read_journal
from declos.system.manifest import Manifest
from declos.system.rootfs import NO_FOLLOW, Root, UnsafeRoot
from declos.system.synth import DEFAULT_USER
from declos.system.transaction import SwitchFailed, System


def _tree(path: str) -> dict:
    """Every entry under `path` (symlinks not followed): kind, bytes, mode."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for n in sorted(dirnames + filenames):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[os.path.relpath(p, path)] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out[os.path.relpath(p, path)] = ("file", f.read(), st.st_mode)
            else:
                out[os.path.relpath(p, path)] = ("dir", st.st_mode)
    return out


def _outside_state(tmp_path) -> dict:
    """Everything under the test's directory but the state directory (which holds the root)."""
    names = [n for n in os.listdir(tmp_path) if n != "state"]
    return {n: (os.lstat(tmp_path / n).st_mode, _tree(str(tmp_path / n))) for n in names}


@pytest.fixture
def outside(tmp_path):
    """The sentinel beside the root, shaped like an /etc and a /home."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (d / "group").write_text("root:x:0:\n")
    (d / "shadow").write_text("root:sentinel-hash:1::::::\n")
    (d / "hosts").write_text("sentinel hosts\n")
    (d / "sshd_config").write_text("sentinel sshd\n")
    (d / "bob").mkdir()
    os.symlink("/etc/static/conf.d/a.conf", d / "a.conf")
    return str(d)


@pytest.fixture
def unchanged(tmp_path, outside):
    """Call it to assert nothing outside the state directory changed."""
    before = _outside_state(tmp_path)

    def check():
        assert _outside_state(tmp_path) == before

    yield check
    check()


def _link(root: str, rel: str, how: str, outside: str) -> str:
    """Make `<root>/rel` a symlink to the sentinel (absolute or relative); its target."""
    path = os.path.join(root, rel)
    if os.path.isdir(path):
        os.rmdir(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    target = outside if how == "absolute" else "../" * (rel.count("/") + 2) + "outside"
    assert os.path.realpath(os.path.join(os.path.dirname(path), target)) == outside
    os.symlink(target, path)
    return target


def _assert_refused(message: str, rel: str, target: str) -> None:
    assert f"/{rel} is a symbolic link (-> {target}); {NO_FOLLOW}" in message, message
    assert "Traceback" not in message


ALICE = {"alice": {"isNormalUser": True}}
BOB_HOME = {**ALICE, "bob": {"isNormalUser": True, "createHome": True}}

# which directory is a symlink -> a configuration that must go through it
THROUGH = {
    "etc": {"etc": {"hosts": "10.0.0.1 db\n"}, "users": ALICE},
    "etc/ssh": {"etc": {"ssh/sshd_config": "PermitRootLogin no\n"}},
    "etc/systemd/system": {"units": {"web.service": "[Service]\nExecStart=/bin/web\n"}},
    "home": {"users": BOB_HOME},
    "var": {"users": ALICE},
    "var/lib/declos": {"users": ALICE},
    "run": {"etc": {"hosts": "10.0.0.1 db\n"}},
}


@pytest.mark.parametrize("how", ["absolute", "relative"])
@pytest.mark.parametrize("rel", list(THROUGH))
def test_a_symlinked_directory_in_the_root_is_refused_before_anything_changes(
    system, top, root, outside, unchanged, rel, how
):
    target = _link(root, rel, how, outside)
    before = snapshot(root, dirs=True)
    t = top(**THROUGH[rel])
    with pytest.raises(UnsafeRoot) as planned:
        system.plan_to(t)  # planning already refuses (so `--dry-run` does)
    _assert_refused(planned.value.message, rel, target)
    with pytest.raises(DeclosError) as switched:
        system.switch_to(t)
    _assert_refused(switched.value.message, rel, target)
    assert snapshot(root, dirs=True) == before
    assert system.profile.current() is None
    unchanged()


def test_a_managed_directory_that_became_a_symlink(system, top, root, state, outside, unchanged):
    """`/etc/ssh` replaced by a link after generation 1: switching refuses
    (and so would putting generation 1 back); once the directory is back,
    the root is generation 1 (after `recover`, had a journal been left)."""
    system.switch_to(top(etc={"ssh/sshd_config": "one\n", "hosts": "h\n"}, users=ALICE))
    s_old = snapshot(root, dirs=True)
    os.rename(os.path.join(root, "etc/ssh"), os.path.join(root, "ssh.saved"))
    target = _link(root, "etc/ssh", "relative", outside)
    with pytest.raises(DeclosError) as e:
        system.switch_to(top(etc={"ssh/sshd_config": "two\n", "hosts": "h\n"}, users=ALICE))
    _assert_refused(e.value.message, "etc/ssh", target)
    unchanged()
    os.unlink(os.path.join(root, "etc/ssh"))
    os.rename(os.path.join(root, "ssh.saved"), os.path.join(root, "etc/ssh"))
    assert run_declos("recover", "--state-dir", state).returncode == 0
    assert snapshot(root, dirs=True) == s_old and read_journal(state) is None


def test_removing_a_file_under_a_directory_that_became_a_symlink(
    system, top, root, outside, unchanged
):
    system.switch_to(top(etc={"conf.d/a.conf": "a\n", "hosts": "h\n"}))
    os.unlink(os.path.join(root, "etc/conf.d/a.conf"))
    os.rmdir(os.path.join(root, "etc/conf.d"))
    target = _link(root, "etc/conf.d", "absolute", outside)
    with pytest.raises(DeclosError) as e:
        system.switch_to(top(etc={"hosts": "h\n"}))  # a.conf no longer declared
    _assert_refused(e.value.message, "etc/conf.d", target)
    assert os.path.islink(os.path.join(outside, "a.conf"))
    unchanged()


@pytest.mark.parametrize(
    "home", ["/home/../../outside/bob", "/../outside/bob", "/home/./bob", "/home//bob", "home/"]
)
def test_a_home_that_is_not_a_normalized_path_is_refused(
    system, top, root, outside, unchanged, home
):
    """Refused by the manifest check, and again by planning and applying
    (a manifest built in Python skips the check)."""
    users = {"bob": {**DEFAULT_USER, "isNormalUser": True, "createHome": True, "home": home}}
    with pytest.raises(DeclosError):
        system.switch_to(top(users=users))
    with pytest.raises(UnsafeRoot, match="is not a normalized path inside a root"):
        plan_accounts(root, Manifest.from_json(None, {"version": 1, "users": users}))
    with Root.open(root) as fs, pytest.raises(UnsafeRoot, match="not a normalized path"):
        apply_create_home(fs, CreateHome(home, 1000, 100))
    assert not os.path.lexists(os.path.join(root, "home"))
    assert not os.path.exists(os.path.join(root, "etc/passwd"))
    unchanged()


FULL = {
    "etc": {
        "hosts": "127.0.0.1 localhost\n",
        "ssh/sshd_config": "PermitRootLogin no\n",
        "sudoers": {"text": "root ALL=(ALL) ALL\n", "mode": "0440"},
    },
    "users": BOB_HOME,
    "groups": {"staff": {"members": ["alice"]}},
}
TEMPS = [
    "etc/passwd.declos-tmp",
    "etc/group.declos-tmp",
    "etc/shadow.declos-tmp",
    "etc/hosts.declos-tmp",
    "etc/sudoers.declos-tmp",
    "etc/ssh/sshd_config.declos-tmp",
    "etc/static.declos-tmp",
    "etc/.declos-managed.tmp-{pid}",
    "var/lib/declos/accounts.json.tmp-{pid}",
    "run/current-system.tmp-{pid}",
    "home/bob.declos-tmp",
]


def _plant(root: str, rel: str, outside: str) -> str:
    rel = rel.format(pid=os.getpid())
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    base = os.path.basename(rel).split(".")[0] or "hosts"
    os.symlink(os.path.join(outside, base if base in os.listdir(outside) else "hosts"), path)
    return rel


@pytest.mark.parametrize("planted", [*TEMPS, "all"])
def test_a_symlink_planted_at_a_temp_name_is_replaced_not_followed(
    system, top, root, outside, unchanged, planted
):
    names = [_plant(root, rel, outside) for rel in (TEMPS if planted == "all" else [planted])]
    t = top(**FULL)
    system.switch_to(t)
    unchanged()
    for rel in names:
        assert not os.path.lexists(os.path.join(root, rel)), rel
    for rel, mode in (("etc/passwd", 0o644), ("etc/group", 0o644), ("etc/shadow", 0o600)):
        st = os.lstat(os.path.join(root, rel))
        assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == mode, rel
    with open(os.path.join(root, "etc/passwd")) as f:
        assert [line.split(":")[0] for line in f] == ["alice", "bob"]
    st = os.lstat(os.path.join(root, "etc/sudoers"))
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o440
    assert os.readlink(os.path.join(root, "etc/hosts")) == "/etc/static/hosts"
    assert os.readlink(os.path.join(root, "run/current-system")) == t
    assert stat.S_ISDIR(os.lstat(os.path.join(root, "home/bob")).st_mode)
    assert drift(root, os.path.join(t, "etc")) == []


def test_undo_never_follows_a_symlink_made_during_the_switch(system, top, root, outside, unchanged):
    """A failing switch replaces `/home` (which it created for bob) by a
    link to the sentinel, which holds an empty `bob`: undo keeps it, says why."""
    system.switch_to(top(users=ALICE, etc={"hosts": "h\n"}))
    s_old = snapshot(root, dirs=True)
    evil = f'mv "$DECLOS_ROOT/home" "$DECLOS_ROOT/home.moved"; ln -s {outside} "$DECLOS_ROOT/home"'
    said = []
    system.say = said.append
    with pytest.raises(SwitchFailed) as e:
        system.switch_to(
            top(users=BOB_HOME, etc={"hosts": "h\n"}, scripts=[("evil", [], evil + "; exit 1")])
        )
    assert "is active again" in e.value.message
    assert any(
        m.startswith("kept /home/bob: ") and f"/home is a symbolic link (-> {outside})" in m
        for m in said
    ), said
    assert os.path.isdir(os.path.join(outside, "bob"))
    unchanged()
    now = snapshot(root, dirs=True)
    assert {k: v for k, v in now.items() if not k.startswith("home")} == s_old


@pytest.fixture
def rootfile(tmp_path):
    f = tmp_path / "rootfile"
    f.write_text("not a directory\n")
    return f


def test_a_root_that_is_a_regular_file(store, system, top, state, rootfile, unchanged):
    system.switch_to(top(etc={"hosts": "h\n"}))
    f = rootfile
    for bad in (str(f), str(f / "root")):
        other = System(store, bad)
        try:
            with pytest.raises(DeclosError) as e:
                other.switch_to(top(etc={"hosts": "other\n"}))
            assert "not a directory" in e.value.message.lower()
            with pytest.raises(UnsafeRoot):
                other.plan_to(top(etc={"hosts": "other\n"}))
        finally:
            other.close()
        for cmd in (["switch-generation", "1"], ["rollback"]):
            proc = run_declos(*cmd, "--root", bad, "--state-dir", state)
            assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        status = run_declos("status", "--root", bad, "--state-dir", state)
        assert "Traceback" not in status.stderr and "not a directory" in status.stdout.lower()
    assert f.read_text() == "not a directory\n"


def test_drift_on_a_root_with_symlinks_is_reported(system, top, root, state, outside, unchanged):
    t = top(etc={"ssh/sshd_config": "one\n", "hosts": "h\n"})
    system.switch_to(t)
    os.rename(os.path.join(root, "etc/ssh"), os.path.join(root, "ssh.saved"))
    target = _link(root, "etc/ssh", "absolute", outside)
    found = dict(drift(root, os.path.join(t, "etc")))
    assert found["ssh/sshd_config"].startswith("not inspected: refusing to inspect")
    _assert_refused(found["ssh/sshd_config"], "etc/ssh", target)
    os.rename(os.path.join(root, "etc"), os.path.join(root, "etc.saved"))
    target = _link(root, "etc", "relative", outside)
    with pytest.raises(UnsafeRoot):
        drift(root, os.path.join(t, "etc"))
    proc = run_declos("status", "--state-dir", state)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    _assert_refused(proc.stdout, "etc", target)
    unchanged()


# --- kind 7: the created-accounts record and shadow ------------------------------------

WITH_BOB = {"users": {**ALICE, "bob": {"isNormalUser": True}}, "etc": {"hosts": "h\n"}}
WITHOUT_BOB = {"users": ALICE, "etc": {"hosts": "h\n"}}


def _names(root: str, rel: str) -> list[str]:
    with open(os.path.join(root, rel)) as f:
        return [line.split(":")[0] for line in f]


@pytest.mark.parametrize(
    "step",
    [
        "write-accounts",
        "accounts-state-grown",
        "temp etc/passwd.declos-tmp",
        "temp etc/shadow.declos-tmp",
        "accounts-files-written",
    ],
)
def test_a_crash_while_writing_accounts_never_forgets_a_created_account(
    system, top, root, state, step
):
    system.switch_to(top(**WITH_BOB))
    assert "bob" in load_state(root)["createdUsers"]
    without = top(**WITHOUT_BOB)
    p = runner(state, without, env={"DECLOS_TEST_DIE_AT": step})
    assert p.wait() == -signal.SIGKILL, p.stderr.read()
    assert "bob" in load_state(root)["createdUsers"]  # at the moment of the crash
    assert run_declos("recover", "--state-dir", state).returncode == 0
    assert "bob" in _names(root, "etc/passwd") and "bob" in _names(root, "etc/shadow")
    assert "bob" in load_state(root)["createdUsers"]
    system.switch_to(without)  # undeclared: declos created it, so it goes
    for rel in ("etc/passwd", "etc/shadow"):
        assert _names(root, rel) == ["alice"], rel
    assert load_state(root)["createdUsers"] == ["alice"]


def test_the_final_record_drops_the_removed_account(system, top, root):
    system.switch_to(top(**WITH_BOB))
    system.switch_to(top(**WITHOUT_BOB))
    with open(os.path.join(root, "var/lib/declos/accounts.json")) as f:
        state = json.load(f)
    assert state["createdUsers"] == ["alice"] and "bob" in state["uids"]  # ids kept for good


@pytest.mark.parametrize("rel", ["etc/shadow", "etc/passwd"])
def test_the_shadow_temp_is_never_readable_by_others(system, top, root, state, rel):
    p = runner(state, top(**WITH_BOB), env={"DECLOS_TEST_DIE_AT": f"temp {rel}.declos-tmp"})
    assert p.wait() == -signal.SIGKILL, p.stderr.read()
    st = os.lstat(os.path.join(root, rel + ".declos-tmp"))
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o077 == 0
    assert run_declos("recover", "--state-dir", state).returncode == 0
    assert not os.path.lexists(os.path.join(root, rel + ".declos-tmp"))
    system.switch_to(top(**WITH_BOB))
    assert stat.S_IMODE(os.lstat(os.path.join(root, "etc/shadow")).st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's group needs root")
def test_a_hand_set_shadow_mode_and_group_are_kept(system, top, root):
    """Debian's shadow is 0640 root:shadow: rewriting it keeps both."""
    system.switch_to(top(**WITHOUT_BOB))
    shadow = os.path.join(root, "etc/shadow")
    os.chown(shadow, 0, 42)
    os.chmod(shadow, 0o640)
    system.switch_to(top(**WITH_BOB))
    st = os.lstat(shadow)
    assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o640, 0, 42)
    assert _names(root, "etc/shadow") == ["alice", "bob"]


def test_unmanaged_lines_that_are_not_utf8_are_kept_byte_for_byte(system, top, root):
    line = b"j\xe9r\xf4me:x:1500:100:J\xe9r\xf4me:/home/jerome:/bin/sh\n"
    with open(os.path.join(root, "etc/passwd"), "wb") as f:
        f.write(line)
    system.switch_to(top(**WITH_BOB))
    with open(os.path.join(root, "etc/passwd"), "rb") as f:
        assert f.read().splitlines(keepends=True)[0] == line
    assert _names(root, "etc/shadow") == ["alice", "bob"]
