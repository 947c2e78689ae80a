"""`declos gc` running while `declos switch` evaluates, builds and activates.

What a switch uses — sources and `.drv` files written by the evaluation,
outputs found valid and reused, the built (or cached) toplevel — is a
temporary root of the switch from the moment it is found or made until its
activation is over.  Two kinds of test, real processes throughout:

- a hammer: many switches while another process deletes old generations
  and collects garbage in a loop; not one switch may fail;
- the worst moments, reached deterministically with the pause points of
  `declos.store.pause`: the switch stops there, a whole `gc` runs (after
  deleting the generations that rooted what the switch reuses), the
  switch goes on and must succeed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_helpers import ROOT

from declos.store import pause

CONFIG = """{ config, lib, pkgs, ... }:
{
  networking.hostName = "h${builtins.readFile ./h}";
  environment.etc."x.conf".text = "n=${builtins.readFile ./n}";
  system.stateVersion = "24.11";
}
"""


class Host:
    """A configuration directory, a state directory and a root."""

    def __init__(self, tmp_path: Path):
        self.dir = tmp_path / "conf"
        self.dir.mkdir()
        (self.dir / "c.dcl").write_text(CONFIG)
        self.state = tmp_path / "state"
        self.root = tmp_path / "root"
        self.pauses = tmp_path / "pauses"
        self.pauses.mkdir()

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DECLOS_")}
        env["PYTHONPATH"] = ROOT
        env.update(extra)
        return env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "declos", *args, "--state-dir", str(self.state)]

    def declos(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            self.argv(*args), env=self.env(), capture_output=True, text=True, cwd=self.dir
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    def configure(self, host: str, n: str) -> None:
        (self.dir / "h").write_text(host)
        (self.dir / "n").write_text(n)

    def switch_argv(self, *extra: str) -> list[str]:
        return self.argv("switch", str(self.dir / "c.dcl"), "--root", str(self.root), *extra)

    def switch(self, host: str, n: str) -> subprocess.CompletedProcess:
        self.configure(host, n)
        proc = subprocess.run(
            self.switch_argv(), env=self.env(), capture_output=True, text=True, cwd=self.dir
        )
        assert proc.returncode == 0, proc.stderr
        return proc

    def paused_switch(self, point: str, host: str, n: str) -> subprocess.Popen:
        """A switch stopped at `point` (returned once it is there)."""
        self.configure(host, n)
        env = self.env(**{pause.AT_ENV: point, pause.DIR_ENV: str(self.pauses)})
        proc = subprocess.Popen(
            self.switch_argv(),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.dir,
        )
        deadline = time.monotonic() + 60
        while not (self.pauses / f"{point}.paused").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, f"the switch never reached '{point}'"
            time.sleep(0.02)
        return proc

    def resume(self, proc: subprocess.Popen, point: str) -> tuple[str, str]:
        (self.pauses / f"{point}.resume").write_text("")
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        assert proc.returncode == 0, err
        return out, err

    def gc(self) -> list[str]:
        """Delete every generation but the current one, then collect."""
        self.declos("generations", "delete", "--keep", "1")
        proc = self.declos("gc")
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    def etc(self, name: str) -> str:
        """/etc/NAME of the root, its links read as the root's own."""
        path = self.root / "etc" / name
        for _ in range(8):
            if not path.is_symlink():
                break
            target = os.readlink(path)
            if target.startswith("/etc/"):  # the root's own /etc
                path = self.root / target.lstrip("/")
            else:
                path = path.parent / target
        return path.read_text()


@pytest.fixture
def host(tmp_path):
    return Host(tmp_path)


def _reused_unrooted(host: Host) -> str:
    """Generation 1 (h0) then 2 (h1), generation 1 deleted without a gc:
    what only h0 needs (its /etc/hostname) is valid and rooted by nothing.
    Returns generation 1's toplevel."""
    host.switch("0", "1")
    gen1 = os.readlink(host.state / "profiles" / "system-1-link")
    host.switch("1", "2")
    proc = host.declos("generations", "delete", "1")
    assert proc.returncode == 0, proc.stderr
    return gen1


def test_gc_between_evaluation_and_build(host):
    """The evaluation found h0's hostname file valid and will not build it
    again: the gc that runs now must leave it to the build."""
    _reused_unrooted(host)
    proc = host.paused_switch("graph", "0", "3")
    deleted = host.gc()
    assert any(p.endswith(".drv") for p in deleted)  # it did collect
    assert not any(p.endswith("-etc-hostname") for p in deleted)
    out, _ = host.resume(proc, "graph")
    assert "generation 3 is active" in out
    assert host.etc("hostname").strip() == "h0" and host.etc("x.conf") == "n=3"


def test_gc_between_build_and_activation(host):
    """The toplevel is built but no generation roots it yet."""
    gen1 = _reused_unrooted(host)
    proc = host.paused_switch("built", "0", "3")
    assert gen1 in host.gc()  # it did collect
    out, _ = host.resume(proc, "built")
    assert "generation 3 is active" in out
    assert host.etc("hostname").strip() == "h0" and host.etc("x.conf") == "n=3"
    assert host.declos("store", "verify").returncode == 0


def test_gc_after_a_cached_evaluation(host):
    """The evaluation cache hands back a toplevel whose generation was
    deleted: it is kept from the moment it is found valid."""
    host.switch("0", "1")
    host.switch("1", "2")  # the cache now holds h1's evaluation
    assert host.declos("rollback", "--root", str(host.root)).returncode == 0
    assert host.declos("generations", "delete", "2").returncode == 0
    gen2 = host.state / "profiles" / "system-2-link"
    assert not gen2.exists()
    proc = host.paused_switch("built", "1", "2")
    host.gc()
    out, err = host.resume(proc, "built")
    assert "reusing its result" in err
    assert "generation 2 is active" in out  # number 2 again: it was deleted
    assert host.etc("hostname").strip() == "h1" and host.etc("x.conf") == "n=2"


def test_many_switches_while_gc_runs_in_a_loop(host, tmp_path):
    stop = tmp_path / "stop"
    loop = (
        "import subprocess, sys, os\n"
        f"argv = {host.argv('gc')!r}\n"
        f"delete = {host.argv('generations', 'delete', '--keep', '1')!r}\n"
        "n = 0\n"
        f"while not os.path.exists({str(stop)!r}):\n"
        "    subprocess.run(delete, capture_output=True)\n"
        "    r = subprocess.run(argv, capture_output=True, text=True)\n"
        "    if r.returncode != 0 or 'Traceback' in r.stderr:\n"
        "        print('gc failed:', r.stderr, flush=True)\n"
        "    n += 1\n"
        "print('gc runs:', n, flush=True)\n"
    )
    hammer = subprocess.Popen(
        [sys.executable, "-c", loop], env=host.env(), stdout=subprocess.PIPE, text=True
    )
    failures = []
    try:
        for i in range(12):
            host.configure(str(i % 2), str(i))
            proc = subprocess.run(
                host.switch_argv(), env=host.env(), capture_output=True, text=True, cwd=host.dir
            )
            if proc.returncode != 0:
                failures.append(proc.stderr)
    finally:
        stop.write_text("")
        report = hammer.communicate(timeout=120)[0]
    assert failures == []
    assert "gc failed" not in report, report
    assert int(report.split("gc runs:")[1]) >= 3  # gc really ran alongside
    assert host.etc("hostname").strip() == "h1" and host.etc("x.conf") == "n=11"
    assert host.declos("store", "verify").returncode == 0
