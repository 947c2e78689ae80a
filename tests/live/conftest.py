"""Fixtures of the live tests: Debian hosts booted with systemd-nspawn.

    host          a booted host (function scope), declos not installed
    declos_host   a booted host with declos in /opt/declos (on PATH)
    make_host     make_host(declos=False, private_network=True, boot=True) -> Host,
                  for several hosts, a shared network, or files written before boot
    live_images   (session) the cached root and this session's wheels

Every test here is marked `live` (`pytest -m "not live"` leaves them out).
Where containers cannot run (not root, no systemd-nspawn or mmdebstrap, no
network for the first build, nspawn unable to boot) they are all skipped with
the reason, which the terminal summary repeats; with CI=true that is an
error instead, since CI installs everything.  See README.md beside this file.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import attrs
import pytest
from live_host import Host, HostError
from live_image import (
    LiveBuildError,
    LiveUnavailable,
    build_wheels,
    cache_root,
    check_tools,
    copy_tree,
    ensure_rootfs,
    install_declos_into,
    rootfs_path,
)

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]


@attrs.define
class _Stats:
    """What the terminal summary reports about this session's live tests."""

    skipped: str | None = None
    setup: list[str] = attrs.field(factory=list)
    boots: list[tuple[float, float]] = attrs.field(factory=list)  # (copy s, boot s)
    teardowns: list[tuple[float, float]] = attrs.field(factory=list)  # (poweroff s, rm s)
    machines: int = 0


_stats = _Stats()


@attrs.frozen
class LiveImages:
    rootfs: Path  # the cached root, never booted or modified
    wheels: Path  # declos and its dependencies, bound read-only at /wheels
    workdir: Path  # this session's scratch directory


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"live tests cannot run in CI (CI=true): {reason}", pytrace=False)
    _stats.skipped = reason
    pytest.skip(f"live tests skipped: {reason}")


def _machine_name() -> str:
    _stats.machines += 1
    return f"declos-{os.getpid()}-{_stats.machines}"


def _new_host(base: Path, workdir: Path, wheels: Path, *, private_network: bool) -> Host:
    name = _machine_name()
    hostdir = workdir / name
    hostdir.mkdir(parents=True)
    started = time.monotonic()
    copy_tree(base, hostdir / "root")
    _stats.boots.append((time.monotonic() - started, 0.0))
    (hostdir / "root/etc/hostname").write_text(name + "\n")
    return Host(
        hostdir / "root",
        name=name,
        wheels=wheels,
        console=hostdir / "console.log",
        private_network=private_network,
    )


def _boot_timed(host: Host) -> None:
    started = time.monotonic()
    host.boot()
    copy, _ = _stats.boots[-1]
    _stats.boots[-1] = (copy, time.monotonic() - started)


def _prepare(workdir: Path) -> LiveImages:
    """Build (or find) the root, build the wheels, and boot once to prove
    containers work here.  Raises LiveUnavailable or LiveBuildError."""
    cache = cache_root()
    check_tools(need_mmdebstrap=not rootfs_path(cache).is_dir())
    rootfs, seconds = ensure_rootfs(cache)
    how = "cached" if seconds is None else f"built in {seconds:.1f} s"
    _stats.setup.append(f"root {rootfs} ({how})")
    started = time.monotonic()
    wheels = build_wheels(PROJECT, workdir / "wheels", cache)
    _stats.setup.append(f"wheels in {time.monotonic() - started:.1f} s")
    probe = _new_host(rootfs, workdir, wheels, private_network=True)
    try:
        _boot_timed(probe)
        probe.poweroff()
    except HostError as e:
        raise LiveUnavailable(f"systemd-nspawn cannot boot the root: {e}") from e
    finally:
        probe._kill()
        shutil.rmtree(probe.root, ignore_errors=True)
    return LiveImages(rootfs=rootfs, wheels=wheels, workdir=workdir)


