"""networking.interfaces cannot be made to write a .network file it does
not declare.

The interface name is written into `Name=` of [Match], which systemd-networkd
reads as a blank-separated list of globs where a leading "!" negates the
match (`"!eth0"` would configure every other interface with eth0's
addresses), and into the file's name; a line end would add a setting
(`"eth0\\n[Network]\\nDNS=6.6.6.6"`).  Addresses, routes and gateways are
written as `Address=`/`Destination=`/`Gateway=` values.  Each is refused at
evaluation with the option, what was expected and the definition's
file:line, and nothing is built; two entries naming one interface (one of
the two files was dropped) are refused as well.  Plain values render byte
for byte as before."""

from __future__ import annotations

import pytest

NOT_NAME = 'is not an interface name (1 to 15 letters, digits and "_.:-")'
IFS = "networking.interfaces"
CASES = [
    (
        "name with a line end",
        f'{IFS}."eth0\\n[Network]\\nDNS=6.6.6.6".useDHCP = true;',
        [f'{IFS}."eth0\\n[Network]\\nDNS=6.6.6.6" (defined in ', NOT_NAME],
    ),
    (
        "negated name",
        f'{IFS}."!eth0".ipv4.addresses = [ {{ address = "10.0.0.1"; prefixLength = 8; }} ];',
        [f'{IFS}."!eth0" (defined in ', '"!eth0" ' + NOT_NAME],
    ),
    (
        "glob name",
        f'{IFS}."eth*".useDHCP = true;',
        [f'{IFS}."eth*" (defined in ', NOT_NAME],
    ),
    (
        "two names",
        f'{IFS}."eth0 eth1".useDHCP = true;',
        [f'{IFS}."eth0 eth1" (defined in ', NOT_NAME],
    ),
    (
        "dot dot",
        f'{IFS}."..".useDHCP = true;',
        [f'{IFS}.".." (defined in ', NOT_NAME],
    ),
    (
        "name of 16 bytes",
        f"{IFS}.abcdefghijklmnop.useDHCP = true;",
        [f'{IFS}."abcdefghijklmnop" (defined in ', NOT_NAME],
    ),
    (
        "IPv4 address with a line end",
        f'{IFS}.eth0.ipv4.addresses = [ {{ address = "10.0.0.1/8\\nDNS=6.6.6.6"; prefixLength = 8; }} ];',
        [f"{IFS}.eth0.ipv4.addresses", ".address", "is not of type `IPv4 address'"],
    ),
    (
        "IPv6 address with a line end",
        f'{IFS}.eth0.ipv6.addresses = [ {{ address = "fd00::1\\nDNS=6.6.6.6"; prefixLength = 64; }} ];',
        [f"{IFS}.eth0.ipv6.addresses", ".address", "is not of type `IPv6 address'"],
    ),
    (
        "route gateway with a line end",
        f'{IFS}.eth0.ipv4.routes = [ {{ address = "10.2.0.0"; prefixLength = 16; via = "10.0.0.9\\n[Route]"; }} ];',
        [f"{IFS}.eth0.ipv4.routes", ".via", "IPv4 address"],
    ),
    (
        "default gateway with a line end",
        'networking.defaultGateway = "10.0.0.9\\nDNS=6.6.6.6";',
        ["networking.defaultGateway", "IPv4 address"],
    ),
    (
        "default gateway record with a line end",
        'networking.defaultGateway6 = { address = "fd00::9\\nDNS=6.6.6.6"; interface = "eth9"; };',
        ["networking.defaultGateway6.address", "IPv6 address"],
    ),
]


def _nothing_built(build) -> bool:
    made = build.store_names()
    return not [n for n in made if n.endswith(("declos-system", ".network"))]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_value_that_would_add_a_setting_is_refused(build, what, line, expected):
    text = f'{{\n  {line}\n  {IFS}.eth9.ipv4.addresses = [ {{ address = "10.0.0.2"; prefixLength = 8; }} ];\n}}\n'
    err = build(text, fails=True)
    for part in expected:
        assert part in err
    assert "config.dcl:2" in err
    assert _nothing_built(build)


def test_a_bad_name_is_located_at_its_name_definition(build):
    err = build(
        f"""{{
          {IFS}.eth0.useDHCP = true;
          {IFS}.eth0.name = "eth0\\nName=*";
        }}""",
        fails=True,
    )
    assert f'{IFS}."eth0" (defined in ' in err and "config.dcl:3" in err
    assert '"eth0\\nName=*" ' + NOT_NAME in err
    assert _nothing_built(build)


