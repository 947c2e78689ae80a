"""Shared fixtures for the store tests: a real temporary store, and real Nix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from nix_oracle import run_nix
from store_helpers import ROOT


def _run_nix(*argv: str, **kw) -> str:
    """Run a Nix command and return its stdout, stripped."""
    out = run_nix(list(argv), check=True, **kw)
    return out.stdout.strip()


@pytest.fixture
def nix():
    """`nix("nix-hash", ...)` runs the real Nix tool; the test is skipped without Nix."""
    if shutil.which("nix-hash") is None or shutil.which("nix-instantiate") is None:
        pytest.skip("Nix is not installed")
    return _run_nix


@pytest.fixture
def store(tmp_path):
    from declos.store.store import Store

    s = Store(tmp_path / "state")
    yield s
    s.close()


@pytest.fixture
def declos(tmp_path):
    """`declos("build", ...)` runs the CLI in `tmp_path/work` on `tmp_path/state`."""
    work = tmp_path / "work"
    work.mkdir()
    state = tmp_path / "state"

    def run(*argv: str, check: int | None = 0) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env["DECLOS_STATE_DIR"] = str(state)
        env["PYTHONPATH"] = ROOT
        proc = subprocess.run(
            [sys.executable, "-m", "declos", *argv],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if check is not None:
            assert proc.returncode == check, proc.stderr
        assert "Traceback" not in proc.stderr
        return proc

    def write(name: str, text: str) -> str:
        (work / name).write_text(textwrap.dedent(text))
        return name

    run.work = work
    run.state = state
    run.write = write
    return run
