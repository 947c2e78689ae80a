"""Re-switching repairs drift; a failed undo never claims success; nothing wedges.

Issue 10 kinds 5 (drift), 6 (recovery that lies) and 10 (every failure is
a located message, undone, the journal kept when undo fails).
"""

from __future__ import annotations

import os
import shutil

import pytest
from system_helpers import run_declos, snapshot

from declos.system.journal import read_journal
from declos.system.manifest import load_manifest
from declos.system.recovery import RecoverFailed
from declos.system.status import root_drift
from declos.system.transaction import SwitchFailed

BASE = {
    "etc": {
        "hosts": "127.0.0.1 localhost\n",
        "hostname": "web1\n",
        "ssh/sshd_config": "PermitRootLogin no\n",
        "sudoers.d/team": {"text": "alice ALL=(ALL) ALL\n", "mode": "0440"},
    },
    "units": {"web.service": "[Service]\nExecStart=/bin/web\n"},
    "users": {"alice": {"isNormalUser": True, "shell": "/bin/sh", "extraGroups": ["wheel"]}},
    "scripts": [("count", [], 'echo x >> "$DECLOS_ROOT/activations"')],
}


def _write(root, rel, text, mode=None):
    path = os.path.join(root, rel)
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)


def _sub_line(root, rel, name, field, value):
    path = os.path.join(root, rel)
    with open(path) as f:
        lines = f.read().splitlines()
    out = []
    for line in lines:
        parts = line.split(":")
        if parts[0] == name:
            parts[field] = value
        out.append(":".join(parts))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def _drop_line(root, rel, name):
    path = os.path.join(root, rel)
    with open(path) as f:
        lines = [line for line in f.read().splitlines() if line.split(":")[0] != name]
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


