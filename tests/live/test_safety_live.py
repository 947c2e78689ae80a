"""Issue 10 on a booted host: hostile input and broken configurations never reach the
live system, hand edits are repaired, builders cannot touch the host, and every
failure is a located message.

Each test starts from a host switched to GOOD (sudo rules, sshd, nginx, a user) and
checks, after every refused or repaired switch, that the host is still exactly on it
(`assert_good`): the same generation, no drift, the services answering, sudo working.
"""

from __future__ import annotations

import json

import pytest
from live_host import Host

GOOD = """{ pkgs, ... }: {
  system.stateVersion = "24.11";
  networking.hostName = "good";
  users.users.deploy = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  security.sudo.extraRules = [ { groups = [ "wheel" ]; commands = [ "ALL" ]; } ];
  services.openssh.enable = true;
  services.openssh.settings.PermitRootLogin = "no";
  services.nginx.enable = true;
  services.nginx.virtualHosts.site = {
    listen = [ { addr = "127.0.0.1"; port = 8080; } ];
    locations."/".return = "200 'good'";
  };
  EXTRA
}
"""


def config(host: Host, name: str, extra: str = "") -> str:
    path = f"/root/{name}.dcl"
    host.write_file(path, GOOD.replace("EXTRA", extra))
    return path


def declos(host: Host, args: str, check: bool = False):
    return host.run(f"declos {args}", check=check, timeout=600)


def status(host: Host) -> dict:
    return json.loads(host.run("declos status --root / --json").stdout)


def passwd(host: Host) -> str:
    return host.read_file("/etc/passwd")


def assert_good(host: Host, generation: int = 1) -> None:
    st = status(host)
    assert st["interrupted"] is None and st["drift"] == [], st
    assert st["current"]["number"] == generation
    r = host.run(["curl", "-s", "-m", "5", "http://127.0.0.1:8080/"], check=False)
    assert r.stdout == "good", r
    assert host.run("systemctl is-active sshd nginx").stdout.split() == ["active", "active"]
    assert host.run("sshd -T | grep -i '^permitrootlogin'").stdout.strip() == "permitrootlogin no"
    assert host.run(["sudo", "-u", "deploy", "sudo", "-n", "-l"], check=False).returncode in (0, 1)
    assert host.run("visudo -c").returncode == 0


@pytest.fixture
def good(declos_host: Host) -> Host:
    declos(declos_host, f"switch {config(declos_host, 'good')} --root /", check=True)
    assert_good(declos_host)
    return declos_host


def refused(host: Host, extra: str, *needles: str) -> str:
    """Switch to GOOD + `extra`: exit 1, a located message, nothing changed."""
    before = passwd(host)
    path = config(host, "bad", extra)
    r = declos(host, f"switch {path} --root /")
    text = r.stdout + r.stderr
    assert r.returncode == 1, text
    assert "Traceback" not in text
    for n in needles:
        assert n in text, text
    assert passwd(host) == before
    assert_good(host)
    return text


ACCOUNT_INJECTIONS = [
    ('users.users."evil\\nroot2::0:0::/root:/bin/sh\\n#".isNormalUser = true;', "is not valid"),
    ('users.users.mallory = { isNormalUser = true; description = "x:0:0"; };', "bad.dcl:"),
    ('users.users.mallory = { isNormalUser = true; home = "/home/../etc"; };', "bad.dcl:"),
    ('users.users.mallory = { isNormalUser = true; shell = "/bin/sh\\nroot2::0:0"; };', "bad.dcl:"),
    ('users.groups.wheel.members = [ "deploy,root" ];', "bad.dcl:"),
    ("users.users.mallory = { isNormalUser = true; uid = 4294967296; };", "bad.dcl:"),
]


def test_account_injection_never_reaches_passwd(good):
    for extra, needle in ACCOUNT_INJECTIONS:
        refused(good, extra, needle)
    users = [line.split(":")[0] for line in passwd(good).splitlines()]
    assert "root2" not in users and "mallory" not in users
    assert [line for line in passwd(good).splitlines() if line.split(":")[2] == "0"] == [
        line for line in passwd(good).splitlines() if line.startswith("root:")
    ]


@pytest.mark.parametrize("target", ["passwd", "shadow", ".declos-managed", "static/x", "../x", "."])
def test_declos_own_files_are_not_etc_targets(good, target):
    refused(good, f'environment.etc.x = {{ target = "{target}"; text = "owned"; }};', "bad.dcl:")


@pytest.mark.parametrize(
    ("extra", "checker"),
    [
        ('security.sudo.extraConfig = "deploy ALL=(ALL) NOPASSWD ALL ALL";', "visudo"),
        ('services.openssh.settings.NoSuchOption = "yes";', "sshd"),
        ('services.nginx.virtualHosts.site.extraConfig = "no_such_directive on;";', "nginx"),
        ('networking.firewall = { enable = true; extraInputRules = "no such rule"; };', "nft"),
        ('systemd.services.app.serviceConfig.ExecStart = "relative/path";', "systemd-analyze"),
    ],
)
def test_a_broken_configuration_is_not_activated(good, extra, checker):
    refused(good, extra, "bad.dcl:", checker)


