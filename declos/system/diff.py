"""What changed between two generations (`declos diff`), and drift (`declos status`).

`diff_manifests` compares two toplevels' manifests: etc files added,
removed and changed (with a unified diff for text), units, users and
groups, packages, and the closure size.  Packages are listed as nvd does:
the system profile's entries (`sw`) and each user's
(`/etc/profiles/per-user/<name>`) by name, added, removed or changed with
their versions, and the host distribution's packages the generation
declares (`hostPackages`), added or removed.  `render_diff` prints it in a
stable, line-oriented form; `to_json` is its `--json` form.  Nothing here
changes anything.

Example:
    d = diff_manifests(store, gen1.path, gen2.path)
    print(render_diff(d, "1", "2"))
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping

import attrs

from declos.store.store import Store
from declos.system.manifest import Manifest, load_manifest
from declos.system.plan import package_names


@attrs.frozen
class Diff:
    etc_added: tuple[str, ...]
    etc_removed: tuple[str, ...]
    etc_changed: tuple[tuple[str, tuple[str, ...]], ...]  # (name, unified diff lines)
    units_added: tuple[str, ...]
    units_removed: tuple[str, ...]
    units_changed: tuple[str, ...]
    users: tuple[tuple[str, str], ...]  # (name, "added" | "removed" | "changed")
    groups: tuple[tuple[str, str], ...]
    packages_added: tuple[str, ...]
    packages_removed: tuple[str, ...]
    closure_size: tuple[int | None, int | None]
    #: (profile, name, old version, new version): profile "" is the system's, else a user;
    #: a version is None where the package is absent ("" where it has none)
    package_changes: tuple[tuple[str, str, str | None, str | None], ...] = ()
    host_packages: tuple[tuple[str, str], ...] = ()  # (name, "added" | "removed")


def _bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _text_diff(name: str, a: bytes | None, b: bytes | None, la: str, lb: str) -> tuple[str, ...]:
    if a is None or b is None or b"\0" in a or b"\0" in b:
        return ("(binary or unreadable: contents differ)",)
    try:
        ta, tb = a.decode(), b.decode()
    except UnicodeDecodeError:
        return ("(binary: contents differ)",)
    lines = difflib.unified_diff(
        ta.splitlines(), tb.splitlines(), f"{la}/etc/{name}", f"{lb}/etc/{name}", lineterm=""
    )
    return tuple(lines)


def _closure_size(store: Store, path: str | None) -> int | None:
    if path is None or not store.is_valid(path):
        return None
    infos = [store.query_path_info(p) for p in store.closure([path])]
    return sum(i.nar_size for i in infos if i is not None)


def _compare(a: Mapping, b: Mapping) -> tuple[tuple[str, str], ...]:
    out = []
    for n in sorted(set(a) | set(b)):
        if n not in a:
            out.append((n, "added"))
        elif n not in b:
            out.append((n, "removed"))
        elif a[n] != b[n]:
            out.append((n, "changed"))
    return tuple(out)


def diff_manifests(
    store: Store, a: str | None, b: str | None, la: str = "a", lb: str = "b"
) -> Diff:
    ma, mb = load_manifest(a), load_manifest(b)
    ea, eb = ma.etc_entries(), mb.etc_entries()
    changed = []
    for n in sorted(set(ea) & set(eb)):
        x, y = ea[n], eb[n]
        if x.source == y.source and x.mode == y.mode and (x.user, x.group) == (y.user, y.group):
            continue
        da, db = _bytes(x.source), _bytes(y.source)
        lines: tuple[str, ...] = ()
        if da != db:
            lines = _text_diff(n, da, db, la, lb)
        if x.mode != y.mode or (x.user, x.group) != (y.user, y.group):
            lines = (f"(mode {x.mode} {x.user}:{x.group} -> {y.mode} {y.user}:{y.group})",) + lines
        if lines:
            changed.append((n, lines))
    ua, ub = ma.units, mb.units
    units_changed = tuple(
        n
        for n in sorted(set(ua) & set(ub))
        if ua[n].source != ub[n].source and _bytes(ua[n].source) != _bytes(ub[n].source)
    )
    pa, pb = package_names(ma.packages), package_names(mb.packages)
    hosts = set(_host_names(ma)) | set(_host_names(mb))
    changes = _profile_changes("", pa, pb, hosts)
    for user in sorted(_user_profiles(ea) | _user_profiles(eb)):
        name = f"profiles/per-user/{user}"
        ua_ = package_names(ea[name].source) if name in ea else set()
        ub_ = package_names(eb[name].source) if name in eb else set()
        changes += _profile_changes(user, ua_, ub_, hosts)
    return Diff(
        tuple(sorted(set(eb) - set(ea))),
        tuple(sorted(set(ea) - set(eb))),
        tuple(changed),
        tuple(sorted(set(ub) - set(ua))),
        tuple(sorted(set(ua) - set(ub))),
        units_changed,
        _compare(ma.users, mb.users),
        _compare(ma.groups, mb.groups),
        tuple(sorted(pb - pa)),
        tuple(sorted(pa - pb)),
        (_closure_size(store, a), _closure_size(store, b)),
        tuple(changes),
        _compare(_host_names(ma), _host_names(mb)),
    )


def _host_names(m: Manifest) -> dict[str, bool]:
    raw = m.data.get("hostPackages")
    pkgs = raw.get("packages") if isinstance(raw, dict) else None
    return {n: True for n in pkgs} if isinstance(pkgs, dict) else {}


def _user_profiles(entries: dict) -> set[str]:
    prefix = "profiles/per-user/"
    return {
        n[len(prefix) :] for n in entries if n.startswith(prefix) and "/" not in n[len(prefix) :]
    }


def split_name(store_name: str, hosts: Collection[str] = ()) -> tuple[str, str]:
    """(name, version) of a store path's name, as Nix's `parseDrvName` (the
    name ends at the first "-" not followed by a letter), except that a host
    package's name is taken whole: `libnl-3-200-3.7.0-0.2` is libnl-3-200."""
    for h in hosts:
        if store_name.startswith(h + "-") and store_name[len(h) + 1 : len(h) + 2].isdigit():
            return h, store_name[len(h) + 1 :]
    for i, c in enumerate(store_name):
        if c == "-" and i + 1 < len(store_name) and not store_name[i + 1].isalpha():
            return store_name[:i], store_name[i + 1 :]
    return store_name, ""


