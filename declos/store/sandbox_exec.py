"""The program that puts one process builder into its sandbox and execs it.

Run as `python -I -S sandbox_exec.py SPEC... -- builder args...` by
`sandbox.wrap`; it imports nothing but the standard library (it runs in a
fresh interpreter, before any namespace exists, with the builder's
environment; its start is most of a sandbox's cost, so it imports little).
SPEC is, one argument each (see `encode`):

    user|build  uid  gid  HIDE  CWD  N  RO...  M  RW...

`user` for a non-root caller, `build` to become the build user `uid`:`gid`;
a fresh tmpfs goes on HIDE; the N paths RO are bound back read-only under
it, the M paths RW writable (a build's directory and its temporary output
directories); the builder starts in CWD.

Steps, any failure exiting 121 with a `declos: cannot set the build sandbox
up` line on stderr:

1. New mount, PID, IPC and UTS namespaces (with `user`: a new user
   namespace first, mapping root to the caller).  The process forks: the
   child is PID 1 of the new namespace (everything the builder leaves
   behind dies with it) and dies if the parent does, which dies if the
   declos thread that started it does.
2. All mounts private; a tmpfs on `hide` (the state directory, or the
   highest of its ancestors the build user cannot search) in which `ro`
   and `rw` are bound back at their own paths (so the database, logs and
   the rest of the state directory are out of sight); a fresh `/proc`.
3. Every mount but `rw` and `/proc` remounted read-only and nosuid: the
   whole host, the store included, is read-only to the builder.
4. No way back: as root, the bounding set is emptied and the process
   becomes `uid`/`gid` with no supplementary groups; with `user`, a nested
   user and mount namespace is entered (mounts inherited from a more
   privileged namespace are locked: they can never be remounted writable)
   as the caller's own uid.  Then no_new_privs, no ambient or inheritable
   capabilities, and exec.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

SETUP_FAILED = 121

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

# Per-mount options kept on a remount (a locked mount refuses to lose them).
_KEPT = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
    "strictatime": MS_STRICTATIME,
}

_libc = ctypes.CDLL(None, use_errno=True)


class SetupError(Exception):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data=None) -> None:
    _check(
        _libc.mount(
            None if source is None else os.fsencode(source),
            os.fsencode(target),
            None if fstype is None else fstype.encode(),
            ctypes.c_ulong(flags),
            None if data is None else data.encode(),
        ),
        f"mount {target}",
    )


def _unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _prctl(option: int, arg: int = 0, arg3: int = 0) -> int:
    return _libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(arg3), 0, 0)


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError as e:
        raise SetupError(f"writing {path}: {e.strerror}") from None


def _unescape(field: str) -> str:
    """Mount points in mountinfo escape space, tab, newline and backslash as \\ooo."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit() and i + 3 < len(field):
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def _mounts() -> list[tuple[str, int]]:
    """(mount point, flags to keep) of every mount in this namespace."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            keep = 0
            for opt in fields[5].split(","):
                keep |= _KEPT.get(opt, 0)
            found.append((_unescape(fields[4]), keep))
    return found


def _bind_under_tmpfs(spec: dict) -> None:
    """A tmpfs on `hide`, with `ro` then `rw` bound back at their paths."""
    hide = spec["hide"]
    binds = [(p, False) for p in spec["ro"]] + [(p, True) for p in spec["rw"]]
    fds = []
    for path, _ in binds:  # before the tmpfs hides them
        try:
            fds.append(os.open(path, os.O_PATH | os.O_DIRECTORY))
        except OSError as e:
            raise SetupError(f"opening {path}: {e.strerror}") from None
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", hide, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    for (path, _), fd in zip(binds, fds, strict=True):
        if not os.path.isdir(path):  # a mount point in the tmpfs
            os.makedirs(path, 0o755)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND)
        os.close(fd)


def _read_only_everywhere(writable: list[str]) -> None:
    for target, keep in _mounts():
        if target in writable or target == "/proc" or target.startswith("/proc/"):
            continue
        try:
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | keep)
        except SetupError:
            if os.path.lexists(target):
                raise
            # Under a mount point hidden by another mount: out of reach.


def _drop_capabilities() -> None:
    last = 63
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        pass
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap)


def _clear_capabilities() -> None:
    """Empty the ambient, inheritable, permitted and effective sets."""
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.capset(header, data), "capset")


def _become_build_user(uid: int, gid: int) -> None:
    _drop_capabilities()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SetupError("still root after changing to the build user")


def _enter_nested_userns(uid: int, gid: int) -> None:
    """A user namespace below ours, as the caller's uid: the mounts made
    above are locked in it, and it holds no privilege over them."""
    _unshare(CLONE_NEWUSER | CLONE_NEWNS)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} 0 1\n")
    _write("/proc/self/gid_map", f"{gid} 0 1\n")
    _drop_capabilities()


def _child(spec: dict, argv: list[str], alive: int) -> None:
    """`alive` is the read end of a pipe the parent holds open: at EOF the
    parent died before the death signal was set (its pid is not visible
    from the new PID namespace)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    os.set_blocking(alive, False)
    try:
        if os.read(alive, 1) == b"":
            os._exit(SETUP_FAILED)
    except BlockingIOError:
        pass
    os.close(alive)
    _bind_under_tmpfs(spec)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _read_only_everywhere(list(spec["rw"]))
    if spec["user"]:
        _enter_nested_userns(spec["uid"], spec["gid"])
    else:
        _become_build_user(spec["uid"], spec["gid"])
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    _clear_capabilities()
    os.chdir(spec["cwd"])
    try:
        os.execvpe(argv[0], argv, os.environ)
    except OSError as e:
        sys.stderr.write(f"declos: cannot run builder '{argv[0]}': {e.strerror}\n")
        os._exit(127)


