"""`declos deploy` against a real sshd on a loopback port (no activation).

The sshd runs in a mount namespace of its own with an empty tmpfs over the
state directory: to the deployer it is a host with the same state path and
nothing in it.  Only what does not activate is run against it (it shares
this machine's root): `--dry-run`, the copy itself, and the errors of a
host without declos or out of reach.  Activation is tests/live's.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from fleet_helpers import closed_port, hosts_of, run_declos, sshd

from declos.fleet.display import Board
from declos.fleet.fleet import Deployment
from declos.fleet.hosts import HostDeploy, HostOptions, HostRun
from declos.store.store import Store

BIN = os.path.dirname(sys.executable)
FLEET = """{
  defaults = { system.stateVersion = "24.11"; deployment.targetHost = "127.0.0.1"; };
  nodes.here = { deployment.targetPort = PORT; };
  nodes.gone = { deployment.targetPort = CLOSED; };
}
"""


@pytest.fixture
def state(tmp_path: Path) -> str:
    return str(tmp_path / "state")


def _fleet(tmp_path: Path, port: int) -> str:
    path = tmp_path / "fleet.dcl"
    path.write_text(FLEET.replace("CLOSED", str(closed_port())).replace("PORT", str(port)))
    return str(path)


def test_dry_run_says_what_each_host_lacks(tmp_path: Path, state: str) -> None:
    with sshd(tmp_path, state, f"{BIN}:/usr/bin:/bin") as (port, ssh):
        fleet = _fleet(tmp_path, port)
        proc = run_declos(
            "deploy", fleet, "--state-dir", state, "--dry-run", "--json", *ssh, check=1
        )
        hosts = hosts_of(proc)
        here, gone = hosts["here"], hosts["gone"]
        assert here["status"] == "would-deploy" and here["copied"]["paths"] > 5
        assert gone["status"] == "failed" and "Connection refused" in gone["error"]
        text = run_declos("deploy", fleet, "--state-dir", state, "--dry-run", "--on", "here", *ssh)
        assert text.stdout.splitlines()[0].split()[:3] == [
            "here",
            "would-deploy",
            str(here["copied"]["paths"]),
        ]
        assert "here: copy done: would copy" in text.stderr  # piped: plain lines


def test_copy_sends_what_the_host_lacks_verified(tmp_path: Path, state: str) -> None:
    with sshd(tmp_path, state, f"{BIN}:/usr/bin:/bin") as (port, ssh):
        fleet = _fleet(tmp_path, port)
        proc = run_declos(
            "deploy", fleet, "--state-dir", state, "--dry-run", "--json", *ssh, check=1
        )
        top = hosts_of(proc)["here"]["toplevel"]
        options = tuple(ssh[1::2])
        with Store(state) as store, open(os.devnull, "w") as quiet:
            run = HostRun("here", Deployment("127.0.0.1", port), toplevel=top)
            opts = HostOptions(state, 30, options, tempfile.mkdtemp(dir=tmp_path))
            board = Board(["here"], stream=quiet, tty=False)
            job = HostDeploy(run, store, opts, board, threading.Event(), "h0")
            try:
                job._copy()
                first = (run.copied_paths, run.copied_bytes)
                assert first[0] == len(store.closure([top])) and first[1] > 0
                job._copy()
                assert run.copied_paths == 0  # everything is there now
                there = job.conn.run(["declos", "store", "verify", "--state-dir", state])
                assert there.returncode == 0, there.stderr
                assert f"{first[0]} store paths verified" in there.stderr
                listed = job.conn.run(["ls", f"{state}/store"]).stdout.split()
                assert not [n for n in listed if n.startswith(".")]
            finally:
                job.conn.close()
                board.close()


def test_a_host_without_declos_is_a_clear_error(tmp_path: Path, state: str) -> None:
    with sshd(tmp_path, state, "/usr/bin:/bin") as (port, ssh):
        fleet = _fleet(tmp_path, port)
        proc = run_declos("deploy", fleet, "--state-dir", state, "--on", "here", *ssh, check=1)
        assert "here  " in proc.stdout and "failed" in proc.stdout
        assert "declos is not on PATH on root@127.0.0.1:" in proc.stderr
        assert "install it there" in proc.stderr
