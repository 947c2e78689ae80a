"""The typed steps of an activation plan.

Each record is one thing activation does to the target root, or (the
`Note`-like ones: user and group changes, packages) one thing it reports.
`describe()` is the stable, line-oriented text `--dry-run` prints;
`to_json()` is its `--json` form.  Applying them is `activation.py`'s job
(with `etc.py`, `accounts.py`, `units.py`); computing them is `plan.py`'s.

Example: `LinkEtc("hosts", "/etc/static/hosts", "added").describe()` is
`etc added hosts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import attrs


class Action:
    """Base class (no fields: attrs slots and multiple inheritance do not mix)."""

    kind = "action"
    info_only = False

    if TYPE_CHECKING:
        # every subclass is an attrs class, so `attrs.asdict(self)` in `to_json` holds
        __attrs_attrs__: ClassVar[tuple[attrs.Attribute[Any], ...]]

    def describe(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def to_json(self) -> dict:
        return {"action": self.kind, **attrs.asdict(self, recurse=False)}


# --- units --------------------------------------------------------------------------


def _unit(would: bool) -> str:
    """A unit action's verb prefix: on a root that is not live nothing runs."""
    return "unit would " if would else "unit "


@attrs.frozen
class StopUnit(Action):
    unit: str
    reason: str  # "removed" | "changed" | "its socket … changed"
    would: bool = False  # not the live system: recorded, not run
    kind = "stop-unit"

    def describe(self) -> str:
        return f"{_unit(self.would)}stop {self.unit} ({self.reason})"


@attrs.frozen
class StartUnit(Action):
    unit: str
    reason: str  # "added" | "changed"
    would: bool = False
    kind = "start-unit"

    def describe(self) -> str:
        return f"{_unit(self.would)}start {self.unit} ({self.reason})"


@attrs.frozen
class RestartUnit(Action):
    unit: str
    would: bool = False
    kind = "restart-unit"

    def describe(self) -> str:
        return f"{_unit(self.would)}restart {self.unit} (changed)"


@attrs.frozen
class ReloadUnit(Action):
    unit: str
    would: bool = False
    kind = "reload-unit"

    def describe(self) -> str:
        return f"{_unit(self.would)}reload {self.unit} (changed)"


@attrs.frozen
class StartIfEnabled(Action):
    """A unit declos stops providing (or masking): the distribution's unit of
    that name, if any, is started when the distribution enables it."""

    unit: str
    reason: str  # "its declos unit was removed" | "unmasked"
    would: bool = False
    kind = "start-if-enabled"

    def describe(self) -> str:
        return f"{_unit(self.would)}start {self.unit} if enabled ({self.reason})"


@attrs.frozen
class UnitChanged(Action):
    unit: str
    note: str
    kind = "unit-changed"
    info_only = True

    def describe(self) -> str:
        return f"unit changed {self.unit} ({self.note})"


@attrs.frozen
class DaemonReload(Action):
    would: bool = False
    kind = "daemon-reload"

    def describe(self) -> str:
        return f"{_unit(self.would)}daemon-reload"


# --- users and groups ---------------------------------------------------------------


@attrs.frozen
class AddGroup(Action):
    name: str
    gid: int
    kind = "add-group"
    info_only = True

    def describe(self) -> str:
        return f"group add {self.name} gid={self.gid}"


@attrs.frozen
class ChangeGroup(Action):
    name: str
    fields: tuple[str, ...]
    kind = "change-group"
    info_only = True

    def describe(self) -> str:
        return f"group change {self.name} ({', '.join(self.fields)})"


@attrs.frozen
class RemoveGroup(Action):
    name: str
    kind = "remove-group"
    info_only = True

    def describe(self) -> str:
        return f"group remove {self.name}"


@attrs.frozen
class AddUser(Action):
    name: str
    uid: int
    gid: int
    home: str
    kind = "add-user"
    info_only = True

    def describe(self) -> str:
        return f"user add {self.name} uid={self.uid} gid={self.gid} home={self.home}"


@attrs.frozen
class ChangeUser(Action):
    name: str
    fields: tuple[str, ...]
    kind = "change-user"
    info_only = True

    def describe(self) -> str:
        return f"user change {self.name} ({', '.join(self.fields)})"


