"""What the live tests build once: the Debian root (cached across sessions)
and the wheels (once per session).

A root is `mmdebstrap --variant=minbase` of `SUITE` with `PACKAGES`, kept as
`<cache>/live-rootfs-<key>` where the key hashes the suite, the variant, the
package list, the dpkg path excludes and `RECIPE`, so changing any of them builds a new root (old
ones are left for the user to delete).  It is built into a temporary
directory beside it and renamed into place under a lock, so a killed build
never leaves half a root behind and two sessions never build it twice.

Wheels: the project is copied (without .git, tests and build debris) and
built with `pip wheel --no-deps`; its dependencies (from pyproject.toml,
pinned to the versions of the running venv where they are installed) are
downloaded once for CPython 3.11 on glibc 2.36 (Debian bookworm) and cached
as `<cache>/live-wheels-<key>`.  The container has no network, so
`pip install --no-index --find-links /wheels declos` must find everything
there.

`LiveUnavailable` means "containers cannot run here" (not root, tools
missing, no network for the first build); everything else is a real error.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

from declos.lang.cache import cache_dir as _parse_cache_dir

SUITE = "bookworm"
VARIANT = "minbase"
PACKAGES = (
    "systemd",
    "systemd-sysv",
    "dbus",
    "python3-venv",
    "openssh-server",
    "nginx-light",
    "sudo",
    "nftables",
    "curl",
    "procps",
    "iproute2",
)
# No manuals, documentation or translations: a third fewer files to copy
# for every test.  Written to /etc/dpkg/dpkg.cfg.d/ in the root, so packages
# a test installs later follow the same rule.
DPKG_EXCLUDES = ("/usr/share/man/*", "/usr/share/doc/*", "/usr/share/info/*", "/usr/share/locale/*")
# Bump when the way a root is made changes in a way the key does not see.
RECIPE = 1
# Debian bookworm's python3 and glibc: what the dependency wheels must fit.
CONTAINER_PYTHON = "3.11"
CONTAINER_GLIBC_MINOR = 36

# Run inside a container (booted or not) with the wheels at /wheels.
INSTALL_DECLOS = (
    "python3 -m venv /opt/declos"
    " && /opt/declos/bin/pip install -q --no-index --find-links /wheels declos"
    " && /opt/declos/bin/declos --version"
)

_NETWORK_FAILURES = (
    "Temporary failure resolving",
    "Could not resolve",
    "Failed to fetch",
    "Network is unreachable",
    "Connection timed out",
    "Connection refused",
    "No route to host",
)


class LiveUnavailable(Exception):
    """Booted containers cannot run on this machine; the message says why."""


class LiveBuildError(Exception):
    """Building the root or the wheels failed for a reason that is not the
    machine's (a bad package name, a project that does not build)."""


