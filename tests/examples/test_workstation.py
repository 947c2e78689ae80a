"""examples/workstation: it builds and switches into a temporary root, with
a fake `flatpak` on PATH standing in for the host's (the plan lists the
applications; the activation script installs them); the real programs
accept what the root holds: visudo, nft -c, systemd-analyze verify, sh -n;
systemd-tmpfiles created the shared directory with the declared group."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from declos.cli import main
from tests.modules.real_programs import in_root
from tests.modules.realcheck import nft_check, systemd_verify_root, visudo_check

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "workstation" / "config.dcl"
APPS = [
    "org.mozilla.firefox",
    "org.libreoffice.LibreOffice",
    "org.gnome.Calculator",
    "com.visualstudio.code",
]

needs_zoneinfo = pytest.mark.skipif(
    not os.path.isfile("/usr/share/zoneinfo/Europe/Amsterdam"), reason="no zoneinfo"
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A fake flatpak first on PATH (logging its calls; nothing installed).
    Inside the root: a script on a scratch root sees (and writes) nothing
    else of /tmp."""
    bindir = tmp_path / "root" / "fake-bin"
    bindir.mkdir(parents=True)
    flatpak = bindir / "flatpak"
    flatpak.write_text(
        f'#!/bin/sh\necho "$*" >> {bindir}/flatpak.log\n[ "$1" = info ] && exit 1\nexit 0\n'
    )
    flatpak.chmod(0o755)
    # the login shell the example chooses, which the switch checks in the root
    (tmp_path / "root" / "bin").mkdir()
    (tmp_path / "root" / "bin" / "bash").write_text("#!/bin/sh\n")
    (tmp_path / "root" / "bin" / "bash").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return bindir / "flatpak.log"


def declos(capsys, *args) -> str:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    return out + err


@needs_zoneinfo
def test_dry_run_lists_flatpak_apps(tmp_path, capsys, env):
    out = declos(
        capsys, "switch", str(EXAMPLE), "--root", str(tmp_path / "root"),
        "--state-dir", str(tmp_path / "state"), "--dry-run",
    )  # fmt: skip
    for app in APPS:
        assert f"etc added declos/flatpak/apps/flathub/{app}" in out
    assert "script run flatpak" in out and "script run 00-snapper-pre" in out
    assert not env.exists()


@needs_zoneinfo
def test_switch(tmp_path, capsys, env):
    root, state = tmp_path / "root", tmp_path / "state"
    declos(capsys, "switch", str(EXAMPLE), "--root", str(root), "--state-dir", str(state))

    passwd = (root / "etc/passwd").read_text()
    assert "\nalice:" in "\n" + passwd and "\nbob:" in "\n" + passwd
    group = (root / "etc/group").read_text().splitlines()
    (developers,) = [g for g in group if g.startswith("developers:")]
    assert developers.split(":")[2] == "2000"
    assert set(developers.split(":")[3].split(",")) == {"alice", "bob"}

    # flatpak: remote added, every app installed, remembered
    calls = env.read_text().splitlines()
    assert any(c.startswith("remote-add --system --if-not-exists flathub ") for c in calls)
    for app in APPS:
        assert f"install --system --noninteractive -y flathub {app}" in calls
    assert (root / "var/lib/declos/flatpak-apps").read_text().split() == APPS

    # snapper
    home = in_root(root, "/etc/snapper/configs/home").read_text()
    assert 'ALLOW_GROUPS="developers"' in home and 'TIMELINE_CREATE="yes"' in home
    assert 'SNAPPER_CONFIGS="home root"' in in_root(root, "/etc/conf.d/snapper").read_text()

    # the profile, read by a real shell
    profile = in_root(root, "/etc/profile.d/declos.sh")
    out = subprocess.run(
        ["sh", "-c", f'. {profile}; echo "$EDITOR|$XDG_DATA_DIRS"; alias ll'],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out.splitlines() == [
        "vim|/usr/local/share:/usr/share:/var/lib/flatpak/exports/share",
        "ll='ls -l --color=auto'",
    ]

    # tmpfiles applied into the root, with the declared group
    shared = root / "srv/shared"
    assert shared.is_dir() and shared.stat().st_gid == 2000

    sudoers = in_root(root, "/etc/sudoers.d/declos")
    assert oct(os.stat(root / "etc/sudoers.d/declos").st_mode & 0o777) == "0o440"
    assert "%developers\tALL=(root)\tNOPASSWD: /usr/bin/systemctl restart postgresql" in (
        sudoers.read_text()
    )
    visudo_check(sudoers)
    nft_check(in_root(root, "/etc/declos/firewall.nft"))
    systemd_verify_root(root, ["firewall.service"], in_root)

    # a second switch with one app fewer uninstalls it
    conf = tmp_path / "config.dcl"
    conf.write_text(EXAMPLE.read_text().replace('"com.visualstudio.code"', ""))
    env.unlink()
    out = declos(capsys, "switch", str(conf), "--root", str(root), "--state-dir", str(state))
    assert "etc removed declos/flatpak/apps/flathub/com.visualstudio.code" in out
    assert "uninstall --system --noninteractive -y com.visualstudio.code" in env.read_text()
