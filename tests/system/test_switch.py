"""Switch, generations, rollback, delete, pin, gc, accounts and etc on a real root."""

from __future__ import annotations

import os

import pytest
from system_helpers import snapshot

from declos.store.gc import collect_garbage, verify
from declos.system.etc import drift
from declos.system.journal import read_journal
from declos.system.plan import render_json, render_text
from declos.system.profiles import GenerationError
from declos.system.transaction import SwitchFailed

BASE = {
    "etc": {
        "hosts": "127.0.0.1 localhost\n",
        "ssh/sshd_config": "PermitRootLogin no\n",
        "sudoers": {"text": "root ALL=(ALL) ALL\n", "mode": "0440"},
    },
    "units": {"web.service": "[Service]\nExecStart=/bin/web\n"},
    "users": {"alice": {"isNormalUser": True, "createHome": True, "extraGroups": ["wheel"]}},
    "scripts": [("marker", [], 'echo one > "$DECLOS_ROOT/marker"')],
    "packages": {"hello": {"hello": "#!/bin/sh\necho hello\n"}},
}


def changed(**kw):
    return {**BASE, **kw}


def read(root, rel):
    with open(os.path.join(root, rel)) as f:
        return f.read()


def resolve(root, rel):
    """Follow a link inside the root as the root's own programs would."""
    path = os.path.join(root, rel)
    for _ in range(10):
        if not os.path.islink(path):
            return path
        t = os.readlink(path)
        path = os.path.join(root, t.lstrip("/")) if t.startswith("/etc/") else t
    raise AssertionError("link loop")


def test_switch_activates_and_records(system, top, root):
    t1 = top(**BASE)
    out = system.switch_to(t1, message="first", config_file="/c.dcl", config_hash="sha256:x")
    assert out.generation.number == 1
    cur = system.profile.current()
    assert cur.path == t1 and cur.message == "first" and cur.config_hash == "sha256:x"
    assert cur.closure_size > 0
    assert os.readlink(os.path.join(root, "etc/static")) == os.path.join(t1, "etc")
    assert os.readlink(os.path.join(root, "etc/hosts")) == "/etc/static/hosts"
    with open(resolve(root, "etc/ssh/sshd_config")) as f:
        assert f.read() == "PermitRootLogin no\n"
    sudoers = os.path.join(root, "etc/sudoers")
    assert not os.path.islink(sudoers) and os.stat(sudoers).st_mode & 0o7777 == 0o440
    assert os.readlink(os.path.join(root, "etc/systemd/system/web.service")) == (
        "/etc/static/systemd/system/web.service"
    )
    assert "alice:x:1000:" in read(root, "etc/passwd")
    assert os.path.isdir(os.path.join(root, "home/alice"))
    assert os.stat(os.path.join(root, "home/alice")).st_uid == 1000
    assert read(root, "marker") == "one\n"
    assert os.readlink(os.path.join(root, "run/current-system")) == t1
    assert read_journal(system.state_dir) is None
    assert drift(root, os.path.join(t1, "etc")) == []


def test_same_switch_creates_no_generation(system, top):
    t1 = top(**BASE)
    system.switch_to(t1)
    again = system.switch_to(t1)
    assert again.generation is None and again.previous == 1
    assert [g.number for g in system.profile.list()] == [1]


def test_change_rollback_and_switch_generation(system, top, root):
    t1 = top(**BASE)
    system.switch_to(t1)
    s1 = snapshot(root)
    t2 = top(**changed(etc={**BASE["etc"], "hosts": "10.0.0.1 db\n", "motd": "hi\n"}))
    out = system.switch_to(t2)
    assert out.generation.number == 2 and system.profile.current().number == 2
    with open(resolve(root, "etc/hosts")) as f:
        assert f.read() == "10.0.0.1 db\n"
    s2 = snapshot(root)
    back = system.rollback()
    assert back.generation.number == 1 and system.profile.current().number == 1
    assert [g.number for g in system.profile.list()] == [1, 2]  # no generation created
    assert snapshot(root) == s1
    assert not os.path.lexists(os.path.join(root, "etc/motd"))
    system.switch_generation(2)
    assert system.profile.current().number == 2 and snapshot(root) == s2
    with pytest.raises(GenerationError):
        system.switch_generation(7)


def test_rollback_without_previous_fails(system, top):
    with pytest.raises(SwitchFailed):
        system.rollback()
    system.switch_to(top(**BASE))
    with pytest.raises(SwitchFailed, match="oldest"):
        system.rollback()


