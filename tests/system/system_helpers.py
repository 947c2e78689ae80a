"""Helpers for the system tests (imported by them): processes and root snapshots."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Switch `state` to `toplevel` in a separate process (for crashes and concurrency).
RUNNER = """
import sys
from declos.store.store import Store
from declos.system.transaction import System
from declos.system.journal import system_lock
state, top = sys.argv[1], sys.argv[2]
store = Store(state)
system = System(store, say=lambda m: print(m, file=sys.stderr, flush=True))
with system_lock(state, on_wait=lambda m: print(m, file=sys.stderr, flush=True)):
    out = system.switch_to(top)
print(out.generation.number if out.generation else "noop")
"""


def run_declos(*args, env=None, check=False, **kw):
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = REPO + os.pathsep + full_env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "declos", *args], env=full_env, capture_output=True, text=True, **kw
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"declos {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def runner(state, toplevel, env=None):
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = REPO + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, state, toplevel],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# Remembered ids are kept for good (as NixOS' uid-map), and so their directories.
IGNORED = {"var/lib/declos/accounts.json", "var", "var/lib", "var/lib/declos"}


def snapshot(root: str, dirs: bool = False) -> dict:
    """Every file and link under `root`: what it is; with `dirs`, every
    directory too (so a created empty home counts), else not empty ones."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if rel in IGNORED:
                continue
            st = os.lstat(p)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                out[rel] = ("file", digest, oct(st.st_mode & 0o7777), st.st_uid, st.st_gid)
            elif dirs and os.path.isdir(p):
                out[rel] = ("dir", oct(st.st_mode & 0o7777), st.st_uid, st.st_gid)
    return out
