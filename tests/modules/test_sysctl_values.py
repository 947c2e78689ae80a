"""boot.kernel.sysctl cannot be made to write a setting it does not declare:
keys and values are written as `KEY = VALUE` lines of a sysctl.d file, so a
line end in a value (`"1\\nkernel.modules_disabled = 1"`) or a key would add
a setting of the definer's choice.  Each refusal names the option, what was
expected and the definition's file:line."""

from __future__ import annotations

import pytest

NAME = 'not a sysctl name ("."- or "/"-separated'
CASES = [
    (
        "value line end",
        r'boot.kernel.sysctl."kernel.sysrq" = "1\nkernel.modules_disabled = 1";',
        [
            'boot.kernel.sysctl."kernel.sysrq"',
            "is not of type `null or boolean or signed integer or sysctl value "
            "(a string without line ends)'",
        ],
    ),
    (
        "value carriage return",
        r'boot.kernel.sysctl."kernel.sysrq" = "1\rkernel.modules_disabled = 1";',
        ['boot.kernel.sysctl."kernel.sysrq"', "sysctl value (a string without line ends)"],
    ),
    (
        "key line end",
        r'boot.kernel.sysctl."kernel.sysrq = 1\nkernel.modules_disabled" = 1;',
        [r'boot.kernel.sysctl."kernel.sysrq = 1\nkernel.modules_disabled" (defined in ', NAME],
    ),
    (
        "key with =",
        'boot.kernel.sysctl."kernel.modules_disabled=1 #" = 0;',
        ['boot.kernel.sysctl."kernel.modules_disabled=1 #" (defined in ', NAME],
    ),
]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_key_or_value_that_would_add_a_setting_is_refused(build, what, line, expected):
    err = build(f"{{\n  {line}\n}}", fails=True)
    for part in expected:
        assert part in err
    assert "config.dcl:2" in err


def test_names_globs_and_one_line_values_render_as_before(build):
    system = build(
        """{
          boot.kernel.sysctl = {
            "net.ipv4.conf.*.rp_filter" = 2;
            "-net.ipv4.conf.enp3s0/200.forwarding" = true;
            "net/ipv4/conf/enp3s0.200/forwarding" = false;
            "net.ipv4.ip_local_port_range" = "32768 60999";
            "kernel.core_pattern" = "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h";
            "kernel.sysrq" = null;
          };
        }"""
    )
    assert system.etc("sysctl.d/60-declos.conf").read_text() == (
        "-net.ipv4.conf.enp3s0/200.forwarding = 1\n"
        "kernel.core_pattern = |/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h\n"
        "net.ipv4.conf.*.rp_filter = 2\n"
        "net.ipv4.ip_local_port_range = 32768 60999\n"
        "net/ipv4/conf/enp3s0.200/forwarding = 0\n"
    )