def _profile_changes(profile: str, a: set[str], b: set[str], hosts: set[str]) -> list:
    """(profile, name, old version, new version) for each name whose versions differ."""
    va: dict[str, set[str]] = {}
    vb: dict[str, set[str]] = {}
    for names, into in ((a, va), (b, vb)):
        for n in names:
            name, version = split_name(n, hosts)
            into.setdefault(name, set()).add(version)
    out = []
    for name in sorted(set(va) | set(vb)):
        x, y = va.get(name), vb.get(name)
        if x == y:
            continue
        show = lambda v: None if v is None else ", ".join(sorted(v))  # noqa: E731
        out.append((profile, name, show(x), show(y)))
    return out


def _size(n: int | None) -> str:
    return "?" if n is None else f"{n} bytes"


def render_diff(d: Diff) -> str:
    lines = []
    lines += [f"etc added {n}" for n in d.etc_added]
    lines += [f"etc removed {n}" for n in d.etc_removed]
    for n, diff in d.etc_changed:
        lines.append(f"etc changed {n}")
        lines += [f"  {line}" for line in diff]
    lines += [f"unit added {n}" for n in d.units_added]
    lines += [f"unit removed {n}" for n in d.units_removed]
    lines += [f"unit changed {n}" for n in d.units_changed]
    lines += [f"user {what} {n}" for n, what in d.users]
    lines += [f"group {what} {n}" for n, what in d.groups]
    lines += [f"host package {what} {n}" for n, what in d.host_packages]
    for profile, name, x, y in d.package_changes:
        where = f"user {profile} " if profile else ""
        if x is None:
            lines.append(f"{where}package added {name}{_version(y)}")
        elif y is None:
            lines.append(f"{where}package removed {name}{_version(x)}")
        else:
            lines.append(
                f"{where}package changed {name} {x or '(no version)'} -> {y or '(no version)'}"
            )
    a, b = d.closure_size
    change = f" ({b - a:+d} bytes)" if a is not None and b is not None else ""
    lines.append(f"closure size {_size(a)} -> {_size(b)}{change}")
    return "\n".join(lines) + "\n"


def _version(v: str | None) -> str:
    return f" {v}" if v else ""


def to_json(d: Diff) -> dict:
    return {
        "etc": {
            "added": list(d.etc_added),
            "removed": list(d.etc_removed),
            "changed": {n: list(lines) for n, lines in d.etc_changed},
        },
        "units": {
            "added": list(d.units_added),
            "removed": list(d.units_removed),
            "changed": list(d.units_changed),
        },
        "users": dict(d.users),
        "groups": dict(d.groups),
        "packages": {
            "added": list(d.packages_added),
            "removed": list(d.packages_removed),
            "changes": [
                {"profile": p or None, "name": n, "from": x, "to": y}
                for p, n, x, y in d.package_changes
            ],
        },
        "hostPackages": dict(d.host_packages),
        "closureSize": {"from": d.closure_size[0], "to": d.closure_size[1]},
    }
