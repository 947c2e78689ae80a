"""Units: what a switch asks of systemd, planned as NixOS' switch-to-configuration does.

The plan compares the unit files of the active generation with the new
one's and, on a live host, what systemd runs now (`LiveUnits`):

- a unit no longer declared is stopped (before the files change) if active;
- a declared unit that is new or whose file changed (`restartTriggers` and
  `reloadTriggers` are lines of the file) and is active is reloaded
  (`reloadIfChanged`, or only its `X-Reload-Triggers` changed), left alone
  (`restartIfChanged = false`), stopped before and started after
  (`stopIfChanged`, the default for services), or restarted; a socket is
  stopped with the service it activates and started again; a timer is
  restarted; a target is started, never restarted.  "New" includes a unit
  the distribution provides under the same name and that runs now: the
  generated unit replaces it, so it is restarted from the new file;
- a new or changed unit that is not active is started when a target that
  wants it is active;
- `daemon-reload` once, after the files change and before any start.

A root that is not the live system has no systemd to ask: units are taken
as active when the old generation wanted them started, targets as active,
and every unit action is a "would" (recorded, not run).  After the starts
on a live host, `failed_units` waits for the started units to settle and
names those that failed, with the tail of their journal.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import attrs

from declos.system.actions import (
    Action,
    DaemonReload,
    ReloadUnit,
    RestartUnit,
    StartIfEnabled,
    StartUnit,
    StopUnit,
    UnitChanged,
)
from declos.system.manifest import UNIT_DIR, Manifest, Unit

ACTIVE_STATES = frozenset({"active", "activating", "reloading", "refreshing"})
RELOAD_TRIGGERS = "X-Reload-Triggers="


@attrs.frozen
class LiveUnits:
    """What systemd runs now: unit name → ActiveState, for every loaded unit,
    and the units with a start job queued (during boot: everything the boot
    will start, so a target still starting counts as active)."""

    states: dict[str, str]
    starting: frozenset[str] = frozenset()

    def active(self, unit: str) -> bool:
        return self.states.get(unit) in ACTIVE_STATES or unit in self.starting


def query_live_units() -> LiveUnits:
    proc = subprocess.run(
        ["systemctl", "list-units", "--all", "--plain", "--no-legend", "--full", "--no-pager"],
        capture_output=True,
        text=True,
    )
    states: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        parts = line.split(None, 4)
        if len(parts) >= 4:
            states[parts[0]] = parts[2]
    jobs = subprocess.run(
        ["systemctl", "list-jobs", "--plain", "--no-legend", "--full", "--no-pager"],
        capture_output=True,
        text=True,
    )
    starting = set()
    for line in jobs.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] in ("start", "restart", "verify-active"):
            starting.add(parts[1])
    return LiveUnits(states, frozenset(starting))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _without_reload_triggers(text: bytes) -> bytes:
    return b"".join(
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(RELOAD_TRIGGERS.encode())
    )


def _socket_service(name: str, text: str) -> str:
    for line in text.splitlines():
        if line.startswith("Service="):
            return line.partition("=")[2].strip()
    return name.rsplit(".", 1)[0] + ".service"


def masked(m: Manifest) -> set[str]:
    """Units the manifest masks: `systemd/system/<unit>` etc entries linking to /dev/null."""
    prefix = UNIT_DIR + "/"
    return {
        name[len(prefix) :]
        for name, e in m.etc_entries().items()
        if name.startswith(prefix) and "/" not in name[len(prefix) :] and e.source == "/dev/null"
    }


def plan_units(
    old: Manifest, new: Manifest, live: LiveUnits | None
) -> tuple[list[Action], list[Action]]:
    """(actions before the files change, actions after)."""
    would = live is None
    stops: list[Action] = []
    late: list[Action] = []
    old_masks, new_masks = masked(old), masked(new)
    given_back: list[Action] = []  # after everything else: the distribution's units

    def active(unit: str) -> bool:
        if live is not None:
            return live.active(unit)
        u = old.units.get(unit)
        return bool(u and (u.wanted_by or unit.endswith(".target")))

    def wanted(unit: str) -> bool:
        targets = new.units[unit].wanted_by
        if live is None:
            return bool(targets)
        return any(live.active(t) or t in new.units and active(t) for t in targets)

    changed_any = False
    for name in sorted(set(old.units) | set(new.units)):
        o, n = old.units.get(name), new.units.get(name)
        if n is None:
            changed_any = True
            if active(name):
                stops.append(StopUnit(name, "removed", would))
            if name not in new_masks:
                given_back.append(StartIfEnabled(name, "its declos unit was removed", would))
            continue
        old_text = _read(o.source) if o else None
        new_text = _read(n.source) or b""
        if o is not None and (o.source == n.source or old_text == new_text):
            continue
        changed_any = True
        reason = "added" if o is None else "changed"
        if active(name):
            only_triggers = old_text is not None and _without_reload_triggers(
                old_text
            ) == _without_reload_triggers(new_text)
            _changed_active(
                name,
                n,
                new_text.decode(errors="replace"),
                only_triggers,
                would,
                active,
                stops,
                late,
            )
        elif wanted(name):
            late.append(StartUnit(name, reason, would))
    for name in sorted(new_masks - old_masks):
        changed_any = True
        if live is not None and live.active(name):
            stops.append(StopUnit(name, "masked", would))
    for name in sorted(old_masks - new_masks):
        changed_any = True
        if name not in new.units:
            given_back.append(StartIfEnabled(name, "unmasked", would))
    late += given_back
    if changed_any:
        late.insert(0, DaemonReload(would))
    return stops, late


def _changed_active(
    name: str,
    n: Unit,
    text: str,
    only_triggers: bool,
    would: bool,
    active: Callable[[str], bool],
    stops: list[Action],
    late: list[Action],
) -> None:
    if name.endswith(".target"):
        late.append(StartUnit(name, "changed", would))
    elif n.reload_if_changed or "X-ReloadIfChanged=true" in text or only_triggers:
        late.append(ReloadUnit(name, would))
    elif not n.restart_if_changed:
        late.append(UnitChanged(name, "restartIfChanged = false: not restarted"))
    elif name.endswith(".socket"):
        service = _socket_service(name, text)
        stops.append(StopUnit(name, "changed", would))
        if active(service):
            stops.append(StopUnit(service, f"its socket {name} changed", would))
        late.append(StartUnit(name, "changed", would))
    elif name.endswith(".timer"):
        late.append(RestartUnit(name, would))
    elif n.stop_if_changed:
        stops.append(StopUnit(name, "changed", would))
        late.append(StartUnit(name, "changed", would))
    else:
        late.append(RestartUnit(name, would))


# --- after the starts (live only) -----------------------------------------------------------

SETTLE_SECONDS = 1.0
SETTLE_TIMEOUT = 90.0


def _show(unit: str) -> dict[str, str]:
    proc = subprocess.run(
        [
            "systemctl",
            "show",
            unit,
            "-p",
            "ActiveState",
            "-p",
            "SubState",
            "-p",
            "Result",
            "-p",
            "Type",
        ],
        capture_output=True,
        text=True,
    )
    out = {}
    for line in proc.stdout.splitlines():
        k, _, v = line.partition("=")
        out[k] = v
    return out


def failed_units(units: list[str]) -> list[tuple[str, str]]:
    """(unit, why) for each of `units` (started, restarted or reloaded) that
    failed.  Waits until none is activating any more (bounded), then a
    moment more, so a service that dies right after starting is caught."""
    if not units:
        return []
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        if not any(_show(u).get("ActiveState") in ("activating", "reloading") for u in units):
            break
        time.sleep(0.2)
    time.sleep(SETTLE_SECONDS)
    out = []
    for u in units:
        s = _show(u)
        state = s.get("ActiveState", "")
        if state == "failed" or (state == "inactive" and s.get("Result", "success") != "success"):
            out.append((u, f"{state} ({s.get('SubState', '')}, result {s.get('Result', '?')})"))
        elif state in ("activating", "reloading"):
            out.append((u, f"still {state} after {int(SETTLE_TIMEOUT)} s"))
    return out


def journal_tail(unit: str, lines: int = 15) -> str:
    proc = subprocess.run(
        ["journalctl", "-u", unit, "-n", str(lines), "--no-pager", "-o", "short-precise", "-b"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.rstrip() or proc.stderr.rstrip() or "(no journal entries)"
