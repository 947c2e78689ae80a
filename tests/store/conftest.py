"""Shared fixtures for the store tests: a real temporary store, and real Nix."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def _run_nix(*argv: str, **kw) -> str:
    """Run a Nix command and return its stdout, stripped."""
    out = subprocess.run(argv, check=True, capture_output=True, text=True, **kw)
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
