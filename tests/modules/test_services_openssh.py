"""services.openssh: sshd_config rendered from sshd_config.j2 and checked
with the real `sshd -t` from a switched root, sshd.service, the sshd
account, authorized_keys.d, and the option types' errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from real_programs import in_root, require, sshd_check, switch

CONFIG = """
{{ ... }}: {{
  services.openssh = {{
    enable = true;
    ports = [ 22 2222 ];
    listenAddresses = [ {{ addr = "127.0.0.1"; }} {{ addr = "[::1]"; port = 2200; }} ];
    hostKeys = [ {{ type = "ed25519"; path = "{key}"; }} ];
    settings = {{
      PasswordAuthentication = false;
      PermitRootLogin = "no";
      AllowUsers = [ "alice" "bob" ];
      ClientAliveInterval = 60;
      LogLevel = null;
    }};
    banner = "Authorized users only\\n";
    extraConfig = ''
      Match User bob
        ForceCommand internal-sftp
    '';
  }};
  users.users.alice = {{
    isNormalUser = true;
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@example" ];
  }};
  users.users.bob = {{ isNormalUser = true; openssh.authorizedKeys.keyFiles = [ ./bob.pub ]; }};
}}
"""


@pytest.fixture
def host_key(tmp_path):
    keygen = require("ssh-keygen")
    key = tmp_path / "keys" / "ssh_host_ed25519_key"
    key.parent.mkdir()
    subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(key)], check=True
    )
    return key


@pytest.fixture
def sshd_system(build, host_key):
    (build.dir / "bob.pub").write_text("ssh-ed25519 AAAAbob bob@a\n\nssh-rsa AAAAbob2 bob@b\n")
    return build(CONFIG.format(key=host_key))


def test_sshd_config_text(sshd_system, host_key):
    lines = sshd_system.etc("ssh/sshd_config").read_text().splitlines()
    assert "PasswordAuthentication no" in lines and "PermitRootLogin no" in lines
    assert "AllowUsers alice bob" in lines and "ClientAliveInterval 60" in lines
    assert not any(line.startswith("LogLevel") for line in lines)
    assert "KbdInteractiveAuthentication yes" in lines and "UsePAM yes" in lines
    assert any(
        line.startswith("Ciphers chacha20-poly1305@openssh.com,aes256-gcm") for line in lines
    )
    assert lines.index("Port 22") < lines.index("Port 2222")
    assert "ListenAddress 127.0.0.1" in lines and "ListenAddress [::1]:2200" in lines
    assert f"HostKey {host_key}" in lines
    assert "AuthorizedKeysFile %h/.ssh/authorized_keys /etc/ssh/authorized_keys.d/%u" in lines
    assert "Subsystem sftp /usr/lib/openssh/sftp-server" in lines
    # Match blocks last, verbatim
    assert lines[-2:] == ["Match User bob", "  ForceCommand internal-sftp"]
    (banner,) = [x for x in lines if x.startswith("Banner ")]
    assert Path(banner.split()[1]).read_text() == "Authorized users only\n"


def test_authorized_keys_and_account(sshd_system):
    m = sshd_system.manifest
    alice = sshd_system.etc("ssh/authorized_keys.d/alice").read_text()
    assert alice.endswith("alice@example\n")
    assert sshd_system.etc("ssh/authorized_keys.d/bob").read_text() == (
        "ssh-ed25519 AAAAbob bob@a\nssh-rsa AAAAbob2 bob@b\n"
    )
    assert m["etc"]["ssh/authorized_keys.d/alice"]["mode"] == "0444"
    assert "ssh/authorized_keys.d/root" not in m["etc"]
    assert m["users"]["sshd"]["isSystemUser"] and m["users"]["sshd"]["group"] == "sshd"
    assert "sshd" in m["groups"]


def test_sshd_unit(sshd_system):
    unit = sshd_system.unit("sshd.service").splitlines()
    assert "ExecStart=/usr/sbin/sshd -D -f /etc/ssh/sshd_config" in unit
    assert "RuntimeDirectory=sshd" in unit and "KillMode=process" in unit
    assert sshd_system.manifest["units"]["sshd.service"]["stopIfChanged"] is False
    assert sshd_system.manifest["units"]["sshd.service"]["wantedBy"] == ["multi-user.target"]
    (pre,) = [x for x in unit if x.startswith("ExecStartPre=")]
    script = Path(pre.removeprefix("ExecStartPre=")).read_text()
    assert 'ssh-keygen -q -t "ed25519"' in script
    assert "/usr/sbin/sshd -t -f /etc/ssh/sshd_config" in script


def test_open_firewall(build, host_key):
    (build.dir / "bob.pub").write_text("ssh-ed25519 AAAAbob bob@a\n")
    text = CONFIG.format(key=host_key).rstrip().removesuffix("}")
    system = build(text + "  networking.firewall.enable = true;\n}\n")
    ruleset = system.etc("declos/firewall.nft").read_text()
    assert "tcp dport { 22, 2222 } accept" in ruleset
    closed = build(
        text + "  networking.firewall.enable = true; services.openssh.openFirewall = false;\n}\n"
    )
    assert "tcp dport" not in closed.etc("declos/firewall.nft").read_text()


def test_disabled_by_default(build):
    system = build(
        '{ ... }: { users.users.alice = { isNormalUser = true; openssh.authorizedKeys.keys = [ "k" ]; }; }'
    )
    assert "sshd.service" not in system.manifest["units"]
    assert not any(name.startswith("ssh/") for name in system.manifest["etc"])
    assert "sshd" not in system.manifest["users"]


def test_sshd_accepts_the_switched_config(tmp_path, capsys, host_key):
    (tmp_path / "bob.pub").write_text("ssh-ed25519 AAAAbob bob@a\n")
    root = switch(tmp_path, capsys, text=CONFIG.format(key=host_key))
    config = in_root(root, "/etc/ssh/sshd_config")
    assert config.read_text().startswith("# /etc/ssh/sshd_config")
    result = sshd_check(root, config)
    assert result.returncode == 0, result.stderr
    # and the check is real: a keyword sshd does not know fails it
    bad = tmp_path / "bad_config"
    bad.write_text(config.read_text() + "NoSuchKeyword yes\n")
    result = sshd_check(root, bad)
    assert result.returncode != 0 and "NoSuchKeyword" in result.stderr


def test_default_config_is_accepted(tmp_path, capsys, host_key):
    """The defaults alone (host keys aside, which sshd.service generates)."""
    root = switch(
        tmp_path,
        capsys,
        text=f"""
        {{ ... }}: {{
          services.openssh.enable = true;
          services.openssh.hostKeys = [ {{ type = "ed25519"; path = "{host_key}"; }} ];
        }}
    """,
    )
    result = sshd_check(root, in_root(root, "/etc/ssh/sshd_config"))
    assert result.returncode == 0, result.stderr
