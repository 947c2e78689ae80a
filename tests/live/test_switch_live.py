"""Switching a live host (issue 11): real systemctl, services answering on loopback,
real accounts, reboots and power cuts, on booted Debian containers.

Two configurations alternate: APP serves an nginx virtual host on 127.0.0.1:8080 and a
custom service (a Python HTTP server on 127.0.0.1:9000) and declares alice; BARE has
neither and declares bob.  Every state a test reaches is checked as a whole by
`assert_on`: the profile, /run/current-system and /etc/static agree, no switch is
pending, nothing drifted, and what answers on loopback and who exists is exactly what
that configuration declares.
"""

from __future__ import annotations

import json
import random
import time

import pytest
from live_host import Host

COMMON = """
  system.stateVersion = "24.11";
  networking.hostName = "{name}";
"""

APP = (
    """{ pkgs, ... }: {
"""
    + COMMON.format(name="app")
    + """
  services.nginx = {
    enable = true;
    virtualHosts."site" = {
      listen = [ { addr = "127.0.0.1"; port = 8080; } ];
      locations."/".return = "200 'hello from nginx'";
    };
  };
  systemd.services.app = {
    description = "A custom application";
    wantedBy = [ "multi-user.target" ];
    serviceConfig.ExecStart = "/usr/bin/python3 -m http.server 9000 --bind 127.0.0.1 --directory /etc/app";
  };
  environment.etc."app/index.html".text = "hello from app\\n";
  users.users.alice = { isNormalUser = true; };
}
"""
)

BARE = (
    """{ ... }: {
"""
    + COMMON.format(name="bare")
    + """
  users.users.bob = { isNormalUser = true; };
}
"""
)

# APP with a service that cannot start.
BROKEN = APP.replace(
    "  users.users.alice = { isNormalUser = true; };",
    """  users.users.alice = { isNormalUser = true; };
  systemd.services.broken = {
    wantedBy = [ "multi-user.target" ];
    serviceConfig.ExecStart = "/bin/sh -c 'echo broken on purpose; exit 3'";
  };""",
)

CONFIGS = {"app": APP, "bare": BARE, "broken": BROKEN}


def _write_configs(host: Host) -> None:
    for name, text in CONFIGS.items():
        host.write_file(f"/root/cfg/{name}.dcl", text)


def declos(host: Host, args: str, check: bool = True, timeout: float = 600):
    return host.run(f"declos {args} 2>&1", check=check, timeout=timeout)


def switch(host: Host, name: str, verb: str = "switch", extra: str = "", check: bool = True):
    return declos(host, f"{verb} /root/cfg/{name}.dcl --root / {extra}", check=check)


def answers(host: Host, port: int) -> str | None:
    r = host.run(["curl", "-s", "-m", "5", f"http://127.0.0.1:{port}/"], check=False)
    return r.stdout if r.returncode == 0 else None


def status(host: Host) -> dict:
    return json.loads(host.run("declos status --root / --json").stdout)


def assert_on(host: Host, name: str) -> None:
    """The host runs configuration `name`, all of it, and nothing of the other."""
    st = status(host)
    assert st["interrupted"] is None, st
    assert st["drift"] == [], st
    current = st["current"]["path"]
    assert host.run("readlink /run/current-system").stdout.strip() == current
    assert host.run("readlink /etc/static").stdout.strip() == current + "/etc"
    assert current.endswith(f"-declos-system-{name}")
    assert host.run("hostname").stdout.strip() == name
    has = lambda user: host.run(["getent", "passwd", user], check=False).returncode == 0  # noqa: E731
    if name == "app":
        assert answers(host, 8080) == "hello from nginx"
        assert answers(host, 9000) == "hello from app\n"
        assert has("alice") and not has("bob")
        assert host.run("systemctl is-active nginx app").stdout.split() == ["active", "active"]
    else:
        assert answers(host, 8080) is None and answers(host, 9000) is None
        assert has("bob") and not has("alice")
    assert host.run("systemctl is-system-running", check=False).stdout.strip() in (
        "running",
        "degraded",
    )
    failed = host.run("systemctl --failed --plain --no-legend").stdout.strip()
    assert failed == "", failed


@pytest.fixture
def live(declos_host: Host) -> Host:
    _write_configs(declos_host)
    return declos_host


def test_switch_serves_the_configuration_then_a_second_stops_it_and_rollback_restores(live):
    before = answers(live, 80)
    assert before is not None and "nginx" in before  # Debian's default site runs first
    out = switch(live, "app").stdout
    assert "unit restart nginx.service (changed)" in out or "unit start nginx.service" in out
    assert "unit start app.service (added)" in out
    assert_on(live, "app")
    assert answers(live, 80) is None  # the distribution's nginx config is not served any more
    assert live.run(["su", "-", "alice", "-c", "id -un"]).stdout == "alice\n"

    out = switch(live, "bare").stdout
    assert "unit stop app.service (removed)" in out
    assert "unit stop nginx.service (removed)" in out
    assert "start nginx.service if enabled (its declos unit was removed)" in out
    assert_on(live, "bare")

    out = declos(live, "rollback --root /").stdout
    assert "rolled back: generation 1 is active" in out
    assert_on(live, "app")
    live.reboot()
    assert_on(live, "app")


