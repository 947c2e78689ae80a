"""networking.firewall (an nftables ruleset checked with `nft -c -f`, and
its oneshot unit) and boot.kernel.sysctl."""

from __future__ import annotations

import os
from pathlib import Path

from realcheck import nft_check, systemd_verify

FIREWALL = """
{
  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 22 443 22 ];
    allowedUDPPorts = [ 53 ];
    allowedTCPPortRanges = [ { from = 8000; to = 8010; } ];
    allowedUDPPortRanges = [ { from = 60000; to = 60000; } ];
    pingLimit = "2/second";
    trustedInterfaces = [ "wg0" ];
    rejectPackets = true;
    extraInputRules = ''
      ip saddr 10.0.0.0/8 tcp dport 9100 accept
    '';
  };
}
"""


def test_firewall_ruleset(build):
    system = build(FIREWALL)
    text = system.etc("declos/firewall.nft").read_text()
    lines = [line.strip() for line in text.splitlines()]
    assert "tcp dport { 22, 80, 443, 8000-8010 } accept" in lines
    assert "udp dport { 53, 60000 } accept" in lines
    assert 'iifname { "lo", "wg0" } accept comment "trusted interfaces"' in lines
    assert 'icmp type echo-request limit rate 2/second accept comment "allow ping"' in lines
    assert "ip saddr 10.0.0.0/8 tcp dport 9100 accept" in lines
    assert "reject" in lines and "type filter hook input priority filter; policy drop;" in lines
    nft_check(system.etc("declos/firewall.nft"))


def test_firewall_unit(build):
    system = build(FIREWALL)
    unit = system.manifest["units"]["firewall.service"]
    assert unit["wantedBy"] == ["sysinit.target"]
    lines = system.unit("firewall.service").splitlines()
    assert "Type=oneshot" in lines and "RemainAfterExit=yes" in lines
    assert "DefaultDependencies=no" in lines
    (start,) = [x for x in lines if x.startswith("ExecStart=")]
    script = Path(start.removeprefix("ExecStart=")).read_text()
    assert f"nft -f {os.path.realpath(system.etc('declos/firewall.nft'))}" in script
    assert any(x.startswith("ExecReload=") for x in lines)
    systemd_verify([system.toplevel / "units" / "firewall.service"])


def test_firewall_defaults_and_disabled(build):
    off = build("{ networking.firewall.allowedTCPPorts = [ 22 ]; }")
    assert "firewall.service" not in off.manifest["units"]
    assert "declos/firewall.nft" not in off.manifest["etc"]
    on = build(
        "{ networking.firewall.enable = true; networking.firewall.logRefusedConnections = false; }"
    )
    text = on.etc("declos/firewall.nft").read_text()
    assert "dport" not in text.replace("udp dport 546", "")
    assert "echo-request accept" in text and "log" not in text
    nft_check(on.etc("declos/firewall.nft"))
    no_ping = build("{ networking.firewall = { enable = true; allowPing = false; }; }")
    assert "echo-request" not in no_ping.etc("declos/firewall.nft").read_text()


def test_port_out_of_range_names_the_file_and_line(build):
    err = build(
        """
        {
          networking.firewall.enable = true;
          networking.firewall.allowedTCPPorts = [ 22 70000 ];
        }
        """,
        fails=True,
    )
    assert "networking.firewall.allowedTCPPorts" in err
    assert "config.dcl:4" in err, err


def test_empty_port_range_is_an_assertion(build):
    err = build(
        "{ networking.firewall = { enable = true; allowedTCPPortRanges = [ { from = 10; to = 5; } ]; }; }",
        fails=True,
    )
    assert "Failed assertions" in err and "10-5" in err


def test_sysctl(build):
    system = build(
        """
        { lib, ... }: {
          imports = [ { boot.kernel.sysctl."kernel.sysrq" = 1; } ];
          boot.kernel.sysctl = {
            "net.ipv4.ip_forward" = true;
            "net.ipv4.tcp_syncookies" = false;
            "vm.swappiness" = 10;
            "net.core.default_qdisc" = "fq";
            "kernel.sysrq" = lib.mkForce null;
          };
        }
        """
    )
    assert system.etc("sysctl.d/60-declos.conf").read_text() == (
        "net.core.default_qdisc = fq\n"
        "net.ipv4.ip_forward = 1\n"
        "net.ipv4.tcp_syncookies = 0\n"
        "vm.swappiness = 10\n"
    )
    assert "sysctl" in {s["name"] for s in system.manifest["activationScripts"]}


def test_sysctl_empty_writes_nothing(build):
    system = build('{ boot.kernel.sysctl."vm.swappiness" = null; }')
    assert "sysctl.d/60-declos.conf" not in system.manifest["etc"]


def test_sysctl_rejects_lists(build):
    err = build('{ boot.kernel.sysctl."vm.swappiness" = [ 1 ]; }', fails=True)
    assert "boot.kernel.sysctl" in err and "config.dcl:1" in err
