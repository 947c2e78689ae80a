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

The state's "created" lists only grow until the account files are durable:
applying writes the union of the old and the new lists first, then
passwd, group and shadow (each temp-then-rename, fsync'd), then the final
state (names dropped), so a crash anywhere leaves "created" a superset and
recovery removes what it must.  Every file is read and written through
`rootfs` (no symlink in the root is followed; a temp is created with its
final mode, so shadow's is never readable by others).  Planning reads the
root and changes nothing.
"""

from __future__ import annotations

import json
import os
import stat

from declos.diagnostics import DeclosError
from declos.system import journal, rootfs
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
from declos.system.manifest import Group, Manifest
from declos.system.manifest_check import LINE_ENDS
from declos.system.rootfs import Root

STATE = "var/lib/declos/accounts.json"
FILES = (("etc/passwd", 0o644), ("etc/group", 0o644), ("etc/shadow", 0o600))


class AccountsError(DeclosError):
    code = "accounts"


def _read_lines(fs: Root, rel: str) -> list[str]:
    # "\n" only, as glibc reads them: str.splitlines also splits on \r, NEL,
    # U+2028 …, so a GECOS set with chfn could come back as a line of its own
    lines = (fs.read_text(rel) or "").split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def hash_from_file(fs: Root, user: str, path: str) -> str:
    """The hash in `users.<user>.hashedPasswordFile`, read inside the root at
    planning (one line, a final newline allowed, no `:`), so that a missing
    or bad file fails before anything changes."""
    what = f"users.users.{user}.hashedPasswordFile: '{path}' in the root {fs.path}"
    try:
        data = fs.read_bytes(path)
    except DeclosError as e:  # a symlink, not a regular file, unreadable
        raise AccountsError(f"{what} cannot be read: {e.message}") from None
    if data is None:
        raise AccountsError(f"{what} does not exist")
    text = data.decode(errors="replace")
    line = text[:-1] if text.endswith("\n") else text
    if not line or ":" in line or "\ufffd" in line or any(c in LINE_ENDS for c in line):
        raise AccountsError(
            f"{what} must hold the password hash on one line (UTF-8, no ':'), as mkpasswd prints it"
        )
    return line


def _name(line: str) -> str | None:
    if not line or line.startswith("#") or ":" not in line:
        return None
    return line.split(":", 1)[0]


def load_state(root: str | Root) -> dict:
    with rootfs.opened(root) as fs:
        text = fs.read_text(STATE)
    try:
        state = json.loads(text) if text is not None else {}
    except json.JSONDecodeError:
        state = {}
    if not isinstance(state, dict):
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


def plan_accounts(root: str | Root, new: Manifest) -> list[Action]:
    with rootfs.opened(root) as fs:
        return _plan_accounts(fs, new)


def _plan_accounts(fs: Root, new: Manifest) -> list[Action]:
    passwd = _read_lines(fs, "etc/passwd")
    group = _read_lines(fs, "etc/group")
    shadow = _read_lines(fs, "etc/shadow")
    state = load_state(fs)
    users = dict(sorted(new.users.items()))
    groups = dict(new.groups)
    for u in users.values():  # groups used by users are declared implicitly
        for g in [u.group, *u.extra_groups]:
            groups.setdefault(g, Group(g))
    groups = dict(sorted(groups.items()))
    cur_u = {_name(line): line.split(":") for line in passwd if _name(line)}
    cur_g = {_name(line): line.split(":") for line in group if _name(line)}
    created_u = set(state["createdUsers"]) & set(cur_u)
    created_g = set(state["createdGroups"]) & set(cur_g)
    drop_u = {n for n in created_u if n not in users}
    drop_g = {n for n in created_g if n not in groups}

    # groups first: users need their gids
    gids = _assign_ids(
        {n: g.gid for n, g in groups.items()},
        cur_g,
        created_g,
        drop_g,
        state["gids"],
        lambda _n, taken: _Allocator(taken, 400, 999, True),
    )
    uids = _assign_ids(
        {n: u.uid for n, u in users.items()},
        cur_u,
        created_u,
        drop_u,
        state["uids"],
        lambda n, taken: (
            _Allocator(taken, 1000, 29999, False)
            if users[n].is_normal_user
            else _Allocator(taken, 400, 999, True)
        ),
    )

    members = {n: set(g.members) for n, g in groups.items()}
    for n, u in users.items():
        for g in u.extra_groups:
            members[g].add(n)

    def user_line(n: str) -> str:
        u = users[n]
        desc = u.description.replace(":", " ")
        return f"{n}:x:{uids[n]}:{gids[u.group]}:{desc}:{u.passwd_home}:{u.shell}"

    def group_line(n: str) -> str:
        return f"{n}:x:{gids[n]}:{','.join(sorted(members[n]))}"

    def shadow_line(n: str, old: str | None) -> str:
        h = users[n].hashed_password
        if users[n].hashed_password_file:
            h = hash_from_file(fs, n, users[n].hashed_password_file)
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
            actions.append(AddUser(n, uids[n], gids[u.group], u.passwd_home))
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
    if files or state_text != fs.read_text(STATE):
        actions.append(WriteAccounts(files, state_text))
    for n, u in users.items():
        if u.create_home and u.home and not fs.lexists(u.home):
            actions.append(CreateHome(u.home, uids[n], gids[u.group]))
    return actions


def _assign_ids(
    declared: dict[str, int | None],
    current: dict[str, list[str]],
    created: set[str],
    dropped: set[str],
    remembered: dict[str, int],
    allocator,
) -> dict[str, int]:
    """Stable ids for the declared names (users or groups), in order of preference:
    the declared id; for an account declos created, the id it remembers (so a
    hand edit of the id is drift, put back); the id an existing (adopted) account
    has; a remembered id still free; else a free one from `allocator(name, taken)`."""
    taken = {
        int(f[2]) for n, f in current.items() if n not in dropped and len(f) > 2 and f[2].isdigit()
    }
    taken |= {v for k, v in remembered.items() if k not in declared}
    ids: dict[str, int] = {}
    for n, want in declared.items():
        have = current.get(n)
        if want is not None:
            ids[n] = int(want)
        elif n in created and n in remembered:
            ids[n] = remembered[n]
        elif have is not None and len(have) > 2 and have[2].isdigit():
            ids[n] = int(have[2])
        elif n in remembered and remembered[n] not in taken:
            ids[n] = remembered[n]
        else:
            continue
        taken.add(ids[n])
    for n in declared:
        if n not in ids:
            ids[n] = allocator(n, taken).take()
    return ids


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


# --- applying -----------------------------------------------------------------------


def apply_write_accounts(fs: Root, a: WriteAccounts) -> None:
    """State (grown), then the account files, then the final state; see the module doc.

    Test fault injection: `accounts-state-grown` after the first state
    write, `accounts-files-written` before the final one."""
    final = json.loads(a.state)
    old = load_state(fs)
    grown = {
        **final,
        **{
            k: sorted(set(final.get(k, [])) | set(old[k]))
            for k in ("createdUsers", "createdGroups")
        },
    }
    fs.makedirs(os.path.dirname(STATE))
    if grown != final:
        _write_state(fs, grown)
        journal.checkpoint("accounts-state-grown")
    else:
        _write_state(fs, final)
    for rel, content, mode in a.files:
        if not content:  # nothing left (declos wrote every entry): no file
            fs.unlink(rel)
            continue
        fs.makedirs(os.path.dirname(rel))
        owner = None
        st = fs.lstat(rel)
        if st is not None and stat.S_ISREG(st.st_mode):  # keep a hand-set mode and owner
            mode = stat.S_IMODE(st.st_mode)
            owner = (st.st_uid, st.st_gid) if os.geteuid() == 0 else None
        fs.write_file(rel, content.encode(errors="surrogateescape"), mode, owner)
    if grown != final:
        journal.checkpoint("accounts-files-written")
        _write_state(fs, final)


def _write_state(fs: Root, state: dict) -> None:
    text = json.dumps(state, sort_keys=True, indent=1) + "\n"
    fs.write_file(STATE, text.encode(), 0o644, tmp=f".tmp-{os.getpid()}")


def apply_create_home(fs: Root, a: CreateHome) -> None:
    """Create the home: its missing parents (0755, no link followed), then
    the home itself as `HOME.declos-tmp` (0700, chowned through its fd),
    renamed into place, so a crash never leaves a half-made home."""
    if fs.lexists(a.path):
        return
    parts = rootfs.split(a.path)
    if len(parts) > 1:
        fs.makedirs("/".join(parts[:-1]))
    tmp = a.path + rootfs.TMP
    st = fs.lstat(tmp)
    if st is not None:  # a crash between mkdir and rename, or something planted
        if stat.S_ISDIR(st.st_mode):
            fs.rmdir(tmp)
        else:
            fs.unlink(tmp)
    fs.mkdir(tmp, 0o700)
    if os.geteuid() == 0:
        fs.chown_dir(tmp, a.uid, a.gid)
    fs.rename(tmp, a.path)