def test_delete_keep_older_than_and_pins(system, top):
    tops = [top(**changed(etc={"n": str(i)})) for i in range(5)]
    for t in tops:
        system.switch_to(t)
    prof = system.profile
    assert prof.current().number == 5
    deleted, refused = prof.delete([5])
    assert deleted == [] and "current" in refused[0]
    prof.set_pinned(2, True)
    deleted, refused = prof.delete(keep=2)
    assert deleted == [1, 3] and refused == ["generation 2 is pinned"]
    assert [g.number for g in prof.list()] == [2, 4, 5]
    deleted, _ = prof.delete(older_than=0, now=10**12)
    assert deleted == [4]
    prof.set_pinned(2, False)
    assert prof.delete([2]) == ([2], [])
    assert [g.number for g in prof.list()] == [5]
    # numbers are never reused
    system.switch_to(tops[0])
    assert prof.current().number == 6


def test_gc_keeps_generations_and_frees_the_rest(system, store, top):
    t1 = top(**BASE)
    t2 = top(**changed(etc={"hosts": "other\n"}))
    system.switch_to(t1)
    system.switch_to(t2)
    store.close()  # drop this process's temporary roots
    from declos.store.store import Store

    with Store(system.state_dir) as s:
        collect_garbage(s)
        assert s.is_valid(t1) and s.is_valid(t2)
        for p in s.closure([t1]) | s.closure([t2]):
            assert os.path.exists(p)
        system.profile.delete([1])
        result = collect_garbage(s)
        assert t1 in result.deleted and not s.is_valid(t1)
        assert s.is_valid(t2) and verify(s, check_contents=True).ok


def test_users_file_moved_aside_and_reported(system, top, root):
    with open(os.path.join(root, "etc/hosts"), "w") as f:
        f.write("my own hosts\n")
    said = []
    system.say = said.append
    plan = system.plan_to(top(**BASE))
    assert "etc backup hosts -> hosts.declos-backup" in render_text(plan)
    system.switch_to(top(**BASE))
    assert read(root, "etc/hosts.declos-backup") == "my own hosts\n"
    assert os.readlink(os.path.join(root, "etc/hosts")) == "/etc/static/hosts"
    assert any("hosts" in m and "aside" in m for m in said)


def test_hand_changed_file_is_kept_when_no_longer_managed(system, top, root):
    system.switch_to(top(**BASE))
    os.unlink(os.path.join(root, "etc/ssh/sshd_config"))
    with open(os.path.join(root, "etc/ssh/sshd_config"), "w") as f:
        f.write("edited by hand\n")
    assert ("ssh/sshd_config", "replaced by a file") in drift(root, None)
    etc = {k: v for k, v in BASE["etc"].items() if k != "ssh/sshd_config"}
    out = system.switch_to(top(**changed(etc=etc)))
    assert "etc kept ssh/sshd_config (changed by hand; no longer managed)" in [
        a.describe() for a in out.plan.actions
    ]
    assert read(root, "etc/ssh/sshd_config") == "edited by hand\n"


def test_drift(system, top, root):
    t1 = top(**BASE)
    system.switch_to(t1)
    os.chmod(os.path.join(root, "etc/sudoers"), 0o644)
    os.unlink(os.path.join(root, "etc/hosts"))
    with open(os.path.join(root, "etc/hosts"), "w") as f:
        f.write("x\n")
    assert drift(root, os.path.join(t1, "etc")) == [
        ("hosts", "replaced by a file"),
        ("sudoers", "mode changed"),
    ]


