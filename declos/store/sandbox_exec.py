"""The program that puts one process builder (or one activation script) into
its sandbox and execs it; also the two steps of the read-only store that must
happen in another mount namespace than declos' own.

Run as `python -I -S sandbox_exec.py SPEC... -- program args...` by
`sandbox.wrap` and `sandbox.wrap_script`; it imports nothing but the standard
library (it runs in a fresh interpreter, before any namespace exists, with
the program's environment; its start is most of a sandbox's cost, so it
imports little).  SPEC is, one argument each (see `encode`):

    KIND  UID  GID  CWD  FLAGS  N HIDE...  N SCRATCH...  N RO...  N RW...

KIND is `build` (become the build user UID:GID: a builder run by root),
`user` (a non-root caller: a user namespace, then the caller's own uid) or
`root` (an activation script run by root: stays uid 0 with the few
capabilities of `ROOT_CAPS`).  A read-only tmpfs goes on each HIDE (the
state directory, or the highest of its ancestors the build user cannot
search), a writable one on each SCRATCH (a script's private /tmp and /run);
the paths RO are bound back read-only, the paths RW writable, at their own
paths, shortest first; the program starts in CWD.  FLAGS is `-` or a comma
list of `net` (a network namespace of its own: only a loopback, down),
`dev` (a minimal /dev of null, zero, full, random, urandom, tty), `proc-ro`
(its /proc read-only) and `status=FD` (a setup failure is written there,
not to stderr; the fd is closed at exec, so that EOF with nothing written
means the program started).

Steps (a failure: exit 121, `declos: cannot set the build sandbox up` on
stderr, or the reason on FD):

1. New mount, PID, IPC and UTS namespaces, and with `net` a network one
   (with `user`: a new user namespace first, mapping root to the caller).
   The process forks: the child is PID 1 of the new namespace (everything
   the program leaves behind dies with it) and dies if the parent does,
   which dies if the declos thread that started it does.
2. All mounts private; the tmpfses and binds above; a fresh `/proc`.
3. Every mount but RW, SCRATCH and `/proc` remounted read-only and nosuid:
   the whole host, the store included, is read-only to the program.
4. No way back: `build` empties the bounding set and becomes UID:GID with
   no supplementary groups; `user` enters a nested user and mount namespace
   (mounts inherited from a more privileged namespace are locked: they can
   never be remounted writable) as the caller's own uid; `root` keeps only
   `ROOT_CAPS` (no CAP_SYS_ADMIN: no mount or remount; no
   CAP_DAC_READ_SEARCH: no open_by_handle_at past the mounts; no CAP_MKNOD,
   CAP_SYS_RAWIO, CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_BOOT, CAP_NET_ADMIN).
   Then no_new_privs, no ambient or inheritable capabilities, and exec.

The other commands, for the read-only store (`mounts.py`):

    enter FD -- program args...   join the mount namespace FD, then exec
    protect [FD] PATH             (in namespace FD) make PATH a read-only
                                  bind mount of itself
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
CLONE_NEWNET = 0x40000000

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
MS_SLAVE = 1 << 19
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

#: What an activation script run by root keeps: file ownership and modes in
#: the root (chown, dac_override, fowner, fsetid, setfcap), changing user
#: (setuid, setgid), signals within its PID namespace, binding low ports in
#: its network namespace, chroot, audit_write.
ROOT_CAPS = (0, 1, 3, 4, 5, 6, 7, 10, 18, 29, 31)
#: Device nodes of a minimal /dev (flag `dev`).
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")

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


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
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


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


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


def _mounts() -> list[tuple[int, str, int]]:
    """(mount id, mount point, flags to keep) of every mount in this namespace."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            keep = 0
            for opt in fields[5].split(","):
                keep |= _KEPT.get(opt, 0)
            found.append((int(fields[0]), _unescape(fields[4]), keep))
    return found