def test_hand_edits_are_reported_and_repaired(good):
    good.run("rm /etc/ssh/sshd_config && echo 'PermitRootLogin yes' > /etc/ssh/sshd_config")
    good.run("usermod -s /bin/false deploy")
    drift = {(d.get("file") or d.get("account")): d["change"] for d in status(good)["drift"]}
    assert drift["/etc/ssh/sshd_config"] == "replaced by a file"
    assert drift["user deploy"] == "shell changed by hand"
    out = declos(good, f"switch {config(good, 'good')} --root /", check=True).stdout
    assert "generation 1 was already current: repaired" in out
    # Debian's original is sshd_config.declos-backup; the hand edit is kept beside it
    assert good.read_file("/etc/ssh/sshd_config.declos-backup.1") == "PermitRootLogin yes\n"
    assert good.run("getent passwd deploy").stdout.strip().endswith(":/bin/bash")
    assert_good(good)


def test_a_symlink_in_the_live_root_is_refused(good):
    good.run(
        "mkdir /tmp/elsewhere && mv /etc/ssh /tmp/elsewhere/ssh && ln -s /tmp/elsewhere/ssh /etc/ssh"
    )
    path = config(good, "two", 'environment.etc.declos-test.text = "hi";')
    r = declos(good, f"switch {path} --root /")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "/etc/ssh is a symbolic link" in r.stderr
    assert good.run("test -e /etc/declos-test", check=False).returncode != 0
    assert status(good)["current"]["number"] == 1


def test_a_failed_undo_keeps_the_journal_and_recover_finishes(good):
    flaky = 'system.activationScripts.flaky = "test -e /root/break && exit 3; true";'
    declos(good, f"switch {config(good, 'flaky', flaky)} --root /", check=True)
    good.run("touch /root/break")
    broken = flaky + ' systemd.services.nope = { wantedBy = [ "multi-user.target" ];'
    broken += ' serviceConfig.ExecStart = "/bin/false"; };'
    r = declos(good, f"switch {config(good, 'broken', broken)} --root /")
    assert r.returncode == 1
    assert "failed too" in r.stderr and "is active again" not in r.stderr
    assert status(good)["interrupted"]["step"] == "undo-failed"
    good.run("rm /root/break")
    assert "undid the interrupted switch" in declos(good, "recover --root /", check=True).stdout
    good.run("systemctl reset-failed")
    st = status(good)
    assert st["interrupted"] is None and st["drift"] == [] and st["current"]["number"] == 2


def test_builders_cannot_touch_the_host(good):
    good.write_file(
        "/root/evil.nix",
        """with import <declos/pkgs>; { evil = runCommand "evil" {} ''
          echo owned > /etc/evil || true
          touch /var/lib/declos/store/evil || true
          mount -o remount,rw /var/lib/declos/store 2>/dev/null || true
          id -u > $out
        ''; }""",
    )
    r = declos(
        good, "build /root/evil.nix -A evil --state-dir /var/lib/declos --no-out-link", check=True
    )
    out = r.stdout.strip().splitlines()[-1]
    assert good.read_file(out).strip() != "0"  # not root
    assert good.run("test -e /etc/evil", check=False).returncode != 0
    assert good.run("test -e /var/lib/declos/store/evil", check=False).returncode != 0


def test_gc_during_switches_never_breaks_them(good):
    good.write_file(
        "/root/gc-loop", "echo $$ > /root/gc.pid\nwhile :; do declos gc --root /; done\n"
    )
    good.run("setsid sh /root/gc-loop </dev/null >/dev/null 2>&1 &")
    for i in range(4):
        motd = f'environment.etc.motd.text = "{i}";'
        r = declos(good, f"switch {config(good, f'g{i}', motd)} --root /")
        assert r.returncode == 0, r.stdout + r.stderr
    good.run("kill $(cat /root/gc.pid)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("switch /root/good.dcl --root /etc/hostname", "is not a directory"),
        ("status --state-dir /etc/hostname", "cannot use '/etc/hostname' as the state directory"),
    ],
)
def test_bad_arguments_are_located_errors(good, args, message):
    r = declos(good, args)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert message in r.stderr


def test_restricted_evaluation_keeps_secrets_out_of_the_store(good):
    leak = 'environment.etc.leak.text = builtins.readFile "/etc/shadow";'
    r = declos(good, f"switch {config(good, 'leak', leak)} --root / --restrict-eval")
    assert r.returncode == 1
    assert "access to absolute path '/etc/shadow' is forbidden in restricted mode" in r.stderr
    assert good.run("grep -rl '^root:' /var/lib/declos/store", check=False).stdout == ""


def test_an_import_cycle_names_its_files(good):
    good.write_file("/root/a.dcl", "{ ... }: { imports = [ ./b.dcl ]; }")
    good.write_file("/root/b.dcl", "import ./c.dcl")
    good.write_file("/root/c.dcl", "import ./b.dcl")
    r = declos(good, "switch /root/a.dcl --root /")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "import cycle" in r.stderr and "/root/b.dcl" in r.stderr and "/root/c.dcl" in r.stderr
