"""`switch --confirm-within` and `declos confirm`, on a root that is a directory.

The host side of a deploy's magic rollback: the switch activates, a
detached process waits for the confirmation, and without one in time the
previous generation is put back and the new one forgotten.  A waiter that
dies while waiting leaves an interrupted switch, which `declos recover`
undoes.  `declos switch` also takes a toplevel already in the store.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from fleet_helpers import REPO, run_declos

MINIMAL = os.path.join(REPO, "examples", "minimal", "config.dcl")


@pytest.fixture
def host(tmp_path: Path):
    """A state directory and root on generation 1 (examples/minimal), and a
    second configuration; yields a function running declos on them."""
    state, root = tmp_path / "state", tmp_path / "root"
    (tmp_path / "second.dcl").write_text(
        f'{{ lib, ... }}: {{ imports = [ {MINIMAL} ]; networking.hostName = lib.mkForce "second"; }}'
    )

    def declos(*args: str, check: int | None = 0, env=None):
        return run_declos(*args, "--state-dir", str(state), check=check, env=env)

    declos("switch", MINIMAL, "--root", str(root))
    declos.state, declos.root, declos.second = state, root, str(tmp_path / "second.dcl")
    return declos


def _generations(host) -> list[tuple[int, bool]]:
    gens = json.loads(host("generations", "--json").stdout)
    return [(g["number"], g["current"]) for g in gens]


def _hostname(host) -> str:
    static = os.readlink(host.root / "etc" / "static")
    return Path(static, "hostname").read_text().strip()


def _settled(host, timeout: float = 30) -> None:
    """Wait until no switch is in progress (the journal is gone)."""
    deadline = time.monotonic() + timeout
    while json.loads(host("status", "--json").stdout)["interrupted"] is not None:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_confirmed_in_time_it_stays(host) -> None:
    proc = host("switch", host.second, "--root", str(host.root), "--confirm-within", "30")
    assert "active and waiting for confirmation: run `declos confirm " in proc.stdout
    assert _hostname(host) == "second"
    assert _generations(host) == [(1, True), (2, False)]  # the profile waits too
    confirmed = host("confirm")
    assert confirmed.stdout == "confirmed: generation 2 is active and the default at boot\n"
    assert _generations(host) == [(1, False), (2, True)]
    again = host("switch", host.second, "--root", str(host.root), "--confirm-within", "30")
    assert "nothing to confirm" in again.stdout
    assert "no switch is waiting" in host("confirm", check=1).stderr


def test_not_confirmed_it_is_rolled_back(host) -> None:
    args = ("--root", str(host.root), "--confirm-within", "1", "--confirm-id", "t1")
    host("switch", host.second, *args)
    assert _hostname(host) == "second"
    _settled(host)
    assert _hostname(host) == "minimal"
    assert _generations(host) == [(1, True)]  # the unconfirmed generation is forgotten
    late = host("confirm", "t1", "--json", check=1)
    verdict = json.loads(late.stdout)
    assert verdict["state"] == "rolled-back"
    assert "not confirmed within 1 s" in verdict["message"]
    assert "error: rolled-back: " in host("confirm", "t1", check=1).stderr


def test_test_mode_confirmed_keeps_the_boot_default(host) -> None:
    args = ("--root", str(host.root), "--confirm-within", "30", "--confirm-id", "t2")
    host("test", host.second, *args)
    assert json.loads(host("confirm", "t2", "--json").stdout)["state"] == "confirmed"
    assert _hostname(host) == "second"
    assert _generations(host) == [(1, True), (2, False)]


def test_a_waiter_killed_while_waiting_is_undone_by_recover(host) -> None:
    args = ("--root", str(host.root), "--confirm-within", "60", "--confirm-id", "t3")
    host("switch", host.second, *args)
    status = json.loads((host.state / "confirm" / "t3" / "status.json").read_text())
    assert status["state"] == "waiting"
    os.kill(status["pid"], signal.SIGKILL)
    proc = host("confirm", "t3", check=1)
    assert "lost: the process that waited for the confirmation ended" in proc.stderr
    assert "undid the interrupted switch to generation 2" in host("recover").stdout
    assert _hostname(host) == "minimal"
    assert _generations(host) == [(1, True)]


def test_switch_takes_a_toplevel_of_its_store(host, tmp_path: Path) -> None:
    built = run_declos(
        "build", host.second, "--no-out-link", "--state-dir", str(host.state)
    ).stdout.strip()
    proc = host("switch", built, "--root", str(host.root))
    assert "generation 2 is active" in proc.stdout
    assert _hostname(host) == "second"
    other = run_declos(
        "build", MINIMAL, "--no-out-link", "--state-dir", str(tmp_path / "other")
    ).stdout.strip()
    proc = host("switch", other, "--root", str(host.root), check=1)
    assert f"'{other}' is a toplevel of another store" in proc.stderr
    assert f"give --state-dir {tmp_path / 'other'}" in proc.stderr
    unregistered = host.state / "store" / ("0" * 32 + "-declos-system-copy")
    shutil.copytree(built, unregistered)
    proc = host("switch", str(unregistered), "--root", str(host.root), check=1)
    assert f"'{unregistered}' is not a valid path of {host.state / 'store'}" in proc.stderr


def test_confirm_usage(host) -> None:
    assert "no switch with the id 'nope'" in host("confirm", "nope", check=1).stderr
    assert "is not a confirmation id" in host("confirm", "../x", check=1).stderr
    proc = host("switch", host.second, "--root", str(host.root), "--confirm-within", "0", check=1)
    assert "--confirm-within must be more than 0 seconds" in proc.stderr


@pytest.mark.parametrize(
    "flags",
    [("--confirm-within=0",), ("--confirm-within=nan",), ("--confirm-within=-inf",),
     ("--confirm-within=30", "--confirm-id", "../x")],
)  # fmt: skip
def test_bad_confirm_flags_are_refused_before_anything_is_built(host, tmp_path, flags) -> None:
    # A configuration that cannot evaluate: the flag's error comes first, so
    # nothing was evaluated, built or switched.
    broken = tmp_path / "broken.dcl"
    broken.write_text('{ ... }: { networking.hostName = throw "evaluated"; }\n')
    before = sorted(os.listdir(host.state / "store"))
    proc = host("switch", str(broken), "--root", str(host.root), *flags, check=1)
    assert "evaluated" not in proc.stderr
    assert "--confirm-within must be more than 0 seconds" in proc.stderr or (
        "is not a confirmation id" in proc.stderr
    )
    assert sorted(os.listdir(host.state / "store")) == before
    assert _generations(host) == [(1, True)]