def die_with_parent() -> None:
    """In a child before exec: SIGTERM when the test process dies, however it
    dies (prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def cache_root() -> Path:
    """`$DECLOS_CACHE_DIR`, else `$XDG_CACHE_HOME/declos`, else `~/.cache/declos`."""
    return _parse_cache_dir().parent


def check_tools(*, need_mmdebstrap: bool) -> None:
    """Raise LiveUnavailable unless this process can build and boot containers."""
    if os.geteuid() != 0:
        raise LiveUnavailable("live tests need root (systemd-nspawn, nsenter)")
    tools = ["systemd-nspawn", "nsenter", "unshare", "tar"]
    tools += ["mmdebstrap"] if need_mmdebstrap else []
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise LiveUnavailable(
            f"live tests need {', '.join(missing)} (apt-get install mmdebstrap systemd-container)"
        )


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def rootfs_path(cache: Path) -> Path:
    """Where the root for the current package list lives (it may not exist)."""
    key = _key(SUITE, VARIANT, sorted(PACKAGES), DPKG_EXCLUDES, RECIPE, platform.machine())
    return cache / f"live-rootfs-{key}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _clear_stale(final: Path) -> None:
    """Remove temporaries of builds that were killed (we hold the lock), but
    never one with something mounted inside."""
    for stale in final.parent.glob(final.name + ".tmp-*"):
        with open("/proc/self/mountinfo") as f:
            points = [line.split()[4] for line in f]
        if any(p == str(stale) or p.startswith(f"{stale}/") for p in points):
            raise LiveBuildError(f"{stale}: a killed build left mounts inside; unmount them")
        shutil.rmtree(stale, ignore_errors=True)


def ensure_rootfs(cache: Path) -> tuple[Path, float | None]:
    """The cached root, built first if missing; with the build's duration in
    seconds (None when it was cached)."""
    final = rootfs_path(cache)
    if final.is_dir():
        return final, None
    with _locked(final.with_name(final.name + ".lock")):
        if final.is_dir():  # another session built it while we waited
            return final, None
        check_tools(need_mmdebstrap=True)
        _clear_stale(final)
        tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
        # Its own mount namespace: the /proc, /sys and /dev mounts it makes
        # in the root vanish with it, even if it is killed.
        cmd = [
            "unshare",
            "--mount",
            "--propagation=private",
            "mmdebstrap",
            f"--variant={VARIANT}",
            *(f"--dpkgopt=path-exclude={path}" for path in DPKG_EXCLUDES),
            "--include=" + ",".join(PACKAGES),
            SUITE,
            str(tmp),
        ]
        started = time.monotonic()
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=1800,
                preexec_fn=die_with_parent,
            )
        except subprocess.TimeoutExpired as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise LiveBuildError(f"{' '.join(cmd)} did not finish in {e.timeout:.0f} s") from e
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            log = proc.stdout + proc.stderr
            what = f"{' '.join(cmd)} exited {proc.returncode}:\n{_tail(log)}"
            network = [
                line for line in log.splitlines() if any(m in line for m in _NETWORK_FAILURES)
            ]
            if network:
                raise LiveUnavailable(
                    f"cannot build the Debian root without network: {cmd[3]} exited "
                    f"{proc.returncode}: {network[-1].strip()}"
                )
            raise LiveBuildError(what)
        os.rename(tmp, final)
        return final, time.monotonic() - started


def copy_tree(src: Path, dst: Path) -> None:
    """`cp -a --reflink=auto`: a clone where the filesystem can (btrfs, xfs),
    a full copy elsewhere (coreutils >= 9 already defaults to it)."""
    subprocess.run(["cp", "-a", "--reflink=auto", str(src), str(dst)], check=True)


def _dependencies(project: Path) -> list[str]:
    """The project's requirements, pinned to this venv's versions when installed."""
    with open(project / "pyproject.toml", "rb") as f:
        specs = tomllib.load(f)["project"]["dependencies"]
    pinned = []
    for spec in specs:
        name = re.match(r"[A-Za-z0-9._-]+", spec).group(0)  # type: ignore[union-attr]
        try:
            pinned.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pinned.append(spec)
    return pinned


def _pip(args: list[str], what: str, *, unavailable: bool) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=900
    )
    if proc.returncode != 0:
        message = f"{what}: pip {' '.join(args)} exited {proc.returncode}:\n"
        message += _tail(proc.stdout + proc.stderr)
        raise (LiveUnavailable if unavailable else LiveBuildError)(message)


def _dependency_wheels(project: Path, cache: Path) -> Path:
    deps = _dependencies(project)
    machine = platform.machine()
    final = cache / f"live-wheels-{_key(deps, CONTAINER_PYTHON, CONTAINER_GLIBC_MINOR, machine)}"
    if final.is_dir():
        return final
    with _locked(final.with_name(final.name + ".lock")):
        if final.is_dir():
            return final
        _clear_stale(final)
        tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
        abi = "cp" + CONTAINER_PYTHON.replace(".", "")
        platforms = [f"manylinux_2_{m}_{machine}" for m in range(CONTAINER_GLIBC_MINOR, 16, -1)]
        platforms += [f"manylinux2014_{machine}", f"linux_{machine}"]
        args = ["download", "-q", "-d", str(tmp), "--only-binary=:all:"]
        args += ["--python-version", CONTAINER_PYTHON, "--implementation", "cp", "--abi", abi]
        args += [f"--platform={p}" for p in platforms] + deps
        try:
            _pip(args, "cannot fetch the dependencies' wheels", unavailable=True)
        except Exception:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        os.rename(tmp, final)
        return final


_NOT_SHIPPED = shutil.ignore_patterns(
    ".git", "tests", "bench", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".hypothesis", ".ruff_cache", ".venv", "result",
)  # fmt: skip


def build_wheels(project: Path, dest: Path, cache: Path) -> Path:
    """`dest` holding the project's wheel and every dependency's wheel."""
    dest.mkdir(parents=True, exist_ok=True)
    for wheel in _dependency_wheels(project, cache).iterdir():
        shutil.copy2(wheel, dest / wheel.name)
    # Built from a copy: an in-tree build would write build/ and *.egg-info
    # into a checkout other sessions are using.
    src = dest.with_name(dest.name + "-src")
    shutil.copytree(project, src, symlinks=True, ignore=_NOT_SHIPPED)
    try:
        _pip(
            ["wheel", "-q", "--no-deps", "-w", str(dest), str(src)],
            "cannot build the project's wheel",
            unavailable=False,
        )
    finally:
        shutil.rmtree(src, ignore_errors=True)
    return dest


def install_declos_into(base: Path, dest: Path, wheels: Path, name: str) -> None:
    """A copy of `base` at `dest` with declos installed in /opt/declos, by
    running the install in the root without booting it (so the copy keeps
    no trace of a boot: no journal, no machine id, no random seed)."""
    copy_tree(base, dest)
    cmd = ["systemd-nspawn", "-q", "-D", str(dest), "--register=no", "--keep-unit"]
    cmd += ["-M", name, "--private-network", f"--bind-ro={wheels}:/wheels"]
    cmd += ["sh", "-c", INSTALL_DECLOS]
    proc = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        raise LiveBuildError(
            f"installing declos into {dest} failed ({proc.returncode}):\n"
            + _tail(proc.stdout + proc.stderr)
        )