def mount_id(path: str) -> int | None:
    """The id of the mount `path` lies on in this namespace (None if it cannot be opened)."""
    try:
        fd = os.open(path, os.O_PATH | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with open(f"/proc/self/fdinfo/{fd}") as f:
            for line in f:
                if line.startswith("mnt_id:"):
                    return int(line.split()[1])
    finally:
        os.close(fd)
    return None


def is_mount_point(path: str) -> bool:
    """Is `path` (a real path, not "/") the root of a mount of its own?"""
    here = mount_id(path)
    return here is not None and here != mount_id(os.path.dirname(path))


def remount(path: str, read_only: bool) -> None:
    """Remount the mount at `path` read-only or writable, keeping its other options."""
    keep = next((k for _i, p, k in reversed(_mounts()) if p == path), 0)
    mount(None, path, None, MS_REMOUNT | MS_BIND | keep | (MS_RDONLY if read_only else 0))


def make_read_only(path: str) -> None:
    """Make `path` a read-only bind mount of itself (once: a path that is a
    mount point already is only remounted)."""
    if not is_mount_point(path):
        mount(path, path, None, MS_BIND)
    remount(path, read_only=True)


def _tmpfs(path: str, writable: bool) -> None:
    mode = "1777" if writable else "0755"
    mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size=64m")


def _bind_under_tmpfs(spec: dict) -> None:
    """Tmpfses on `hide` and `scratch`, `ro` and `rw` bound back at their
    paths: shortest path first, so that each lands on what is above it."""
    ops = [(p, "hide") for p in spec["hide"]] + [(p, "scratch") for p in spec["scratch"]]
    ops += [(p, "ro") for p in spec["ro"]] + [(p, "rw") for p in spec["rw"]]
    fds = {}
    for path, kind in ops:  # before the tmpfses hide them
        if kind in ("ro", "rw"):
            try:
                fds[path] = os.open(path, os.O_PATH | os.O_DIRECTORY)
            except OSError as e:
                raise SetupError(f"opening {path}: {e.strerror}") from None
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    if "dev" in spec["flags"]:
        _minimal_dev()
    for path, kind in sorted(ops, key=lambda op: len(op[0])):
        if not os.path.isdir(path):  # a mount point in a tmpfs
            os.makedirs(path, 0o755)
        if kind in ("hide", "scratch"):
            _tmpfs(path, kind == "scratch")
        else:
            mount(f"/proc/self/fd/{fds[path]}", path, None, MS_BIND)
            os.close(fds[path])


def _minimal_dev() -> None:
    """A tmpfs on /dev holding only `DEVICES` (bound from the host's), the
    usual links and a writable /dev/shm: no disk, no memory, no console."""
    fds = {}
    for name in DEVICES:
        try:
            fds[name] = os.open(f"/dev/{name}", os.O_PATH)
        except OSError:
            continue  # not on this host: not in the sandbox either
    mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=1m")
    for name, fd in fds.items():
        os.close(os.open(f"/dev/{name}", os.O_CREAT | os.O_WRONLY, 0o666))
        mount(f"/proc/self/fd/{fd}", f"/dev/{name}", None, MS_BIND)
        os.close(fd)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(target, f"/dev/{name}")
    os.symlink("/proc/self/fd/1", "/dev/stdout")
    os.symlink("/proc/self/fd/2", "/dev/stderr")
    os.mkdir("/dev/shm")
    _tmpfs("/dev/shm", True)


def _read_only_everywhere(writable: list[str]) -> None:
    """Remount every mount reachable here read-only and nosuid.  One that
    its path no longer reaches (hidden under a tmpfs or a bind) is out of
    reach of the program too."""
    for ident, target, keep in _mounts():
        if target in writable or target == "/proc" or target.startswith("/proc/"):
            continue
        if mount_id(target) != ident:
            continue
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | keep)


def _drop_capabilities(keep: tuple[int, ...] = ()) -> None:
    """Empty the bounding set but for `keep`."""
    last = 63
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        pass
    for cap in range(last + 1):
        if cap not in keep:
            _prctl(PR_CAPBSET_DROP, cap)


def _set_capabilities(keep: tuple[int, ...] = ()) -> None:
    """Ambient and inheritable sets empty; permitted and effective only `keep`
    (for root: exec gives it the bounding set, which must be no more)."""
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    low = sum(1 << c for c in keep if c < 32)
    high = sum(1 << (c - 32) for c in keep if c >= 32)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (ctypes.c_uint32 * 6)(low, low, 0, high, high, 0)
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
    unshare(CLONE_NEWUSER | CLONE_NEWNS)
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
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    scratch = [*spec["scratch"], "/dev/shm"] if "dev" in spec["flags"] else spec["scratch"]
    _read_only_everywhere([*spec["rw"], *scratch])
    keep: tuple[int, ...] = ()
    if spec["kind"] == "user":
        _enter_nested_userns(spec["uid"], spec["gid"])  # writes to /proc/self
    if "proc-ro" in spec["flags"]:
        remount("/proc", read_only=True)
    if spec["kind"] == "build":
        _become_build_user(spec["uid"], spec["gid"])
    else:
        keep = ROOT_CAPS
        _drop_capabilities(keep)
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    _set_capabilities(keep)
    os.chdir(spec["cwd"])
    try:
        os.execvpe(argv[0], argv, os.environ)
    except OSError as e:
        sys.stderr.write(f"declos: cannot run '{argv[0]}': {e.strerror}\n")
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
    kind: str, uid: int, gid: int, cwd: str, flags: list[str], *lists: list[str]
) -> list[str]:
    """The SPEC arguments (see the module docstring); `lists`: HIDE, SCRATCH, RO, RW."""
    spec = [kind, str(uid), str(gid), cwd, ",".join(flags) or "-"]
    for paths in lists:
        spec += [str(len(paths)), *paths]
    return spec


