"""Building a system toplevel directly from Python, without DCL.

For tests and benchmarks of `declos/system` on their own: the result has
the layout the modules produce (`manifest.json`, `etc/`, `units/`, `sw`,
see DESIGN.md) and is a real store path whose references are every store
file it names, so GC and closures behave as for a built toplevel.  It must
not be used by the commands themselves.

Example:
    top = make_toplevel(store, etc={"hosts": "127.0.0.1 localhost\\n"},
                        units={"web.service": "[Service]\\nExecStart=/bin/true\\n"},
                        users={"alice": {"isNormalUser": True}})
"""

from __future__ import annotations

import json
import os

from declos.eval.hashes import Hash
from declos.store.paths import make_store_path
from declos.store.store import Store

DEFAULT_USER: dict[str, object] = {
    "uid": None,
    "group": "users",
    "extraGroups": [],
    "home": None,
    "createHome": False,
    "shell": "/bin/sh",
    "description": "",
    "hashedPassword": None,
    "isSystemUser": False,
    "isNormalUser": False,
    "authorizedKeys": [],
}


def _store_name(name: str) -> str:
    out = "".join(c if c.isalnum() or c in "+-._?=" else "-" for c in name)
    return out.lstrip(".") or "file"


def make_toplevel(
    store: Store,
    *,
    etc: dict | None = None,
    units: dict | None = None,
    users: dict | None = None,
    groups: dict | None = None,
    scripts: list | None = None,
    packages: dict | None = None,
    host_name: str | None = "declos",
    warnings: list | None = None,
    name: str = "declos-system",
) -> str:
    """A toplevel store path.

    `etc`: name -> text, or -> {"text", "mode", "user", "group"}, or -> {"source": host path}.
    `units`: unit name -> text, or -> {"text", "wantedBy", "restartIfChanged",
    "stopIfChanged"}.  `users`/`groups`: as in the manifest (defaults filled).
    `scripts`: [(name, deps, text)].  `packages`: package name -> {bin name: text}.
    """
    refs: list[str] = []

    def text_file(label: str, text: str) -> str:
        p = str(store.add_text(_store_name(label), text))
        refs.append(p)
        return p

    etc_out, farm = {}, {}
    for n, e in sorted((etc or {}).items()):
        e = {"text": e} if isinstance(e, str) else e
        if "source" in e:  # a host file linked as it is (/dev/null: a masked unit)
            etc_out[n] = {"source": e["source"], "mode": "symlink", "user": "root", "group": "root"}
            continue
        src = text_file(os.path.basename(n), e["text"])
        etc_out[n] = {
            "source": src,
            "mode": e.get("mode", "symlink"),
            "user": e.get("user", "root"),
            "group": e.get("group", "root"),
        }
        farm[n] = src
    units_out, unit_farm = {}, {}
    for n, u in sorted((units or {}).items()):
        u = {"text": u} if isinstance(u, str) else u
        src = text_file(n, u["text"])
        units_out[n] = {
            "source": src,
            "wantedBy": list(u.get("wantedBy", ["multi-user.target"])),
            "restartIfChanged": u.get("restartIfChanged", True),
            "stopIfChanged": u.get("stopIfChanged", True),
            "reloadIfChanged": u.get("reloadIfChanged", False),
        }
        unit_farm[n] = src
        farm[f"systemd/system/{n}"] = src
    scripts_out = [
        {"name": sn, "deps": list(deps), "script": text_file(f"activate-{sn}", text)}
        for sn, deps, text in (scripts or [])
    ]
    sw = _packages(store, packages or {}, refs)
    users_out = {}
    for un, u in sorted((users or {}).items()):
        full = {**DEFAULT_USER, **u}
        if full["home"] is None:
            full["home"] = f"/home/{un}" if full["isNormalUser"] else "/var/empty"
        users_out[un] = full
    groups_out = {
        gn: {"gid": g.get("gid"), "members": list(g.get("members", []))}
        for gn, g in sorted((groups or {}).items())
    }
    manifest = {
        "version": 1,
        "system": {"stateVersion": "1", "hostName": host_name, "configurationFile": None},
        "etc": etc_out,
        "users": users_out,
        "groups": groups_out,
        "mutableUsers": False,
        "units": units_out,
        "activationScripts": scripts_out,
        "packages": sw,
        "assertionsChecked": True,
        "warnings": list(warnings or []),
    }
    text = json.dumps(manifest, sort_keys=True, indent=2) + "\n"
    digest = Hash.of("sha256", json.dumps([text, farm, unit_farm, name]).encode()).digest
    dest = make_store_path("output:out", digest, name, store.store_dir)

    def produce(tmp: str) -> None:
        os.makedirs(os.path.join(tmp, "etc"))
        os.makedirs(os.path.join(tmp, "units"))
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            f.write(text)
        for n, src in farm.items():
            link = os.path.join(tmp, "etc", n)
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(src, link)
        for n, src in unit_farm.items():
            os.symlink(src, os.path.join(tmp, "units", n))
        os.symlink(sw, os.path.join(tmp, "sw"))

    store.install(dest, produce, references=refs)
    return str(dest)


def _packages(store: Store, packages: dict, refs: list[str]) -> str:
    """An `sw` environment: a directory of links to one store path per package."""
    import tempfile

    pkg_paths = {}
    for pn, bins in sorted(packages.items()):
        with tempfile.TemporaryDirectory() as d:
            root = os.path.join(d, pn)
            os.makedirs(os.path.join(root, "bin"))
            for b, text in bins.items():
                with open(os.path.join(root, "bin", b), "w") as f:
                    f.write(text)
                os.chmod(os.path.join(root, "bin", b), 0o755)
            pkg_paths[pn] = str(store.add_path(root, pn))
    refs.extend(pkg_paths.values())
    digest = Hash.of("sha256", json.dumps(pkg_paths, sort_keys=True).encode()).digest
    dest = make_store_path("output:out", digest, "system-path", store.store_dir)

    def produce(tmp: str) -> None:
        os.makedirs(os.path.join(tmp, "bin"))
        for p in pkg_paths.values():
            for b in sorted(os.listdir(os.path.join(p, "bin"))):
                os.symlink(os.path.join(p, "bin", b), os.path.join(tmp, "bin", b))

    store.install(dest, produce, references=list(pkg_paths.values()))
    refs.append(str(dest))
    return str(dest)
