"""The manifest the modules write loads into records that hold exactly what
the file says: for every user, group, unit, activation script and etc
entry, the record turned back into the file's keys is the file's entry
(no key dropped, no value changed by a default)."""

from __future__ import annotations

import re

import attrs

from declos.system.manifest import EtcEntry, Group, Script, Unit, User, load_manifest

CONFIG = """\
{ pkgs, ... }: {
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    description = "Alice";
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAA alice" ];
  };
  users.users.svc = { isSystemUser = true; group = "svc"; uid = 901; hashedPasswordFile = "/etc/svc.hash"; };
  users.groups.svc = { gid = 901; members = [ "alice" ]; };
  environment.etc."motd".text = "hello";
  environment.etc."secret" = { text = "s"; mode = "0600"; user = "svc"; group = "svc"; };
  systemd.services.web = {
    wantedBy = [ "multi-user.target" ];
    restartIfChanged = false;
    serviceConfig.ExecStart = "/bin/true";
  };
  system.activationScripts.first = "echo first";
  system.activationScripts.hello = { text = "echo hi"; deps = [ "first" ]; };
}
"""


def _camel(name: str) -> str:
    return re.sub(r"_(.)", lambda m: m.group(1).upper(), name)


def as_json(record, leave=("name",)) -> dict:
    """A record as the manifest spells it (camelCase keys, lists)."""
    out = {}
    for f in attrs.fields(type(record)):
        if f.name in leave:
            continue
        v = getattr(record, f.name)
        out[_camel(f.name)] = list(v) if isinstance(v, tuple) else v
    return out


def test_a_manifest_written_by_the_modules_loads_identically(build):
    s = build(CONFIG)
    data = s.manifest
    m = load_manifest(str(s.toplevel))
    assert set(m.users) == set(data["users"]) >= {"alice", "svc", "root"}
    for n, u in data["users"].items():
        assert isinstance(m.users[n], User)
        assert as_json(m.users[n]) == u, n
    assert set(m.groups) == set(data["groups"]) >= {"svc", "wheel"}
    for n, g in data["groups"].items():
        assert isinstance(m.groups[n], Group)
        assert as_json(m.groups[n]) == g, n
    assert m.units["web.service"].restart_if_changed is False
    for n, u in data["units"].items():
        assert isinstance(m.units[n], Unit)
        assert as_json(m.units[n]) == u, n
    assert [as_json(x, leave=()) for x in m.scripts] == data["activationScripts"]
    assert all(isinstance(x, Script) for x in m.scripts)
    assert "hello" in [x.name for x in m.scripts]
    entries = m.etc_entries()
    for n, e in data["etc"].items():
        assert isinstance(entries[n], EtcEntry)
        assert as_json(entries[n], leave=("name", "in_static")) == e, n
        assert entries[n].in_static
    assert entries["secret"].mode == "0600" and entries["secret"].user == "svc"
    # the units' files are etc entries too, linked from the generation's etc
    assert entries["systemd/system/web.service"].source == m.units["web.service"].source
    assert m.packages == data["packages"] and list(m.warnings) == data["warnings"]
