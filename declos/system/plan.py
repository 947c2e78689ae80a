"""The activation plan: from the active manifest (or none) to a new one.

`compute_plan` compares the two manifests and reads the target root (to see
what is really there) and returns a `Plan`: typed actions (`actions.py`) in
the order they are applied —

    units to stop → users and groups → homes → host packages to install
    → /etc/static → etc files (backups, links, copies, removals) → the
    managed list → current-system → activation scripts (dependency order)
    → daemon-reload → units to start, restart, reload → host packages to
    remove

plus what is only reported (user and group changes, packages).  Computing a
plan changes nothing.  The text form (`render_text`) is stable and
line-oriented, one action a line; `render_json` is the same as JSON.

Example:
    plan = compute_plan(root, load_manifest(old), load_manifest(new))
    print(render_text(plan))     # etc added hosts / user add alice uid=1000 … / …
"""

from __future__ import annotations

import contextlib
import json
import os

import attrs

from declos.diagnostics import DeclosError
from declos.system import rootfs
from declos.system.accounts import plan_accounts
from declos.system.actions import (
    Action,
    CopyEtc,
    DaemonReload,
    LinkEtc,
    Packages,
    RestartUnit,
    RunScript,
    SetCurrentSystem,
)
from declos.system.boot import plan_boot_unit
from declos.system.etc import plan_etc
from declos.system.health import health_checks
from declos.system.manifest import UNIT_DIR, Manifest
from declos.system.packages import plan_host_packages
from declos.system.shells import check_shells
from declos.system.units import LiveUnits, plan_units

CURRENT_SYSTEM = "run/current-system"


class PlanError(DeclosError):
    code = "plan"


@attrs.frozen
class Plan:
    root: str
    old: str | None  # toplevel store paths
    new: str | None
    actions: tuple[Action, ...]
    warnings: tuple[str, ...] = ()

    live: bool = False  # planned against the live system's systemd
    #: (name, required, script) of the new generation's health checks, run after it is applied
    health_checks: tuple[tuple[str, bool, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.actions


def compute_plan(
    root: str,
    old: Manifest,
    new: Manifest,
    also: list[Manifest] | tuple = (),
    store_dir: str | None = None,
    live: LiveUnits | None = None,
    boot_state_dir: str | None = None,
) -> Plan:
    """The actions taking `root` to `new`.  `old` is the active manifest;
    `also` lists other manifests whose files may be in the root (an
    interrupted switch's), so that their files count as declos'.  `live` is
    what systemd runs now, for the live root; None: not the live system,
    unit actions are only recorded.  `boot_state_dir`: on the live root, the
    state directory declos-activate.service activates at boot."""
    also = list(also)
    # One directory for the whole plan: each part reads the root through the
    # same descriptor (a root swapped for another directory, or a symlink,
    # while planning cannot make the parts see different trees).
    with rootfs.opened(root) as fs:
        check_shells(fs, new, store_dir)  # the login shells the configuration chose: shells.py
        stops, starts = plan_units(old, new, live)
        etc_actions = plan_etc(fs, old, new, also, store_dir)
        starts = _restart_repaired(new, etc_actions, stops, starts, live is None)
        installs, removals = plan_host_packages(fs, old, new, etc_actions)  # packages.py
        actions: list[Action] = list(stops)
        actions += plan_accounts(fs, new)
        actions += installs
        actions += etc_actions
        have = fs.readlink(CURRENT_SYSTEM)  # never through a symlinked /run
        boot = plan_boot_unit(fs, boot_state_dir) if boot_state_dir and new.toplevel else []
    if have != new.toplevel:
        actions.append(SetCurrentSystem(new.toplevel))
    actions += boot
    actions += [RunScript(n, s) for n, s in script_order(new)]
    actions += starts
    actions += removals
    pk = plan_packages(old, new)
    if pk is not None:
        actions.append(pk)
    return Plan(
        root,
        old.toplevel,
        new.toplevel,
        tuple(actions),
        tuple(new.warnings),
        live is not None,
        health_checks(new),
    )


# --- units ----------------------------------------------------------------------------


def _restart_repaired(
    new: Manifest, etc_actions: list[Action], stops: list[Action], late: list[Action], would: bool
) -> list[Action]:
    """Units whose file activation puts back after a hand edit (drift) run
    from the edited file: restart them, as if their unit had changed."""
    prefix = UNIT_DIR + "/"
    planned = {getattr(a, "unit", None) for a in [*stops, *late]}
    repaired = sorted(
        a.name[len(prefix) :]
        for a in etc_actions
        if isinstance(a, LinkEtc | CopyEtc)
        and a.status in ("repaired", "replaced")
        and a.name.startswith(prefix)
        and "/" not in a.name[len(prefix) :]
    )
    extra: list[Action] = [
        RestartUnit(u, would)
        for u in repaired
        if u in new.units and u not in planned and new.units[u].restart_if_changed
    ]
    if not extra and not repaired:
        return late
    if not any(isinstance(a, DaemonReload) for a in late):
        late = [DaemonReload(would), *late]
    return [*late, *extra]


# --- activation scripts ------------------------------------------------------------------


def script_order(m: Manifest) -> list[tuple[str, str]]:
    """(name, script) in dependency order; ties by name.  A missing
    dependency or a cycle is an error (before anything is changed)."""
    from declos.store.digraph import DiGraph, find_cycle, lexicographical_topological_sort

    scripts = {s.name: s for s in m.scripts}
    graph: DiGraph[str] = DiGraph()
    graph.add_nodes_from(scripts)
    for name, s in scripts.items():
        for dep in s.deps:
            if dep not in scripts:
                raise PlanError(
                    f"activation script '{name}' depends on '{dep}', which does not exist"
                )
            graph.add_edge(dep, name)
    order = lexicographical_topological_sort(graph)
    if order is None:
        cycle = " -> ".join(a for a, _ in find_cycle(graph) or ())
        raise PlanError(f"activation scripts depend on each other in a cycle: {cycle}")
    return [(n, scripts[n].script) for n in order]


# --- packages -------------------------------------------------------------------------


def package_names(sw: str | None) -> set[str]:
    """The store paths' names that `sw` (a merged environment) links into."""
    if not sw or not os.path.isdir(sw):
        return set()
    from declos.store.paths import StorePathError, store_path_of

    store_dir = os.path.dirname(sw)
    found: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(sw):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                with contextlib.suppress(StorePathError):
                    found.add(store_path_of(os.readlink(p), store_dir).name)
    return found


def plan_packages(old: Manifest, new: Manifest) -> Packages | None:
    if old.packages == new.packages:
        return None
    a, b = package_names(old.packages), package_names(new.packages)
    if a == b:
        return None
    return Packages(tuple(sorted(b - a)), tuple(sorted(a - b)))


# --- rendering -------------------------------------------------------------------------


def render_text(plan: Plan) -> str:
    lines = [f"from {plan.old or '(nothing)'}", f"to   {plan.new or '(nothing)'}"]
    lines += [f"warning: {w}" for w in plan.warnings]
    if plan.empty:
        lines.append("nothing to do")
    lines += [a.describe() for a in plan.actions]
    return "\n".join(lines) + "\n"


def render_json(plan: Plan) -> str:
    data = {
        "root": plan.root,
        "from": plan.old,
        "to": plan.new,
        "warnings": list(plan.warnings),
        "actions": [a.to_json() for a in plan.actions],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
