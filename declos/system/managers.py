"""The host's package managers, as `packages.py` drives them: apt, dnf, zypper.

Each `Manager` answers what is installed (and whether by hand or as a
dependency), resolves names without changing anything (a simulated
install), installs, and removes what declos installed together with the
dependencies nothing else needs, never a package something still needs.
They run only for the live root (`/`), in the host's mount namespace
(`mounts.host_command`), non-interactively, keeping the configuration
files the host has (`--force-confold`), and refusing any transaction that
would remove a package while installing (`--no-remove`).

apt is what the tests exercise on booted Debian hosts; dnf (Fedora, RHEL)
and zypper (openSUSE) follow their documented command lines and are not
tested on a real host.

`detect(fs)` names the manager of a root from its os-release (`ID`,
`ID_LIKE`), else from the programs it has.

Example:
    apt = manager_for("apt")
    apt.simulate_install(["htop"])        # ["htop", "libnl-3-200", …]
    apt.simulate_install(["htopp"])       # ManagerError, names=[("htopp", "no such package …")]
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Callable

from declos.diagnostics import DeclosError
from declos.store import mounts
from declos.system import rootfs

MANAGERS = ("apt", "dnf", "zypper")
_BY_ID = {
    "debian": "apt",
    "ubuntu": "apt",
    "fedora": "dnf",
    "rhel": "dnf",
    "centos": "dnf",
    "rocky": "dnf",
    "almalinux": "dnf",
    "opensuse": "zypper",
    "suse": "zypper",
    "sles": "zypper",
}
_PROGRAMS = (("usr/bin/apt-get", "apt"), ("usr/bin/dnf", "dnf"), ("usr/bin/zypper", "zypper"))
TAIL = 15
Say = Callable[[str], None]


class ManagerError(DeclosError):
    """A manager refused or failed; `names` lists (name, why) it could not resolve."""

    code = "host-package-manager"

    def __init__(self, message: str, names: tuple[tuple[str, str], ...] = ()):
        super().__init__(message)
        self.names = tuple(names)


def detect(fs: rootfs.Root) -> str | None:
    """The package manager of the root open at `fs`, or None."""
    for rel in ("usr/lib/os-release", "etc/os-release"):
        try:
            text = fs.read_text(rel)
        except DeclosError:  # a symlink (Debian's etc/os-release) is not followed
            text = None
        if text:
            fields = dict(
                (k, v.strip().strip("\"'"))
                for k, _, v in (line.partition("=") for line in text.splitlines())
            )
            for ident in [fields.get("ID", ""), *fields.get("ID_LIKE", "").split()]:
                ident = ident.lower()
                if ident in _BY_ID or ident.startswith("opensuse"):
                    return _BY_ID.get(ident, "zypper")
    for rel, name in _PROGRAMS:
        with contextlib.suppress(DeclosError):
            if fs.lexists(rel):
                return name
    return None


def manager_for(name: str) -> Manager:
    return {"apt": Apt, "dnf": Dnf, "zypper": Zypper}[name]()


def _env() -> dict[str, str]:
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LC_ALL": "C.UTF-8",
        "DEBIAN_FRONTEND": "noninteractive",
        "APT_LISTCHANGES_FRONTEND": "none",
        "NEEDRESTART_MODE": "a",
    }
    for k in ("http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def run(argv: list[str], say: Say | None = None, prefix: str = "") -> tuple[int, str]:
    """Run `argv` on the host (its mount namespace); (status, output).  With
    `say`, each output line is passed on as it comes."""
    cmd, fds = mounts.host_command(argv)
    lines: list[str] = []
    try:
        with subprocess.Popen(
            cmd,
            env=_env(),
            pass_fds=fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ) as proc:
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode(errors="replace").rstrip("\n")
                lines.append(line)
                if say is not None:
                    say(f"{prefix}{line}")
    except OSError as e:
        raise ManagerError(f"cannot run {argv[0]}: {e.strerror}") from None
    return proc.returncode, "\n".join(lines)


def _tail(output: str) -> str:
    return "\n".join(f"  {line}" for line in output.splitlines()[-TAIL:])


def _failed(argv: list[str], status: int, output: str) -> ManagerError:
    return ManagerError(f"`{' '.join(argv)}` failed (exit status {status}):\n{_tail(output)}")


class Manager:
    """Base class; `name` is the manager as `environment.hostPackageManager` names it."""

    name = ""

    def installed(self) -> dict[str, str]:  # name -> "manual" | "auto"
        raise NotImplementedError

    def simulate_install(self, names: list[str]) -> list[str]:
        raise NotImplementedError

    def install(self, names: list[str], say: Say) -> None:
        raise NotImplementedError

    def remove(
        self, names: list[str], unmark: list[str], candidates: list[str], say: Say
    ) -> tuple[list[str], list[str]]:
        """(removed, kept): `names` and `unmark` become dependencies; of
        `candidates`, those nothing needs any more are removed."""
        raise NotImplementedError

    def index_names(self) -> tuple[str, ...]:
        return ()

    def empty_index_hint(self) -> str | None:
        return None


# --- apt ---------------------------------------------------------------------------------

_APT_OPTS = [
    "-q",
    "-o",
    "Dpkg::Options::=--force-confdef",
    "-o",
    "Dpkg::Options::=--force-confold",
    "-o",
    "DPkg::Lock::Timeout=300",
]
_UNRESOLVED = (
    (re.compile(r"^E: Unable to locate package (\S+)$"), "no such package in the index"),
    (
        re.compile(r"^E: Package '(\S+)' has no installation candidate$"),
        "no installation candidate (referred to by other packages, but not available)",
    ),
    (re.compile(r"^E: Couldn't find any package by (?:glob|regex) '(\S+)'$"), "no such package"),
)
_SELECTED = re.compile(r"^Note, selecting '(\S+)' (instead of|for regex|for glob) '(\S+)'$")


class Apt(Manager):
    name = "apt"

    def installed(self) -> dict[str, str]:
        fmt = "${binary:Package}\t${Package}\t${db:Status-Abbrev}\n"
        status, out = run(["dpkg-query", "-W", "-f", fmt])
        if status != 0:
            raise _failed(["dpkg-query", "-W"], status, out)
        code, auto_out = run(["apt-mark", "showauto"])
        if code != 0:
            raise _failed(["apt-mark", "showauto"], code, auto_out)
        auto = set(auto_out.split())
        state: dict[str, str] = {}
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) != 3 or len(parts[2]) < 2 or parts[2][1] != "i":
                continue
            full, plain, _ = parts
            mark = "auto" if (full in auto or plain in auto) else "manual"
            state[full] = state[plain] = mark
        return state

    def simulate_install(self, names: list[str]) -> list[str]:
        argv = ["apt-get", "install", "--simulate", "--no-remove", "-q", *names]
        status, out = run(argv)
        unresolved: list[tuple[str, str]] = []
        for line in out.splitlines():
            for pattern, why in _UNRESOLVED:
                m = pattern.match(line)
                if m:
                    unresolved.append((m.group(1), why))
            m = _SELECTED.match(line)
            if m and m.group(3) in names:
                chosen, how, asked = m.groups()
                why = (
                    f"a virtual package: declare the package providing it ({chosen})"
                    if how == "instead of"
                    else "not a package name (apt reads it as a pattern)"
                )
                unresolved.append((asked, why))
        if unresolved:
            raise ManagerError("apt cannot resolve some names", tuple(dict(unresolved).items()))
        if status != 0:
            if "remove is disabled" in out:
                raise ManagerError(
                    f"installing {' '.join(names)} would remove other packages "
                    f"(conflicts):\n{_tail(out)}"
                )
            raise _failed(argv, status, out)
        return [line.split()[1] for line in out.splitlines() if line.startswith("Inst ")]

    def install(self, names: list[str], say: Say) -> None:
        argv = ["apt-get", "install", "-y", "--no-remove", *_APT_OPTS, *names]
        status, out = run(argv, say, "apt: ")
        if status != 0:
            raise _failed(argv[:3] + names, status, out)

    def remove(
        self, names: list[str], unmark: list[str], candidates: list[str], say: Say
    ) -> tuple[list[str], list[str]]:
        if names or unmark:
            argv = ["apt-mark", "-o", "DPkg::Lock::Timeout=300", "auto", *names, *unmark]
            status, out = run(argv)
            if status != 0:
                raise _failed(argv, status, out)
        if not names:
            return [], []
        status, out = run(["apt-get", "autoremove", "--simulate", "-q"])
        if status != 0:
            raise _failed(["apt-get", "autoremove", "--simulate"], status, out)
        removable = {line.split()[1] for line in out.splitlines() if line.startswith("Remv ")}
        gone = [c for c in candidates if c in removable or c.split(":")[0] in removable]
        if gone:  # removing them must not take anything else along (an orphan depending on one)
            status, out = run(["apt-get", "remove", "--simulate", "-q", *gone])
            doomed = {line.split()[1] for line in out.splitlines() if line.startswith("Remv ")}
            if status != 0 or doomed - set(gone):
                gone = []
        kept = [n for n in names if n not in gone]
        if gone:
            argv = ["apt-get", "remove", "-y", *_APT_OPTS, *gone]
            status, out = run(argv, say, "apt: ")
            if status != 0:
                raise _failed(argv[:3] + gone, status, out)
        return gone, kept

    def index_names(self) -> tuple[str, ...]:
        from declos.store.pkgs.host_index import HostIndex

        return HostIndex("apt").names()

    def empty_index_hint(self) -> str | None:
        from declos.store.pkgs.host_index import APT_LISTS

        with contextlib.suppress(OSError):
            if any("_Packages" in n for n in os.listdir(APT_LISTS)):
                return None
        return "the host's package index is empty: run `apt-get update` first"


# --- dnf (Fedora, RHEL) --------------------------------------------------------------------


def _rpm_installed() -> set[str]:
    status, out = run(["rpm", "-qa", "--qf", "%{NAME}\n"])
    if status != 0:
        raise _failed(["rpm", "-qa"], status, out)
    return set(out.split())


class Dnf(Manager):
    name = "dnf"

    def installed(self) -> dict[str, str]:
        names = _rpm_installed()
        status, out = run(["dnf", "repoquery", "-q", "--userinstalled", "--qf", "%{name}"])
        manual = set(out.split()) if status == 0 else names
        return {n: "manual" if n in manual else "auto" for n in names}

    def simulate_install(self, names: list[str]) -> list[str]:
        status, out = run(["dnf", "install", "--assumeno", *names])
        missing = re.findall(r"^No match for argument: (\S+)$", out, re.M)
        if missing:
            raise ManagerError(
                "dnf cannot resolve some names", tuple((n, "no such package") for n in missing)
            )
        return list(names)

    def install(self, names: list[str], say: Say) -> None:
        status, out = run(["dnf", "install", "-y", *names], say, "dnf: ")
        if status != 0:
            raise _failed(["dnf", "install", *names], status, out)

    def remove(self, names, unmark, candidates, say):
        if names or unmark:
            status, out = run(["dnf", "mark", "remove", *names, *unmark])
            if status != 0:
                raise _failed(["dnf", "mark", "remove"], status, out)
        if not names:
            return [], []
        status, out = run(["dnf", "autoremove", "-y", *names], say, "dnf: ")
        if status != 0:
            raise _failed(["dnf", "autoremove", *names], status, out)
        left = _rpm_installed()
        return [n for n in names if n not in left], [n for n in names if n in left]


# --- zypper (openSUSE) ---------------------------------------------------------------------


class Zypper(Manager):
    name = "zypper"
    AUTO = "/var/lib/zypp/AutoInstalled"

    def installed(self) -> dict[str, str]:
        names = _rpm_installed()
        auto: set[str] = set()
        with contextlib.suppress(OSError), open(self.AUTO) as f:
            auto = {line.strip() for line in f if line.strip() and not line.startswith("#")}
        return {n: "auto" if n in auto else "manual" for n in names}

    def simulate_install(self, names: list[str]) -> list[str]:
        status, out = run(["zypper", "--non-interactive", "install", "--dry-run", *names])
        missing = re.findall(r"^(?:Package|No provider of) '(\S+)'(?: not found)?", out, re.M)
        if missing:
            raise ManagerError(
                "zypper cannot resolve some names", tuple((n, "no such package") for n in missing)
            )
        if status != 0:
            raise _failed(["zypper", "install", "--dry-run", *names], status, out)
        return list(names)

    def install(self, names: list[str], say: Say) -> None:
        status, out = run(["zypper", "--non-interactive", "install", *names], say, "zypper: ")
        if status != 0:
            raise _failed(["zypper", "install", *names], status, out)

    def remove(self, names, unmark, candidates, say):
        if not names:
            return [], []  # zypper has no command to mark a package as a dependency
        status, out = run(["zypper", "--non-interactive", "remove", "--dry-run", *names])
        doomed = re.findall(
            r"^The following \d+ packages? (?:is|are) going to be REMOVED:\n(.*)$", out, re.M
        )
        others = [p for p in " ".join(doomed).split() if p not in candidates]
        if status != 0 or others:
            return [], list(names)
        status, out = run(["zypper", "--non-interactive", "remove", "--clean-deps", *names], say)
        if status != 0:
            raise _failed(["zypper", "remove", *names], status, out)
        return list(names), []
