"""Checking a manifest before anything trusts it: defense in depth.

The modules already refuse hostile names and paths at evaluation, with the
user's file and line; this is the second line, for a toplevel that did not
come from them (another machine's store path, a hand-made one, a bug).
Every value activation writes into a system file, or uses as a path or a
name inside the root, is checked here: user and group names (useradd's
pattern, at most 32 characters), every passwd, group and shadow field (no
`:`, no line end as any reader counts them, no NUL), ids in 0 … 2^32-2,
homes and shells absolute and normalized, etc entry names relative and
normalized and none of declos' own files, unit names as systemd takes them,
modes as octal strings, sources and scripts in the store (etc links may
name a host file).  A violation is a `ManifestError` naming the manifest
and the field.  It must not touch a root.

Example:
    check_manifest(data, "/s/store/…-declos-system/manifest.json", "/s/store")
    # ManifestError: '/s/store/…/manifest.json' cannot be activated:
    #   users."evil\\nroot".home: "/home/../etc" is not a normalized absolute path
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from declos.diagnostics import DeclosError

NAME = re.compile(r"[a-z_][a-z0-9_-]*\$?")
NAME_MAX = 32
ID_MAX = 2**32 - 2  # 2^32-1 is (uid_t) -1
# What some reader takes for the end of a line (glibc: \n; Python's
# str.splitlines: also \v \f \r \x1c-\x1e NEL LS PS), and NUL.
LINE_ENDS = frozenset("\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029\0")
OWN_ETC = frozenset({"passwd", "shadow", "group", "gshadow", ".declos-managed"})
OWN_SUFFIX = re.compile(r".*\.declos-(tmp|backup(\.[0-9]+)?)")
MODE = re.compile(r"0?[0-7]{3}|[0-7]{4}")
UNIT = re.compile(
    r"[A-Za-z0-9:_.\\-]+(@[A-Za-z0-9:_.\\-]*)?"
    r"\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)"
)
UNIT_MAX = 255
STORE_NAME = re.compile(r"[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+\-._?=]+")
COMPONENT_MAX = 255  # bytes, as the kernel's NAME_MAX


_JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


class ManifestError(DeclosError):
    code = "manifest"


def name_problem(name: str) -> str | None:
    """Why `name` is not a user or group name useradd accepts, or None."""
    if not NAME.fullmatch(name):
        return f"does not match the regex {NAME.pattern}"
    if len(name) > NAME_MAX:
        return f"is longer than {NAME_MAX} characters"
    return None


def path_problem(path: str, absolute: bool) -> str | None:
    """Why `path` is not a normalized path (absolute or relative, as asked), or None."""
    if not LINE_ENDS.isdisjoint(path):
        return "contains a line end or a NUL character"
    if absolute:
        if not path.startswith("/"):
            return "is not absolute"
        if path == "/":
            return None
        path = path[1:]
    elif path.startswith("/"):
        return "is absolute"
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return 'is not normalized (an empty, "." or ".." component, or a trailing slash)'
    if any(len(p.encode(errors="surrogatepass")) > COMPONENT_MAX for p in parts):
        return f"has a component longer than {COMPONENT_MAX} bytes"
    return None


def etc_name_problem(name: str) -> str | None:
    """Why `name` (relative to /etc) cannot be a managed file, or None."""
    problem = path_problem(name, absolute=False)
    if problem:
        return problem
    parts = name.split("/")
    if name in OWN_ETC or parts[0] == "static":
        return "is one of declos' own files"
    if any(OWN_SUFFIX.fullmatch(p) for p in parts):
        return "ends like declos' temporaries and backups (.declos-tmp, .declos-backup)"
    return None


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_'-]*", k) else json.dumps(k)


class _Check:
    def __init__(self, where: str, store_dir: str):
        self.where = where
        self.store_dir = store_dir.rstrip("/")

    def fail(self, field: str, why: str, value: Any = None) -> ManifestError:
        shown = "" if value is None else f"{json.dumps(value)} "
        return ManifestError(f"'{self.where}' cannot be activated: {field}: {shown}{why}")

    def typed(self, value: Any, kinds: tuple, field: str, what: str) -> Any:
        if type(value) not in kinds:  # bool is not an int here
            raise self.fail(field, f"is {_JSON_TYPES.get(type(value), 'a value')}, not {what}")
        return value

    def obj(self, value: Any, field: str) -> dict:
        return self.typed(value, (dict,), field, "an object")

    def seq(self, value: Any, field: str) -> list:
        return self.typed(value, (list,), field, "a list")

    def each(self, value: Any, field: str, check: Callable[[Any, str], object]) -> None:
        """`check(item, "FIELD[i]")` for every item of the list `value`."""
        for i, item in enumerate(self.seq(value, field)):
            check(item, f"{field}[{i}]")

    def flag(self, d: dict, key: str, field: str) -> None:
        if key in d:
            self.typed(d[key], (bool,), f"{field}.{key}", "a boolean")

    def text(self, value: Any, field: str, passwd: bool = False, null: bool = False) -> None:
        """A string of one line (and, for a passwd/group/shadow field, no `:`)."""
        if value is None and null:
            return
        s = self.typed(value, (str,), field, "a string" + (" or null" if null else ""))
        if not LINE_ENDS.isdisjoint(s):
            raise self.fail(field, "contains a line end or a NUL character", s)
        if passwd and ":" in s:
            raise self.fail(field, 'contains ":", which separates the fields of the file', s)

    def name(self, value: Any, field: str) -> None:
        s = self.typed(value, (str,), field, "a user or group name")
        problem = name_problem(s)
        if problem:
            raise self.fail(field, f"is not a valid user or group name: it {problem}", s)

    def id(self, value: Any, field: str) -> None:
        if value is None:
            return
        i = self.typed(value, (int,), field, "an id (integer) or null")
        if not 0 <= i <= ID_MAX:
            raise self.fail(field, f"is outside 0 … {ID_MAX}", i)

    def path(self, value: Any, field: str, passwd: bool = False, null: bool = False) -> None:
        if value is None and null:
            return
        s = self.typed(value, (str,), field, "an absolute path" + (" or null" if null else ""))
        problem = path_problem(s, absolute=True)
        if problem:
            raise self.fail(field, problem, s)
        if passwd and ":" in s:
            raise self.fail(field, 'contains ":", which separates the fields of the file', s)

    def store_path(self, value: Any, field: str, host_ok: bool = False) -> None:
        """A path in the store (or below one); any absolute path when `host_ok`."""
        self.path(value, field)
        prefix = self.store_dir + "/"
        if value.startswith(prefix):
            if not STORE_NAME.fullmatch(value[len(prefix) :].split("/")[0]):
                raise self.fail(field, f"is not a store path of {self.store_dir}", value)
        elif not host_ok:
            raise self.fail(field, f"is not in the store {self.store_dir}", value)

    def unit(self, value: Any, field: str) -> None:
        s = self.typed(value, (str,), field, "a unit name")
        if len(s) > UNIT_MAX or not UNIT.fullmatch(s):
            raise self.fail(field, "is not a valid systemd unit name", s)


def check_manifest(data: Any, where: str, store_dir: str) -> None:
    """Raise a ManifestError for the first value of `data` activation must not trust."""
    c = _Check(where, store_dir)
    c.obj(data, "the manifest")
    system = c.obj(data.get("system", {}), "system")
    for k in ("stateVersion", "hostName", "configurationFile"):
        c.text(system.get(k), f"system.{k}", null=True)
    c.flag(data, "mutableUsers", "the manifest")
    c.flag(data, "assertionsChecked", "the manifest")
    c.each(data.get("warnings", []), "warnings", lambda w, f: c.typed(w, (str,), f, "a string"))
    for name, e in c.obj(data.get("etc", {}), "etc").items():
        _check_etc(c, name, e)
    for name, u in c.obj(data.get("users", {}), "users").items():
        _check_user(c, name, u)
    for name, g in c.obj(data.get("groups", {}), "groups").items():
        f = f"groups.{_key(name)}"
        c.name(name, f"{f} (the name)")
        c.obj(g, f)
        c.id(g.get("gid"), f"{f}.gid")
        c.each(g.get("members", []), f"{f}.members", c.name)
    for name, u in c.obj(data.get("units", {}), "units").items():
        f = f"units.{_key(name)}"
        c.unit(name, f"{f} (the name)")
        c.obj(u, f)
        c.store_path(u.get("source"), f"{f}.source")
        c.each(u.get("wantedBy", []), f"{f}.wantedBy", c.unit)
        for k in ("restartIfChanged", "stopIfChanged", "reloadIfChanged"):
            c.flag(u, k, f)
    for i, s in enumerate(c.seq(data.get("activationScripts", []), "activationScripts")):
        f = f"activationScripts[{i}]"
        c.obj(s, f)
        c.text(s.get("name"), f"{f}.name")
        c.each(s.get("deps", []), f"{f}.deps", c.text)
        c.store_path(s.get("script"), f"{f}.script")
    if data.get("packages") is not None:
        c.store_path(data["packages"], "packages")


def _check_etc(c: _Check, name: Any, e: Any) -> None:
    f = f"etc.{_key(name)}"
    problem = etc_name_problem(name)
    if problem:
        raise c.fail(f"{f} (the name)", problem, name)
    c.obj(e, f)
    mode = c.typed(e.get("mode", "symlink"), (str,), f"{f}.mode", "a string")
    if mode != "symlink" and not MODE.fullmatch(mode):
        raise c.fail(f"{f}.mode", 'is neither "symlink" nor an octal mode such as "0644"', mode)
    # a link may name a host file (localtime); a copy is only ever of the store
    c.store_path(e.get("source"), f"{f}.source", host_ok=mode == "symlink")
    for k in ("user", "group"):
        owner = c.typed(e.get(k, "root"), (str,), f"{f}.{k}", "a name or a number")
        # looked up in the root's passwd/group: a name's shape, of any length, or a number
        if not owner.isascii() or not (owner.isdigit() or NAME.fullmatch(owner)):
            raise c.fail(f"{f}.{k}", "is neither a valid user or group name nor a number", owner)


def _check_user(c: _Check, name: Any, u: Any) -> None:
    f = f"users.{_key(name)}"
    c.name(name, f"{f} (the name)")
    c.obj(u, f)
    c.id(u.get("uid"), f"{f}.uid")
    if u.get("group"):  # "" or missing: "users"
        c.name(u["group"], f"{f}.group")
    c.each(u.get("extraGroups", []), f"{f}.extraGroups", c.name)
    for k in ("home", "shell"):
        if u.get(k):  # "" or missing: a default
            c.path(u[k], f"{f}.{k}", passwd=True)
    c.text(u.get("description", ""), f"{f}.description", passwd=True)
    c.text(u.get("hashedPassword"), f"{f}.hashedPassword", passwd=True, null=True)
    c.path(u.get("hashedPasswordFile"), f"{f}.hashedPasswordFile", null=True)
    if u.get("hashedPassword") is not None and u.get("hashedPasswordFile") is not None:
        raise c.fail(f, "sets both hashedPassword and hashedPasswordFile")
    for k in ("createHome", "isSystemUser", "isNormalUser"):
        c.flag(u, k, f)
    # not written by activation (openssh's module makes the files): only typed
    c.each(
        u.get("authorizedKeys", []),
        f"{f}.authorizedKeys",
        lambda k, kf: c.typed(k, (str,), kf, "a string"),
    )
