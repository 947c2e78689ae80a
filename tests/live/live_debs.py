"""Debian packages the live image lacks, installed into a booted host by hand.

Hosts with a private network cannot reach Debian's mirror, so a test that
needs, say, systemd-resolved downloads its .deb on this machine (`apt-get
download`, cached in the declos cache directory beside the live root),
copies it in and installs it with dpkg: the package is then the host's own,
as if the administrator had installed it, and declos' `hostPackages` finds
it installed.  Packages built from systemd's source are pinned to the
host's systemd version (they depend on it exactly).  Where the download
fails (no mirror, the version is gone) the test is skipped, saying why.

    install_debs(host, "systemd-resolved", pin="systemd")
    install_debs(host, "zsh", "zsh-common")
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from live_host import Host
from live_image import cache_root


def install_debs(host: Host, *names: str, pin: str | None = None) -> None:
    version = None
    if pin is not None:
        version = host.run(["dpkg-query", "-W", "-f", "${Version}", pin]).stdout.strip()
    cache = cache_root() / "live-debs"
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        debs = _cached(cache, name, version)
        if not debs:
            spec = f"{name}={version}" if version else name
            proc = subprocess.run(
                ["apt-get", "download", "-q", spec],
                cwd=cache,
                capture_output=True,
                text=True,
                timeout=300,
            )
            debs = _cached(cache, name, version)
            if proc.returncode != 0 or not debs:
                pytest.skip(f"cannot download {spec} for the live host: {proc.stderr.strip()}")
        deb = debs[-1]
        host.copy_in(deb, f"/root/debs/{deb.name}")
        paths.append(f"/root/debs/{deb.name}")
    host.run(["dpkg", "-i", *paths], timeout=300)


def _cached(cache: Path, name: str, version: str | None) -> list[Path]:
    """The downloaded .deb files of `name` (of `version`, in apt's file name spelling)."""
    want = None if version is None else version.replace(":", "%3a")
    return sorted(
        p for p in cache.glob(f"{name}_*.deb") if want is None or p.name.split("_")[1] == want
    )
