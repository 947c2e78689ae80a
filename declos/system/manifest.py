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

import functools
import json
import os
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

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

_R = TypeVar("_R", bound=attrs.AttrsInstance)


def _record(
    cls: type[_R], d: Mapping[str, Any], unset_if_empty: tuple[str, ...] = (), **fixed: Any
) -> _R:
    """A `cls` record of the manifest's JSON object `d`: each field from its
    camelCase key (`extra_groups` from `extraGroups`), lists as tuples; a key
    missing or null, or "" for a field in `unset_if_empty`, takes the field's
    default, so the defaults are the records' and nowhere else."""
    kw = dict(fixed)
    for name, key in _keys(cls):
        if name in kw:
            continue
        v = d.get(key)
        if v is None or (v == "" and name in unset_if_empty):
            continue
        kw[name] = tuple(v) if isinstance(v, list) else v
    return cls(**kw)


@functools.cache
def _keys(cls: type[attrs.AttrsInstance]) -> tuple[tuple[str, str], ...]:
    """(field, its manifest key) of a record class, spelled once per class
    rather than per record (a third of a large manifest's load)."""
    return tuple(
        (f.name, re.sub(r"_(.)", lambda m: m.group(1).upper(), f.name)) for f in attrs.fields(cls)
    )


@attrs.frozen
class EtcEntry:
    name: str  # relative to /etc
    source: str  # the store file
    mode: str = "symlink"  # or an octal string, e.g. "0644": a copy
    user: str = "root"
    group: str = "root"
    in_static: bool = True  # present under <toplevel>/etc (else linked to `source` directly)

    @property
    def is_copy(self) -> bool:
        return self.mode != "symlink"


@attrs.frozen
class User:
    """`users.<name>`.  A `group`, `home`, `shell` or `hashedPasswordFile`
    given as "" is unset, as a missing key is."""

    name: str
    uid: int | None = None
    group: str = "users"
    extra_groups: tuple[str, ...] = ()
    home: str | None = None  # None: /var/empty in passwd, and no home to create
    create_home: bool = False
    shell: str = "/bin/sh"
    description: str = ""
    hashed_password: str | None = None  # "" is a password (the empty one); None: none set
    hashed_password_file: str | None = None  # a file in the root (absent in older manifests)
    is_system_user: bool = False
    is_normal_user: bool = False
    authorized_keys: tuple[str, ...] = ()

    @property
    def passwd_home(self) -> str:
        return self.home or "/var/empty"

    @classmethod
    def from_json(cls, name: str, d: Mapping[str, Any]) -> User:
        unset = ("group", "home", "shell", "hashed_password_file")
        return _record(cls, d, unset, name=name)


@attrs.frozen
class Group:
    name: str
    gid: int | None = None
    members: tuple[str, ...] = ()


@attrs.frozen
class Unit:
    """`units.<name>`: a unit file and how a switch treats it when it changes."""

    name: str
    source: str  # the store path of the unit file
    wanted_by: tuple[str, ...] = ()
    restart_if_changed: bool = True
    stop_if_changed: bool = True
    reload_if_changed: bool = False


@attrs.frozen
class Script:
    """An activation script: run after those it depends on."""

    name: str
    script: str  # the store path of the script
    deps: tuple[str, ...] = ()


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
            etc[name] = _record(EtcEntry, e, name=name, in_static=in_static(name))
        units = {n: _record(Unit, u, name=n) for n, u in data.get("units", {}).items()}
        for unit, u in units.items():
            name = f"{UNIT_DIR}/{unit}"
            if name not in etc:
                etc[name] = EtcEntry(name, u.source, in_static=in_static(name))
        return cls(
            toplevel,
            data,
            MappingProxyType(dict(sorted(etc.items()))),
            MappingProxyType({n: User.from_json(n, u) for n, u in data.get("users", {}).items()}),
            MappingProxyType(
                {n: _record(Group, g, name=n) for n, g in data.get("groups", {}).items()}
            ),
            MappingProxyType(units),
            tuple(_record(Script, s) for s in data.get("activationScripts", [])),
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
