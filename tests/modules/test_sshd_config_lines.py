"""services.openssh cannot be made to write a setting it does not declare: sshd
takes the first value of a keyword, so a line end in any value
(`Ciphers = [ "aes256-ctr\\nPermitRootLogin yes" ]`) would put a setting ahead
of the one declos writes, and `sshd -t` accepts it.  Every string option
that reaches sshd_config refuses a line end, naming the option and the file."""

from __future__ import annotations

import pytest

CASES = [
    ("list setting", r'settings.Ciphers = [ "aes256-ctr\nPermitRootLogin yes" ];'),
    ("freeform setting", r'settings.MaxStartups = "10\rPermitRootLogin yes";'),
    ("typed setting", r'settings.GatewayPorts = "no\nPermitRootLogin yes";'),
    ("listen address", r'listenAddresses = [ { addr = "127.0.0.1\nPermitRootLogin yes"; } ];'),
    ("authorizedKeysFiles", r'authorizedKeysFiles = [ "/k\nPermitRootLogin yes" ];'),
]


@pytest.mark.parametrize(("what", "line"), CASES, ids=[c[0] for c in CASES])
def test_a_line_end_in_an_sshd_value_is_refused(build, what, line):
    err = build(f"{{ services.openssh.enable = true; services.openssh.{line} }}", fails=True)
    assert "string without line ends" in err
    assert "config.dcl" in err


def test_one_line_values_still_build(build):
    system = build(
        '{ services.openssh.enable = true; services.openssh.settings.Ciphers = [ "aes256-ctr" ]; '
        "services.openssh.checkConfig = false; }"
    )
    assert "Ciphers aes256-ctr\n" in system.etc("ssh/sshd_config").read_text()
