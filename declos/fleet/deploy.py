"""`declos deploy`: evaluate every node, build every closure once, then each host.

1. The fleet file's shape is checked and `--on` resolved to candidates.
2. Nodes are evaluated (the evaluation cache first, then worker processes).
3. Every toplevel is built in one build graph, so a path that several
   nodes share is built once (with `--build-on target`, each host builds
   its own, after the `.drv` files are copied there).
4. Each host, on its own thread (at most `MAX_HOSTS` at once): copy,
   activate, confirm (`hosts.py`).

An evaluation or build failure stops the deploy before any host is
touched, unless `--keep-going`, which deploys the nodes that built.  A
host that fails later (unreachable, a failed activation, no confirmation)
never stops the others.

Store paths name their store directory, so the deployer builds in the
same state directory as the hosts use: `--state-dir`, default
`/var/lib/declos` (a live host's), passed to every declos command run on
the hosts.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from declos.fleet.display import Board, headline
from declos.fleet.evaluate import NodeResult, cached, evaluate_nodes, record
from declos.fleet.fleet import Fleet, Selection, load
from declos.fleet.hosts import HostDeploy, HostOptions, HostRun

if TYPE_CHECKING:
    from declos.store.graph import BuildEvent
    from declos.store.store import Store

MAX_HOSTS = 32


@attrs.frozen
class DeployOptions:
    fleet: str
    state_dir: str
    on: tuple[str, ...] = ()
    jobs: int = 1
    dry_run: bool = False
    confirm_timeout: float = 30.0
    ssh_options: tuple[str, ...] = ()
    build_on: str = "local"
    keep_going: bool = False
    search_path: tuple[str, ...] = ()
    show_trace: bool = False
    unsafe_builders: bool = False


@attrs.frozen
class Outcome:
    hosts: tuple[HostRun, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(h.status in ("deployed", "unchanged", "would-deploy") for h in self.hosts)


def _load(opts: DeployOptions, store: Store) -> Fleet:
    from declos.eval.deep import run_deep
    from declos.store.builtins import EvalStore, evaluator_with_store

    ev = evaluator_with_store(EvalStore.read_only(store.store_dir), opts.search_path)
    return run_deep(load, ev, opts.fleet)


def deploy(
    opts: DeployOptions, store: Store, board_factory: Callable[[list[str]], Board] = Board
) -> Outcome:
    started = time.monotonic()
    selection = Selection.parse(opts.on)
    fleet = _load(opts, store)
    names = selection.candidates(fleet)
    board = board_factory(names)
    runs = {n: HostRun(n) for n in names}
    try:
        results = _evaluate(opts, store, selection, names, board)
        for name, r in results.items():
            if not r.selected:
                board.drop(name)
                del runs[name]
        selection.check_tags(t for r in results.values() if r.deployment for t in r.deployment.tags)
        for name, run in runs.items():
            r = results[name]
            run.deployment, run.toplevel, run.drv_path, run.cached = (
                r.deployment,
                r.toplevel,
                r.drv_path,
                r.cached,
            )
            run.seconds["eval"] = r.seconds
            if r.error:
                run.fail("eval", r.error)
        _cancel_if_failed(opts, runs, board)
        if opts.build_on == "local":
            _build(opts, store, runs, results, board)
        _cancel_if_failed(opts, runs, board)
        todo = [r for r in runs.values() if r.status == "pending"]
        if todo:
            _hosts(opts, store, todo, board)
    finally:
        board.close()
    return Outcome(tuple(runs[n] for n in sorted(runs)), time.monotonic() - started)


def _evaluate(
    opts: DeployOptions, store: Store, selection: Selection, names: list[str], board: Board
) -> dict[str, NodeResult]:
    results: dict[str, NodeResult] = {}
    for name in names:
        hit = cached(opts.state_dir, opts.fleet, name, opts.search_path, store)
        if hit is not None:
            assert hit.deployment is not None  # `cached` returns only a node with one
            if not selection.selects(name, hit.deployment.tags):
                hit = attrs.evolve(hit, selected=False)
            else:
                board.phase(name, "eval", "done", "unchanged: not evaluated")
            results[name] = hit
    misses = [n for n in names if n not in results]

    def done(r: NodeResult) -> None:
        if r.error:
            board.phase(r.name, "eval", "failed", headline(r.error))
        elif r.selected:
            board.phase(r.name, "eval", "done")

    if misses:
        results.update(
            evaluate_nodes(
                opts.fleet,
                misses,
                state_dir=opts.state_dir,
                search_path=opts.search_path,
                selection=selection,
                jobs=opts.jobs,
                show_trace=opts.show_trace,
                on_start=lambda n: board.phase(n, "eval", "running"),
                on_done=done,
                on_log=board.line,
            )
        )
    # What `declos switch` prints for one configuration, for each node deployed
    # (from the evaluation cache as well: unchanged nodes still have them).
    for name in sorted(results):
        r = results[name]
        if r.selected and not r.error:
            for w in r.warnings:
                board.note(f"warning: {name}: {w}")
    return results


def _build(
    opts: DeployOptions,
    store: Store,
    runs: dict[str, HostRun],
    results: dict[str, NodeResult],
    board: Board,
) -> None:
    """Build every toplevel at once; a node whose build failed gets its error."""
    from declos.diagnostics import render
    from declos.store.cache import substituter_for
    from declos.store.graph import build

    building = {n: r for n, r in runs.items() if r.status == "pending" and not r.cached}
    for name, run in runs.items():
        if run.cached and run.status == "pending":
            board.phase(name, "build", "done", "unchanged")
    if not building:
        return
    for name in building:
        board.phase(name, "build", "running")
    drvs = sorted({r.drv_path for r in building.values() if r.drv_path})
    for drv in drvs:  # the workers' temporary roots ended with them
        store.keep_if_valid(store.closure([drv]))
    sub = substituter_for(store, ())

    def event(e: BuildEvent) -> None:
        for name in building:
            if runs[name].status == "pending":
                board.phase(name, "build", "running", f"[{e.done}/{e.total}] {e.kind}")

    started = time.monotonic()
    result = build(
        store,
        drvs,
        jobs=opts.jobs,
        keep_going=opts.keep_going,
        on_event=event,
        unsafe=opts.unsafe_builders,
        substitute=sub.substitute if sub is not None else None,
    )
    took = time.monotonic() - started
    for name, run in building.items():
        run.seconds["build"] = took
        if run.drv_path in result.outputs:
            board.phase(name, "build", "done")
            record(opts.state_dir, opts.fleet, opts.search_path, results[name])
            continue
        assert run.drv_path is not None  # evaluated now (not cached): its worker gave the .drv
        closure = store.closure([run.drv_path])
        failures = [result.failed[d] for d in sorted(result.failed) if d in closure]
        why = render(failures[0]) if failures else "error: not built: another build failed\n"
        run.fail("build", why)
        board.phase(name, "build", "failed", headline(why))


def _cancel_if_failed(opts: DeployOptions, runs: dict[str, HostRun], board: Board) -> None:
    """Without --keep-going, an evaluation or build failure touches no host."""
    if opts.keep_going or not any(r.status == "failed" for r in runs.values()):
        return
    for name, run in runs.items():
        if run.status == "pending":
            run.status, run.phase = "cancelled", "copy"
            board.phase(
                name, "copy", "skipped", "cancelled: another node failed to evaluate or build"
            )


def _hosts(opts: DeployOptions, store: Store, todo: list[HostRun], board: Board) -> None:
    control = tempfile.mkdtemp(prefix="declos-ssh-")
    host_opts = HostOptions(
        state_dir=opts.state_dir,
        confirm_timeout=opts.confirm_timeout,
        ssh_options=opts.ssh_options,
        control_dir=control,
        dry_run=opts.dry_run,
        build_on_target=opts.build_on == "target",
        message=f"declos deploy {os.path.basename(opts.fleet)}",
    )
    stop = threading.Event()
    try:
        with cf.ThreadPoolExecutor(max_workers=min(MAX_HOSTS, len(todo))) as pool:
            jobs = []
            for i, run in enumerate(todo):
                job = HostDeploy(run, store, host_opts, board, stop, f"h{i}")
                jobs.append(pool.submit(_one, job, stop, opts.keep_going))
            for j in jobs:
                j.result()
    finally:
        shutil.rmtree(control, ignore_errors=True)


def _one(job: HostDeploy, stop: threading.Event, keep_going: bool) -> None:
    job.go()
    if job.run.status == "failed" and job.run.phase == "build" and not keep_going:
        stop.set()  # a build on a host failed: the others do not activate
