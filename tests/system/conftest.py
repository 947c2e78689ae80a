"""Fixtures for the system tests: a real state directory, store and root."""

from __future__ import annotations

import os

import pytest

from declos.store.store import Store
from declos.system.synth import make_toplevel
from declos.system.transaction import System


@pytest.fixture
def state(tmp_path):
    return str(tmp_path / "state")


@pytest.fixture
def store(state):
    with Store(state) as s:
        yield s


@pytest.fixture
def root(state):
    path = os.path.join(state, "root")
    os.makedirs(os.path.join(path, "etc"))
    return path


@pytest.fixture
def system(store, root):
    s = System(store, root)
    yield s
    s.close()


@pytest.fixture
def top(store):
    def make(**kw):
        return make_toplevel(store, **kw)

    return make
