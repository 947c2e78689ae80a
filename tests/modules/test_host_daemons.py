"""services.journald, services.timesyncd, services.resolved and
networking.interfaces/defaultGateway: drop-ins beside the distribution's
files (/etc/systemd/*.conf.d/50-declos.conf), systemd-networkd .network
files, the host packages and unit links they need, the activation scripts
that apply them (a no-op on a root that is not the live system), and
located errors."""

from __future__ import annotations

import subprocess

from tests.modules.switching import switch_text

DAEMONS = r"""
{
  services.journald = { storage = "volatile"; rateLimitBurst = 500; extraConfig = "SystemMaxUse=50M"; };
  services.timesyncd = { enable = true; servers = [ "ntp1.example.org" "ntp2.example.org" ]; };
  services.resolved = { enable = true; dnssec = "allow-downgrade"; fallbackDns = [ ]; };
  networking.nameservers = [ "10.1.2.53" ];
  networking.search = [ "example.org" ];
}
"""


def test_drop_ins_beside_the_distributions_files(build):
    s = build(DAEMONS)
    etc = s.manifest["etc"]
    assert not {"systemd/journald.conf", "systemd/timesyncd.conf", "systemd/resolved.conf"} & set(
        etc
    )
    journald = s.etc("systemd/journald.conf.d/50-declos.conf").read_text().splitlines()
    assert journald[1:] == [
        "[Journal]",
        "RateLimitBurst=500",
        "Storage=volatile",
        "SystemMaxUse=50M",
    ]
    timesyncd = s.etc("systemd/timesyncd.conf.d/50-declos.conf").read_text().splitlines()
    assert "NTP=ntp1.example.org ntp2.example.org" in timesyncd
    resolved = s.etc("systemd/resolved.conf.d/50-declos.conf").read_text().splitlines()
    assert {
        "DNS=10.1.2.53",
        "Domains=example.org",
        "DNSSEC=allow-downgrade",
        "FallbackDNS=",
    } <= set(resolved)
    # resolved answers on its stub: resolv.conf links there
    assert etc["resolv.conf"]["source"] == "/run/systemd/resolve/stub-resolv.conf"
    assert {"systemd-timesyncd", "systemd-resolved"} <= set(s.manifest["hostPackages"]["packages"])
    for unit in ("systemd-timesyncd.service", "systemd-resolved.service"):
        link = etc[f"systemd/system/multi-user.target.wants/{unit}"]["source"]
        assert link == f"/lib/systemd/system/{unit}"
    scripts = {x["name"]: x["script"] for x in s.manifest["activationScripts"]}
    assert {"journald", "timesyncd", "resolved"} <= set(scripts)
    for script in scripts.values():
        subprocess.run(["sh", "-n", script], check=True)


def test_nothing_by_default(build):
    etc = build("{ }").manifest["etc"]
    assert not [
        n for n in etc if n.startswith(("systemd/journald", "systemd/network", "systemd/time"))
    ]


NETWORK = r"""
{
  networking.interfaces.eth1 = {
    ipv4.addresses = [ { address = "10.1.2.3"; prefixLength = 24; } ];
    ipv6.addresses = [ { address = "fd00::3"; prefixLength = 64; } ];
    ipv4.routes = [ { address = "10.20.0.0"; prefixLength = 16; via = "10.1.2.254"; } ];
    mtu = 1400;
  };
  networking.interfaces.eth2 = { ipv4.addresses = [ { address = "192.168.7.2"; prefixLength = 24; } ]; useDHCP = false; };
  networking.defaultGateway = "10.1.2.1";
  networking.defaultGateway6 = { address = "fd00::1"; interface = "eth1"; metric = 100; };
}
"""


def test_network_files_per_interface(build):
    s = build(NETWORK)
    eth1 = s.etc("systemd/network/40-eth1.network").read_text()
    eth2 = s.etc("systemd/network/40-eth2.network").read_text()
    assert "[Match]\nName=eth1\n" in eth1 and "[Link]\nMTUBytes=1400\n" in eth1
    assert "Address=10.1.2.3/24\nAddress=fd00::3/64\n" in eth1
    assert "[Route]\nDestination=10.20.0.0/16\nGateway=10.1.2.254\n" in eth1
    assert "[Route]\nGateway=10.1.2.1\n" in eth1  # the gateway is in eth1's subnet
    assert "[Route]\nGateway=fd00::1\nMetric=100\n" in eth1
    assert "Gateway=10.1.2.1" not in eth2 and "DHCP=no" in eth2  # eth2 cannot reach it
    etc = s.manifest["etc"]
    assert "systemd/system/multi-user.target.wants/systemd-networkd.service" in etc
    assert "networkd" in [x["name"] for x in s.manifest["activationScripts"]]


def test_gateway_nobody_can_reach_is_located(build):
    err = build(
        """
        {
          networking.interfaces.eth1.ipv4.addresses = [ { address = "10.1.2.3"; prefixLength = 24; } ];
          networking.defaultGateway = "192.168.0.1";
        }
        """,
        fails=True,
    )
    assert "networking.defaultGateway (defined in" in err and "config.dcl:4" in err
    assert "no interface of networking.interfaces has an IPv4 address" in err


def test_bad_interface_and_address(build):
    err = build('{ networking.interfaces."a/b".useDHCP = true; }', fails=True)
    assert '"a/b" is not an interface name' in err
    err = build(
        '{ networking.interfaces.eth0.ipv4.addresses = [ { address = "10.0.0.300"; prefixLength = 24; } ]; }',
        fails=True,
    )
    assert "is not of type `IPv4 address'" in err and '"10.0.0.300"' in err
    err = build(
        '{ networking.interfaces.eth0.ipv4.addresses = [ { address = "10.0.0.1"; prefixLength = 33; } ]; }',
        fails=True,
    )
    assert "prefixLength" in err


def test_scripts_do_nothing_on_a_root_that_is_not_live(tmp_path):
    s = switch_text(tmp_path, '{ services.journald.storage = "volatile"; }')
    assert s.code == 0, s.err
    assert "journald" in [x["name"] for x in s.manifest()["activationScripts"]]
    assert not (s.root / "run" / "declos").exists()  # no stamp: nothing was restarted
    assert (s.root / "etc/systemd/journald.conf.d/50-declos.conf").is_symlink()


def test_a_carriage_return_cannot_add_a_line(build):
    # systemd's readers end a line at "\r" as at "\n": either would add a setting.
    err = build(r'{ services.journald.console = "/dev/tty12\rStorage=none"; }', fails=True)
    assert "services.journald.console must be one line" in err
