"""Users and groups: merging declared accounts into the root's passwd, group, shadow.

Every entry declos does not manage is kept, in place and unchanged.  A
declared account replaces its entry (an existing account is adopted: its
ids are kept, and it is never removed); one that does not exist is created
and remembered as created, so that when the configuration stops declaring
it, it is removed (its home is kept).  Ids are stable: a declared id wins,
then the id the account already has, then the one remembered in
`<root>/var/lib/declos/accounts.json` (ids are remembered for good, as
NixOS' `uid-map`), then a free one — system users and all groups from 999
down, normal users from 1000 up.

The state file is written before the account files (each temp-then-rename),
so a crash between them leaves "created" a superset and recovery removes
what it must.  Planning reads the root and changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os

from declos.diagnostics import DeclosError
from declos.system.actions import (
    Action,
    AddGroup,
    AddUser,
    ChangeGroup,
    ChangeUser,
    CreateHome,
    RemoveGroup,
    RemoveUser,
    WriteAccounts,
)
from declos.system.manifest import Manifest

STATE = "var/lib/declos/accounts.json"
FILES = (("etc/passwd", 0o644), ("etc/group", 0o644), ("etc/shadow", 0o600))


class AccountsError(DeclosError):
    code = "accounts"


def _read_lines(path: str) -> list[str]:
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def _name(line: str) -> str | None:
    if not line or line.startswith("#") or ":" not in line:
        return None
    return line.split(":", 1)[0]


def load_state(root: str) -> dict:
    try:
        with open(os.path.join(root, STATE)) as f:
            state = json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        state = {}
    return {
        "uids": dict(state.get("uids", {})),
        "gids": dict(state.get("gids", {})),
        "createdUsers": sorted(state.get("createdUsers", [])),
        "createdGroups": sorted(state.get("createdGroups", [])),
    }


class _Allocator:
    def __init__(self, taken: set[int], low: int, high: int, down: bool):
        self.taken, self.low, self.high, self.down = taken, low, high, down

    def take(self) -> int:
        rng = range(self.high, self.low - 1, -1) if self.down else range(self.low, self.high + 1)
        for i in rng:
            if i not in self.taken:
                self.taken.add(i)
                return i
        raise AccountsError(f"no free id left between {self.low} and {self.high}")


def plan_accounts(root: str, new: Manifest) -> list[Action]:
    passwd = _read_lines(os.path.join(root, "etc/passwd"))
    group = _read_lines(os.path.join(root, "etc/group"))
    shadow = _read_lines(os.path.join(root, "etc/shadow"))
    state = load_state(root)
    users = dict(sorted(new.users.items()))
    groups = {n: dict(g) for n, g in sorted(new.groups.items())}
    for u in users.values():  # groups used by users are declared implicitly
        for g in [u.get("group") or "users", *u.get("extraGroups", [])]:
            groups.setdefault(g, {"gid": None, "members": []})
    groups = dict(sorted(groups.items()))
    cur_u = {_name(line): line.split(":") for line in passwd if _name(line)}
    cur_g = {_name(line): line.split(":") for line in group if _name(line)}
    created_u = set(state["createdUsers"]) & set(cur_u)
    created_g = set(state["createdGroups"]) & set(cur_g)
    drop_u = {n for n in created_u if n not in users}
    drop_g = {n for n in created_g if n not in groups}

    # groups first: users need their gids
    taken = {
        int(f[2]) for n, f in cur_g.items() if n not in drop_g and len(f) > 2 and f[2].isdigit()
    }
    taken |= {v for k, v in state["gids"].items() if k not in groups}
    gids: dict[str, int] = {}
    for n, g in groups.items():
        if g.get("gid") is not None:
            gids[n] = int(g["gid"])
        elif n in cur_g and cur_g[n][2].isdigit():
            gids[n] = int(cur_g[n][2])
        elif n in state["gids"] and state["gids"][n] not in taken:
            gids[n] = state["gids"][n]
        taken |= {gids[n]} if n in gids else set()
    galloc = _Allocator(taken, 400, 999, True)
    for n in groups:
        if n not in gids:
            gids[n] = galloc.take()

    taken_u = {
        int(f[2]) for n, f in cur_u.items() if n not in drop_u and len(f) > 2 and f[2].isdigit()
    }
    taken_u |= {v for k, v in state["uids"].items() if k not in users}
    uids: dict[str, int] = {}
    for n, u in users.items():
        if u.get("uid") is not None:
            uids[n] = int(u["uid"])
        elif n in cur_u and cur_u[n][2].isdigit():
            uids[n] = int(cur_u[n][2])
        elif n in state["uids"] and state["uids"][n] not in taken_u:
            uids[n] = state["uids"][n]
        if n in uids:
            taken_u.add(uids[n])
    sys_alloc = _Allocator(taken_u, 400, 999, True)
    normal_alloc = _Allocator(taken_u, 1000, 29999, False)
    for n, u in users.items():
        if n not in uids:
            uids[n] = (normal_alloc if u.get("isNormalUser") else sys_alloc).take()

    members = {n: set(g.get("members", [])) for n, g in groups.items()}
    for n, u in users.items():
        for g in u.get("extraGroups", []):
            members[g].add(n)

    def user_line(n: str) -> str:
        u = users[n]
        gid = gids[u.get("group") or "users"]
        desc = (u.get("description") or "").replace(":", " ")
        home = u.get("home") or "/var/empty"
        shell = u.get("shell") or "/bin/sh"
        return f"{n}:x:{uids[n]}:{gid}:{desc}:{home}:{shell}"

    def group_line(n: str) -> str:
        return f"{n}:x:{gids[n]}:{','.join(sorted(members[n]))}"

    def shadow_line(n: str, old: str | None) -> str:
        h = users[n].get("hashedPassword")
        if h is None and old is not None:
            return old
        return f"{n}:{h if h is not None else '!'}:1::::::"

    actions: list[Action] = []
    new_passwd = _merge(passwd, users, drop_u, user_line)
    new_group = _merge(group, groups, drop_g, group_line)
    old_shadow = {_name(line): line for line in shadow if _name(line)}
    new_shadow = [line for line in shadow if _name(line) not in drop_u and _name(line) not in users]
    new_shadow += [shadow_line(n, old_shadow.get(n)) for n in users]

    for n in groups:
        if n not in cur_g:
            actions.append(AddGroup(n, gids[n]))
        elif group_line(n).split(":") != cur_g[n]:
            actions.append(ChangeGroup(n, _changed(cur_g[n], group_line(n), _GROUP_FIELDS)))
    actions += [RemoveGroup(n) for n in sorted(drop_g)]
    for n, u in users.items():
        if n not in cur_u:
            gid = gids[u.get("group") or "users"]
            actions.append(AddUser(n, uids[n], gid, u.get("home") or "/var/empty"))
        elif user_line(n).split(":") != cur_u[n]:
            actions.append(ChangeUser(n, _changed(cur_u[n], user_line(n), _USER_FIELDS)))
    actions += [RemoveUser(n) for n in sorted(drop_u)]

    new_state = {
        "uids": {**state["uids"], **uids},
        "gids": {**state["gids"], **gids},
        "createdUsers": sorted((created_u - drop_u) | (set(users) - set(cur_u))),
        "createdGroups": sorted((created_g - drop_g) | (set(groups) - set(cur_g))),
    }
    state_text = json.dumps(new_state, sort_keys=True, indent=1) + "\n"
    contents = [new_passwd, new_group, new_shadow]
    olds = [passwd, group, shadow]
    files = tuple(
        (path, "".join(line + "\n" for line in c), mode)
        for (path, mode), c, o in zip(FILES, contents, olds)
        if c != o
    )
    if files or state_text != _read_text(os.path.join(root, STATE)):
        actions.append(WriteAccounts(files, state_text))
    for n, u in users.items():
        home = u.get("home")
        if u.get("createHome") and home and not os.path.lexists(_in_root(root, home)):
            actions.append(CreateHome(home, uids[n], gids[u.get("group") or "users"]))
    return actions


_USER_FIELDS = ("name", "password", "uid", "gid", "description", "home", "shell")
_GROUP_FIELDS = ("name", "password", "gid", "members")


def _changed(old: list[str], new_line: str, names: tuple[str, ...]) -> tuple[str, ...]:
    new = new_line.split(":")
    return tuple(n for i, n in enumerate(names) if (old[i] if i < len(old) else None) != new[i])


def _merge(lines: list[str], declared: dict, drop: set[str], render) -> list[str]:
    out, seen = [], set()
    for line in lines:
        n = _name(line)
        if n in drop:
            continue
        if n in declared:
            out.append(render(n))
            seen.add(n)
        else:
            out.append(line)
    out += [render(n) for n in declared if n not in seen]
    return out


def _read_text(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return None


def _in_root(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


# --- applying -----------------------------------------------------------------------


def apply_write_accounts(root: str, a: WriteAccounts) -> None:
    from declos.system.journal import write_durably

    state = os.path.join(root, STATE)
    os.makedirs(os.path.dirname(state), exist_ok=True)
    write_durably(state, a.state.encode())
    for rel, content, mode in a.files:
        path = os.path.join(root, rel)
        if not content:  # nothing left (declos wrote every entry): no file
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            mode = os.stat(path).st_mode & 0o7777
        tmp = f"{path}.declos-tmp"
        with open(tmp, "w") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)


def apply_create_home(root: str, a: CreateHome) -> None:
    path = _in_root(root, a.path)
    if os.path.lexists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.declos-tmp"
    if os.path.isdir(tmp):
        os.rmdir(tmp)
    os.mkdir(tmp, 0o700)
    if os.geteuid() == 0:
        os.chown(tmp, a.uid, a.gid)
    os.rename(tmp, path)
