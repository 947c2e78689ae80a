"""programs.ssh cannot be made to write a line it does not declare: a host
name, an algorithm or a key file with a line end (or, for names, a blank or a
comma) would add a known_hosts entry or an ssh_config setting."""

from __future__ import annotations

import pytest

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHWjkplYp+V9NPhm8qZp5UUtnPm8m2H4HJ0VJa1tGu0K"
EVIL = (
    "evil.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
)

CASES = [
    ("hostNames", f'knownHosts.a = {{ hostNames = [ "a\\n{EVIL}" ]; publicKey = "{KEY}"; }};'),
    ("hostNames blank", f'knownHosts.a = {{ hostNames = [ "a b" ]; publicKey = "{KEY}"; }};'),
    ("extraHostNames", f'knownHosts.a = {{ extraHostNames = [ "b,c" ]; publicKey = "{KEY}"; }};'),
    ("ciphers", 'ciphers = [ "aes256-gcm@openssh.com\\nProxyCommand /bin/evil" ];'),
    ("hostKeyAlgorithms", 'hostKeyAlgorithms = [ "ssh-ed25519\\rUser root" ];'),
]


@pytest.mark.parametrize(("what", "line"), CASES, ids=[c[0] for c in CASES])
def test_a_value_that_would_add_a_line_is_refused(build, what, line):
    err = build(f"{{ programs.ssh.{line} }}", fails=True)
    assert "is not of type `string matching the pattern" in err
    assert "config.dcl:" in err


def test_a_key_file_of_two_lines_is_refused(build, tmp_path):
    (tmp_path / "key.pub").write_text(f"{KEY}\n{EVIL}\n")
    err = build(
        "{ programs.ssh.knownHosts.a.publicKeyFile = ./key.pub; }",
        fails=True,
    )
    assert "publicKeyFile" in err and "holds more than one line" in err


def test_names_patterns_and_prefixed_algorithms_still_build(build, tmp_path):
    (tmp_path / "key.pub").write_text(KEY + "\n")
    system = build(
        """{
          programs.ssh.knownHosts.a = { hostNames = [ "[git.example]:2222" "*.example.org" "!x.example.org" ]; publicKeyFile = ./key.pub; };
          programs.ssh.hostKeyAlgorithms = [ "+ssh-rsa" ];
        }"""
    )
    known = system.etc("ssh/ssh_known_hosts").read_text()
    assert known == f"[git.example]:2222,*.example.org,!x.example.org {KEY}\n"
