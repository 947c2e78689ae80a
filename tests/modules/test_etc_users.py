"""environment.etc, users and groups, networking.hostName and time.timeZone,
checked on built toplevels."""

from __future__ import annotations

import os

import pytest

needs_zoneinfo = pytest.mark.skipif(
    not os.path.isfile("/usr/share/zoneinfo/UTC"), reason="no /usr/share/zoneinfo on this host"
)


@needs_zoneinfo
def test_etc_text_source_mode_and_target(build):
    (build.dir / "motd").write_text("welcome\n")
    system = build(
        """
        {
          environment.etc."app/app.conf".text = "a = 1";
          environment.etc.motd.source = ./motd;
          environment.etc.secret = { text = "s"; mode = "0600"; user = "nobody"; group = "nogroup"; };
          environment.etc.renamed = { text = "r"; target = "other/name"; };
          environment.etc.off = { text = "x"; enable = false; };
          environment.etc.host.source = "/usr/share/zoneinfo/UTC";
        }
        """
    )
    etc = system.manifest["etc"]
    assert set(etc) == {"app/app.conf", "motd", "secret", "other/name", "host"}
    assert system.etc("app/app.conf").read_text() == "a = 1"
    assert system.etc("motd").read_text() == "welcome\n"
    assert etc["motd"]["source"].startswith(str(build.dir / "state" / "store"))
    assert etc["secret"] == {
        "source": os.path.realpath(system.etc("secret")),
        "mode": "0600",
        "user": "nobody",
        "group": "nogroup",
    }
    assert etc["app/app.conf"]["mode"] == "symlink" and etc["app/app.conf"]["user"] == "root"
    assert system.etc("other/name").read_text() == "r"
    assert not system.etc("off").exists()
    assert etc["host"]["source"] == "/usr/share/zoneinfo/UTC"


def test_etc_text_definitions_merge_as_lines(build):
    system = build(
        """
        { imports = [ { environment.etc.hosts.text = "127.0.0.1 localhost"; } ];
          environment.etc.hosts.text = "::1 localhost";
        }
        """
    )
    assert sorted(system.etc("hosts").read_text().split("\n")) == [
        "127.0.0.1 localhost",
        "::1 localhost",
    ]


def test_etc_forced_source_wins_over_text(build):
    system = build(
        """
        { lib, pkgs, ... }: {
          environment.etc.x = { text = "from text"; source = lib.mkForce (pkgs.writeText "x" "forced"); };
        }
        """
    )
    assert system.etc("x").read_text() == "forced"


def test_etc_two_entries_one_target_is_an_assertion(build):
    err = build(
        '{ environment.etc.a = { text = "1"; target = "t"; }; environment.etc.b = { text = "2"; target = "t"; }; }',
        fails=True,
    )
    assert (
        'the file /etc/t is given by more than one entry: environment.etc."a", environment.etc."b"'
        in err
    )


def test_etc_bad_mode_names_the_option(build):
    err = build('{ environment.etc.a = { text = "1"; mode = "rw"; }; }', fails=True)
    assert "environment.etc.a.mode" in err


