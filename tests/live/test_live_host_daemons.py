"""The host's own daemons and shells configured by declos on a booted
Debian host (issue 14): networking.interfaces and defaultGateway through
systemd-networkd (addresses and the default route on a veth interface,
changed by a later switch), services.journald (drop-in read by journald,
restarted only when it changes), services.timesyncd and
services.resolved (drop-ins beside Debian's files, read by the daemons),
programs.zsh as a login shell and programs.bash in interactive shells,
and programs.ssh read by the ssh client.  Packages the image lacks
(systemd-resolved, systemd-timesyncd, zsh) are installed by hand first, as
an administrator would: the hosts have no network."""

from __future__ import annotations

import time

from live_config import switch as _switch
from live_debs import install_debs
from live_host import Host


def _eventually(host: Host, cmd: list[str], expect: str, unit: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        out = host.run(cmd, check=False).stdout
        if expect in out:
            return out
        assert time.monotonic() < deadline, f"{expect!r} not in {out!r}\n" + host.journal(unit)
        time.sleep(0.3)


NETWORK = r"""
{
  networking.interfaces.test0 = {
    ipv4.addresses = [ { address = "ADDR"; prefixLength = 24; } ];
    mtu = 1400;
  };
  networking.defaultGateway = "10.1.2.1";
}
"""


def test_networkd_configures_declared_interfaces(declos_host: Host) -> None:
    host = declos_host
    # a veth pair (kernels without the dummy module have veth): networkd
    # configures test0; its peer, up, gives it a carrier
    host.run(["ip", "link", "add", "test0", "type", "veth", "peer", "name", "test0p"])
    host.run(["ip", "link", "set", "test0p", "up"])
    _switch(host, NETWORK.replace("ADDR", "10.1.2.3"))
    assert host.run(["systemctl", "is-active", "systemd-networkd"]).stdout == "active\n"
    _eventually(
        host, ["ip", "-4", "-o", "addr", "show", "dev", "test0"], "10.1.2.3/24", "systemd-networkd"
    )
    _eventually(
        host, ["ip", "route", "show", "default"], "via 10.1.2.1 dev test0", "systemd-networkd"
    )
    assert "mtu 1400" in host.run(["ip", "link", "show", "test0"]).stdout
    # only the declared interface is networkd's
    links = host.run(["networkctl", "list", "--no-legend"]).stdout.splitlines()
    setup = {line.split()[1]: line.split()[4] for line in links}
    assert setup["lo"] == "unmanaged"
    _eventually(
        host, ["networkctl", "list", "--no-legend", "test0"], "configured", "systemd-networkd"
    )

    _switch(host, NETWORK.replace("ADDR", "10.1.2.4"))
    _eventually(
        host, ["ip", "-4", "-o", "addr", "show", "dev", "test0"], "10.1.2.4/24", "systemd-networkd"
    )
    assert "10.1.2.3/" not in host.run(["ip", "-4", "-o", "addr", "show", "dev", "test0"]).stdout


def _invocation(host: Host, unit: str) -> str:
    return host.run(["systemctl", "show", "-p", "InvocationID", "--value", unit]).stdout.strip()


def test_journald_drop_in(declos_host: Host) -> None:
    host = declos_host
    before = _invocation(host, "systemd-journald")
    _switch(
        host, '{ services.journald = { storage = "volatile"; extraConfig = "SystemMaxUse=20M"; }; }'
    )
    config = host.run(["systemd-analyze", "cat-config", "systemd/journald.conf"]).stdout
    assert (
        "# /etc/systemd/journald.conf.d/50-declos.conf" in config and "Storage=volatile" in config
    )
    assert host.run(["test", "-f", "/etc/systemd/journald.conf"]).returncode == 0  # Debian's, kept
    restarted = _invocation(host, "systemd-journald")
    assert restarted != before
    machine = host.read_file("/etc/machine-id").strip()
    assert host.run(["test", "-d", f"/run/log/journal/{machine}"], check=False).returncode == 0
    # a switch that leaves the drop-in alone leaves journald alone
    _switch(
        host,
        '{ services.journald = { storage = "volatile"; extraConfig = "SystemMaxUse=20M"; }; environment.etc.x.text = "1"; }',
    )
    assert _invocation(host, "systemd-journald") == restarted


def test_timesyncd_and_resolved_drop_ins(declos_host: Host) -> None:
    host = declos_host
    install_debs(host, "systemd-timesyncd", "systemd-resolved", pin="systemd")
    _switch(
        host,
        """
        {
          services.timesyncd = { enable = true; servers = [ "ntp1.example.org" "ntp2.example.org" ]; };
          services.resolved = { enable = true; dnssec = "allow-downgrade"; llmnr = "false"; };
          networking.nameservers = [ "10.1.2.53" ];
        }
        """,
    )
    timesync = host.run(["systemd-analyze", "cat-config", "systemd/timesyncd.conf"]).stdout
    assert "# /etc/systemd/timesyncd.conf.d/50-declos.conf" in timesync
    assert "NTP=ntp1.example.org ntp2.example.org" in timesync
    # timesyncd does not run in containers (ConditionVirtualization=!container): asked, and skipped
    cond = host.run(["systemctl", "show", "-p", "ConditionResult", "--value", "systemd-timesyncd"])
    assert cond.stdout.strip() == "no"

    assert host.run(["systemctl", "is-active", "systemd-resolved"]).stdout == "active\n"
    dns = _eventually(host, ["resolvectl", "dns"], "10.1.2.53", "systemd-resolved")
    assert "Global: 10.1.2.53" in dns
    status = host.run(["resolvectl", "status"]).stdout
    assert "DNSSEC=allow-downgrade" in status and "-LLMNR" in status
    assert (
        host.run(["readlink", "-f", "/etc/resolv.conf"]).stdout
        == "/run/systemd/resolve/stub-resolv.conf\n"
    )


SHELLS = r"""
{
  programs.zsh = {
    enable = true;
    shellAliases.zz = "echo zz";
    interactiveShellInit = "declos_zsh_interactive=yes";
  };
  programs.bash = { promptInit = "PS1='declos> '"; shellAliases.gs = "git status"; };
  environment.variables.GREETING = "hello";
  users.defaultUserShell = "/bin/zsh";
  users.users.alice.isNormalUser = true;
  programs.ssh = {
    knownHosts."github.com".publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    extraConfig = ''
      Host build
        User ci
    '';
  };
}
"""


def test_zsh_bash_and_ssh_client(declos_host: Host) -> None:
    host = declos_host
    install_debs(host, "zsh", "zsh-common")
    _switch(host, SHELLS)
    assert host.run(["getent", "passwd", "alice"]).stdout.strip().endswith(":/bin/zsh")
    # a login zsh has the environment of /etc/profile.d/declos.sh
    login = host.run(["su", "-", "alice", "-c", 'echo "$0 $GREETING"']).stdout
    assert login == "-zsh hello\n"
    interactive = host.run(
        [
            "runuser",
            "-u",
            "alice",
            "--",
            "zsh",
            "-l",
            "-i",
            "-c",
            'alias zz; echo "$declos_zsh_interactive"',
        ]
    )
    assert interactive.stdout.splitlines()[-2:] == ["zz='echo zz'", "yes"]
    assert (
        host.run(["zsh", "-c", "alias zz"], check=False).returncode != 0
    )  # scripts: interactive only

    bash = host.run(["bash", "-l", "-i", "-c", 'alias gs; echo "$PS1"'])
    assert bash.stdout.splitlines()[-2:] == ["alias gs='git status'", "declos> "]

    ssh = host.run(["ssh", "-G", "build"]).stdout.splitlines()
    assert "user ci" in ssh
    known = host.run(["ssh-keygen", "-F", "github.com", "-f", "/etc/ssh/ssh_known_hosts"]).stdout
    assert "github.com ssh-ed25519" in known