@attrs.frozen
class RemoveUser(Action):
    name: str
    kind = "remove-user"
    info_only = True

    def describe(self) -> str:
        return f"user remove {self.name} (home kept)"


@attrs.frozen
class WriteAccounts(Action):
    """Rewrite passwd, group, shadow (each temp-then-rename), state first."""

    files: tuple[tuple[str, str, int], ...]  # (path relative to root, content, mode)
    state: str  # the new var/lib/declos/accounts.json
    kind = "write-accounts"

    def describe(self) -> str:
        return "accounts write " + " ".join(f for f, _, _ in self.files)

    def to_json(self) -> dict:
        return {"action": self.kind, "files": [f for f, _, _ in self.files]}


@attrs.frozen
class CreateHome(Action):
    path: str
    uid: int
    gid: int
    kind = "create-home"

    def describe(self) -> str:
        return f"home create {self.path} ({self.uid}:{self.gid})"


# --- /etc ---------------------------------------------------------------------------


@attrs.frozen
class SetStatic(Action):
    target: str | None  # <toplevel>/etc, or None to remove /etc/static
    kind = "set-static"

    def describe(self) -> str:
        return f"etc static -> {self.target}" if self.target else "etc static remove"


@attrs.frozen
class BackupEtc(Action):
    name: str
    backup: str
    kind = "backup-etc"

    def describe(self) -> str:
        return f"etc backup {self.name} -> {self.backup} (a file declos does not manage was in the way)"


@attrs.frozen
class LinkEtc(Action):
    name: str
    target: str
    status: str  # "added" | "changed" | "replaced" | "repaired"
    kind = "link-etc"

    def describe(self) -> str:
        return f"etc {self.status} {self.name}"


@attrs.frozen
class CopyEtc(Action):
    name: str
    source: str
    mode: str
    user: str
    group: str
    status: str
    kind = "copy-etc"

    def describe(self) -> str:
        return f"etc {self.status} {self.name} (copy, mode {self.mode}, {self.user}:{self.group})"


@attrs.frozen
class RestoreEtc(Action):
    """A file declos stops managing: what it had moved aside (the
    distribution's original, or a hand edit) goes back in its place."""

    name: str
    backup: str
    kind = "restore-etc"

    def describe(self) -> str:
        return f"etc restored {self.name} from {self.backup} (no longer managed)"


@attrs.frozen
class EtcChanged(Action):
    """A link already in place whose content changes with /etc/static."""

    name: str
    kind = "etc-changed"
    info_only = True

    def describe(self) -> str:
        return f"etc changed {self.name}"


@attrs.frozen
class RemoveEtc(Action):
    name: str
    kind = "remove-etc"

    def describe(self) -> str:
        return f"etc removed {self.name}"


@attrs.frozen
class KeepEtc(Action):
    name: str
    reason: str
    kind = "keep-etc"
    info_only = True

    def describe(self) -> str:
        return f"etc kept {self.name} ({self.reason})"


@attrs.frozen
class WriteManaged(Action):
    content: str  # the new etc/.declos-managed
    count: int
    kind = "write-managed"

    def describe(self) -> str:
        return f"etc managed {self.count} files"

    def to_json(self) -> dict:
        return {"action": self.kind, "count": self.count}


# --- the rest -----------------------------------------------------------------------


@attrs.frozen
class SetCurrentSystem(Action):
    target: str | None
    kind = "set-current-system"

    def describe(self) -> str:
        return f"system current -> {self.target}" if self.target else "system current remove"


@attrs.frozen
class WriteBootUnit(Action):
    """Install declos-activate.service (live root only; `boot.py`)."""

    text: str
    kind = "write-boot-unit"

    def describe(self) -> str:
        return "boot install declos-activate.service (activates the default generation at boot)"

    def to_json(self) -> dict:
        return {"action": self.kind}


@attrs.frozen
class RunScript(Action):
    name: str
    script: str
    kind = "run-script"

    def describe(self) -> str:
        return f"script run {self.name}"


@attrs.frozen
class Packages(Action):
    added: tuple[str, ...]
    removed: tuple[str, ...]
    kind = "packages"
    info_only = True

    def describe(self) -> str:
        parts = [f"+{p}" for p in self.added] + [f"-{p}" for p in self.removed]
        return "packages " + " ".join(parts)
