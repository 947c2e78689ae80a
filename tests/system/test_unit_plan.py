"""Unit planning as NixOS' switch-to-configuration: against what systemd runs now.

`LiveUnits` is what `systemctl list-units` says on a live host; here it is
given directly, so every rule is checked without a booted system (the same
rules run on booted hosts in tests/live).
"""

from __future__ import annotations

import pytest

from declos.system.manifest import load_manifest
from declos.system.units import LiveUnits, plan_units

RUNNING = {"multi-user.target": "active", "timers.target": "active", "sockets.target": "active"}


def _manifest(top, units):
    return load_manifest(top(units=units))


def _unit(text, **kw):
    return {"text": text, "wantedBy": ["multi-user.target"], **kw}


def _plan(top, old, new, live):
    stops, late = plan_units(_manifest(top, old), _manifest(top, new), live)
    return [a.describe() for a in stops], [a.describe() for a in late]


def test_a_removed_unit_is_stopped_only_if_active(top):
    old = {"a.service": _unit("[Service]\nExecStart=/bin/a\n"), "b.service": _unit("x")}
    live = LiveUnits({**RUNNING, "a.service": "active", "b.service": "inactive"})
    stops, late = _plan(top, old, {}, live)
    assert stops == ["unit stop a.service (removed)"]
    assert late == [
        "unit daemon-reload",
        "unit start a.service if enabled (its declos unit was removed)",
        "unit start b.service if enabled (its declos unit was removed)",
    ]


def test_a_new_unit_starts_when_a_target_wanting_it_is_active(top):
    new = {
        "a.service": _unit("a"),
        "b.service": {"text": "b", "wantedBy": ["graphical.target"]},
        "c.service": {"text": "c", "wantedBy": []},
    }
    _, late = _plan(top, {}, new, LiveUnits(dict(RUNNING)))
    assert late == ["unit daemon-reload", "unit start a.service (added)"]


def test_a_new_unit_replacing_a_running_distribution_unit_is_restarted(top):
    # Debian's nginx runs from /lib/systemd/system; the generated one replaces it.
    new = {"nginx.service": _unit("[Service]\nExecStart=/usr/sbin/nginx -c /x\n")}
    live = LiveUnits({**RUNNING, "nginx.service": "active"})
    stops, late = _plan(top, {}, new, live)
    assert stops == ["unit stop nginx.service (changed)"]
    assert late == ["unit daemon-reload", "unit start nginx.service (added)"] or late == [
        "unit daemon-reload",
        "unit start nginx.service (changed)",
    ]


@pytest.mark.parametrize(
    ("flags", "before", "after"),
    [
        ({}, ["unit stop a.service (changed)"], ["unit start a.service (changed)"]),
        ({"stopIfChanged": False}, [], ["unit restart a.service (changed)"]),
        ({"reloadIfChanged": True}, [], ["unit reload a.service (changed)"]),
        (
            {"restartIfChanged": False},
            [],
            ["unit changed a.service (restartIfChanged = false: not restarted)"],
        ),
    ],
)
def test_a_changed_active_unit(top, flags, before, after):
    old = {"a.service": _unit("[Service]\nExecStart=/bin/a\n", **flags)}
    new = {"a.service": _unit("[Service]\nExecStart=/bin/a --new\n", **flags)}
    stops, late = _plan(top, old, new, LiveUnits({**RUNNING, "a.service": "active"}))
    assert stops == before
    assert late == ["unit daemon-reload", *after]


def test_only_reload_triggers_changed_reloads(top):
    old = {"a.service": _unit("[Unit]\nX-Reload-Triggers=1\n[Service]\nExecStart=/bin/a\n")}
    new = {"a.service": _unit("[Unit]\nX-Reload-Triggers=2\n[Service]\nExecStart=/bin/a\n")}
    _, late = _plan(top, old, new, LiveUnits({**RUNNING, "a.service": "active"}))
    assert late == ["unit daemon-reload", "unit reload a.service (changed)"]


def test_restart_triggers_restart(top):
    old = {"a.service": _unit("[Unit]\nX-Restart-Triggers=1\n", stopIfChanged=False)}
    new = {"a.service": _unit("[Unit]\nX-Restart-Triggers=2\n", stopIfChanged=False)}
    _, late = _plan(top, old, new, LiveUnits({**RUNNING, "a.service": "active"}))
    assert late == ["unit daemon-reload", "unit restart a.service (changed)"]


def test_a_changed_socket_stops_its_service_and_starts_again(top):
    old = {
        "s.socket": {"text": "[Socket]\nListenStream=1\n", "wantedBy": ["sockets.target"]},
        "s.service": {"text": "[Service]\nExecStart=/bin/s\n", "wantedBy": []},
    }
    new = {
        **old,
        "s.socket": {"text": "[Socket]\nListenStream=2\n", "wantedBy": ["sockets.target"]},
    }
    live = LiveUnits({**RUNNING, "s.socket": "active", "s.service": "active"})
    stops, late = _plan(top, old, new, live)
    assert stops == [
        "unit stop s.socket (changed)",
        "unit stop s.service (its socket s.socket changed)",
    ]
    assert late == ["unit daemon-reload", "unit start s.socket (changed)"]


def test_a_changed_timer_restarts(top):
    old = {"t.timer": {"text": "[Timer]\nOnCalendar=daily\n", "wantedBy": ["timers.target"]}}
    new = {"t.timer": {"text": "[Timer]\nOnCalendar=hourly\n", "wantedBy": ["timers.target"]}}
    _, late = _plan(top, old, new, LiveUnits({**RUNNING, "t.timer": "active"}))
    assert late == ["unit daemon-reload", "unit restart t.timer (changed)"]


def test_a_changed_inactive_unit_starts_only_when_wanted(top):
    old = {"a.service": _unit("1"), "b.service": {"text": "1", "wantedBy": []}}
    new = {"a.service": _unit("2"), "b.service": {"text": "2", "wantedBy": []}}
    live = LiveUnits({**RUNNING, "a.service": "failed", "b.service": "inactive"})
    stops, late = _plan(top, old, new, live)
    assert stops == []
    assert late == ["unit daemon-reload", "unit start a.service (changed)"]


def test_unchanged_units_are_left_alone(top):
    units = {"a.service": _unit("same")}
    live = LiveUnits({**RUNNING, "a.service": "inactive"})
    assert _plan(top, units, units, live) == ([], [])


def test_not_live_every_action_is_a_would(top):
    old = {"a.service": _unit("1"), "gone.service": _unit("x")}
    new = {"a.service": _unit("2"), "b.service": _unit("b")}
    stops, late = _plan(top, old, new, None)
    assert stops == [
        "unit would stop a.service (changed)",
        "unit would stop gone.service (removed)",
    ]
    assert late == [
        "unit would daemon-reload",
        "unit would start a.service (changed)",
        "unit would start b.service (added)",
        "unit would start gone.service if enabled (its declos unit was removed)",
    ]


def test_masking_stops_the_distribution_unit_and_unmasking_gives_it_back(top):
    masked = load_manifest(top(etc={"systemd/system/ssh.service": {"source": "/dev/null"}}))
    plain = _manifest(top, {})
    live = LiveUnits({**RUNNING, "ssh.service": "active"})
    stops, late = plan_units(plain, masked, live)
    assert [a.describe() for a in stops] == ["unit stop ssh.service (masked)"]
    stops, late = plan_units(masked, plain, live)
    assert [a.describe() for a in late] == [
        "unit daemon-reload",
        "unit start ssh.service if enabled (unmasked)",
    ]
