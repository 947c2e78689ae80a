"""Keeping a process builder from changing anything but its own outputs.

Owns how a builder's command line is wrapped, who it runs as, and what is
refused when that cannot be done:

    mount  (root)      as the unprivileged build user `declos-build`
                       (created on first use, as Nix's nixbld), in its own
                       mount, PID, IPC and UTS namespaces
    userns (not root)  as the caller, in a user namespace nested in the one
                       that made the mounts, so that they are locked
    check  (neither)   no protection; only with `--unsafe-builders` (or
                       DECLOS_UNSAFE_BUILDERS=1).  After the build every
                       path that was valid before it is checked (`Snapshot`)
                       and any that changed is named in the error

In both sandboxes (`sandbox_exec.py` sets them up) the whole file system is
read-only and nosuid, the state directory is replaced by a tmpfs holding
only the store (read-only) and the build's own directory and temporary
output directories (writable), and the builder has no capabilities and
no_new_privs.  The mode is probed once per process (running the wrapper on
a scratch tree) unless `DECLOS_SANDBOX` says `mount`, `userns` or `check`.
It must not know what a derivation is or how outputs are installed.

`wrap_script` puts an activation script on a root that is not the live
system into the same kind of sandbox, confined to that root (the caller
decides what to do when it cannot be set up: never run it unconfined).

Example:
    sb = choose(unsafe=False)               # raises NoSandbox
    prepare(sb, [build_dir, out_dir])       # theirs for the build
    argv = wrap(["/bin/sh", "-c", "..."], sb, state_dir=store.state_dir,
                read_only=[store.store_dir], writable=[build_dir, out_dir])
    ...run argv...
    claim(sb, [out_path])                   # ours again, checked
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence

import attrs

from declos.diagnostics import DeclosError
from declos.store.sandbox_exec import encode

MODES = ("mount", "userns", "check")
ENV_VAR = "DECLOS_SANDBOX"
UNSAFE_ENV = "DECLOS_UNSAFE_BUILDERS"
BUILD_USER = "declos-build"
#: The exit status of the wrapper when it cannot set the namespace up.
SETUP_FAILED = 121
SETUP_MESSAGE = "declos: cannot set the build sandbox up"
#: What a builder sees when it writes where it must not; used for the hint.
READ_ONLY_HINT = "Read-only file system"
HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sandbox_exec.py")
_SBIN = "/usr/sbin:/sbin:/usr/bin:/bin"


class NoSandbox(DeclosError):
    """No build sandbox can be had here (or the one asked for is not)."""

    code = "no-sandbox"


class OutputRefused(DeclosError):
    """A process builder's output holds what it must not (see `claim`)."""

    code = "build"


@attrs.frozen
class Sandbox:
    """How process builders run: `mode`, and the uid and gid their files
    get on the host (the build user's for `mount`, ours otherwise)."""

    mode: str
    uid: int
    gid: int


_lock = threading.Lock()
_probed: dict[str, str | None] = {}  # mode -> None (works) or why not


def unsafe_allowed(flag: bool = False) -> bool:
    """`--unsafe-builders`, or DECLOS_UNSAFE_BUILDERS set to 1 (for tests)."""
    return flag or os.environ.get(UNSAFE_ENV, "") not in ("", "0")


# --- the build user ---------------------------------------------------------


def build_user() -> tuple[int, int]:
    """The build user's uid and gid, creating it (as root) on first use."""
    try:
        pw = pwd.getpwnam(BUILD_USER)
    except KeyError:
        if os.geteuid() != 0:
            raise NoSandbox(
                f"there is no build user '{BUILD_USER}' (only root creates it)"
            ) from None
        _create_build_user()
        try:
            pw = pwd.getpwnam(BUILD_USER)
        except KeyError:
            raise NoSandbox(f"the build user '{BUILD_USER}' was not created") from None
    if pw.pw_uid == 0 or pw.pw_gid == 0:
        raise NoSandbox(f"the build user '{BUILD_USER}' has uid or gid 0")
    return pw.pw_uid, pw.pw_gid


def _create_build_user() -> None:
    """A system user and group, no home, no shell (useradd/groupadd); a
    concurrent creation by another declos is fine (exit status 9)."""
    groupadd = shutil.which("groupadd", path=_SBIN)
    useradd = shutil.which("useradd", path=_SBIN)
    if groupadd is None or useradd is None:
        raise NoSandbox(
            f"useradd or groupadd is missing: cannot create the build user '{BUILD_USER}'"
        )
    nologin = shutil.which("nologin", path=_SBIN) or "/bin/false"
    commands = [
        [groupadd, "--system", BUILD_USER],
        [useradd, "--system", "--gid", BUILD_USER, "--no-create-home", "--home-dir",
         "/nonexistent", "--shell", nologin, "--comment", "declos build user", BUILD_USER],
    ]  # fmt: skip
    for argv in commands:
        proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if proc.returncode not in (0, 9):
            why = proc.stderr.strip() or f"exit status {proc.returncode}"
            raise NoSandbox(f"cannot create the build user '{BUILD_USER}': {why}")


