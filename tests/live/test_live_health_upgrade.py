"""From the immutable distributions, on a booted Debian host (issue 14):
system.healthChecks after a live switch (a passing check said, a failing
required check puts the previous generation back, a failing wanted one is
a warning, --keep-failed keeps the generation and exits 1), and
system.autoUpgrade (the timer runs, the service fetches a configuration
from a path and switches; a configuration that drops the auto-upgrade
stops the service without interrupting its switch)."""

from __future__ import annotations

import time

from live_config import switch as _switch
from live_host import Host


def _generations(host: Host) -> list[int]:
    out = host.run(["declos", "generations", "--root", "/"]).stdout
    return [int(line.replace("*", " ").split()[0]) for line in out.splitlines() if line.strip()]


WEB = r"""
{
  systemd.services.web = {
    wantedBy = [ "multi-user.target" ];
    script = "exec python3 -m http.server 8080 --bind 127.0.0.1 --directory /srv";
  };
  environment.etc."web-generation".text = "GEN";
  CHECKS
}
"""


def _web(gen: str, checks: str) -> str:
    return WEB.replace("GEN", gen).replace("CHECKS", checks)


def test_health_checks_roll_back_a_broken_switch(declos_host: Host) -> None:
    host = declos_host
    ok = 'system.healthChecks.web = "curl -fsS http://127.0.0.1:8080/ >/dev/null";'
    first = _switch(host, _web("1", ok))
    assert "health check web: passed" in first.stdout + first.stderr
    assert host.run(["ls", "/etc/declos/health-checks/required.d"]).stdout == "web\n"

    broken = 'system.healthChecks.web = "curl -fsS http://127.0.0.1:8081/ >/dev/null";'
    failed = _switch(host, _web("2", broken), check=False)
    assert failed.returncode == 1
    assert "health check failed: web (exit status 7)" in failed.stderr
    assert "the previous configuration (generation 1) is active again" in failed.stderr
    assert host.read_file("/etc/web-generation") == "1"
    assert host.run(["systemctl", "is-active", "web.service"]).stdout == "active\n"
    assert _generations(host) == [1]  # the failed one is dropped

    wanted = 'system.healthChecks.web = { script = "exit 1"; required = false; };'
    warned = _switch(host, _web("3", wanted))
    assert (
        "warning: health check web (not required) failed (exit status 1)"
        in warned.stdout + warned.stderr
    )
    assert host.read_file("/etc/web-generation") == "3"

    kept = _switch(host, _web("4", broken), "--keep-failed", check=False)
    assert kept.returncode == 1
    assert "health check web" in kept.stderr and host.read_file("/etc/web-generation") == "4"


UPGRADE = r"""
{
  system.autoUpgrade = { enable = true; source = "/root/cfg/next.dcl"; };
  environment.etc."upgrade-generation".text = "GEN";
}
"""


def _wait_until(host: Host, cmd: list[str], what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while host.run(cmd, check=False).returncode:
        assert time.monotonic() < deadline, what + "\n" + host.journal(lines=60)
        time.sleep(0.5)


def test_auto_upgrade_switches_to_the_source(declos_host: Host) -> None:
    host = declos_host
    _switch(host, UPGRADE.replace("GEN", "1"))
    assert host.run(["systemctl", "is-active", "declos-upgrade.timer"]).stdout == "active\n"
    assert "declos-upgrade.service" in host.run(["systemctl", "list-timers", "--all"]).stdout

    host.write_file("/root/cfg/next.dcl", UPGRADE.replace("GEN", "2"))
    run = host.run(["systemctl", "start", "declos-upgrade.service"], check=False, timeout=600)
    assert run.returncode == 0, host.journal("declos-upgrade.service")
    assert host.read_file("/etc/upgrade-generation") == "2"
    assert _generations(host) == [1, 2]

    # a configuration without the auto-upgrade stops the service that is
    # switching to it: the switch itself (its own transient unit) goes on
    host.write_file("/root/cfg/next.dcl", '{ environment.etc."upgrade-generation".text = "3"; }\n')
    host.run(["systemctl", "start", "declos-upgrade.service"], check=False, timeout=600)
    _wait_until(
        host,
        ["sh", "-c", 'test "$(cat /etc/upgrade-generation)" = 3'],
        "the third generation was not activated",
    )
    _wait_until(
        host,
        ["sh", "-c", "! systemctl is-active -q declos-upgrade-switch.service"],
        "the switch did not finish",
    )
    status = host.run(["declos", "status", "--root", "/"], check=False)
    assert "interrupted" not in status.stdout + status.stderr, status.stdout
    assert (
        host.run(["systemctl", "is-active", "declos-upgrade.timer"], check=False).stdout
        != "active\n"
    )
    unit = "/etc/systemd/system/declos-upgrade.service"
    assert host.run(["test", "-e", unit], check=False).returncode != 0