def test_two_entries_for_one_interface_are_refused(build):
    err = build(
        f"""{{
          {IFS}.eth0.ipv4.addresses = [ {{ address = "10.0.0.1"; prefixLength = 24; }} ];
          {IFS}.uplink = {{ name = "eth0"; useDHCP = true; }};
        }}""",
        fails=True,
    )
    assert f'{IFS}."uplink" (defined in ' in err and "config.dcl:3" in err
    assert f'the interface "eth0" is also declared by {IFS}."eth0" (defined in ' in err
    assert "config.dcl:2" in err
    assert _nothing_built(build)


def test_a_gateway_names_the_interface_not_the_attribute(build):
    system = build(
        f"""{{
          {IFS}.lan = {{ name = "enp3s0"; ipv4.addresses = [ {{ address = "10.0.0.2"; prefixLength = 24; }} ]; }};
          networking.defaultGateway = {{ address = "10.9.0.1"; interface = "enp3s0"; }};
        }}"""
    )
    text = system.etc("systemd/network/40-enp3s0.network").read_text()
    assert text.endswith("\n[Route]\nGateway=10.9.0.1\n")
    err = build(
        f"""{{
          {IFS}.lan = {{ name = "enp3s0"; useDHCP = true; }};
          networking.defaultGateway = {{ address = "10.9.0.1"; interface = "lan"; }};
        }}""",
        fails=True,
    )
    assert "networking.defaultGateway.interface (defined in " in err
    assert 'is "lan", which networking.interfaces does not declare' in err


CONFIG = """
{
  networking.interfaces.eth1 = {
    ipv4.addresses = [ { address = "10.1.2.3"; prefixLength = 24; } ];
    ipv6.addresses = [ { address = "fd00::3"; prefixLength = 64; } { address = "2001:db8::1"; prefixLength = 48; } ];
    ipv4.routes = [ { address = "10.20.0.0"; prefixLength = 16; via = "10.1.2.254"; } ];
    ipv6.routes = [ { address = "2001:db8:1::"; prefixLength = 48; via = "fe80::1"; } ];
    mtu = 1400;
  };
  networking.interfaces."eth0.100" = { ipv4.addresses = [ { address = "192.168.7.2"; prefixLength = 24; } ]; useDHCP = false; };
  networking.interfaces.wlp2s0 = { useDHCP = true; };
  networking.interfaces.lan = { name = "enp3s0"; ipv6.addresses = [ { address = "::ffff:10.0.0.1"; prefixLength = 96; } ]; };
  networking.defaultGateway = "10.1.2.1";
  networking.defaultGateway6 = { address = "fd00::1"; interface = "eth1"; metric = 100; };
}
"""

# The files the module wrote for CONFIG before this audit.
FILES = {
    "enp3s0": "# Generated by declos (networking.interfaces.enp3s0).\n[Match]\nName=enp3s0\n\n"
    "[Network]\nAddress=::ffff:10.0.0.1/96\n",
    "eth0.100": "# Generated by declos (networking.interfaces.eth0.100).\n[Match]\nName=eth0.100\n\n"
    "[Network]\nAddress=192.168.7.2/24\nDHCP=no\n",
    "eth1": "# Generated by declos (networking.interfaces.eth1).\n[Match]\nName=eth1\n\n"
    "[Link]\nMTUBytes=1400\n\n"
    "[Network]\nAddress=10.1.2.3/24\nAddress=fd00::3/64\nAddress=2001:db8::1/48\n\n"
    "[Route]\nDestination=10.20.0.0/16\nGateway=10.1.2.254\n\n"
    "[Route]\nDestination=2001:db8:1::/48\nGateway=fe80::1\n\n"
    "[Route]\nGateway=10.1.2.1\n\n"
    "[Route]\nGateway=fd00::1\nMetric=100\n",
    "wlp2s0": "# Generated by declos (networking.interfaces.wlp2s0).\n[Match]\nName=wlp2s0\n\n"
    "[Network]\nDHCP=yes\n",
}


def test_plain_values_render_as_before(build):
    system = build(CONFIG)
    made = sorted(n for n in system.manifest["etc"] if n.startswith("systemd/network/"))
    assert made == sorted(f"systemd/network/40-{n}.network" for n in FILES)
    for name, text in FILES.items():
        assert system.etc(f"systemd/network/40-{name}.network").read_text() == text