# --- choosing a mode ----------------------------------------------------------


def _sandbox_of(mode: str) -> Sandbox:
    if mode == "mount":
        if os.geteuid() != 0:
            raise NoSandbox("the 'mount' sandbox needs root (it runs builders as the build user)")
        return Sandbox(mode, *build_user())
    return Sandbox(mode, os.geteuid(), os.getegid())


def why_not(mode: str) -> str | None:
    """None if `mode` protects the host here (probed once), else why not."""
    if mode == "check":
        return None
    with _lock:
        if mode not in _probed:
            try:
                _probed[mode] = _probe(_sandbox_of(mode))
            except NoSandbox as e:
                _probed[mode] = e.message
        return _probed[mode]


def available(mode: str) -> bool:
    return why_not(mode) is None


def sandbox_mode() -> str:
    """`DECLOS_SANDBOX` if set, else the first of mount (as root) or userns
    (otherwise) that works here, else check."""
    want = os.environ.get(ENV_VAR, "").strip()
    if want:
        if want not in MODES:
            raise NoSandbox(f"{ENV_VAR} must be one of {', '.join(MODES)}, not '{want}'")
        return want
    mode = "mount" if os.geteuid() == 0 else "userns"
    return mode if available(mode) else "check"


def choose(unsafe: bool = False) -> Sandbox:
    """The sandbox process builders run in.  Without one (mode `check`),
    raises `NoSandbox` saying why, unless unsafe builders are allowed."""
    mode = sandbox_mode()
    if mode != "check":
        why = why_not(mode)
        if why is not None:
            raise NoSandbox(f"the '{mode}' build sandbox ({ENV_VAR}) is not available: {why}")
        return _sandbox_of(mode)
    if not unsafe_allowed(unsafe):
        native = "mount" if os.geteuid() == 0 else "userns"
        why = why_not(native) if not os.environ.get(ENV_VAR) else f"{ENV_VAR}=check"
        raise NoSandbox(
            f"process builders need a build sandbox, and there is none here ({why}); "
            "--unsafe-builders (or DECLOS_UNSAFE_BUILDERS=1) runs them unprotected, "
            "able to change the store and whatever this user may write"
        )
    return Sandbox("check", os.geteuid(), os.getegid())


# --- wrapping and owning ----------------------------------------------------------


def _searchable(path: str, uid: int, gid: int) -> bool:
    if uid == 0:
        return True
    st = os.stat(path)
    if st.st_uid == uid:
        return bool(st.st_mode & stat.S_IXUSR)
    # The build user has no supplementary groups; we keep ours.
    groups = {gid} | (set(os.getgroups()) if uid == os.geteuid() else set())
    if st.st_gid in groups:
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


def hide_point(state_dir: str, sb: Sandbox) -> str:
    """Where the tmpfs goes: the highest directory on the way to
    `state_dir` that the builder's user cannot search, else `state_dir`."""
    parts = os.path.abspath(state_dir).split("/")[1:]
    path = ""
    for part in parts:
        path += "/" + part
        if path == state_dir:
            break
        if not _searchable(path, sb.uid, sb.gid):
            return path
    return state_dir


def wrap(
    argv: Sequence[str],
    sb: Sandbox,
    *,
    state_dir: str,
    read_only: Iterable[str],
    writable: Iterable[str],
    cwd: str,
) -> list[str]:
    """`argv` to run in the sandbox `sb` (unchanged for `check`).

    Every path must exist and lie under `state_dir`; a writable path may lie
    inside a read-only one (it is bound after it)."""
    if sb.mode == "check":
        return list(argv)
    hide = hide_point(state_dir, sb)
    ro, rw = sorted(read_only, key=len), sorted(writable, key=len)
    for p in [*ro, *rw, cwd]:
        if not (p + "/").startswith(hide + "/"):
            raise NoSandbox(f"'{p}' is not under '{hide}'")
    kind = "user" if sb.mode == "userns" else "build"
    spec = encode(kind, sb.uid, sb.gid, cwd, [], [hide], [], ro, rw)
    return [sys.executable, "-I", "-S", HELPER, *spec, "--", *argv]


#: A confined script's private, writable, empty directories (when the host has them).
SCRIPT_SCRATCH = ("/tmp", "/run", "/var/tmp")


def wrap_script(
    argv: Sequence[str], *, root: str, state_dir: str, store_dir: str, status_fd: int
) -> list[str]:
    """`argv` (an activation script) to run confined to `root`: as root
    with few capabilities (`sandbox_exec.ROOT_CAPS`), else as the caller in
    a user namespace; the whole host read-only but `root` and a private
    /tmp, /run and /var/tmp; the state directory out of sight but for the
    store (read-only); its own network (no interface up), PID, IPC and UTS
    namespaces; a minimal /dev; /proc read-only.  A setup failure is
    written to `status_fd` (nothing written: the script started)."""
    real = os.path.realpath
    root, state = real(root), real(state_dir)
    if root == "/":
        raise NoSandbox("the live root is not confined")
    kind = "root" if os.geteuid() == 0 else "user"
    scratch = [real(p) for p in SCRIPT_SCRATCH if os.path.isdir(p)]
    flags = ["net", "dev", "proc-ro", f"status={status_fd}"]
    lists = ([state], scratch, [real(store_dir)], [root])  # hide, scratch, ro, rw
    spec = encode(kind, os.geteuid(), os.getegid(), root, flags, *lists)
    return [sys.executable, "-I", "-S", HELPER, *spec, "--", *argv]


