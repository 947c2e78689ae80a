"""security.sudo.extraRules (checked with visudo -c -f) and
security.apparmor.policies (checked with apparmor_parser -Q -K)."""

from __future__ import annotations

from realcheck import apparmor_check, visudo_check

SUDO = """
{
  security.sudo.extraRules = [
    { groups = [ "wheel" ]; commands = [ "ALL" ]; }
    { users = [ "deploy" 1001 ]; groups = [ 1006 ]; runAs = "root";
      commands = [
        { command = "/usr/bin/systemctl restart nginx"; options = [ "NOPASSWD" "SETENV" ]; }
        "/usr/bin/journalctl"
      ]; }
    { users = [ "nobody" ]; commands = [ ]; }
  ];
  security.sudo.extraConfig = "Defaults:deploy timestamp_timeout=30";
}
"""


def test_sudoers(build):
    system = build(SUDO)
    path = system.etc("sudoers.d/declos")
    assert path.read_text().splitlines()[1:] == [
        "%wheel\tALL=(ALL:ALL)\tALL",
        "deploy\tALL=(root)\tNOPASSWD:SETENV: /usr/bin/systemctl restart nginx, /usr/bin/journalctl",
        "#1001\tALL=(root)\tNOPASSWD:SETENV: /usr/bin/systemctl restart nginx, /usr/bin/journalctl",
        "%#1006\tALL=(root)\tNOPASSWD:SETENV: /usr/bin/systemctl restart nginx, /usr/bin/journalctl",
        "Defaults:deploy timestamp_timeout=30",
    ]
    entry = system.manifest["etc"]["sudoers.d/declos"]
    assert (entry["mode"], entry["user"], entry["group"]) == ("0440", "root", "root")
    visudo_check(path)


def test_no_sudoers_without_rules(build):
    assert "sudoers.d/declos" not in build("{ }").manifest["etc"]
    off = build('{ security.sudo = { enable = false; extraConfig = "Defaults env_reset"; }; }')
    assert "sudoers.d/declos" not in off.manifest["etc"]


def test_sudo_command_must_be_a_full_path(build):
    err = build(
        '{ security.sudo.extraRules = [ { users = [ "a" ]; commands = [ "systemctl" ]; } ]; }',
        fails=True,
    )
    assert "Failed assertions" in err
    assert 'the command "systemctl" must be a full path' in err


def test_sudo_unknown_tag_names_the_line(build):
    err = build(
        """
        {
          security.sudo.extraRules = [ {
            users = [ "a" ];
            commands = [ { command = "/bin/true"; options = [ "NOPASWD" ]; } ];
          } ];
        }
        """,
        fails=True,
    )
    assert "NOPASWD" in err and "security.sudo.extraRules" in err
    assert "config.dcl:" in err


PROFILE = """
abi <abi/3.0>,
include <tunables/global>
profile myapp /usr/bin/myapp {
  include <abstractions/base>
  /etc/myapp/** r,
}
"""


def test_apparmor_policies(build):
    (build.dir / "other.profile").write_text(PROFILE.replace("myapp", "other"))
    system = build(
        """
        {
          security.apparmor.enable = true;
          security.apparmor.policies = {
            myapp.profile = builtins.readFile ./other.profile;
            other = { path = ./other.profile; enforce = false; };
            off = { enable = false; profile = "garbage"; };
          };
        }
        """.replace("builtins.readFile ./other.profile", "''" + PROFILE + "''")
    )
    etc = system.manifest["etc"]
    assert "apparmor.d/myapp" in etc and "apparmor.d/other" in etc and "apparmor.d/off" not in etc
    assert "apparmor.d/force-complain/other" in etc
    assert "apparmor.d/force-complain/myapp" not in etc
    assert system.etc("apparmor.d/myapp").read_text().strip() == PROFILE.strip()
    assert "apparmor" in {s["name"] for s in system.manifest["activationScripts"]}
    apparmor_check(system.etc("apparmor.d/myapp"))
    apparmor_check(system.etc("apparmor.d/other"))


def test_apparmor_disabled_writes_nothing(build):
    system = build('{ security.apparmor.policies.x.profile = "x"; }')
    assert not any(k.startswith("apparmor.d/") for k in system.manifest["etc"])


def test_apparmor_policy_needs_exactly_one_source(build):
    err = build(
        "{ security.apparmor = { enable = true; policies.x = { }; }; }",
        fails=True,
    )
    assert 'security.apparmor.policies."x": exactly one of `profile` and `path`' in err
