"""What has drifted in a root since its generation was activated.

`declos status` reports it; `declos switch` to the current generation
repairs it (`transaction.System._reassert`).  Two kinds: managed files
under /etc (`etc.drift`: missing, replaced, relinked, content or mode
changed) and managed accounts (a declared user's or group's passwd/group
entry edited or removed by hand, found by planning the accounts of the
current manifest against the root).  Reading only: nothing is changed.
"""

from __future__ import annotations

import os

import attrs

from declos.diagnostics import DeclosError
from declos.system import actions, etc
from declos.system.accounts import plan_accounts
from declos.system.manifest import Manifest


@attrs.frozen
class Drift:
    kind: str  # "file" | "account" | "root"
    what: str  # "/etc/hostname", "user alice", the root
    change: str

    def describe(self) -> str:
        return f"drift {self.what}: {self.change}"

    def to_json(self) -> dict:
        return {self.kind: self.what, "change": self.change}


def root_drift(root: str, manifest: Manifest) -> list[Drift]:
    static = os.path.join(manifest.toplevel, "etc") if manifest.toplevel else None
    try:
        found = [Drift("file", f"/etc/{n}", w) for n, w in etc.drift(root, static)]
        found += _account_drift(root, manifest)
    except DeclosError as e:  # e.g. a root declos refuses to read
        found = [Drift("root", root, e.message)]
    return found


def _account_drift(root: str, manifest: Manifest) -> list[Drift]:
    out: list[Drift] = []
    for a in plan_accounts(root, manifest):
        if isinstance(a, actions.ChangeUser | actions.ChangeGroup):
            kind = "user" if isinstance(a, actions.ChangeUser) else "group"
            out.append(
                Drift("account", f"{kind} {a.name}", f"{', '.join(a.fields)} changed by hand")
            )
        elif isinstance(a, actions.AddUser | actions.AddGroup):
            kind = "user" if isinstance(a, actions.AddUser) else "group"
            out.append(Drift("account", f"{kind} {a.name}", "missing"))
    return out
