"""Host distribution packages: the plan's installs and removals (issue 14).

A manifest's `hostPackages` (`{manager, packages: {name: [FILE:LINE, …]}}`,
from `environment.hostPackages`) is what the configuration declares.  On the
live root (`/`) the plan compares it with what the host has: a declared
package that is missing, or installed only as a dependency, is installed
(`InstallHostPackages`, after the accounts and before /etc and units, since
a unit may need it); a package declos installed that is no longer declared
is removed (`RemoveHostPackages`, after the units).  What declos installed
is recorded in `<root>/var/lib/declos/host-packages.json` (`RECORD`), with
what each was before: "absent" (removed again later, with the dependencies
it pulled in that nothing else needs) or "auto" (installed as a dependency:
marked so again, never removed).  A package the user installed by hand is
neither recorded nor ever removed.

The plan is computed from the host's state, not from the previous manifest,
so an undo (a plan back to the previous generation), a rollback, a re-switch
after a hand removal and a crash all converge: the record is written before
an install runs and after a removal ran.  Names are resolved while
planning (`apt-get install --simulate`): a name the manager cannot resolve
fails the switch before anything changes, naming the definitions' lines.

On any other root nothing runs (`scratch`: "host would install …", from the
two manifests alone), as with units; apt is never run for a scratch root.
The package managers are `managers.py`.

Example (live):
    install, remove = plan_host_packages("/", old, new, added_etc=("nginx/nginx.conf",))
    install[0].describe()   # "host install htop git (apt; with 2 more: libnl-3-200 …)"
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from declos.diagnostics import DeclosError, suggest
from declos.system import etc, rootfs
from declos.system.actions import Action, BackupEtc, CopyEtc, LinkEtc
from declos.system.managers import MANAGERS, Manager, ManagerError, detect, manager_for
from declos.system.manifest import Manifest

if TYPE_CHECKING:
    from declos.system.activation import Context  # activation imports this module

RECORD = "var/lib/declos/host-packages.json"
LOG = "host-package-actions.log"
NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.+-]{0,253}[A-Za-z0-9_.+])?(:[a-z0-9]+)?")


class HostPackagesError(DeclosError):
    code = "host-packages"


# --- what a manifest declares ------------------------------------------------------------


@attrs.frozen
class Declared:
    manager: str | None
    packages: Mapping[str, tuple[str, ...]]  # name -> where it is defined


def declared(m: Manifest) -> Declared:
    """The host packages `m` declares, checked (a store path may be hostile:
    every name reaches the package manager's command line)."""
    raw = m.data.get("hostPackages")
    where = f"{m.toplevel}/manifest.json: hostPackages"
    if raw is None:
        return Declared(None, {})
    if not isinstance(raw, dict) or not isinstance(raw.get("packages", {}), dict):
        raise HostPackagesError(f"{where}: expected {{manager, packages}}")
    manager = raw.get("manager")
    if manager is not None and manager not in MANAGERS:
        raise HostPackagesError(f"{where}.manager: {manager!r} is not one of {', '.join(MANAGERS)}")
    out: dict[str, tuple[str, ...]] = {}
    for name, locs in sorted(raw.get("packages", {}).items()):
        if not isinstance(name, str) or not NAME.fullmatch(name) or name.endswith("-"):
            raise HostPackagesError(f"{where}: {json.dumps(name)} is not a package name")
        if not isinstance(locs, list) or not all(isinstance(x, str) for x in locs):
            raise HostPackagesError(f"{where}.{name}: expected a list of locations")
        out[name] = tuple(x.replace("\n", " ") for x in locs)
    return Declared(manager, out)


# --- the record of what declos installed ---------------------------------------------------


def read_record(fs: rootfs.Root) -> dict[str, dict]:
    """name -> {"was": "absent" | "auto", "with": [dependencies it pulled in]}."""
    text = fs.read_text(RECORD)
    try:
        data = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    pkgs = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(pkgs, dict):
        return {}
    out = {}
    for n, rec in pkgs.items():
        if isinstance(n, str) and NAME.fullmatch(n) and isinstance(rec, dict):
            was = "auto" if rec.get("was") == "auto" else "absent"
            deps = [d for d in rec.get("with", []) if isinstance(d, str) and NAME.fullmatch(d)]
            out[n] = {"was": was, "with": sorted(set(deps))}
    return out


def _record_text(manager: str, packages: Mapping[str, dict]) -> str:
    data = {"version": 1, "manager": manager, "packages": dict(sorted(packages.items()))}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _write_record(fs: rootfs.Root, text: str) -> None:
    fs.makedirs(os.path.dirname(RECORD))
    fs.write_file(RECORD, text.encode(), 0o644, tmp=f".tmp-{os.getpid()}")


# --- actions -------------------------------------------------------------------------------


def _more(pulled: tuple[str, ...]) -> str:
    if not pulled:
        return ""
    shown = " ".join(pulled[:8]) + (" …" if len(pulled) > 8 else "")
    return f"; with {len(pulled)} more: {shown}"


@attrs.frozen
class InstallHostPackages(Action):
    """Install `names` (missing) and mark `adopt` (installed as dependencies)
    as installed on purpose; `record` is written first."""

    manager: str
    names: tuple[str, ...]
    adopt: tuple[str, ...] = ()
    pulled: tuple[str, ...] = ()  # what the manager installs with them
    record: str = ""
    added_etc: tuple[str, ...] = ()  # /etc names the plan creates where nothing was
    scratch: bool = False  # not the live system: nothing is run
    kind = "install-host-packages"

    def describe(self) -> str:
        verb = "host would install" if self.scratch else "host install"
        both = " ".join([*self.names, *self.adopt])
        kept = f"; {' '.join(self.adopt)} installed as dependencies until now" if self.adopt else ""
        return f"{verb} {both} ({self.manager}{kept}{_more(self.pulled)})"

    def to_json(self) -> dict:
        return {
            "action": self.kind,
            "manager": self.manager,
            "install": list(self.names),
            "adopt": list(self.adopt),
            "with": list(self.pulled),
            "scratch": self.scratch,
        }


@attrs.frozen
class RemoveHostPackages(Action):
    """Remove `names` (declos installed them) with the dependencies they
    pulled in that nothing else needs; mark `unmark` (dependencies before
    declos declared them) as dependencies again.  `record` is written after."""

    manager: str
    names: tuple[str, ...]
    unmark: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()  # names and what they pulled in
    record: str = ""
    scratch: bool = False
    kind = "remove-host-packages"

    def describe(self) -> str:
        verb = "host would remove" if self.scratch else "host remove"
        parts = []
        if self.names:
            parts.append(f"{verb} {' '.join(self.names)} ({self.manager})")
        if self.unmark:
            v = "host would unmark" if self.scratch else "host unmark"
            parts.append(f"{v} {' '.join(self.unmark)} (installed as dependencies before)")
        return "; ".join(parts)

    def to_json(self) -> dict:
        return {
            "action": self.kind,
            "manager": self.manager,
            "remove": list(self.names),
            "unmark": list(self.unmark),
            "scratch": self.scratch,
        }


# --- planning -------------------------------------------------------------------------------


def is_live(root: str | rootfs.Root) -> bool:
    return os.path.realpath(root.path if isinstance(root, rootfs.Root) else root) == "/"


def plan_host_packages(
    root: str | rootfs.Root, old: Manifest, new: Manifest, etc_actions: Iterable[Action] = ()
) -> tuple[list[Action], list[Action]]:
    """(installs, removals): the installs go before /etc and the units, the
    removals after them."""
    want, had = declared(new), declared(old)
    added = tuple(
        a.name for a in etc_actions if isinstance(a, LinkEtc | CopyEtc) and a.status == "added"
    )
    if not is_live(root):
        return _plan_scratch(root, had, want)
    with rootfs.opened(root) as fs:
        record = read_record(fs)
        if not want.packages and not record:
            return [], []
        name = want.manager or detect(fs)
    if name is None:
        raise HostPackagesError(
            "cannot install host packages: no package manager (apt, dnf, zypper) was found on "
            "/ (set environment.hostPackageManager)"
        )
    mgr = manager_for(name)
    return _plan_live(mgr, want, record, added)


def _plan_scratch(
    root: str | rootfs.Root, had: Declared, want: Declared
) -> tuple[list[Action], list[Action]]:
    add = tuple(n for n in want.packages if n not in had.packages)
    drop = tuple(n for n in had.packages if n not in want.packages)
    if not add and not drop:
        return [], []
    name = want.manager or had.manager
    if name is None:
        with contextlib.suppress(DeclosError), rootfs.opened(root) as fs:
            name = detect(fs)
    name = name or "no package manager found"
    install: list[Action] = [InstallHostPackages(name, add, scratch=True)] if add else []
    remove: list[Action] = [RemoveHostPackages(name, drop, scratch=True)] if drop else []
    return install, remove


def _plan_live(
    mgr: Manager, want: Declared, record: dict[str, dict], added: tuple[str, ...]
) -> tuple[list[Action], list[Action]]:
    try:
        state = mgr.installed()
    except ManagerError as e:
        raise HostPackagesError(e.message) from None
    new_record = dict(record)
    names, adopt = [], []
    for n in want.packages:
        have = state.get(n)
        if have is None:
            names.append(n)
            if n not in new_record:
                new_record[n] = {"was": "absent", "with": []}
        elif have == "auto":
            adopt.append(n)
            new_record.setdefault(n, {"was": "auto", "with": []})
    installs: list[Action] = []
    if names or adopt:
        pulled = _resolve(mgr, want, names + adopt)
        for n in names:
            if new_record[n]["was"] == "absent" and not new_record[n]["with"]:
                new_record[n] = {"was": "absent", "with": [p for p in pulled if p not in state]}
        installs.append(
            InstallHostPackages(
                mgr.name,
                tuple(names),
                tuple(adopt),
                tuple(pulled),
                _record_text(mgr.name, new_record),
                added,
            )
        )
    gone = sorted(n for n in record if n not in want.packages)
    removals: list[Action] = []
    if gone:
        final = {n: r for n, r in new_record.items() if n not in gone}
        remove = tuple(n for n in gone if record[n]["was"] == "absent" and n in state)
        unmark = tuple(n for n in gone if record[n]["was"] == "auto" and n in state)
        cands = sorted({c for n in remove for c in [n, *record[n]["with"]]})
        removals.append(
            RemoveHostPackages(
                mgr.name, remove, unmark, tuple(cands), _record_text(mgr.name, final)
            )
        )
    return installs, removals


def _resolve(mgr: Manager, want: Declared, names: list[str]) -> list[str]:
    """What the manager would install with `names` (besides them); a name it
    cannot resolve is an error naming where it is defined."""
    try:
        return [p for p in mgr.simulate_install(names) if p not in names]
    except ManagerError as e:
        if not e.names:
            raise HostPackagesError(
                f"host packages cannot be installed: {mgr.name} refuses "
                f"{' '.join(names)}:\n{e.message}"
            ) from None
        index = _index_names(mgr)
        lines = []
        for n, why in e.names:
            where = ", ".join(want.packages.get(n, ())) or "environment.hostPackages"
            lines.append(f"  {n} (defined in {where}): {why}")
            close = suggest(n, index) if index else []
            if close:
                lines.append(f"    Did you mean {_choices(close)}?")
        hint = mgr.empty_index_hint()
        raise HostPackagesError(
            f"host packages cannot be installed: {mgr.name} cannot resolve "
            f"{'this name' if len(e.names) == 1 else 'these names'}:\n"
            + "\n".join(lines)
            + (f"\n{hint}" if hint else "")
            + "\n(environment.hostPackages takes the names the host's package manager knows)"
        ) from None


def _choices(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _index_names(mgr: Manager) -> tuple[str, ...]:
    with contextlib.suppress(DeclosError, OSError):
        return mgr.index_names()
    return ()


# --- applying ---------------------------------------------------------------------------------


def apply_install(ctx: Context, a: InstallHostPackages) -> None:
    """Record, install, then move aside what the packages put where the plan
    links a managed /etc file (kept as `NAME.declos-backup`, given back when
    declos stops managing it)."""
    if a.scratch or not is_live(ctx.root):
        _log(ctx, f"would install {' '.join([*a.names, *a.adopt])}")
        ctx.say(
            f"{ctx.root} is not the live system: host packages not installed: "
            f"{' '.join([*a.names, *a.adopt])} (`--root /` on the machine installs them)"
        )
        return
    if ctx.booting:
        _not_at_boot(ctx, "installed", [*a.names, *a.adopt])
        return
    _write_record(ctx.fs, a.record)
    mgr = manager_for(a.manager)
    try:
        mgr.install([*a.names, *a.adopt], say=ctx.say)
    except ManagerError as e:
        raise HostPackagesError(f"installing host packages failed: {e.message}") from None
    ctx.say(f"installed host packages: {' '.join([*a.names, *a.adopt])}")
    _clear_etc_places(ctx, a.added_etc)


def apply_remove(ctx: Context, a: RemoveHostPackages) -> None:
    if a.scratch or not is_live(ctx.root):
        _log(ctx, f"would remove {' '.join(a.names)} unmark {' '.join(a.unmark)}")
        ctx.say(
            f"{ctx.root} is not the live system: host packages not removed: {' '.join(a.names)}"
        )
        return
    if ctx.booting:
        _not_at_boot(ctx, "removed", [*a.names, *a.unmark])
        return
    mgr = manager_for(a.manager)
    try:
        removed, kept = mgr.remove([*a.names], [*a.unmark], list(a.candidates), say=ctx.say)
    except ManagerError as e:
        raise HostPackagesError(f"removing host packages failed: {e.message}") from None
    if removed:
        ctx.say(f"removed host packages: {' '.join(removed)}")
    for n in kept:
        ctx.say(f"kept host package {n}: other installed packages need it (now a dependency)")
    _write_record(ctx.fs, a.record)


def _not_at_boot(ctx: Context, what: str, names: list[str]) -> None:
    """declos-activate.service runs before sysinit.target: no network, and no
    package manager run so early.  The next switch (a repair) does it."""
    ctx.say(
        f"host packages not {what} while booting: {' '.join(names)} "
        "(`declos switch` to the current configuration does it)"
    )


def _clear_etc_places(ctx: Context, names: tuple[str, ...]) -> None:
    """A package's own file where the plan will put a managed one: moved
    aside, journaled, as a file in the way at planning would have been."""
    for name in names:
        rel = etc.in_etc(name)
        st = ctx.fs.lstat(rel)
        if st is None:
            continue
        if stat.S_ISLNK(st.st_mode) and (ctx.fs.readlink(rel) or "").startswith("/etc/static/"):
            continue  # declos' own (applied before a crash)
        backup = etc.backup_name(ctx.fs, BackupEtc(name, name + etc.BACKUP_SUFFIX))
        if ctx.remember:
            ctx.remember("backups", [name, backup])
        ctx.fs.rename(rel, etc.in_etc(backup))
        ctx.say(f"moved {name} aside to {backup}: a host package installed it")


def _log(ctx: Context, text: str) -> None:
    with open(os.path.join(ctx.state_dir, LOG), "a") as f:
        f.write(f"{int(time.time())} {ctx.root} {text}\n")
