"""A hostile manifest is refused before anything changes: `load_manifest`
checks every value activation would write into a system file (names,
passwd/group/shadow fields, ids, homes and shells, etc names, unit names,
modes, sources and scripts), so `System.switch_to` and `declos
switch-generation` fail with one clean error naming the manifest and the
field, the root and the profile as they were."""

from __future__ import annotations

import json
import os

import pytest
from system_helpers import snapshot

from declos.cli import main
from declos.eval.hashes import Hash
from declos.store.paths import make_store_path
from declos.system.manifest import ManifestError, load_manifest
from declos.system.synth import make_toplevel

BASE = {
    "etc": {"hosts": "127.0.0.1 localhost\n", "sudoers": {"text": "x\n", "mode": "0440"}},
    "units": {"web.service": "[Service]\nExecStart=/bin/web\n"},
    "users": {"alice": {"isNormalUser": True, "extraGroups": ["wheel"]}},
    "groups": {"wheel": {}},
    "scripts": [("marker", [], "true")],
    "packages": {"hello": {"hello": "#!/bin/sh\n"}},
}
INJECTION = "evil\nroot2::0:0::/root:/bin/sh\n#"


def hostile(store, mutate) -> str:
    """A toplevel whose manifest is the base one changed by `mutate(data)`."""
    base = make_toplevel(store, **BASE)
    with open(os.path.join(base, "manifest.json")) as f:
        data = json.load(f)
    mutate(data)
    text = json.dumps(data, sort_keys=True)
    digest = Hash.of("sha256", text.encode()).digest
    dest = make_store_path("output:out", digest, "declos-system", store.store_dir)

    def produce(tmp: str) -> None:
        os.makedirs(tmp)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            f.write(text)
        for n in ("etc", "units", "sw"):
            os.symlink(os.path.join(base, n), os.path.join(tmp, n))

    store.install(dest, produce, references=[base])
    return str(dest)


def user(**kw):
    return lambda d: d["users"]["alice"].update(kw)


def rename(section, old, new):
    return lambda d: d[section].__setitem__(new, d[section].pop(old))


def set_in(section, name, **kw):
    return lambda d: d[section][name].update(kw)


def put(key, value):
    return lambda d: d.__setitem__(key, value)


