"""The real programs that check generated files (nft, visudo,
apparmor_parser, systemd-analyze), each a function that skips the test
cleanly when the program is missing or cannot run here (nft may need
CAP_NET_ADMIN even with -c)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile

import pytest


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@functools.cache
def _nft_usable() -> str | None:
    """None if `nft -c -f` works here, else why not."""
    if shutil.which("nft") is None:
        return "nft is not installed"
    with tempfile.NamedTemporaryFile("w", suffix=".nft", delete=False) as f:
        f.write(
            "table inet declos-probe {\n  chain c {\n    type filter hook input priority 0;\n  }\n}\n"
        )
    try:
        proc = _run(["nft", "-c", "-f", f.name])
    finally:
        os.unlink(f.name)
    return None if proc.returncode == 0 else f"nft -c cannot run here: {proc.stderr.strip()}"


def nft_check(path) -> None:
    why = _nft_usable()
    if why:
        pytest.skip(why)
    proc = _run(["nft", "-c", "-f", str(path)])
    assert proc.returncode == 0, proc.stderr


def visudo_check(path) -> None:
    visudo = shutil.which("visudo") or (
        "/usr/sbin/visudo" if os.path.exists("/usr/sbin/visudo") else None
    )
    if visudo is None:
        pytest.skip("visudo is not installed")
    proc = _run([visudo, "-c", "-f", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def apparmor_check(path) -> None:
    parser = shutil.which("apparmor_parser") or (
        "/usr/sbin/apparmor_parser" if os.path.exists("/usr/sbin/apparmor_parser") else None
    )
    if parser is None:
        pytest.skip("apparmor_parser is not installed")
    proc = _run([parser, "-Q", "-K", str(path)])
    assert proc.returncode == 0, proc.stderr


def systemd_verify(paths) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    proc = _run(["systemd-analyze", "verify", *map(str, paths)])
    assert proc.returncode == 0, proc.stderr
    assert "Unknown" not in proc.stderr and "ignoring" not in proc.stderr, proc.stderr


def systemd_verify_root(root, units, resolve) -> None:
    """systemd-analyze verify on the unit files of a switched root, which
    are links absolute inside the root: each is resolved with `resolve`
    (root, path) and copied under its own name into a scratch directory."""
    with tempfile.TemporaryDirectory() as scratch:
        paths = []
        for unit in units:
            src = resolve(root, f"/etc/systemd/system/{unit}")
            dst = os.path.join(scratch, unit)
            shutil.copyfile(src, dst)
            paths.append(dst)
        systemd_verify(paths)
