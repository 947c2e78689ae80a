"""Helpers of the binary cache tests: a real nginx, fresh state directories,
real Nix on a chroot store that shares declos' store directory."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from store_helpers import ROOT

from declos.store.fs import remove_tree

MINIMAL = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "examples",
    "minimal",
    "config.dcl",
)


def run(state, *argv, check: int | None = 0, input: bytes | None = None, text: bool = True):
    """`declos ARGV --state-dir STATE` (no state: no option); with `input`,
    bytes in and out."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "DECLOS_STATE_DIR")}
    env["PYTHONPATH"] = ROOT
    proc = subprocess.run(
        [sys.executable, "-m", "declos", *argv, *(["--state-dir", str(state)] if state else [])],
        capture_output=True,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        env=env,
    )
    stderr = proc.stderr.decode(errors="replace")
    if check is not None:
        assert proc.returncode == check, stderr
    assert "Traceback" not in stderr
    proc.stderr = stderr
    if text:
        proc.stdout = proc.stdout.decode(errors="replace")
    return proc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def nginx_serving(root: str, prefix: str) -> Iterator[str]:
    """A real nginx serving `root` on a loopback port; yields its URL."""
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed")
    os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
    for _ in range(5):
        port = _free_port()
        conf = os.path.join(prefix, "nginx.conf")
        temps = " ".join(
            f"{k}_temp_path {prefix}/tmp/{k};"
            for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        with open(conf, "w") as f:
            f.write(
                f"daemon off; master_process off; worker_processes 1;\n"
                f"error_log {prefix}/error.log; pid {prefix}/nginx.pid;\n"
                "events { worker_connections 64; }\n"
                f"http {{ access_log {prefix}/access.log; {temps}\n"
                "  types { text/x-nix-narinfo narinfo; } default_type application/octet-stream;\n"
                f"  server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n"
            )
        proc = subprocess.Popen(
            ["nginx", "-p", prefix, "-c", conf, "-e", f"{prefix}/error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        if proc.poll() is None:
            break
    else:
        with open(f"{prefix}/error.log") as log:
            pytest.fail(f"nginx did not start: {log.read()}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fresh_state(state, config: str | None = None) -> None:
    """Put the state directory away (its store paths keep their names: a new
    state directory at the same place) and start an empty one with `config`
    as its declos.conf."""
    old = f"{state}.old"
    remove_tree(old)
    if os.path.exists(state):
        os.rename(state, old)
    os.makedirs(state)
    if config is not None:
        with open(os.path.join(state, "declos.conf"), "w") as f:
            f.write(config)


def leftovers(state) -> list[str]:
    """Temporary entries left in the store (there should be none)."""
    store = os.path.join(state, "store")
    return [n for n in os.listdir(store) if n.startswith(".")] if os.path.isdir(store) else []


def builds_run(state) -> int:
    """How many builders ran in this state directory (each leaves a log)."""
    logs = os.path.join(state, "logs")
    return len(os.listdir(logs)) if os.path.isdir(logs) else 0


def nix_store_url(nix_root, store_dir) -> str:
    """A Nix chroot store (files under `nix_root`) whose store directory is
    `store_dir`, declos' own: the same store paths on both sides."""
    return f"local?root={nix_root}&store={store_dir}"


NIX = ["nix", "--extra-experimental-features", "nix-command"]