def _wait(pid: int) -> None:
    """Exit as the child did (the same code, or the same signal)."""
    for forwarded in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(forwarded, lambda n, _f: os.kill(pid, signal.SIGKILL))
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        os._exit(SETUP_FAILED)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status))


def encode(
    user: bool, uid: int, gid: int, hide: str, cwd: str, ro: list[str], rw: list[str]
) -> list[str]:
    """The SPEC arguments (see the module docstring)."""
    kind = "user" if user else "build"
    return [kind, str(uid), str(gid), hide, cwd, str(len(ro)), *ro, str(len(rw)), *rw]


def decode(args: list[str]) -> tuple[dict, list[str]]:
    """(spec, builder argv) from the command line; ValueError if malformed."""
    kind, uid, gid, hide, cwd, n_ro = args[:6]
    rest = args[6:]
    ro, rest = rest[: int(n_ro)], rest[int(n_ro) :]
    rw, rest = rest[1 : 1 + int(rest[0])], rest[1 + int(rest[0]) :]
    if kind not in ("user", "build") or not rest or rest[0] != "--" or len(rest) < 2:
        raise ValueError("malformed")
    spec = {"user": kind == "user", "uid": int(uid), "gid": int(gid), "hide": hide}
    spec.update({"cwd": cwd, "ro": ro, "rw": rw})
    return spec, rest[1:]


def main(args: list[str]) -> None:
    try:
        spec, argv = decode(args)
    except (ValueError, IndexError):
        sys.stderr.write("usage: sandbox_exec.py SPEC... -- builder [args...]\n")
        os._exit(2)
    declos = os.getppid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a killed declos takes its builds along
    if os.getppid() != declos:
        os._exit(SETUP_FAILED)
    try:
        if spec["user"]:
            uid, gid = os.getuid(), os.getgid()
            _unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS)
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1\n")
            _write("/proc/self/gid_map", f"0 {gid} 1\n")
            spec = {**spec, "uid": uid, "gid": gid}
        else:
            _unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS)
        alive, keep = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            os.close(keep)
            try:
                _child(spec, argv, alive)
            except (SetupError, OSError) as e:
                sys.stderr.write(f"declos: cannot set the build sandbox up: {e}\n")
                sys.stderr.flush()
            os._exit(SETUP_FAILED)
        os.close(alive)
        _wait(pid)
    except (SetupError, OSError) as e:
        sys.stderr.write(f"declos: cannot set the build sandbox up: {e}\n")
        sys.stderr.flush()
        os._exit(SETUP_FAILED)


if __name__ == "__main__":
    main(sys.argv[1:])
