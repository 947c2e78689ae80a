"""Reading a toplevel's `manifest.json`: the contract between modules and activation.

The layout and keys are in DESIGN.md ("The system toplevel and its
manifest").  This module reads and checks the file, fills in defaults, and
derives the one view activation needs: every file under `/etc` the
generation manages, including unit files (`units` entries not already in
`etc` become `systemd/system/<unit>` entries).  Users, groups, units,
activation scripts and etc entries are attrs records (`User`, `Group`,
`Unit`, `Script`, `EtcEntry`) whose defaults (a missing key, or "" where
the modules write it for "unset") are here and nowhere else; the file's
format is unchanged, so every older generation loads.  A store path may be
hostile: `load_manifest` checks every value activation would write into a
system file (`manifest_check.py`) and refuses the manifest otherwise.  It
must not evaluate DCL or touch a target root.

Example:
    m = load_manifest("/state/store/…-declos-system")
    m.etc_entries()["hosts"].source     # the store file /etc/hosts links to
    m.users["alice"].shell              # "/bin/sh" when the manifest gives none
    EMPTY.etc_entries() == {}           # "no generation": nothing managed
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from declos.system.manifest_check import ManifestError, check_manifest

__all__ = [
    "EMPTY",
    "UNIT_DIR",
    "EtcEntry",
    "Group",
    "Manifest",
    "ManifestError",
    "Script",
    "Unit",
    "User",
    "load_manifest",
]

UNIT_DIR = "systemd/system"


def _given(d: Mapping[str, Any], key: str) -> Any:
    """`d[key]`, or None when it is missing, null or "" (where the record's default applies)."""
    v = d.get(key)
    return None if v == "" else v


_tuple = attrs.converters.default_if_none(())


@attrs.frozen
class EtcEntry:
    name: str  # relative to /etc
    source: str  # the store file
    mode: str = attrs.field(
        default="symlink", converter=attrs.converters.default_if_none("symlink")
    )
    user: str = attrs.field(default="root", converter=attrs.converters.default_if_none("root"))
    group: str = attrs.field(default="root", converter=attrs.converters.default_if_none("root"))
    in_static: bool = True  # present under <toplevel>/etc (else linked to `source` directly)

    @property
    def is_copy(self) -> bool:
        return self.mode != "symlink"


@attrs.frozen
class User:
    """`users.<name>`: a key missing, null or "" takes the default here (the
    shell /bin/sh, the primary group `users`, no home: /var/empty in passwd)."""

    name: str
    uid: int | None = None
    group: str = attrs.field(default="users", converter=attrs.converters.default_if_none("users"))
    extra_groups: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    home: str | None = None  # None: /var/empty in passwd, and no home to create
    create_home: bool = False
    shell: str = attrs.field(
        default="/bin/sh", converter=attrs.converters.default_if_none("/bin/sh")
    )
    description: str = attrs.field(default="", converter=attrs.converters.default_if_none(""))
    hashed_password: str | None = None  # "" is a password (the empty one); None: none set
    hashed_password_file: str | None = None  # a file in the root (absent in older manifests)
    is_system_user: bool = False
    is_normal_user: bool = False
    authorized_keys: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    @property
    def passwd_home(self) -> str:
        return self.home or "/var/empty"

    @classmethod
    def from_json(cls, name: str, d: Mapping[str, Any]) -> User:
        return cls(
            name,
            d.get("uid"),
            _given(d, "group"),
            tuple(d.get("extraGroups") or ()),
            _given(d, "home"),
            bool(d.get("createHome")),
            _given(d, "shell"),
            d.get("description"),
            d.get("hashedPassword"),
            _given(d, "hashedPasswordFile"),
            bool(d.get("isSystemUser")),
            bool(d.get("isNormalUser")),
            tuple(d.get("authorizedKeys") or ()),
        )


@attrs.frozen
class Group:
    name: str
    gid: int | None = None
    members: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    @classmethod
    def from_json(cls, name: str, d: Mapping[str, Any]) -> Group:
        return cls(name, d.get("gid"), tuple(d.get("members") or ()))


@attrs.frozen
class Unit:
    """`units.<name>`: a unit file and how a switch treats it when it changes."""

    name: str
    source: str  # the store path of the unit file
    wanted_by: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    restart_if_changed: bool = attrs.field(
        default=True, converter=attrs.converters.default_if_none(True)
    )
    stop_if_changed: bool = attrs.field(
        default=True, converter=attrs.converters.default_if_none(True)
    )
    reload_if_changed: bool = attrs.field(
        default=False, converter=attrs.converters.default_if_none(False)
    )

    @classmethod
    def from_json(cls, name: str, d: Mapping[str, Any]) -> Unit:
        return cls(
            name,
            d["source"],
            tuple(d.get("wantedBy") or ()),
            d.get("restartIfChanged"),
            d.get("stopIfChanged"),
            d.get("reloadIfChanged"),
        )


@attrs.frozen
class Script:
    """An activation script: run after those it depends on."""

    name: str
    script: str  # the store path of the script
    deps: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Script:
        return cls(d["name"], d["script"], tuple(d.get("deps") or ()))


@attrs.frozen
class Manifest:
    """A toplevel's manifest as records.  `data` is the JSON as read, for the
    keys their own readers check (`hostPackages`, `shells`); build one with
    `Manifest.from_json` (or `load_manifest`), which fills in every default."""

    toplevel: str | None  # None: the empty manifest (no generation)
    data: Mapping[str, Any] = attrs.field(repr=False)
    etc: Mapping[str, EtcEntry] = attrs.field(repr=False)  # with the units' files, sorted
    users: Mapping[str, User] = attrs.field(repr=False)
    groups: Mapping[str, Group] = attrs.field(repr=False)
    units: Mapping[str, Unit] = attrs.field(repr=False)
    scripts: tuple[Script, ...] = attrs.field(repr=False)

    @classmethod
    def from_json(cls, toplevel: str | None, data: Mapping[str, Any]) -> Manifest:
        """The records of a manifest's JSON (checked first: `load_manifest`)."""
        static = os.path.join(toplevel, "etc") if toplevel else None

        def in_static(name: str) -> bool:
            return bool(static and os.path.lexists(os.path.join(static, name)))

        etc: dict[str, EtcEntry] = {}
        for name, e in data.get("etc", {}).items():  # names checked at load: normalized, relative
            mode = e.get("mode")
            etc[name] = EtcEntry(
                name,
                e["source"],
                None if mode is None else str(mode),
                e.get("user"),
                e.get("group"),
                in_static(name),
            )
        units = {n: Unit.from_json(n, u) for n, u in data.get("units", {}).items()}
        for unit, u in units.items():
            name = f"{UNIT_DIR}/{unit}"
            if name not in etc:
                etc[name] = EtcEntry(name, u.source, in_static=in_static(name))
        return cls(
            toplevel,
            data,
            MappingProxyType(dict(sorted(etc.items()))),
            MappingProxyType({n: User.from_json(n, u) for n, u in data.get("users", {}).items()}),
            MappingProxyType({n: Group.from_json(n, g) for n, g in data.get("groups", {}).items()}),
            MappingProxyType(units),
            tuple(Script.from_json(s) for s in data.get("activationScripts", [])),
        )

    @property
    def packages(self) -> str | None:
        return self.data.get("packages")

    @property
    def warnings(self) -> list:
        return self.data.get("warnings", [])

    @property
    def system(self) -> dict:
        return self.data.get("system", {})

    def etc_entries(self) -> dict[str, EtcEntry]:
        """Every managed file under /etc, by name relative to /etc, sorted."""
        return dict(self.etc)


EMPTY = Manifest.from_json(None, {"version": 1})


def load_manifest(toplevel: str | None) -> Manifest:
    """The manifest of a toplevel store path (`None` → the empty manifest)."""
    if toplevel is None:
        return EMPTY
    path = os.path.join(toplevel, "manifest.json")
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ManifestError(
            f"'{toplevel}' is not a system toplevel: it has no manifest.json"
        ) from None
    except json.JSONDecodeError as e:
        raise ManifestError(f"'{path}' is not valid JSON: {e}") from None
    except (OSError, UnicodeDecodeError, RecursionError) as e:
        raise ManifestError(f"cannot read '{path}': {e}") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        version = data.get("version") if isinstance(data, dict) else None
        raise ManifestError(f"'{path}': unsupported manifest version {version!r}")
    check_manifest(data, path, os.path.dirname(os.path.normpath(toplevel)))
    return Manifest.from_json(toplevel, data)
