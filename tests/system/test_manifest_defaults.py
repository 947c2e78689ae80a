"""An older generation's manifest, with keys later versions added left out
and "" where the modules once wrote it for "unset", loads with the defaults
activation always used: passwd gets /var/empty and /bin/sh, the primary
group is `users`, a unit is restarted (not reloaded) when it changes."""

from __future__ import annotations

import json
import os

from declos.system.accounts import plan_accounts
from declos.system.actions import AddUser, WriteAccounts
from declos.system.manifest import EtcEntry, Group, Script, Unit, User, load_manifest

H = "0" * 31


def old_toplevel(tmp_path, data: dict) -> str:
    top = tmp_path / "store" / f"{H}1-declos-system"
    top.mkdir(parents=True)
    (top / "manifest.json").write_text(json.dumps({"version": 1, **data}))
    return str(top)


def test_an_older_manifest_loads_with_the_defaults(tmp_path):
    src = str(tmp_path / "store" / f"{H}2-web.service")
    top = old_toplevel(
        tmp_path,
        {
            "etc": {"motd": {"source": src}},
            "users": {
                "alice": {"isNormalUser": True, "group": "", "home": "", "shell": ""},
                "bob": {"uid": 1200, "extraGroups": ["wheel"], "createHome": True},
            },
            "groups": {"wheel": {}},
            "units": {"web.service": {"source": src}},
            "activationScripts": [{"name": "hello", "script": src}],
        },
    )
    m = load_manifest(top)
    assert m.users["alice"] == User("alice", is_normal_user=True)
    assert (m.users["alice"].group, m.users["alice"].shell) == ("users", "/bin/sh")
    assert (m.users["alice"].home, m.users["alice"].passwd_home) == (None, "/var/empty")
    assert m.users["bob"] == User("bob", uid=1200, extra_groups=("wheel",), create_home=True)
    assert m.users["bob"].hashed_password is None and m.users["bob"].hashed_password_file is None
    assert m.groups["wheel"] == Group("wheel")
    unit = m.units["web.service"]
    assert unit == Unit("web.service", src)
    assert (unit.wanted_by, unit.restart_if_changed, unit.stop_if_changed) == ((), True, True)
    assert unit.reload_if_changed is False
    assert m.scripts == (Script("hello", src),)
    entries = m.etc_entries()
    assert entries["motd"] == EtcEntry("motd", src, "symlink", "root", "root", in_static=False)
    assert entries["systemd/system/web.service"].source == src
    assert m.packages is None and list(m.warnings) == []


def test_an_older_manifest_plans_the_accounts_it_always_did(tmp_path):
    top = old_toplevel(tmp_path, {"users": {"alice": {"isNormalUser": True, "home": ""}}})
    root = tmp_path / "root"
    root.mkdir()
    actions = plan_accounts(str(root), load_manifest(top))
    assert AddUser("alice", 1000, 999, "/var/empty") in actions
    (write,) = [a for a in actions if isinstance(a, WriteAccounts)]
    files = {rel: text for rel, text, _mode in write.files}
    assert files["etc/passwd"] == "alice:x:1000:999::/var/empty:/bin/sh\n"
    assert files["etc/group"] == "users:x:999:\n"
    assert files["etc/shadow"] == "alice:!:1::::::\n"
    assert not os.path.exists(root / "etc")  # planning changes nothing