def decode(args: list[str]) -> tuple[dict, list[str]]:
    """(spec, program argv) from the command line; ValueError if malformed."""
    kind, uid, gid, cwd, flags = args[:5]
    rest = args[5:]
    lists = []
    for _ in range(4):
        n = int(rest[0])
        lists.append(rest[1 : 1 + n])
        rest = rest[1 + n :]
    if kind not in ("user", "build", "root") or not rest or rest[0] != "--" or len(rest) < 2:
        raise ValueError("malformed")
    spec = {"kind": kind, "uid": int(uid), "gid": int(gid), "cwd": cwd}
    spec["flags"] = [] if flags == "-" else flags.split(",")
    spec.update(zip(("hide", "scratch", "ro", "rw"), lists, strict=True))
    return spec, rest[1:]


def _status_fd(spec: dict) -> int | None:
    for flag in spec["flags"]:
        if flag.startswith("status="):
            return int(flag.split("=", 1)[1])
    return None


def _fail(spec: dict | None, e: BaseException) -> None:
    """Say why the sandbox could not be set up (on the status fd if there is one)."""
    fd = _status_fd(spec) if spec else None
    if fd is not None:
        try:
            os.write(fd, str(e).encode(errors="replace") or b"setup failed")
            os._exit(SETUP_FAILED)
        except OSError:
            pass
    sys.stderr.write(f"declos: cannot set the build sandbox up: {e}\n")
    sys.stderr.flush()
    os._exit(SETUP_FAILED)


def _sandbox(args: list[str]) -> None:
    try:
        spec, argv = decode(args)
    except (ValueError, IndexError):
        sys.stderr.write("usage: sandbox_exec.py SPEC... -- program [args...]\n")
        os._exit(2)
    declos = os.getppid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a killed declos takes its builds along
    if os.getppid() != declos:
        os._exit(SETUP_FAILED)
    status = _status_fd(spec)
    if status is not None:
        os.set_inheritable(status, False)  # closed at exec: EOF says the program started
    net = CLONE_NEWNET if "net" in spec["flags"] else 0
    try:
        if spec["kind"] == "user":
            uid, gid = os.getuid(), os.getgid()
            unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | net)
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1\n")
            _write("/proc/self/gid_map", f"0 {gid} 1\n")
            spec = {**spec, "uid": uid, "gid": gid}
        else:
            unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | net)
        alive, keep = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            os.close(keep)
            try:
                _child(spec, argv, alive)
            except (SetupError, OSError) as e:
                _fail(spec, e)
            os._exit(SETUP_FAILED)
        os.close(alive)
        if status is not None:
            os.close(status)
        _wait(pid)
    except (SetupError, OSError) as e:
        _fail(spec, e)


def _in_namespace(args: list[str]) -> None:
    """`enter FD -- argv` and `protect [FD] PATH`."""
    command, rest = args[0], args[1:]
    try:
        if command == "enter":
            if len(rest) < 3 or rest[1] != "--":
                raise ValueError("usage: sandbox_exec.py enter FD -- program [args...]")
            cwd = os.getcwd()
            setns(int(rest[0]), CLONE_NEWNS)
            os.close(int(rest[0]))
            os.chdir(cwd)
            os.execvp(rest[2], rest[2:])
        if len(rest) == 2:
            setns(int(rest[0]), CLONE_NEWNS)
        elif len(rest) != 1:
            raise ValueError("usage: sandbox_exec.py protect [FD] PATH")
        make_read_only(rest[-1])
    except (SetupError, OSError, ValueError) as e:
        sys.stderr.write(f"{e}\n")
        os._exit(SETUP_FAILED if not isinstance(e, ValueError) else 2)
    os._exit(0)


def main(args: list[str]) -> None:
    if args and args[0] in ("enter", "protect"):
        _in_namespace(args)
    _sandbox(args)


if __name__ == "__main__":
    main(sys.argv[1:])
