"""examples/team: a configuration importing the team's library as
<teamlib> through DECLOS_PATH, overriding some of its definitions with
mkForce.  It switches into a temporary root (the README's command) and
the real programs accept the result: visudo, nft -c, apparmor_parser,
systemd-analyze verify."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from declos.cli import main
from tests.modules.real_programs import in_root
from tests.modules.realcheck import (
    apparmor_check,
    nft_check,
    systemd_verify_root,
    visudo_check,
)

TEAM = Path(__file__).resolve().parents[2] / "examples" / "team"
EXAMPLE = TEAM / "config.dcl"
LIBRARY = TEAM / "library"


@pytest.fixture
def root(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DECLOS_PATH", f"teamlib={LIBRARY}")
    monkeypatch.setenv("NO_COLOR", "1")
    root = tmp_path / "root"
    capsys.readouterr()
    code = main(["switch", str(EXAMPLE), "--root", str(root), "--state-dir", str(tmp_path / "st")])
    out, err = capsys.readouterr()
    assert code == 0, err
    return root


def test_readme_command_is_the_one_tested():
    readme = (TEAM / "README.md").read_text()
    assert "DECLOS_PATH=teamlib=$PWD/examples/team/library" in readme
    assert "declos switch examples/team/config.dcl --root" in readme


def test_library_and_overrides(root):
    # the library's admins and sudo rule
    passwd = "\n" + (root / "etc/passwd").read_text()
    for user in ("carol", "dave", "builder"):
        assert f"\n{user}:" in passwd
    admins = [g for g in (root / "etc/group").read_text().splitlines() if g.startswith("admins:")]
    assert admins and admins[0].split(":")[2] == "1500"
    assert set(admins[0].split(":")[3].split(",")) == {"carol", "dave"}
    sudoers = in_root(root, "/etc/sudoers.d/declos")
    assert "%admins\tALL=(ALL:ALL)\tNOPASSWD: ALL" in sudoers.read_text()
    visudo_check(sudoers)

    # mkForce over the library: ping allowed, port list replaced
    ruleset = in_root(root, "/etc/declos/firewall.nft")
    text = ruleset.read_text()
    assert "tcp dport { 22, 8080 } accept" in text and "echo-request" in text
    nft_check(ruleset)
    sysctl = in_root(root, "/etc/sysctl.d/60-declos.conf").read_text().splitlines()
    assert "kernel.dmesg_restrict = 0" in sysctl and "kernel.kptr_restrict = 2" in sysctl
    assert "net.ipv4.conf.all.accept_redirects = 0" in sysctl
    cron = in_root(root, "/etc/cron.d/declos").read_text()
    assert "-mtime +30" in cron and "-mtime +7" not in cron
    profile = in_root(root, "/etc/profile.d/declos.sh").read_text()
    assert "export ACME_ENV=build" in profile

    # a plain definition over the library's mkDefault
    assert str(in_root(root, "/etc/localtime")) == "/usr/share/zoneinfo/Europe/Berlin"

    # the library's resolver settings, untouched
    assert "search acme.internal" in in_root(root, "/etc/resolv.conf").read_text()

    # the health check: timer every 15 minutes, profile accepted
    timer = in_root(root, "/etc/systemd/system/acme-health.timer").read_text()
    assert "OnCalendar=*:0/15" in timer.splitlines()
    apparmor_check(in_root(root, "/etc/apparmor.d/acme-health"))
    systemd_verify_root(
        root, ["acme-health.service", "acme-health.timer", "firewall.service"], in_root
    )
    assert (root / "var/lib/acme-health").is_dir()


def test_without_the_library_on_the_path(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    capsys.readouterr()
    code = main(["build", str(EXAMPLE), "--state-dir", str(tmp_path / "st"), "--no-out-link"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "'teamlib' was not found" in err
    assert re.search(r"examples/team/config\.dcl:7:\d+", err), err


def test_with_dash_i(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    capsys.readouterr()
    code = main(
        ["build", str(EXAMPLE), "-I", f"teamlib={LIBRARY}",
         "--state-dir", str(tmp_path / "st"), "--no-out-link"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip().endswith("-declos-system-build01")


def test_options_explain_names_the_override(tmp_path):
    proc = subprocess.run(
        ["python", "-m", "declos", "options", str(EXAMPLE), "networking.firewall.allowPing",
         "--explain"],
        capture_output=True, text=True, env={**__import__("os").environ,
                                             "DECLOS_PATH": f"teamlib={LIBRARY}"},
        cwd=str(TEAM.parents[1]),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "winning priority: 50 (mkForce)" in proc.stdout
    assert "examples/team/library/modules/baseline.dcl" in proc.stdout
