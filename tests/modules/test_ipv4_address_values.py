"""An IPv4 address with a number above 255 (or a leading zero, which
glibc's resolver reads as octal) is refused as a type error of the option
that takes it: the message names the option, what was expected and the
definition's file:line, and nothing is built.  Before, networking.interfaces
refused it by an assertion with neither the option's full path nor the
definition's place, and networking.nameservers, networking.hosts and
networking.defaultGateway took it (resolv.conf got `nameserver 10.0.0.300`)."""

from __future__ import annotations

import pytest

IFS = "networking.interfaces"
ETH9 = f'{IFS}.eth9.ipv4.addresses = [ {{ address = "10.0.0.2"; prefixLength = 8; }} ];'
CASES = [
    (
        "interface address",
        f'{IFS}.eth0.ipv4.addresses = [ {{ address = "10.0.0.300"; prefixLength = 24; }} ];',
        [f"{IFS}.eth0.ipv4.addresses.", ".address' is not of type `IPv4 address'", '"10.0.0.300"'],
    ),
    (
        "route destination",
        f'{IFS}.eth0.ipv4.routes = [ {{ address = "10.256.0.0"; prefixLength = 16; }} ];',
        [f"{IFS}.eth0.ipv4.routes.", ".address' is not of type `IPv4 address'"],
    ),
    (
        "route gateway",
        f'{IFS}.eth0.ipv4.routes = [ {{ address = "10.2.0.0"; prefixLength = 16; via = "10.0.0.999"; }} ];',
        [f"{IFS}.eth0.ipv4.routes.", ".via' is not of type `null or IPv4 address'"],
    ),
    (
        "default gateway",
        'networking.defaultGateway = "300.0.0.1";',
        ["option `networking.defaultGateway' is not of type", "IPv4 address"],
    ),
    (
        "default gateway record",
        'networking.defaultGateway = { address = "10.0.0.256"; interface = "eth9"; };',
        ["option `networking.defaultGateway.address' is not of type `IPv4 address'"],
    ),
    (
        "leading zero",
        f'{IFS}.eth0.ipv4.addresses = [ {{ address = "010.0.0.1"; prefixLength = 24; }} ];',
        [f"{IFS}.eth0.ipv4.addresses.", ".address' is not of type `IPv4 address'"],
    ),
    (
        "name server",
        'networking.nameservers = [ "10.0.0.300" ];',
        ["option `networking.nameservers.", "is not of type `IPv4 or IPv6 address'"],
    ),
]


def _nothing_built(build) -> bool:
    return not [
        n for n in build.store_names() if n.endswith(("declos-system", ".network", "resolv.conf"))
    ]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_number_above_255_is_a_located_type_error(build, what, line, expected):
    err = build(f"{{\n  {line}\n  {ETH9}\n}}\n", fails=True)
    for part in expected:
        assert part in err
    assert "config.dcl:2" in err
    assert "Failed assertions" not in err
    assert _nothing_built(build)


def test_a_hosts_address_above_255_is_refused_at_its_line(build):
    err = build('{\n  networking.hosts."1.2.3.999" = [ "x.example" ];\n}\n', fails=True)
    assert 'networking.hosts."1.2.3.999" (defined in ' in err and "config.dcl:2" in err
    assert "must be an IPv4 or IPv6 address" in err
    assert _nothing_built(build)


def test_addresses_from_0_to_255_are_written(build):
    system = build(
        f"""{{
          {IFS}.eth0.ipv4.addresses = [ {{ address = "255.255.255.0"; prefixLength = 24; }} {{ address = "0.0.0.0"; prefixLength = 8; }} ];
          {IFS}.eth0.ipv4.routes = [ {{ address = "199.249.100.0"; prefixLength = 24; via = "255.255.255.9"; }} ];
          networking.defaultGateway = "255.255.255.1";
          networking.nameservers = [ "192.168.10.250" "fd00::53" ];
          networking.hosts."10.20.30.40" = [ "a.example" ];
        }}"""
    )
    network = system.etc("systemd/network/40-eth0.network").read_text()
    assert "Address=255.255.255.0/24\nAddress=0.0.0.0/8\n" in network
    assert "Destination=199.249.100.0/24\nGateway=255.255.255.9\n" in network
    assert network.endswith("\n[Route]\nGateway=255.255.255.1\n")
    assert (
        "nameserver 192.168.10.250\nnameserver fd00::53\n" in system.etc("resolv.conf").read_text()
    )
    assert "10.20.30.40 a.example\n" in system.etc("hosts").read_text()