def test_rollback_and_switch_generation_restart_what_the_switch_would(live):
    switch(live, "app")
    switch(live, "bare")
    dry = switch(live, "app", extra="--dry-run").stdout
    units = lambda text: sorted(line for line in text.splitlines() if line.startswith("unit "))  # noqa: E731
    rolled = declos(live, "rollback --root /").stdout
    assert units(rolled) == units(dry)
    switch(live, "bare")
    again = declos(live, "switch-generation 1 --root /").stdout
    assert units(again) == units(dry)
    assert_on(live, "app")


def test_a_unit_that_fails_puts_the_previous_generation_back(live):
    switch(live, "app")
    out = switch(live, "broken", check=False)
    assert out.returncode == 1
    assert "the following units failed: broken.service" in out.stdout
    assert "broken on purpose" in out.stdout  # the journal tail of the failed unit
    assert "the previous configuration (generation 1) is active again" in out.stdout
    live.run("systemctl reset-failed")
    assert_on(live, "app")
    gens = json.loads(live.run("declos generations --root / --json").stdout)
    assert [g["number"] for g in gens] == [1]


def test_keep_failed_keeps_the_new_generation(live):
    switch(live, "app")
    out = switch(live, "broken", extra="--keep-failed", check=False)
    assert out.returncode == 1
    assert "kept generation 2 although these units failed: broken.service" in out.stdout
    assert live.run("systemctl is-failed broken", check=False).stdout.strip() == "failed"
    assert answers(live, 8080) == "hello from nginx"
    st = status(live)
    assert st["current"]["number"] == 2


def test_test_activates_without_moving_the_boot_default(live):
    switch(live, "app")
    out = switch(live, "bare", verb="test").stdout
    assert "not the default at boot" in out
    assert answers(live, 9000) is None and answers(live, 8080) is None
    st = status(live)
    assert st["current"]["number"] == 1  # the profile: what boots
    live.reboot()
    assert_on(live, "app")


def test_boot_makes_the_default_without_activating(live):
    switch(live, "app")
    out = switch(live, "bare", verb="boot").stdout
    assert "is the default at the next boot" in out
    assert answers(live, 9000) == "hello from app\n"  # nothing changed yet
    live.reboot()
    assert_on(live, "bare")


def test_a_scratch_root_runs_nothing_on_the_host(live):
    out = declos(live, "switch /root/cfg/app.dcl --root /srv/scratch --state-dir /srv/state").stdout
    assert "unit would start app.service (added)" in out
    assert "is not the live system" in out
    assert answers(live, 9000) is None and answers(live, 8080) is None
    assert live.run(["getent", "passwd", "alice"], check=False).returncode != 0
    assert live.run("hostname").stdout.strip() != "app"
    assert "alice:" in live.read_file("/srv/scratch/etc/passwd")


def test_reboot_after_each_switch_keeps_the_generation(live):
    for name in ("app", "bare", "app"):
        switch(live, name)
        live.reboot()
        assert_on(live, name)


POWER_CUTS = 20


def test_power_cuts_during_switches_always_boot_consistent(live):
    """Cut the power at a random moment of a switch; every boot must come up on
    exactly the old or the new generation."""
    rng = random.Random(20261202)
    switch(live, "app")
    switch(live, "bare")  # both built: later switches are mostly activation
    on, seen = "bare", set()
    for i in range(POWER_CUTS):
        target = "app" if on == "bare" else "bare"
        live.run(
            f"setsid sh -c 'declos switch /root/cfg/{target}.dcl --root / "
            f">/root/switch-{i}.log 2>&1' </dev/null >/dev/null 2>&1 &"
        )
        time.sleep(rng.uniform(0.0, 2.5))
        live.power_cut()
        live.boot()
        st = status(live)
        now = st["current"]["path"].rsplit("-", 1)[-1]
        assert now in (on, target), st
        assert_on(live, now)
        seen.add((on, now))
        on = now
    # the cuts landed both before and after the point of no return
    assert any(a == b for a, b in seen) and any(a != b for a, b in seen), seen


TIMER = """{ ... }: {
  system.stateVersion = "24.11";
  systemd.services.tick = {
    startAt = "SCHEDULE";
    serviceConfig.Type = "oneshot";
    script = "date >> /var/tmp/ticks";
  };
}
"""


def test_a_changed_timer_is_restarted_with_its_new_schedule(declos_host):
    host = declos_host
    host.write_file("/root/cfg/t1.dcl", TIMER.replace("SCHEDULE", "*-*-* 03:00:00"))
    host.write_file("/root/cfg/t2.dcl", TIMER.replace("SCHEDULE", "*-*-* 04:30:00"))
    out = switch(host, "t1").stdout
    assert "unit start tick.timer (added)" in out
    assert host.run("systemctl is-active tick.timer").stdout.strip() == "active"
    out = switch(host, "t2").stdout
    assert "unit restart tick.timer (changed)" in out
    shown = host.run("systemctl show tick.timer -p TimersCalendar").stdout
    assert "04:30:00" in shown and "03:00:00" not in shown
    assert host.run("systemctl is-active tick.timer").stdout.strip() == "active"
    # the service a timer starts is not started by the switch itself
    assert host.run("test -e /var/tmp/ticks", check=False).returncode != 0
