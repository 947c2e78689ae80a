"""Login shells the configuration chose must exist on the target root.

`users.defaultUserShell = "/bin/zsh"` on a host without zsh would lock its
users out of their shells; so planning checks, on the root being switched,
every shell the manifest's `shells` lists (those the configuration set, with
the definition that set them: `users-groups.dcl`; the module library's own
defaults, such as /bin/bash and /usr/sbin/nologin, are the distribution's
business).  A shell passes when, inside the root, it resolves (symlinks
followed *within* the root, as the target system will follow them) to an
executable regular file; when it is a file of the store or of the new
generation (`/run/current-system/…` is read from the new toplevel); or
when a package of the new generation's `hostPackages` provides it (the
switch installs that before accounts change: `hostPackage`, set by
programs.zsh).  Otherwise planning fails before anything changes, naming
the user, the shell and the definition's file and line.  It must not
write anything.

Example:
    check_shells("/mnt/image", load_manifest(toplevel), store_dir)
    # ShellError: the login shell /bin/zsh of the user alice does not exist
    #   in the root /mnt/image (users.defaultUserShell, defined in /c/config.dcl:3); …
"""

from __future__ import annotations

import json
import os
import stat

from declos.diagnostics import DeclosError
from declos.system import rootfs
from declos.system.manifest import Manifest

CURRENT = "/run/current-system/"
MAX_LINKS = 40  # as the kernel's ELOOP limit

HINT = (
    "install it on the host, let declos install it (programs.zsh.enable = true "
    "installs zsh; environment.hostPackages any package), or choose another shell"
)


class ShellError(DeclosError):
    code = "shell"


def check_shells(root: str | rootfs.Root, new: Manifest, store_dir: str | None) -> None:
    """Raise a ShellError listing every chosen shell `root` lacks."""
    entries = new.data.get("shells") or []
    if not isinstance(entries, list) or not entries:
        return
    host = (new.data.get("hostPackages") or {}).get("packages") or {}
    problems = []
    with rootfs.opened(root) as fs:
        for e in entries:
            if not isinstance(e, dict) or not all(
                isinstance(e.get(k), str) for k in ("user", "shell", "origin")
            ):
                continue  # not from the modules: the passwd line itself is checked at load
            if e.get("hostPackage") is not None and e["hostPackage"] in host:
                continue
            why = _problem(fs, e["shell"], new, store_dir)
            if why:
                problems.append(
                    f"the login shell {e['shell']} of the user {_shown(e['user'])} {why} "
                    f"({_shown(e['origin'])})"
                )
    if problems:
        raise ShellError("\n".join(problems) + f"\n{HINT}")


def _shown(s: str) -> str:
    """`s`, or its JSON spelling when it holds anything a terminal would act on."""
    return s if s.isprintable() else json.dumps(s)


def _problem(fs: rootfs.Root, shell: str, new: Manifest, store_dir: str | None) -> str | None:
    """Why `shell` cannot be run as a login shell of the new generation, or None."""
    where = f"in the root {fs.path}"
    if _in_store(shell, store_dir):
        return _outside(shell, new, store_dir)
    try:
        path = _resolve(fs, shell, store_dir)
    except _Outside as o:
        return _outside(o.path, new, store_dir)
    except (_Loop, rootfs.UnsafeRoot):
        return f"cannot be resolved {where} (a loop of symbolic links, or a file in its path)"
    if path is None:
        return f"does not exist {where}"
    st = fs.lstat(path)
    if st is None:
        return f"does not exist {where}"
    if not stat.S_ISREG(st.st_mode):
        return f"is not a regular file {where}"
    if not st.st_mode & 0o111:
        return f"is not executable {where}"
    return None


def _outside(path: str, new: Manifest, store_dir: str | None) -> str | None:
    """A shell in the store or the new generation: checked in this machine's store."""
    real = path
    if path.startswith(CURRENT):
        if new.toplevel is None:
            return "is in /run/current-system, which the new generation does not have"
        real = os.path.join(new.toplevel, path[len(CURRENT) :])
    if not os.path.isfile(real):
        return f"does not exist in the new generation ({real})"
    if not os.access(real, os.X_OK):
        return f"is not executable ({real})"
    return None


class _Outside(Exception):
    """The path leads into the store or /run/current-system."""

    def __init__(self, path: str):
        self.path = path


class _Loop(Exception):
    pass


def _resolve(fs: rootfs.Root, path: str, store_dir: str | None = None) -> str | None:
    """`path` with every symlink resolved inside the root (an absolute target
    is taken from the root, `..` stops at it); None when a component is
    missing.  Raises _Outside for a path into the store or the running
    generation, which do not live in the root."""
    pending = [p for p in path.split("/") if p not in ("", ".")]
    done: list[str] = []
    links = 0
    while pending:
        part = pending.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        whole = "/" + "/".join([*done, part, *pending])
        if whole.startswith(CURRENT):  # the new generation's, not the root's link to the old
            raise _Outside(whole)
        current = "/" + "/".join([*done, part])
        st = fs.lstat(current)
        if st is None:
            return None
        if stat.S_ISLNK(st.st_mode):
            links += 1
            if links > MAX_LINKS:
                raise _Loop()
            target = fs.readlink(current) or ""
            if target.startswith("/"):
                if _in_store(target, store_dir):
                    raise _Outside(os.path.join(target, *pending))
                done = []
            pending = [p for p in target.split("/") if p not in ("", ".")] + pending
            continue
        done.append(part)
    return "/" + "/".join(done)


def _in_store(path: str, store_dir: str | None) -> bool:
    return store_dir is not None and path.startswith(store_dir.rstrip("/") + "/")
