"""Keeping a process builder from writing into other store paths.

Owns how a builder's command line is wrapped so that, while it runs, the
state directory and the store are read-only and only its private build
directory and its own temporary output directories are writable:

    mount  (root)      `unshare --mount`: a private mount namespace in which
                       the store is bind-mounted read-only
    userns (not root)  the same inside `unshare --user --map-root-user`
    check  (neither)   no protection; after the build every path that was
                       valid before it is checked (`Snapshot`) and any that
                       changed is named in the error

The mode is probed once per process (by running the wrapper on a scratch
directory) unless `DECLOS_SANDBOX` says `mount`, `userns` or `check`.  It
must not know what a derivation is or how outputs are installed.

Example:
    mode = sandbox_mode()
    argv = wrap(["/bin/sh", "-c", "..."], mode, read_only=[store.store_dir],
                writable=[build_dir, out_dir])
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence

import attrs

MODES = ("mount", "userns", "check")
ENV_VAR = "DECLOS_SANDBOX"
#: The exit status of the wrapper when it cannot set the namespace up.
SETUP_FAILED = 121
#: What a builder sees when it writes where it must not; used for the hint.
READ_ONLY_HINT = "Read-only file system"

# Bind every `rw=PATH` onto itself, then every `ro=PATH` recursively and
# read-only: the read-only flag is set on that mount alone, so the writable
# binds below it stay writable.  Then exec the builder.  Every expansion is
# quoted: nothing from the builder's environment (IFS, …) changes what it does.
_WRAPPER = r"""
M="$1"; shift
while [ "$#" -gt 0 ]; do
  case "$1" in
    --) shift; exec "$@" ;;
    ro=*) p="${1#ro=}"
      "$M" --rbind -o ro "$p" "$p" || {
        echo "declos: cannot make '$p' read-only for the builder" >&2; exit 121; } ;;
    rw=*) p="${1#rw=}"
      "$M" --bind "$p" "$p" || {
        echo "declos: cannot make '$p' writable for the builder" >&2; exit 121; } ;;
  esac
  shift
done
exit 121
"""

_lock = threading.Lock()
_probed: dict[str, bool] = {}


def _programs() -> tuple[str, str, str] | None:
    unshare = shutil.which("unshare", path="/usr/bin:/bin:/usr/sbin:/sbin")
    mount = shutil.which("mount", path="/usr/bin:/bin:/usr/sbin:/sbin")
    if unshare is None or mount is None or not os.access("/bin/sh", os.X_OK):
        return None
    return unshare, mount, "/bin/sh"


def wrap(
    argv: Sequence[str],
    mode: str,
    *,
    read_only: Iterable[str],
    writable: Iterable[str],
) -> list[str]:
    """`argv` to run in the sandbox of `mode` (unchanged for `check`).

    Every path in `read_only` and `writable` must exist; a writable path may
    lie inside a read-only one.
    """
    if mode == "check":
        return list(argv)
    programs = _programs()
    if programs is None:
        raise OSError("unshare, mount or /bin/sh is missing")
    unshare, mount, sh = programs
    ns = [unshare, "--mount", "--propagation", "private"]
    if mode == "userns":
        ns[1:1] = ["--user", "--map-root-user"]
    specs = [f"rw={p}" for p in writable] + [f"ro={p}" for p in _outermost(read_only)]
    return [*ns, sh, "-c", _WRAPPER, "declos-sandbox", mount, *specs, "--", *argv]


def _outermost(paths: Iterable[str]) -> list[str]:
    """`paths` without those inside another one on the same file system
    (made read-only with it)."""
    kept: list[tuple[str, int]] = []
    for p in sorted(paths, key=len):
        dev = os.stat(p).st_dev
        if not any(p.startswith(k.rstrip("/") + "/") and d == dev for k, d in kept):
            kept.append((p, dev))
    return [k for k, _ in kept]


def _works(mode: str) -> bool:
    """Run the wrapper on a scratch tree: the read-only part must refuse a
    write, the writable part inside it must take one."""
    if _programs() is None:
        return False
    top = tempfile.mkdtemp(prefix="declos-sandbox-probe-")
    try:
        inner = os.path.join(top, "rw")
        os.mkdir(inner)
        script = f'if (: > "{top}/no") 2>/dev/null; then exit 1; fi; : > "{inner}/yes"'
        argv = wrap(["/bin/sh", "-c", script], mode, read_only=[top], writable=[inner])
        try:
            proc = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={"PATH": "/usr/bin:/bin"},
                timeout=10,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        ok = (
            proc.returncode == 0
            and os.path.exists(os.path.join(inner, "yes"))
            and not os.path.exists(os.path.join(top, "no"))
        )
        return ok
    finally:
        shutil.rmtree(top, ignore_errors=True)


def available(mode: str) -> bool:
    """Whether `mode` protects the store on this host (probed once)."""
    if mode == "check":
        return True
    with _lock:
        if mode not in _probed:
            _probed[mode] = _works(mode)
        return _probed[mode]


def sandbox_mode() -> str:
    """The mode process builders run in: `DECLOS_SANDBOX` if set, else the
    first of mount (as root), userns, check that works here."""
    want = os.environ.get(ENV_VAR, "").strip()
    if want:
        if want not in MODES:
            raise ValueError(f"{ENV_VAR} must be one of {', '.join(MODES)}, not '{want}'")
        return want
    candidates = ["mount", "userns"] if os.geteuid() == 0 else ["userns"]
    for mode in candidates:
        if available(mode):
            return mode
    return "check"


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