def prepare(sb: Sandbox, dirs: Iterable[str]) -> None:
    """Give the build user the directories it writes and what declos put
    in them (`passAsFile` files), in mode `mount`."""
    if sb.mode == "mount":
        for d in dirs:
            for path in _walk(d):
                os.lchown(path, sb.uid, sb.gid)


def claim(sb: Sandbox, outputs: Iterable[str]) -> None:
    """Check what the builder wrote and make it ours: every file must be
    the builder's (a file of anyone else's was linked in) and none setuid or
    setgid; then it is chown'ed back to us.  Raises `OutputRefused`
    naming the offending path."""
    me, my_gid = os.geteuid(), os.getegid()
    for out in outputs:
        if not os.path.lexists(out):
            continue
        for path in _walk(out):
            st = os.lstat(path)
            if st.st_uid != sb.uid:
                raise OutputRefused(
                    f"'{path}' in the output belongs to uid {st.st_uid}, not to the builder"
                )
            if not stat.S_ISLNK(st.st_mode) and st.st_mode & (stat.S_ISUID | stat.S_ISGID):
                raise OutputRefused(f"the builder made '{path}' setuid or setgid")
            if (st.st_uid, st.st_gid) != (me, my_gid):
                os.lchown(path, me, my_gid)


def _walk(top: str) -> Iterator[str]:
    yield top
    if os.path.isdir(top) and not os.path.islink(top):
        for root, dirs, files in os.walk(top):
            for name in dirs + files:
                yield os.path.join(root, name)


def _probe(sb: Sandbox) -> str | None:
    """Run the wrapper on a scratch tree laid out as a state directory: the
    store must refuse a write, the output directory inside it take one,
    as the builder's user.  None if so, else what went wrong."""
    if not os.access(HELPER, os.R_OK):
        return f"'{HELPER}' is missing"
    top = tempfile.mkdtemp(prefix="declos-sandbox-probe-")
    try:
        state = os.path.join(top, "state")
        store = os.path.join(state, "store")
        out = os.path.join(store, ".tmp-probe")
        build = os.path.join(state, "builds", "probe")
        for d in (out, build):
            os.makedirs(d)
        os.chmod(store, 0o755)
        os.chmod(state, 0o755)
        prepare(sb, [out, build])
        script = f'if (: > "{store}/no") 2>/dev/null; then exit 1; fi; : > "{out}/yes"'
        argv = wrap(
            ["/bin/sh", "-c", script],
            sb,
            state_dir=state,
            read_only=[store],
            writable=[out, build],
            cwd=build,
        )
        try:
            proc = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                env={"PATH": "/usr/bin:/bin"},
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"the sandbox did not start: {e}"
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            return lines[-1] if lines else f"the probe exited with {proc.returncode}"
        made = os.path.join(out, "yes")
        if not os.path.exists(made) or os.path.exists(os.path.join(store, "no")):
            return "the probe could write where it must not"
        if os.lstat(made).st_uid != sb.uid:
            return "the probe's builder did not run as the build user"
        return None
    finally:
        shutil.rmtree(top, ignore_errors=True)


# --- the check mode ---------------------------------------------------------


@attrs.frozen
class Snapshot:
    """The valid paths before a build and a timestamp taken on the store's
    file system: afterwards, nothing under them may have a later ctime."""

    paths: tuple[str, ...]
    ctime_ns: int


def snapshot(paths: Iterable[str], scratch_dir: str) -> Snapshot:
    """Record `paths` (the valid paths) and the file system's present time,
    read from a file made in `scratch_dir` (on the store's file system)."""
    fd, marker = tempfile.mkstemp(prefix=".declos-snapshot-", dir=scratch_dir)
    try:
        ctime = os.fstat(fd).st_ctime_ns
    finally:
        os.close(fd)
        os.unlink(marker)
    return Snapshot(tuple(paths), ctime)


def changed_paths(snap: Snapshot) -> list[str]:
    """The paths of `snap` that were changed since it was taken: missing, or
    holding a file whose status changed or that is not normalised any more
    (mtime 1, no write, setuid or setgid bits)."""
    return [p for p in snap.paths if _changed(p, snap.ctime_ns)]


def _changed(path: str, since: int) -> bool:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    if _bad(st, since):
        return True
    if not stat.S_ISDIR(st.st_mode):
        return False
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            try:
                if _bad(os.lstat(os.path.join(root, name)), since):
                    return True
            except FileNotFoundError:
                return True
    return False


def _bad(st: os.stat_result, since: int) -> bool:
    if st.st_ctime_ns > since or st.st_mtime_ns != 1_000_000_000:
        return True
    return not stat.S_ISLNK(st.st_mode) and bool(st.st_mode & 0o6222)