@pytest.fixture(scope="session")
def live_images(tmp_path_factory: pytest.TempPathFactory) -> LiveImages:
    """The cached root and this session's wheels, or a skip (an error in CI)."""
    unavailable = failed = None
    try:
        return _prepare(tmp_path_factory.mktemp("live"))
    except LiveUnavailable as e:
        unavailable = str(e)
    except LiveBuildError as e:
        failed = str(e)
    if failed:  # outside the except: no "during handling" chain in the report
        pytest.fail(failed, pytrace=False)
    _unavailable(str(unavailable))


@pytest.fixture(scope="session")
def declos_rootfs(live_images: LiveImages) -> Iterator[Path]:
    """A copy of the root with declos installed, made once per session."""
    dest = live_images.workdir / "rootfs-declos"
    started = time.monotonic()
    try:
        install_declos_into(live_images.rootfs, dest, live_images.wheels, _machine_name())
    except LiveBuildError as e:
        pytest.fail(str(e), pytrace=False)
    _stats.setup.append(f"declos installed into a root in {time.monotonic() - started:.1f} s")
    yield dest
    shutil.rmtree(dest, ignore_errors=True)


class HostFactory:
    """`make_host(...)`: a new host from a fresh copy of the root; every host
    it made is powered off (and its root removed) when the test ends."""

    def __init__(self, request: pytest.FixtureRequest, images: LiveImages, tmp_path: Path):
        self._request = request
        self._images = images
        self._workdir = tmp_path
        self.hosts: list[Host] = []

    def __call__(
        self, *, declos: bool = False, private_network: bool = True, boot: bool = True
    ) -> Host:
        """`declos`: /opt/declos installed from this session's wheels.
        `private_network=False` shares this machine's network (the
        container's sshd and nginx then compete for ports 22 and 80).
        `boot=False` returns it stopped: write files, then `host.boot()`."""
        base = self._request.getfixturevalue("declos_rootfs") if declos else self._images.rootfs
        host = _new_host(base, self._workdir, self._images.wheels, private_network=private_network)
        self.hosts.append(host)
        if boot:
            _boot_timed(host)
        return host

    def close(self) -> None:
        errors = []
        for host in self.hosts:
            started = time.monotonic()
            try:
                host.poweroff()
            except HostError as e:
                errors.append(str(e))
            finally:
                host._kill()
                stopped = time.monotonic()
                shutil.rmtree(host.root, ignore_errors=True)
                _stats.teardowns.append((stopped - started, time.monotonic() - stopped))
        if errors:
            pytest.fail("\n\n".join(errors), pytrace=False)


@pytest.fixture
def make_host(
    request: pytest.FixtureRequest, live_images: LiveImages, tmp_path: Path
) -> Iterator[HostFactory]:
    factory = HostFactory(request, live_images, tmp_path)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def host(make_host: HostFactory) -> Host:
    return make_host()


@pytest.fixture
def declos_host(make_host: HostFactory) -> Host:
    return make_host(declos=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.live)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A failing live test shows the end of each of its hosts' consoles."""
    outcome = yield
    report = outcome.get_result()
    factory = getattr(item, "funcargs", {}).get("make_host")
    if report.failed and isinstance(factory, HostFactory):
        for h in factory.hosts:
            report.sections.append((f"console of {h.name} (last lines)", h.console_tail()))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if _stats.skipped:
        terminalreporter.write_line(f"live tests skipped: {_stats.skipped}", yellow=True)
    if _stats.boots:
        booted = [b for _, b in _stats.boots if b]
        copies = sum(c for c, _ in _stats.boots) / len(_stats.boots)
        line = f"live: {len(_stats.boots)} roots copied ({copies:.2f} s each on average)"
        if booted:
            line += f", {len(booted)} boots ({sum(booted) / len(booted):.2f} s each)"
        if _stats.teardowns:
            offs, rms = zip(*_stats.teardowns, strict=True)
            line += f", poweroff {sum(offs) / len(offs):.2f} s and removal {sum(rms) / len(rms):.2f} s each"
        terminalreporter.write_line("; ".join([*_stats.setup, line]))