def test_users_defaults(build):
    system = build(
        """
        {
          users.users.alice = { isNormalUser = true; uid = 1000; extraGroups = [ "wheel" "audio" ]; };
          users.users.svc = { isSystemUser = true; group = "svc"; home = "/var/lib/svc"; createHome = true; };
          users.groups.svc = { gid = 990; members = [ "alice" ]; };
          users.mutableUsers = false;
          users.users.carol = {
            isNormalUser = true; shell = "/bin/zsh"; hashedPassword = "$6$salt$hash";
            description = "Carol";
          };
        }
        """
    )
    m = system.manifest
    assert m["mutableUsers"] is False
    alice = m["users"]["alice"]
    assert alice == {
        "uid": 1000,
        "group": "users",
        "extraGroups": ["wheel", "audio"],
        "home": "/home/alice",
        "createHome": True,
        "shell": "/bin/bash",
        "description": "",
        "hashedPassword": None,
        "hashedPasswordFile": None,
        "isSystemUser": False,
        "isNormalUser": True,
        "authorizedKeys": [],
    }
    svc = m["users"]["svc"]
    assert (svc["group"], svc["home"], svc["createHome"], svc["shell"]) == (
        "svc",
        "/var/lib/svc",
        True,
        "/usr/sbin/nologin",
    )
    carol = m["users"]["carol"]
    assert (carol["shell"], carol["hashedPassword"], carol["description"]) == (
        "/bin/zsh",
        "$6$salt$hash",
        "Carol",
    )
    assert m["groups"]["svc"] == {"gid": 990, "members": ["alice"]}
    assert m["groups"]["wheel"]["members"] == ["alice"]
    assert m["groups"]["audio"]["members"] == ["alice"]
    assert m["groups"]["users"] == {"gid": 100, "members": []}


def test_unknown_group_is_an_assertion_naming_the_user(build):
    err = build(
        """
        {
          users.users.bob = { isNormalUser = true; extraGroups = [ "docker" "wheel" ]; };
          users.users.eve = { isSystemUser = true; group = "nosuch"; };
        }
        """,
        fails=True,
    )
    assert "Failed assertions:" in err
    assert (
        'users.users.bob.extraGroups contains "docker" (defined in '
        f"{build.dir / 'config.dcl'}:3), a group that is not declared"
    ) in err
    assert "users.groups.docker = { };" in err
    assert (
        f'users.users.eve.group is "nosuch" (defined in {build.dir / "config.dcl"}:4), '
        "a group that is not declared"
    ) in err
    assert "wheel" not in err


def test_user_kind_and_group_assertions(build):
    err = build(
        """
        {
          users.users.both = { isNormalUser = true; isSystemUser = true; };
          users.users.neither = { group = "users"; };
          users.users.nogroup = { isSystemUser = true; };
        }
        """,
        fails=True,
    )
    assert "Exactly one of users.users.both.isSystemUser and users.users.both.isNormalUser" in err
    assert "Exactly one of users.users.neither.isSystemUser" in err
    assert "users.users.nogroup.group is unset" in err
    # a colon in a hash is a type error (passwdEntry), located at its line
    err = build(
        '{ users.users.colon = { isNormalUser = true; hashedPassword = "a:b"; }; }', fails=True
    )
    assert "`users.users.colon.hashedPassword' is not of type" in err and "config.dcl:1'" in err


def test_duplicate_ids_are_an_assertion(build):
    err = build(
        """
        { users.users.a = { isNormalUser = true; uid = 1000; };
          users.users.b = { isNormalUser = true; uid = 1000; };
        }
        """,
        fails=True,
    )
    assert "UIDs and GIDs must be unique!" in err


@needs_zoneinfo
def test_unknown_time_zone_names_the_option_and_file(build):
    err = build('{ time.timeZone = "Mars/Olympus"; }', fails=True)
    assert "time.timeZone" in err and "config.dcl" in err and '"Mars/Olympus"' in err
    err = build('{ time.timeZone = "../../etc/passwd"; }', fails=True)
    assert "time.timeZone" in err
    err = build('{ time.timeZone = "Europe"; }', fails=True)
    assert "time.timeZone" in err


@needs_zoneinfo
def test_time_zone_links_into_zoneinfo(build):
    system = build('{ time.timeZone = "UTC"; }')
    assert os.readlink(system.etc("localtime")) == "/usr/share/zoneinfo/UTC"


def test_host_name(build):
    system = build('{ networking.hostName = "web-1"; }')
    assert system.etc("hostname").read_text() == "web-1\n"
    assert system.manifest["system"]["hostName"] == "web-1"
    assert system.toplevel.name.endswith("-declos-system-web-1")
    err = build('{ networking.hostName = "no spaces"; }', fails=True)
    assert "networking.hostName" in err