CASES = {
    # user and group names
    "user-injection": (rename("users", "alice", INJECTION), 'users."evil\\nroot2'),
    "user-colon": (rename("users", "alice", "a:b"), 'users."a:b" (the name)'),
    "user-uppercase": (rename("users", "alice", "Alice"), "users.Alice (the name)"),
    "user-dash": (rename("users", "alice", "-x"), 'users."-x" (the name)'),
    "user-too-long": (rename("users", "alice", "a" * 33), "longer than 32 characters"),
    "user-empty": (rename("users", "alice", ""), 'users."" (the name)'),
    "group-colon": (rename("groups", "wheel", "wh:eel"), 'groups."wh:eel" (the name)'),
    "group-newline": (rename("groups", "wheel", "wh\neel"), 'groups."wh\\neel"'),
    # passwd, group and shadow fields
    "home-dotdot": (user(home="/home/../etc"), "users.alice.home"),
    "home-relative": (user(home="home/alice"), "users.alice.home"),
    "home-colon": (user(home="/home/a:b"), "users.alice.home"),
    "home-trailing": (user(home="/home/alice/"), "users.alice.home"),
    "shell-relative": (user(shell="bash"), "users.alice.shell"),
    "shell-newline": (user(shell="/bin/sh\nroot2::0:0::/:/bin/sh"), "users.alice.shell"),
    "description-colon": (user(description="a:0:0"), "users.alice.description"),
    "description-newline": (user(description="a\nb"), "users.alice.description"),
    "description-cr": (user(description="a\rroot2::0:0::/:/bin/sh"), "users.alice.description"),
    "description-ls": (user(description="a\u2028b"), "users.alice.description"),
    "description-nul": (user(description="a\0b"), "users.alice.description"),
    "hash-colon": (user(hashedPassword="x:0:0"), "users.alice.hashedPassword"),
    "hash-newline": (user(hashedPassword="x\nroot2::1"), "users.alice.hashedPassword"),
    "hash-file-relative": (user(hashedPasswordFile="secrets/a"), "users.alice.hashedPasswordFile"),
    "hash-both": (user(hashedPassword="x", hashedPasswordFile="/s/a"), "sets both"),
    "uid-negative": (user(uid=-1), "users.alice.uid"),
    "uid-minus-one": (user(uid=2**32 - 1), "users.alice.uid"),
    "uid-too-big": (user(uid=2**32), "users.alice.uid"),
    "uid-bool": (user(uid=True), "users.alice.uid: is a boolean"),
    "uid-string": (user(uid="0"), "users.alice.uid: is a string"),
    "group-field": (user(group="users:x"), "users.alice.group"),
    "extra-group": (user(extraGroups=["wheel", "a\nb"]), "users.alice.extraGroups[1]"),
    "key-not-a-string": (user(authorizedKeys=[1]), "authorizedKeys[0]"),
    "gid-too-big": (set_in("groups", "wheel", gid=2**32), "groups.wheel.gid"),
    "member-colon": (set_in("groups", "wheel", members=["a:b"]), "groups.wheel.members[0]"),
    "member-upper": (set_in("groups", "wheel", members=["Bob"]), "groups.wheel.members[0]"),
    # etc names and fields
    **{
        f"etc-{n!r}": (rename("etc", "hosts", n), "etc.")
        for n in [
            "passwd",
            "shadow",
            "group",
            "gshadow",
            ".declos-managed",
            "static",
            "static/x",
            ".",
            "",
            "/etc/hosts",
            "..",
            "../x",
            "a/../b",
            "a//b",
            "a/",
            "x.declos-tmp",
            "x.declos-backup",
            "x.declos-backup.2",
            "a\nb",
            "a\0b",
            "x" * 256,
        ]
    },
    "etc-mode": (set_in("etc", "hosts", mode="0999"), "etc.hosts.mode"),
    "etc-mode-int": (set_in("etc", "hosts", mode=420), "etc.hosts.mode"),
    "etc-source-relative": (set_in("etc", "hosts", source="hosts"), "etc.hosts.source"),
    "etc-copy-of-host": (set_in("etc", "sudoers", source="/etc/shadow"), "etc.sudoers.source"),
    "etc-owner": (set_in("etc", "sudoers", user="a:b"), "etc.sudoers.user"),
    # units, scripts, packages
    "unit-slash": (rename("units", "web.service", "../web.service"), "units."),
    "unit-no-suffix": (rename("units", "web.service", "web"), "units.web (the name)"),
    "unit-newline": (rename("units", "web.service", "web.service\n"), "units."),
    "unit-source": (
        set_in("units", "web.service", source="/etc/shadow"),
        'units."web.service".source',
    ),
    "unit-wanted-by": (set_in("units", "web.service", wantedBy=["../x"]), "wantedBy[0]"),
    "script-outside-store": (
        lambda d: d["activationScripts"][0].update(script="/bin/sh"),
        "script",
    ),
    "script-name": (lambda d: d["activationScripts"][0].update(name="a\nb"), "[0].name"),
    "packages-outside-store": (put("packages", "/usr"), "packages"),
    "users-not-an-object": (put("users", []), "users: is a list, not an object"),
    "store-name": (
        lambda d: d["etc"]["hosts"].update(source=os.path.dirname(d["packages"]) + "/passwd"),
        "etc.hosts.source",
    ),
}


@pytest.mark.parametrize("mutate,field", CASES.values(), ids=CASES.keys())
def test_hostile_manifest_is_refused_before_anything_changes(system, store, root, mutate, field):
    good = make_toplevel(store, **BASE)
    system.switch_to(good)
    before = snapshot(root, dirs=True)
    top = hostile(store, mutate)
    with pytest.raises(ManifestError) as e:
        system.switch_to(top)
    message = e.value.message
    assert f"'{top}/manifest.json' cannot be activated: " in message
    assert field in message, message
    assert snapshot(root, dirs=True) == before
    assert system.profile.current().path == good
    assert len(system.profile.list()) == 1


def test_the_base_manifest_is_valid(store):
    top = hostile(store, lambda d: None)
    assert load_manifest(top).users["alice"].extra_groups == ("wheel",)


def test_an_old_manifest_without_hashed_password_file_loads(store):
    top = hostile(store, lambda d: d["users"]["alice"].pop("hashedPasswordFile", None))
    assert "hashedPasswordFile" not in load_manifest(top).data["users"]["alice"]
    assert load_manifest(top).users["alice"].hashed_password_file is None


def test_switch_generation_refuses_a_hostile_generation(system, store, root, state, capsys):
    system.switch_to(make_toplevel(store, **BASE))
    bad = system.profile.add(hostile(store, rename("users", "alice", INJECTION)), None, None, None)
    before = snapshot(root, dirs=True)
    capsys.readouterr()
    code = main(["switch-generation", str(bad.number), "--state-dir", state, "--root", root])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"generation {bad.number} cannot be activated" in err
    assert 'users."evil\\nroot2::0:0::/root:/bin/sh\\n#" (the name)' in err
    assert "nothing was changed" in err
    assert snapshot(root, dirs=True) == before
    with open(os.path.join(root, "etc/passwd")) as f:
        assert "root2" not in f.read()