def test_accounts_merge_with_existing_entries(system, top, root):
    etc = os.path.join(root, "etc")
    with open(os.path.join(etc, "passwd"), "w") as f:
        f.write(
            "root:x:0:0:root:/root:/bin/sh\n"
            "# a comment\n"
            "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
            "bob:x:1000:1000:Bob:/home/bob:/bin/sh\n"
        )
    with open(os.path.join(etc, "group"), "w") as f:
        f.write("root:x:0:\nbob:x:1000:\nwheel:x:10:bob\n")
    with open(os.path.join(etc, "shadow"), "w") as f:
        f.write("root:$6$secret:19000:0:99999:7:::\nbob:$6$bob:19000::::::\n")
    cfg = changed(
        users={
            "alice": {"isNormalUser": True, "createHome": True, "extraGroups": ["wheel"]},
            "svc": {"isSystemUser": True, "group": "svc"},
        },
        groups={"svc": {}},
    )
    system.switch_to(top(**cfg))
    passwd = read(root, "etc/passwd")
    assert passwd.startswith(
        "root:x:0:0:root:/root:/bin/sh\n# a comment\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbob:x:1000:1000:Bob:/home/bob:/bin/sh\n"
    )
    assert "alice:x:1001:" in passwd  # 1000 is bob's
    assert "svc:x:999:" in passwd
    group = read(root, "etc/group")
    assert "wheel:x:10:alice\n" in group  # adopted: keeps its gid
    assert read(root, "etc/shadow").startswith("root:$6$secret:19000:0:99999:7:::\nbob:$6$bob")
    # remove svc, add carol; alice keeps 1001, carol does not get svc's 999 back
    cfg2 = changed(
        users={"alice": cfg["users"]["alice"], "carol": {"isSystemUser": True, "group": "svc"}},
        groups={"svc": {}},
    )
    system.switch_to(top(**cfg2))
    passwd = read(root, "etc/passwd")
    assert "alice:x:1001:" in passwd and "svc:" not in passwd and "carol:x:998:" in passwd
    assert "bob:x:1000" in passwd and "daemon:x:1:" in passwd
    # svc again: its remembered uid
    cfg3 = changed(users={**cfg2["users"], "svc": {"isSystemUser": True, "group": "svc"}})
    system.switch_to(top(**cfg3))
    assert "svc:x:999:" in read(root, "etc/passwd")
    # wheel was adopted, so it stays when no longer declared; bob is never touched
    system.switch_to(top(**changed(users={})))
    passwd, group = read(root, "etc/passwd"), read(root, "etc/group")
    assert "alice" not in passwd and "bob:x:1000" in passwd and "wheel:x:10:" in group
    assert os.path.isdir(os.path.join(root, "home/alice"))  # homes kept


def test_failing_script_rolls_back(system, top, root):
    system.switch_to(top(**BASE))
    before = snapshot(root)
    bad = changed(
        etc={"hosts": "new\n", "extra": "x\n"},
        scripts=[
            ("marker", [], 'echo two > "$DECLOS_ROOT/marker"'),
            ("boom", ["marker"], "exit 3"),
        ],
    )
    with pytest.raises(SwitchFailed) as e:
        system.switch_to(top(**bad))
    assert "activation script 'boom' failed with exit status 3" in e.value.message
    assert "generation 1" in e.value.message
    assert system.profile.current().number == 1
    assert [g.number for g in system.profile.list()] == [1]
    assert snapshot(root) == before
    assert read_journal(system.state_dir) is None


def test_dry_run_plan_changes_nothing(system, top, root):
    system.switch_to(top(**BASE))
    before = snapshot(root)
    t2 = top(
        **changed(
            etc={"hosts": "x\n", "motd": "m\n"},
            units={
                "web.service": "[Service]\nExecStart=/bin/web2\n",
                "db.service": "[Service]\n",
            },
            packages={"jq": {"jq": ""}},
        )
    )
    plan = system.plan_to(t2)
    text = render_text(plan)
    assert snapshot(root) == before
    lines = text.splitlines()[2:]
    assert lines == [
        "unit would stop web.service (changed)",
        "etc static -> " + os.path.join(t2, "etc"),
        "etc changed hosts",
        "etc added motd",
        "etc added systemd/system/db.service",
        "etc changed systemd/system/web.service",
        "etc removed ssh/sshd_config",
        "etc removed sudoers",
        "etc managed 4 files",
        "system current -> " + t2,
        "script run marker",
        "unit would daemon-reload",
        "unit would start db.service (added)",
        "unit would start web.service (changed)",
        "packages +jq -hello",
    ]
    assert '"action": "etc-changed"' in render_json(plan)  # hosts: its link stays
    assert '"action": "remove-etc"' in render_json(plan)


def test_script_order_and_errors(system, top):
    from declos.system.plan import PlanError

    scripts = [("c", ["b"], "true"), ("a", [], "true"), ("b", ["a"], "true")]
    plan = system.plan_to(top(**changed(scripts=scripts)))
    assert [a.name for a in plan.actions if a.kind == "run-script"] == ["a", "b", "c"]
    with pytest.raises(PlanError, match="depends on 'zz'"):
        system.plan_to(top(**changed(scripts=[("a", ["zz"], "true")])))
    with pytest.raises(PlanError, match="cycle"):
        system.plan_to(top(**changed(scripts=[("a", ["b"], "true"), ("b", ["a"], "true")])))