# Each hand edit, and what `declos status` says about it.
EDITS = {
    "link replaced by an edited file": (
        lambda r: _write(r, "etc/ssh/sshd_config", "PermitRootLogin yes\n"),
        ("/etc/ssh/sshd_config", "replaced by a file"),
    ),
    "managed file removed": (
        lambda r: os.unlink(os.path.join(r, "etc/hostname")),
        ("/etc/hostname", "missing"),
    ),
    "link pointed elsewhere": (
        lambda r: (
            os.unlink(os.path.join(r, "etc/hosts")),
            os.symlink("/tmp/evil-hosts", os.path.join(r, "etc/hosts")),
        ),
        ("/etc/hosts", "relinked to /tmp/evil-hosts"),
    ),
    "copy edited": (
        lambda r: _write(r, "etc/sudoers.d/team", "ALL ALL=(ALL) NOPASSWD: ALL\n", 0o440),
        ("/etc/sudoers.d/team", "content changed"),
    ),
    "copy mode changed": (
        lambda r: os.chmod(os.path.join(r, "etc/sudoers.d/team"), 0o666),
        ("/etc/sudoers.d/team", "mode changed"),
    ),
    "static moved": (
        lambda r: (
            os.unlink(os.path.join(r, "etc/static")),
            os.symlink("/nowhere", os.path.join(r, "etc/static")),
        ),
        ("/etc/static", "replaced"),
    ),
    "user's shell edited": (
        lambda r: _sub_line(r, "etc/passwd", "alice", 6, "/bin/evil"),
        ("user alice", "shell changed by hand"),
    ),
    "user's uid edited": (
        lambda r: _sub_line(r, "etc/passwd", "alice", 2, "0"),
        ("user alice", "uid changed by hand"),
    ),
    "group's gid edited": (
        lambda r: _sub_line(r, "etc/group", "wheel", 2, "0"),
        ("group wheel", "gid changed by hand"),
    ),
    "user removed": (
        lambda r: _drop_line(r, "etc/passwd", "alice"),
        ("user alice", "missing"),
    ),
    "group members edited": (
        lambda r: _sub_line(r, "etc/group", "wheel", 3, "alice,mallory"),
        ("group wheel", "members changed by hand"),
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_reswitch_repairs_each_kind_of_drift(system, top, root, edit):
    t1 = top(**BASE)
    system.switch_to(t1)
    clean = snapshot(root)
    do, (what, change) = EDITS[edit]
    do(root)
    found = [(d.what, d.change) for d in root_drift(root, load_manifest(t1))]
    assert (what, change) in found

    out = system.switch_to(t1)
    assert out.repaired and out.generation.number == 1
    assert [g.number for g in system.profile.list()] == [1]  # no new generation
    assert root_drift(root, load_manifest(t1)) == []
    after = snapshot(root)
    backups = {k for k in after if ".declos-backup" in k}
    assert {k: v for k, v in after.items() if k not in backups and k != "activations"} == {
        k: v for k, v in clean.items() if k != "activations"
    }
    assert read_journal(system.state_dir) is None


def test_a_hand_edit_is_kept_aside_not_lost(system, top, root):
    t1 = top(**BASE)
    system.switch_to(t1)
    _write(root, "etc/ssh/sshd_config", "PermitRootLogin yes\n")
    system.switch_to(t1)
    with open(os.path.join(root, "etc/ssh/sshd_config.declos-backup")) as f:
        assert f.read() == "PermitRootLogin yes\n"
    assert os.readlink(os.path.join(root, "etc/ssh/sshd_config")) == "/etc/static/ssh/sshd_config"


def test_reswitch_without_drift_does_nothing(system, top, root):
    t1 = top(**BASE)
    system.switch_to(t1)
    before = snapshot(root)
    out = system.switch_to(t1)
    assert out.generation is None and not out.repaired
    assert snapshot(root) == before  # activation scripts did not run again


def test_a_repaired_unit_file_restarts_the_unit(system, top, root, state):
    t1 = top(**BASE)
    system.switch_to(t1)
    _write(root, "etc/systemd/system/web.service", "[Service]\nExecStart=/bin/evil\n")
    out = system.switch_to(t1)
    described = [a.describe() for a in out.plan.actions]
    assert "unit would restart web.service (changed)" in described
    assert "unit would daemon-reload" in described
    with open(os.path.join(state, "unit-actions.log")) as f:
        log = f.read()
    assert "systemctl restart web.service" in log


def test_switch_command_reports_repairs(tmp_path, top, system, root, state):
    t1 = top(**BASE)
    system.switch_to(t1)
    system.close()
    _sub_line(root, "etc/passwd", "alice", 6, "/bin/evil")
    status = run_declos("status", "--state-dir", state, "--root", root)
    assert "drift user alice: shell changed by hand" in status.stdout
    again = run_declos("switch-generation", "1", "--state-dir", state, "--root", root)
    assert again.returncode == 0, again.stderr
    assert "user change alice (shell)" in again.stdout
    assert "generation 1 was already current: repaired" in again.stdout
    status = run_declos("status", "--state-dir", state, "--root", root)
    assert "no drift" in status.stdout
    quiet = run_declos("switch-generation", "1", "--state-dir", state, "--root", root)
    assert "already current: nothing to do" in quiet.stdout


# --- a failed undo never says the old configuration is back ---------------------------

FLAKY = 'test -e "$DECLOS_ROOT/break-old" && exit 3; echo ok'


def _failing_undo_scene(system, top, root):
    """Generation 1 whose activation script fails while a marker exists; a
    generation 2 whose own script always fails."""
    t1 = top(**{**BASE, "scripts": [("old", [], FLAKY)]})
    system.switch_to(t1)
    t2 = top(**{**BASE, "etc": {"hosts": "new\n"}, "scripts": [("new", [], "exit 4")]})
    open(os.path.join(root, "break-old"), "w").close()
    return t1, t2


def test_failed_undo_keeps_the_journal_and_says_what_is_not_restored(system, top, root):
    t1, t2 = _failing_undo_scene(system, top, root)
    with pytest.raises(SwitchFailed) as e:
        system.switch_to(t2)
    msg = e.value.message
    assert "activating generation 2 failed" in msg
    assert "putting back the previous configuration (generation 1) failed too" in msg
    assert "is active again" not in msg
    assert "declos recover" in msg
    record = read_journal(system.state_dir)
    assert record is not None and record["step"] == "undo-failed"
    assert "old" in record["undoError"]
    assert system.profile.current().number == 1  # the profile never moved


def test_recover_retries_a_failed_undo(system, top, root):
    t1, t2 = _failing_undo_scene(system, top, root)
    with pytest.raises(SwitchFailed):
        system.switch_to(t2)
    with pytest.raises(RecoverFailed) as e:  # the cause is still there
        system.recover()
    assert "failed" in e.value.message and read_journal(system.state_dir) is not None
    os.unlink(os.path.join(root, "break-old"))
    assert "undid the interrupted switch to generation 2" in system.recover()
    assert read_journal(system.state_dir) is None
    assert root_drift(root, load_manifest(t1)) == []
    assert [g.number for g in system.profile.list()] == [1]


def test_status_shows_a_failed_undo(system, top, root, state):
    _t1, t2 = _failing_undo_scene(system, top, root)
    with pytest.raises(SwitchFailed):
        system.switch_to(t2)
    system.close()
    status = run_declos("status", "--state-dir", state, "--root", root)
    assert "interrupted switch to generation 2" in status.stdout
    assert "undo failed:" in status.stdout


def test_switch_command_exit_status_when_undo_fails(system, top, root, state):
    _t1, t2 = _failing_undo_scene(system, top, root)
    system.close()
    runner = (
        "import sys; from declos.store.store import Store;"
        "from declos.system.transaction import System;"
        f"System(Store({state!r}), {root!r}).switch_to({t2!r})"
    )
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", runner], capture_output=True, text=True)
    assert proc.returncode != 0 and "failed too" in proc.stderr


# --- generations whose store path is gone -------------------------------------------------


def test_rollback_to_a_vanished_generation_changes_nothing(system, top, root, state):
    t1 = top(**BASE)
    t2 = top(**{**BASE, "etc": {"hosts": "two\n"}})
    system.switch_to(t1)
    system.switch_to(t2)
    before = snapshot(root)
    shutil.rmtree(t1)
    with pytest.raises(SwitchFailed) as e:
        system.rollback()
    assert "generation 1 cannot be activated: its store path is gone" in e.value.message
    assert read_journal(system.state_dir) is None
    assert snapshot(root) == before and system.profile.current().number == 2
    # nothing is wedged: the next switch and a delete work
    t3 = top(**{**BASE, "etc": {"hosts": "three\n"}})
    assert system.switch_to(t3).generation.number == 3
    system.close()
    gone = run_declos("generations", "delete", "1", "--state-dir", state)
    assert gone.returncode == 0, gone.stderr


def test_recover_when_the_failed_target_vanished(system, top, root, state):
    t1 = top(**BASE)
    system.switch_to(t1)
    t2 = top(**{**BASE, "etc": {"hosts": "two\n"}})
    system.close()
    from system_helpers import runner

    proc = runner(state, t2, env={"DECLOS_TEST_DIE_AT": "set-static"})
    proc.wait()
    assert proc.returncode == -9
    assert read_journal(state)["toPath"] == t2
    shutil.rmtree(t2)
    rec = run_declos("recover", "--state-dir", state)
    assert rec.returncode == 0, rec.stderr
    assert "undid the interrupted switch to generation 2" in rec.stdout
    assert read_journal(state) is None
    status = run_declos("status", "--state-dir", state, "--root", root)
    assert "generation 1 " in status.stdout and "no drift" in status.stdout


# --- tracebacks --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["switch", "status", "generations", "rollback"])
def test_a_state_dir_that_is_a_file_is_a_clean_error(tmp_path, command):
    f = tmp_path / "state"
    f.write_text("")
    args = [command, "--state-dir", str(f)]
    if command == "switch":
        args.insert(1, str(tmp_path / "config.dcl"))
    proc = run_declos(*args)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"cannot use '{f}' as the state directory: Not a directory" in proc.stderr


@pytest.mark.parametrize("shape", ["file", "file-parent"])
def test_a_root_that_is_a_file_is_a_clean_error(system, top, tmp_path, state, shape):
    f = tmp_path / "rootfile"
    f.write_text("keep")
    root = str(f) if shape == "file" else str(f / "sub")
    t1 = top(**BASE)
    system.close()
    from declos.store.store import Store
    from declos.system.transaction import System

    with Store(state) as store:
        s = System(store, root)
        with pytest.raises(SwitchFailed) as e:
            s.switch_to(t1)
        s.close()
    assert f"cannot use '{root}' as the root" in e.value.message
    assert "nothing was changed" in e.value.message
    assert read_journal(state) is None and f.read_text() == "keep"


# --- a file declos stops managing gives back what it had moved aside ------------------


def test_the_distributions_file_comes_back_when_no_longer_managed(system, top, root):
    os.makedirs(os.path.join(root, "etc/nginx"))
    _write(root, "etc/nginx/nginx.conf", "# Debian's\n")
    _write(root, "etc/hostname", "debian\n")
    system.switch_to(top(etc={"nginx/nginx.conf": "ours\n"}))
    assert os.readlink(os.path.join(root, "etc/nginx/nginx.conf")).startswith("/etc/static/")
    out = system.switch_to(top(etc={"hosts": "x\n"}))
    described = [a.describe() for a in out.plan.actions]
    assert (
        "etc restored nginx/nginx.conf from nginx/nginx.conf.declos-backup (no longer managed)"
        in (described)
    )
    with open(os.path.join(root, "etc/nginx/nginx.conf")) as f:
        assert f.read() == "# Debian's\n"
    assert not os.path.lexists(os.path.join(root, "etc/nginx/nginx.conf.declos-backup"))


def test_the_newest_backup_is_the_one_given_back(system, top, root):
    _write(root, "etc/motd", "an older backup\n")
    os.rename(os.path.join(root, "etc/motd"), os.path.join(root, "etc/motd.declos-backup"))
    _write(root, "etc/motd", "the distribution's\n")
    system.switch_to(top(etc={"motd": "ours\n"}))
    system.switch_to(top(etc={"hosts": "x\n"}))
    with open(os.path.join(root, "etc/motd")) as f:
        assert f.read() == "the distribution's\n"
    with open(os.path.join(root, "etc/motd.declos-backup")) as f:
        assert f.read() == "an older backup\n"
