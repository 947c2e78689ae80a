"""examples/webserver: it builds, switches into a temporary root (and a
second switch is a no-op), and the real programs accept what the switched
root holds: nginx -t, sshd -t (with host keys generated into the root, as
sshd.service would), nft -c for the firewall, systemd-analyze verify for
the units."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from declos.cli import main
from tests.modules.real_programs import in_root, nginx_check, require, sshd_check, switch

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webserver" / "config.dcl"


@pytest.fixture
def root(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return switch(tmp_path, capsys, path=str(EXAMPLE))


def test_builds(tmp_path, capsys):
    code = main(["build", str(EXAMPLE), "--state-dir", str(tmp_path / "s"), "--no-out-link"])
    out, err = capsys.readouterr()
    assert code == 0, err
    toplevel = Path(out.strip())
    assert toplevel.name.endswith("-declos-system-web")
    assert (toplevel / "etc" / "nginx" / "nginx.conf").exists()


def test_switched_root(root):
    passwd = (root / "etc" / "passwd").read_text()
    for user in ("deploy", "nginx", "sshd"):
        assert f"\n{user}:" in "\n" + passwd
    assert in_root(root, "/etc/hostname").read_text() == "web\n"
    for unit in ("nginx.service", "sshd.service"):
        assert in_root(root, f"/etc/systemd/system/multi-user.target.wants/{unit}").is_file()
    assert in_root(root, "/etc/systemd/system/firewall.service").is_file()
    assert "OnCalendar=daily" in in_root(root, "/etc/systemd/system/site-backup.timer").read_text()
    assert in_root(root, "/etc/systemd/system/timers.target.wants/site-backup.timer").is_file()
    sysctl = in_root(root, "/etc/sysctl.d/60-declos.conf").read_text().splitlines()
    assert "net.core.somaxconn = 1024" in sysctl and "net.ipv4.tcp_syncookies = 1" in sysctl
    keys = in_root(root, "/etc/ssh/authorized_keys.d/deploy").read_text()
    assert keys.endswith("deploy@example\n")
    ruleset = in_root(root, "/etc/declos/firewall.nft").read_text()
    assert "tcp dport { 22, 80 } accept" in ruleset


def test_second_switch_is_a_no_op(root, tmp_path, capsys):
    code = main(
        ["switch", str(EXAMPLE), "--root", str(root), "--state-dir", str(tmp_path / "state")]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "nothing to do" in out + err


def test_nginx_accepts_it(root, tmp_path):
    config = in_root(root, "/etc/nginx/nginx.conf")
    result = nginx_check(root, config, tmp_path / "prefix")
    assert result.returncode == 0, result.stderr
    # the static site was copied into the store with the configuration
    (site,) = [x for x in config.read_text().splitlines() if x.strip().startswith("root ")]
    assert "served by nginx" in Path(site.split()[1].rstrip(";"), "index.html").read_text().lower()


def test_sshd_accepts_it(root):
    keygen = require("ssh-keygen")
    etc_ssh = root / "etc" / "ssh"
    subprocess.run([keygen, "-A", "-f", str(root)], check=True, capture_output=True)
    assert (etc_ssh / "ssh_host_ed25519_key").exists()
    result = sshd_check(root, in_root(root, "/etc/ssh/sshd_config"), binds=((etc_ssh, "/etc/ssh"),))
    assert result.returncode == 0, result.stderr


def test_nft_accepts_the_firewall(root):
    if shutil.which("nft") is None:
        pytest.skip("nft is not installed")
    result = subprocess.run(
        ["nft", "-c", "-f", str(in_root(root, "/etc/declos/firewall.nft"))],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and "Operation not permitted" in result.stderr:
        pytest.skip(f"nft -c cannot run here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr


def test_systemd_accepts_the_units(root):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    units = [
        in_root(root, f"/etc/systemd/system/{u}")
        for u in ("nginx.service", "sshd.service", "site-backup.service", "site-backup.timer")
    ]
    result = subprocess.run(
        ["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
