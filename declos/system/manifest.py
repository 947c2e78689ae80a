"""Reading a toplevel's `manifest.json`: the contract between modules and activation.

The layout and keys are in DESIGN.md ("The system toplevel and its
manifest").  This module reads and checks the file, fills in defaults, and
derives the one view activation needs: every file under `/etc` the
generation manages, including unit files (`units` entries not already in
`etc` become `systemd/system/<unit>` entries).  A store path may be
hostile: `load_manifest` checks every value activation would write into a
system file (`manifest_check.py`) and refuses the manifest otherwise.  It
must not evaluate DCL or touch a target root.

Example:
    m = load_manifest("/state/store/…-declos-system")
    m.etc_entries()["hosts"].source     # the store file /etc/hosts links to
    EMPTY.etc_entries() == {}           # "no generation": nothing managed
"""

from __future__ import annotations

import json
import os

import attrs

from declos.system.manifest_check import ManifestError, check_manifest

__all__ = ["EMPTY", "UNIT_DIR", "EtcEntry", "Manifest", "ManifestError", "load_manifest"]

UNIT_DIR = "systemd/system"


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
class Manifest:
    toplevel: str | None  # None: the empty manifest (no generation)
    data: dict = attrs.field(factory=dict, repr=False)

    @property
    def etc(self) -> dict:
        return self.data.get("etc", {})

    @property
    def users(self) -> dict:
        return self.data.get("users", {})

    @property
    def groups(self) -> dict:
        return self.data.get("groups", {})

    @property
    def units(self) -> dict:
        return self.data.get("units", {})

    @property
    def scripts(self) -> list:
        return self.data.get("activationScripts", [])

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
        out: dict[str, EtcEntry] = {}
        static = os.path.join(self.toplevel, "etc") if self.toplevel else None
        for name, e in self.etc.items():  # names checked at load: normalized, relative
            out[name] = EtcEntry(
                name,
                e["source"],
                str(e.get("mode", "symlink")),
                e.get("user", "root"),
                e.get("group", "root"),
                in_static=bool(static and os.path.lexists(os.path.join(static, name))),
            )
        for unit, u in self.units.items():
            name = f"{UNIT_DIR}/{unit}"
            if name not in out:
                out[name] = EtcEntry(
                    name,
                    u["source"],
                    in_static=bool(static and os.path.lexists(os.path.join(static, name))),
                )
        return dict(sorted(out.items()))


EMPTY = Manifest(None, {"version": 1})


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
    return Manifest(toplevel, data)
