"""networking cannot be made to write an /etc/hosts or /etc/resolv.conf
entry it does not declare: a line end in a host name
(`"good.example\\n6.6.6.6 bank.example"`) would map bank.example to an
address of the definer's choice, a blank would add an alias, and a line end
in a search domain or an option would add a `nameserver`.  Host names are
RFC 1123 labels (and "_"), addresses are addresses; each refusal names the
option, what was expected and the definition's file:line."""

from __future__ import annotations

import pytest

HOST_NAME = "is not of type `host name (RFC 1123 labels"
RESOLV = 'networking.nameservers = [ "1.1.1.1" ];'
CASES = [
    (
        "host name line end",
        r'networking.hosts."10.0.0.1" = [ "good.example\n6.6.6.6 bank.example" ];',
        ['networking.hosts."10.0.0.1"', HOST_NAME],
    ),
    (
        "host name carriage return",
        r'networking.hosts."10.0.0.1" = [ "good.example\r6.6.6.6 bank.example" ];',
        ['networking.hosts."10.0.0.1"', HOST_NAME],
    ),
    (
        "host name blank",
        'networking.hosts."10.0.0.1" = [ "good.example bank.example" ];',
        ['networking.hosts."10.0.0.1"', HOST_NAME],
    ),
    (
        "address line end",
        r'networking.hosts."10.0.0.1\n6.6.6.6" = [ "bank.example" ];',
        [
            r'networking.hosts."10.0.0.1\n6.6.6.6" (defined in ',
            "must be an IPv4 or IPv6 address",
        ],
    ),
    (
        "address blank",
        'networking.hosts."10.0.0.1 bank.example" = [ "a.example" ];',
        ['networking.hosts."10.0.0.1 bank.example" (defined in ', "IPv4 or IPv6 address"],
    ),
    (
        "search domain",
        RESOLV + r' networking.search = [ "a.example\nnameserver 6.6.6.6" ];',
        ["networking.search", HOST_NAME],
    ),
    (
        "resolv.conf option",
        RESOLV + r' networking.resolvconf.extraOptions = [ "rotate\nnameserver 6.6.6.6" ];',
        ["networking.resolvconf.extraOptions", "is not of type `resolv.conf option"],
    ),
]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_value_that_would_add_an_entry_is_refused(build, what, line, expected):
    err = build(f"{{\n  {line}\n}}", fails=True)
    for part in expected:
        assert part in err
    assert "config.dcl:2" in err


def test_plain_names_addresses_and_options_render_as_before(build):
    system = build(
        """{
          networking.hosts = {
            "10.0.0.5" = [ "db.internal" "db" ];
            "fe80::1%eth0" = [ "_gateway" "a-b.example." "xn--bcher-kva.example" ];
          };
          networking.nameservers = [ "1.1.1.1" ];
          networking.search = [ "example.com" "home.arpa" ];
          networking.resolvconf.extraOptions = [ "ndots:1" "rotate" "single-request-reopen" ];
          networking.extraHosts = "192.168.0.1 lan # free text, as it is";
        }"""
    )
    assert system.etc("hosts").read_text().splitlines()[-3:] == [
        "10.0.0.5 db.internal db",
        "fe80::1%eth0 _gateway a-b.example. xn--bcher-kva.example",
        "192.168.0.1 lan # free text, as it is",
    ]
    assert system.etc("resolv.conf").read_text().splitlines()[1:] == [
        "nameserver 1.1.1.1",
        "search example.com home.arpa",
        "options ndots:1 rotate single-request-reopen",
    ]
