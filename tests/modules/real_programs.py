"""Checking generated files with the real programs (sshd -t, nginx -t) as
they would run on the switched root, without touching the host: the check
runs in a private mount namespace (`unshare --mount`, plus
`--map-root-user` when not root) where /run, /var/cache and /var/log are
empty tmpfs with the directories the units declare (RuntimeDirectory= and
the like), and the root's /etc/passwd and /etc/group are bound over the
host's, so the accounts the configuration declares are the ones the
program looks up.  Also: switching a configuration into a temporary root,
and resolving a path inside that root (its /etc links are absolute inside
the root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from declos.cli import main

# The directories systemd would create for sshd.service and nginx.service.
UNIT_DIRS = ("/run/sshd", "/run/nginx", "/var/cache/nginx", "/var/log/nginx")

_SCRIPT = """
set -e
root=$1; shift
for d in /run /var/cache /var/log; do mount -t tmpfs tmpfs "$d"; done
for d in {dirs}; do mkdir -p "$d"; done
for f in passwd group; do
  if [ -f "$root/etc/$f" ]; then mount --bind "$root/etc/$f" "/etc/$f"; fi
done
while [ "$1" != -- ]; do mount --bind "$1" "$2"; shift 2; done; shift
exec "$@"
"""


def require(program: str) -> str:
    """The program's path, or skip the test when the host lacks it."""
    path = shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin")
    if path is None:
        pytest.skip(f"{program} is not installed")
    return path


def run_isolated(
    root: Path, argv: list[str], binds: tuple[tuple[Path, str], ...] = ()
) -> subprocess.CompletedProcess:
    """Run argv in a private mount namespace seeing root's accounts, and
    each (source, target) of binds bound over the host's target."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare is not installed")
    ns = [unshare, "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        ns.append("--map-root-user")
    probe = subprocess.run([*ns, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.strip()}")
    script = _SCRIPT.format(dirs=" ".join(UNIT_DIRS))
    return subprocess.run(
        [
            *ns,
            "sh",
            "-c",
            script,
            "sh",
            str(root),
            *(str(x) for b in binds for x in b),
            "--",
            *argv,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def in_root(root: Path, path: str) -> Path:
    """Resolve /etc/… of the switched root as the root itself would: links
    are absolute inside the root (/etc/static/…), store paths are the host's."""
    current = Path(str(root) + path)
    for _ in range(40):
        if not current.is_symlink():
            return current
        target = os.readlink(current)
        if target.startswith("/"):
            inside = Path(str(root) + target)
            current = inside if os.path.lexists(inside) else Path(target)
        else:
            current = current.parent / target
    raise AssertionError(f"too many links resolving {path} in {root}")


def sshd_check(root: Path, config: Path, binds=()) -> subprocess.CompletedProcess:
    return run_isolated(root, [require("sshd"), "-t", "-f", str(config)], binds)


def nginx_check(root: Path, config: Path, prefix: Path) -> subprocess.CompletedProcess:
    prefix.mkdir(parents=True, exist_ok=True)
    return run_isolated(root, [require("nginx"), "-t", "-p", f"{prefix}/", "-c", str(config)])


def switch(tmp_path: Path, capsys, *, text: str | None = None, path: str | None = None) -> Path:
    """`declos switch CONFIG --root tmp/root --state-dir tmp/state`; the root."""
    if path is None:
        path = str(tmp_path / "config.dcl")
        Path(path).write_text(textwrap.dedent(text))
    root, state = tmp_path / "root", tmp_path / "state"
    capsys.readouterr()
    code = main(["switch", path, "--root", str(root), "--state-dir", str(state)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    return root


def offline_security_user(unit_text: str, tmp_path: Path) -> str:
    """The `User=/DynamicUser=` line of `systemd-analyze security --offline`
    for a unit file (skips without systemd-analyze): which account systemd
    itself reads from the file, whatever its other lines say."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("no systemd-analyze")
    unit = tmp_path / "app.service"
    unit.write_text(unit_text)
    proc = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--man=no", str(unit)],
        capture_output=True,
        text=True,
    )
    user = [line for line in proc.stdout.splitlines() if "User=/DynamicUser=" in line]
    assert user, proc.stdout + proc.stderr
    return user[0]
