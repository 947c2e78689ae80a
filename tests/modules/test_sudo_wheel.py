"""security.sudo.wheelNeedsPassword and execWheelOnly: NixOS's %wheel rule
(before the configuration's own rules, NOPASSWD when wheel needs no
password), written while someone is in wheel and accepted by visudo;
execWheelOnly as a unit whose start restricts the host's sudo and whose
stop gives the mode back; environment.sessionVariables in login shells and
in /etc/environment.d for systemd user managers."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def sudoers(system) -> list[str]:
    return system.etc("sudoers.d/declos").read_text().splitlines()


def test_wheel_rule_with_password_by_default(build):
    s = build('{ users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; }; }')
    assert "%wheel\tALL=(ALL:ALL)\tALL" in sudoers(s)
    assert s.manifest["etc"]["sudoers.d/declos"]["mode"] == "0440"


def test_wheel_without_password_and_rule_order(build):
    s = build(
        """
        { lib, ... }: {
          users.groups.wheel.members = [ "root" ];
          security.sudo.wheelNeedsPassword = false;
          security.sudo.extraRules = lib.mkMerge [
            [ { users = [ "deploy" ]; commands = [ "/usr/bin/systemctl restart app" ]; } ]
            (lib.mkBefore [ { users = [ "first" ]; commands = [ "ALL" ]; } ])
          ];
        }
        """
    )
    lines = [x for x in sudoers(s) if not x.startswith(("#", "Defaults"))]
    assert lines == [
        "first\tALL=(ALL:ALL)\tALL",
        "%wheel\tALL=(ALL:ALL)\tNOPASSWD: ALL",
        "deploy\tALL=(ALL:ALL)\t/usr/bin/systemctl restart app",
    ]
    if shutil.which("visudo"):
        check = (s.toplevel / "checks" / "sudoers").read_text()
        assert check == "passed\n"


def test_no_wheel_members_no_file(build):
    assert (
        "sudoers.d/declos" not in build("{ users.users.bob.isNormalUser = true; }").manifest["etc"]
    )


def test_exec_wheel_only_unit(build):
    s = build("{ security.sudo.execWheelOnly = true; }")
    unit = s.unit("declos-sudo-wheel-only.service")
    assert "Type=oneshot" in unit and "RemainAfterExit=yes" in unit
    assert s.manifest["units"]["declos-sudo-wheel-only.service"]["wantedBy"] == [
        "multi-user.target"
    ]
    start = next(x for x in unit.splitlines() if x.startswith("ExecStart=")).split("=", 1)[1]
    stop = next(x for x in unit.splitlines() if x.startswith("ExecStop=")).split("=", 1)[1]
    with open(start) as f:
        start_text = f.read()
    assert start_text.startswith("#!/bin/sh\nset -e\n")
    assert "dpkg-statoverride --force-statoverride-add --update --add root wheel 4510" in start_text
    assert "chmod 4510" in start_text
    with open(stop) as f:
        stop_text = f.read()
    assert "stopping) exit 0" in stop_text  # not reverted while the system shuts down
    assert "dpkg-statoverride --remove" in stop_text
    for script in (start, stop):
        subprocess.run(["sh", "-n", script], check=True)


SESSION = r"""
{
  environment.sessionVariables = {
    GREETING = "hello $USER \\o/";
    TOOLS = [ "/opt/a" "/opt/b" ];
  };
}
"""


def test_session_variables_in_login_shells_and_user_managers(build):
    s = build(SESSION)
    profile = s.etc("profile.d/declos.sh")
    out = subprocess.run(
        ["sh", "-c", f'. {profile}; printf "%s\\n" "$GREETING" "$TOOLS"'],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "USER": "x"},
    ).stdout
    assert out == "hello $USER \\o/\n/opt/a:/opt/b\n"  # literal, as environment.variables
    envd = s.etc("environment.d/40-declos-session.conf").read_text().splitlines()
    assert "GREETING=hello $$USER \\\\o/" in envd and "TOOLS=/opt/a:/opt/b" in envd


def test_environment_d_value_as_systemd_reads_it(build, tmp_path):
    """systemd's own environment.d reader gives back the literal value."""
    gen = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator"
    if not os.access(gen, os.X_OK):
        pytest.skip("no systemd environment.d generator here")
    s = build(SESSION)
    conf = tmp_path / "environment.d"
    conf.mkdir()
    (conf / "40-declos-session.conf").write_text(
        s.etc("environment.d/40-declos-session.conf").read_text()
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path), "USER": "x", "HOME": str(tmp_path)}
    out = subprocess.run([gen], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    # printed shell-quoted: the value is `hello $USER \o/`, not expanded
    assert 'GREETING="hello \\$USER \\\\o/"' in out.stdout.splitlines()


def test_session_variable_conflicts_with_a_variable(build):
    err = build(
        '{ environment.sessionVariables.X = "a"; environment.variables.X = "b"; }', fails=True
    )
    assert "environment.variables.X" in err and "config.dcl" in err
