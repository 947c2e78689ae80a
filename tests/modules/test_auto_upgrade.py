"""system.autoUpgrade: declos-upgrade.service and its timer (NixOS's
schedule options, never restarted by a switch, git installed for a git
source), and the fetch step run for real: a git repository cloned then
fetched again (a new commit, another branch), a path source, and the
errors of a missing file."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "HOME": "/nonexistent",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=GIT_ENV
    ).stdout


def fetch_script(system) -> str:
    """The fetch step the service runs (`config=$(FETCH STATE)`)."""
    start = next(
        x for x in system.unit("declos-upgrade.service").splitlines() if x.startswith("ExecStart=")
    )
    text = Path(start.split("=", 1)[1]).read_text()
    return re.search(r"config=\$\((\S+) ", text).group(1)


def run_fetch(script: str, state: Path) -> subprocess.CompletedProcess:
    return subprocess.run([script, str(state)], capture_output=True, text=True, env=GIT_ENV)


def test_units(build):
    s = build(
        """
        {
          system.autoUpgrade = {
            enable = true; source = "https://git.example.org/hosts.git"; file = "web/config.dcl";
            dates = "Sun 03:00"; randomizedDelaySec = "30min"; flags = [ "--keep-failed" ];
          };
        }
        """
    )
    units = s.manifest["units"]
    assert units["declos-upgrade.service"]["restartIfChanged"] is False
    assert units["declos-upgrade.service"]["wantedBy"] == []  # started by its timer only
    assert units["declos-upgrade.timer"]["wantedBy"] == ["timers.target"]
    timer = s.unit("declos-upgrade.timer").splitlines()
    assert {"OnCalendar=Sun 03:00", "RandomizedDelaySec=30min", "Persistent=yes"} <= set(timer)
    service = s.unit("declos-upgrade.service")
    assert "Wants=network-online.target" in service and "Type=oneshot" in service
    script = Path(
        next(x for x in service.splitlines() if x.startswith("ExecStart=")).split("=", 1)[1]
    ).read_text()
    assert "systemd-run --unit=declos-upgrade-switch" in script  # survives this unit's stop
    assert '-m declos switch "$config" --root / --keep-failed' in script
    assert "reboot" not in script  # allowReboot is off by default
    assert "git" in s.manifest["hostPackages"]["packages"]


def test_reboot_after_boot_operation(build):
    s = build(
        """
        { system.autoUpgrade = { enable = true; source = "/etc/declos"; operation = "boot"; allowReboot = true; }; }
        """
    )
    service = s.unit("declos-upgrade.service")
    script = Path(
        next(x for x in service.splitlines() if x.startswith("ExecStart=")).split("=", 1)[1]
    ).read_text()
    assert "-m declos boot" in script and "systemctl reboot" in script
    assert "git" not in s.manifest.get("hostPackages", {}).get("packages", {})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_source_cloned_then_fetched(build, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "hosts").mkdir()
    (repo / "hosts" / "web.dcl").write_text("{ }\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    s = build(
        f"""
        {{ system.autoUpgrade = {{ enable = true; source = "file://{repo}"; file = "hosts/web.dcl"; }}; }}
        """
    )
    fetch = fetch_script(s)
    state = tmp_path / "state-upgrade"
    state.mkdir()
    first = run_fetch(fetch, state)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"{state}/checkout/hosts/web.dcl\n"
    assert "fetched " in first.stderr
    (repo / "hosts" / "web.dcl").write_text('{ environment.etc.x.text = "2"; }\n')
    git(repo, "commit", "-q", "-am", "two")
    second = run_fetch(fetch, state)
    assert second.returncode == 0, second.stderr
    assert Path(second.stdout.strip()).read_text() == '{ environment.etc.x.text = "2"; }\n'
    assert git(state / "checkout", "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_ref_and_missing_file(build, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "config.dcl").write_text("{ }\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "main")
    git(repo, "checkout", "-q", "-b", "staging")
    (repo / "config.dcl").write_text("# staging\n{ }\n")
    git(repo, "commit", "-q", "-am", "staging")
    git(repo, "checkout", "-q", "main")
    s = build(
        f'{{ system.autoUpgrade = {{ enable = true; source = "file://{repo}"; ref = "staging"; }}; }}'
    )
    out = run_fetch(fetch_script(s), tmp_path)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).read_text().startswith("# staging")
    missing = build(
        f'{{ system.autoUpgrade = {{ enable = true; source = "file://{repo}"; file = "nope.dcl"; }}; }}'
    )
    out = run_fetch(fetch_script(missing), tmp_path / "other")
    assert out.returncode == 1
    assert "system.autoUpgrade.file: nope.dcl is not in the repository" in out.stderr


def test_path_source(build, tmp_path):
    conf = tmp_path / "hostcfg"
    conf.mkdir()
    (conf / "config.dcl").write_text("{ }\n")
    s = build(f'{{ system.autoUpgrade = {{ enable = true; source = "{conf}"; }}; }}')
    out = run_fetch(fetch_script(s), tmp_path)
    assert out.returncode == 0 and out.stdout == f"{conf}/config.dcl\n"
    gone = build(f'{{ system.autoUpgrade = {{ enable = true; source = "{conf}/gone.dcl"; }}; }}')
    out = run_fetch(fetch_script(gone), tmp_path)
    assert out.returncode == 1 and "is not a file" in out.stderr


def test_source_is_required(build):
    err = build("{ system.autoUpgrade.enable = true; }", fails=True)
    assert "system.autoUpgrade.source must name a git repository or an absolute path" in err
