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
from collections.abc import Callable, Mapping

import attrs

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
from declos.system.manifest import Group, Manifest, User
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
    if not line or ":" in line or "\ufffd" in line or not LINE_ENDS.isdisjoint(line):
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


# (lowest, highest, counting down): system users and every group from 999
# down, normal users from 1000 up
SYSTEM_IDS = (400, 999, True)
NORMAL_IDS = (1000, 29999, False)


def _free_id(taken: set[int], ids: tuple[int, int, bool]) -> int:
    low, high, down = ids
    for i in range(high, low - 1, -1) if down else range(low, high + 1):
        if i not in taken:
            taken.add(i)
            return i
    raise AccountsError(f"no free id left between {low} and {high}")


@attrs.frozen
class _Table:
    """passwd or group as planning sees it: its lines, its entries' fields by
    name, the entries declos created (and that are still there), and those of
    them the configuration no longer declares (to remove)."""

    lines: list[str]
    current: dict[str, list[str]]
    created: set[str]
    dropped: set[str]

    @classmethod
    def read(cls, fs: Root, rel: str, created: list[str], declared: Mapping) -> _Table:
        lines = _read_lines(fs, rel)
        current = {n: line.split(":") for line in lines if (n := _name(line))}
        mine = set(created) & set(current)
        return cls(lines, current, mine, {n for n in mine if n not in declared})

    def assign_ids(
        self,
        declared: dict[str, int | None],
        remembered: dict[str, int],
        range_of: Callable[[str], tuple[int, int, bool]],
    ) -> dict[str, int]:
        """Stable ids for the declared names (users or groups), in order of
        preference: the declared id; for an account declos created, the id it
        remembers (so a hand edit of the id is drift, put back); the id an
        existing (adopted) account has; a remembered id still free; else a
        free one in `range_of(name)`."""
        taken = {
            int(f[2])
            for n, f in self.current.items()
            if n not in self.dropped and len(f) > 2 and f[2].isdigit()
        }
        taken |= {v for k, v in remembered.items() if k not in declared}
        ids: dict[str, int] = {}
        for n, want in declared.items():
            have = self.current.get(n)
            if want is not None:
                ids[n] = int(want)
            elif n in self.created and n in remembered:
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
                ids[n] = _free_id(taken, range_of(n))
        return ids

    def merged(self, declared: Mapping, render: Callable[[str], str]) -> list[str]:
        """The lines with the declared entries rendered in place (new ones at
        the end) and the dropped ones gone; every other line kept."""
        out, seen = [], set()
        for line in self.lines:
            n = _name(line)
            if n in self.dropped:
                continue
            if n is not None and n in declared:
                out.append(render(n))
                seen.add(n)
            else:
                out.append(line)
        out += [render(n) for n in declared if n not in seen]
        return out

    def actions(
        self,
        declared: Mapping,
        render: Callable[[str], str],
        add: Callable[[str], Action],
        change: Callable[[str, tuple[str, ...]], Action],
        remove: Callable[[str], Action],
        fields: tuple[str, ...],
    ) -> list[Action]:
        out: list[Action] = []
        for n in declared:
            if n not in self.current:
                out.append(add(n))
            elif render(n).split(":") != self.current[n]:
                out.append(change(n, _changed(self.current[n], render(n), fields)))
        return out + [remove(n) for n in sorted(self.dropped)]

    def created_after(self, declared: Mapping) -> list[str]:
        return sorted((self.created - self.dropped) | (set(declared) - set(self.current)))


def plan_accounts(root: str | Root, new: Manifest) -> list[Action]:
    with rootfs.opened(root) as fs:
        return _plan_accounts(fs, new)


def _plan_accounts(fs: Root, new: Manifest) -> list[Action]:
    state = load_state(fs)
    users = dict(sorted(new.users.items()))
    groups = dict(new.groups)
    for u in users.values():  # groups used by users are declared implicitly
        for g in [u.group, *u.extra_groups]:
            groups.setdefault(g, Group(g))
    groups = dict(sorted(groups.items()))
    pw = _Table.read(fs, "etc/passwd", state["createdUsers"], users)
    gr = _Table.read(fs, "etc/group", state["createdGroups"], groups)
    # groups first: users need their gids
    gids = gr.assign_ids({n: g.gid for n, g in groups.items()}, state["gids"], lambda n: SYSTEM_IDS)
    uids = pw.assign_ids(
        {n: u.uid for n, u in users.items()},
        state["uids"],
        lambda n: NORMAL_IDS if users[n].is_normal_user else SYSTEM_IDS,
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

    def add_user(n: str) -> Action:
        return AddUser(n, uids[n], gids[users[n].group], users[n].passwd_home)

    actions = gr.actions(
        groups, group_line, lambda n: AddGroup(n, gids[n]), ChangeGroup, RemoveGroup, _GROUP_FIELDS
    )
    actions += pw.actions(users, user_line, add_user, ChangeUser, RemoveUser, _USER_FIELDS)
    state_text = _state_text(
        {
            "uids": {**state["uids"], **uids},
            "gids": {**state["gids"], **gids},
            "createdUsers": pw.created_after(users),
            "createdGroups": gr.created_after(groups),
        }
    )
    shadow = _read_lines(fs, "etc/shadow")
    contents = [
        (pw.lines, pw.merged(users, user_line)),
        (gr.lines, gr.merged(groups, group_line)),
        (shadow, _shadow(fs, shadow, users, pw.dropped)),
    ]
    files = tuple(
        (path, "".join(line + "\n" for line in c), mode)
        for (path, mode), (o, c) in zip(FILES, contents)
        if c != o
    )
    if files or state_text != fs.read_text(STATE):
        actions.append(WriteAccounts(files, state_text))
    for n, u in users.items():
        if u.create_home and u.home and not fs.lexists(u.home):
            actions.append(CreateHome(u.home, uids[n], gids[u.group]))
    return actions


def _shadow(fs: Root, lines: list[str], users: Mapping[str, User], dropped: set[str]) -> list[str]:
    """shadow's lines: the declared users' in declared order at the end, a
    user with no hash set keeping the one it has (set with passwd)."""
    old = {n: line for line in lines if (n := _name(line))}
    out = [line for line in lines if _name(line) not in dropped and _name(line) not in users]
    for n, u in users.items():
        h = u.hashed_password
        if u.hashed_password_file:
            h = hash_from_file(fs, n, u.hashed_password_file)
        if h is None and n in old:
            out.append(old[n])
        else:
            out.append(f"{n}:{h if h is not None else '!'}:1::::::")
    return out


def _state_text(state: dict) -> str:
    return json.dumps(state, sort_keys=True, indent=1) + "\n"


_USER_FIELDS = ("name", "password", "uid", "gid", "description", "home", "shell")
_GROUP_FIELDS = ("name", "password", "gid", "members")


def _changed(old: list[str], new_line: str, names: tuple[str, ...]) -> tuple[str, ...]:
    new = new_line.split(":")
    return tuple(n for i, n in enumerate(names) if (old[i] if i < len(old) else None) != new[i])


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
    fs.write_file(STATE, _state_text(state).encode(), 0o644, tmp=f".tmp-{os.getpid()}")


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
