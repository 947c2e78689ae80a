"""Several declos processes on one state directory: gc against a running
build and a running switch, and the default number of parallel builds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from store_helpers import ROOT, mkdrv, out_of

from declos.store import graph
from declos.store.gc import collect_garbage
from declos.store.store import Store


def _python(code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
    )


def _wait_for(path: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_gc_waits_for_a_running_build_and_keeps_what_it_uses(store, tmp_path):
    with Store(store.state_dir) as other:  # closed: no temporary root left
        dep = str(other.add_text("dep", "dependency"))
        inp = str(other.add_text("input", f"uses {dep}", [dep]))
    # A builder writes only beside its output: the test sees that directory.
    drv = mkdrv(
        store, "slow", f'touch "${{out%/*}}/started"; sleep 1.5; cat {inp} > $out', srcs=[inp]
    )
    started = Path(store.tmp_dir_for(store.parse_path(out_of(store, drv))), "started")
    builder = _python(
        "import sys; from declos.store.store import Store; "
        "from declos.store.builders import build_one; "
        f"s = Store({store.state_dir!r}); build_one(s, {drv!r}); "
        "print('built', flush=True); sys.stdin.read()"
    )
    try:
        _wait_for(started)
        t0 = time.monotonic()
        result = collect_garbage(store)  # waits for the build to be installed
        assert time.monotonic() - t0 > 0.5
        out = out_of(store, drv)
        assert builder.stdout.readline().strip() == "built"
        # The output and the build's inputs (with their closure) are
        # temporary roots of the live builder process.
        for p in (out, inp, dep):
            assert store.is_valid(p) and os.path.exists(p), p
            assert p not in result.deleted
        assert Path(out).read_text() == f"uses {dep}"
    finally:
        builder.stdin.close()
        assert builder.wait(timeout=20) == 0, builder.stderr.read()
    # The builder is gone: its output is rooted by nothing (its inputs still
    # by the .drv, a temporary root of this process).
    result = collect_garbage(store)
    assert out in result.deleted and inp not in result.deleted


def test_gc_waits_for_a_switch_holding_the_lock(store, tmp_path):
    with Store(store.state_dir) as other:
        gen = str(other.add_text("generation", "being activated"))
    holder = _python(
        "import sys, time; from declos.store.store import Store; "
        "from declos.system.journal import system_lock; "
        f"s = Store({store.state_dir!r}); s.add_temp_root({gen!r}); "
        f"lock = system_lock({store.state_dir!r}); lock.__enter__(); "
        "print('held', flush=True); time.sleep(1.5); lock.__exit__(None, None, None); "
        "sys.stdin.read()"
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        gc = subprocess.run(
            [sys.executable, "-m", "declos", "gc", "--state-dir", store.state_dir],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": ROOT},
        )
        assert gc.returncode == 0, gc.stderr
        assert time.monotonic() - t0 > 0.7
        assert "waiting for another declos command" in gc.stderr
        assert gen not in gc.stdout and os.path.exists(gen) and store.is_valid(gen)
    finally:
        holder.stdin.close()
        holder.wait(timeout=20)


def test_jobs_default_to_the_number_of_cores(store, monkeypatch):
    monkeypatch.setattr(graph.os, "cpu_count", lambda: 3)
    drvs = [mkdrv(store, f"p{i}", f"sleep 0.4; echo {i} > $out") for i in range(7)]
    running: list[int] = []
    result = graph.build(store, drvs, on_event=lambda e: running.append(e.running))
    assert result.ok and len(result.built) == 7
    assert max(running) == 3
