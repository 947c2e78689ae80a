"""Evaluating the nodes of a fleet: in parallel processes, with the evaluation cache.

A node whose inputs did not change since it was last deployed (every file
its evaluation read, `declos.evalcache`, keyed by the fleet file and the
node's name) is not evaluated at all.  The others are shared out among at
most `jobs` worker processes (`python -m declos.fleet.evaluate`, one JSON
job a line on stdin, one result a line on stdout), fewer when memory is
short (`MEMORY_PER_WORKER` each).  A worker evaluates one node after
another, so the module library is parsed once per worker; it writes the
`.drv` files into the store and returns the toplevel's `.drv` and output
path, the node's `deployment.*`, its warnings and what it read.  Nothing is
built here.  An evaluation error is returned rendered, as the node's
failure; `builtins.trace` output of a node goes to its log.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from declos import evalcache
from declos.fleet.fleet import Deployment, Selection

if TYPE_CHECKING:
    from declos.store.store import Store

MEMORY_PER_WORKER = 512 * 1024 * 1024


def _tuple(items: Iterable) -> tuple:
    return tuple(items)


@attrs.frozen
class NodeResult:
    name: str
    selected: bool = True
    deployment: Deployment | None = None
    drv_path: str | None = None
    toplevel: str | None = None
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    error: str | None = None  # rendered
    cached: bool = False
    seconds: float = 0.0
    reads: tuple = attrs.field(default=(), converter=_tuple, repr=False)

    def to_json(self) -> dict:
        data = attrs.asdict(self, recurse=False)
        data["deployment"] = self.deployment.to_json() if self.deployment else None
        data["reads"] = [list(r) for r in self.reads]
        return data

    @classmethod
    def from_json(cls, data: dict) -> NodeResult:
        dep = data.pop("deployment", None)
        reads = tuple(tuple(r) for r in data.pop("reads", ()))
        return cls(**data, deployment=Deployment.from_json(dep) if dep else None, reads=reads)


def cache_key(fleet_path: str, name: str) -> str:
    """What stands for the configuration file in the evaluation cache's key."""
    return f"{os.path.abspath(fleet_path)}#node={name}"


def cached(
    state_dir: str, fleet_path: str, name: str, search_path: Iterable[str], store: Store
) -> NodeResult | None:
    hit = evalcache.lookup(
        state_dir,
        cache_key(fleet_path, name),
        search_path,
        lambda p: store.keep_if_valid([p]),
    )
    if hit is None or "deployment" not in hit:
        return None
    return NodeResult(
        name,
        deployment=Deployment.from_json(hit["deployment"]),
        toplevel=hit["toplevel"],
        warnings=hit.get("warnings", ()),
        cached=True,
    )


def record(state_dir: str, fleet_path: str, search_path: Iterable[str], node: NodeResult) -> None:
    """After the node's toplevel is built: remember what its evaluation read."""
    assert node.deployment is not None
    result = {
        "toplevel": node.toplevel,
        "deployment": node.deployment.to_json(),
        "warnings": list(node.warnings),
    }
    evalcache.record(state_dir, cache_key(fleet_path, node.name), search_path, node.reads, result)


def worker_count(jobs: int, wanted: int) -> int:
    """`jobs`, fewer if there are fewer nodes or less available memory."""
    try:
        with open("/proc/meminfo") as f:
            avail = next(int(x.split()[1]) * 1024 for x in f if x.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        avail = MEMORY_PER_WORKER * jobs
    return max(1, min(jobs, wanted, avail // MEMORY_PER_WORKER))


def evaluate_nodes(
    fleet_path: str,
    names: list[str],
    *,
    state_dir: str,
    search_path: tuple[str, ...],
    selection: Selection,
    jobs: int,
    show_trace: bool = False,
    on_start: Callable[[str], None] = lambda _n: None,
    on_done: Callable[[NodeResult], None] = lambda _r: None,
    on_log: Callable[[str, str], None] = lambda _n, _line: None,
) -> dict[str, NodeResult]:
    """Evaluate `names` on worker processes; results by name."""
    from declos.eval import settings

    todo: queue.Queue[str] = queue.Queue()
    for name in names:
        todo.put(name)
    results: dict[str, NodeResult] = {}
    lock = threading.Lock()
    job_base = {
        "fleet": os.path.abspath(fleet_path),
        "stateDir": state_dir,
        "searchPath": list(search_path),
        "settings": attrs.asdict(settings.current()),
        "selection": attrs.asdict(selection),
        "showTrace": show_trace,
    }

    def serve() -> None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "declos.fleet.evaluate"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert proc.stdin and proc.stdout and proc.stderr
        current = [""]
        threading.Thread(
            target=_relay_log, args=(proc.stderr, current, on_log), daemon=True
        ).start()
        try:
            while True:
                try:
                    name = todo.get_nowait()
                except queue.Empty:
                    return
                current[0] = name
                on_start(name)
                proc.stdin.write(json.dumps({**job_base, "name": name}) + "\n")
                proc.stdin.flush()
                line = proc.stdout.readline()
                if line:
                    result = NodeResult.from_json(json.loads(line))
                else:
                    proc.wait()
                    why = f"the evaluation process died (exit status {proc.returncode})"
                    result = NodeResult(name, error=f"error: {why}\n")
                with lock:
                    results[name] = result
                on_done(result)
                if not line:
                    return
        finally:
            proc.stdin.close()
            proc.wait()

    threads = [threading.Thread(target=serve) for _ in range(worker_count(jobs, len(names)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _relay_log(
    stream: Iterable[str], current: list[str], on_log: Callable[[str, str], None]
) -> None:
    for line in stream:
        on_log(current[0], line.rstrip("\n"))


# --- the worker -----------------------------------------------------------------------------


def _evaluate(job: dict) -> NodeResult:
    from declos.eval.instantiate import select_attr_path
    from declos.eval.values import Attrs, force, string_text
    from declos.fleet.fleet import deployment_of, evaluate_node, load
    from declos.store.builtins import EvalStore, evaluator_with_store
    from declos.store.realise import collect_derivations
    from declos.store.store import Store

    name = job["name"]
    with Store(job["stateDir"]) as store:
        ev = evaluator_with_store(EvalStore(store), job["searchPath"])
        evalcache.track_store_copies(ev)
        fleet = load(ev, job["fleet"])
        result = evaluate_node(ev, fleet, name)
        dep = deployment_of(ev, result)
        selection = Selection(**{k: tuple(v) for k, v in job["selection"].items()})
        if not selection.selects(name, dep.tags):
            return NodeResult(name, selected=False, deployment=dep)
        top = select_attr_path(ev, result, "config.system.build.toplevel", Attrs())
        target = collect_derivations(ev, top, Attrs())[0]
        warnings = select_attr_path(ev, result, "config.warnings", Attrs())
        texts = tuple(string_text(force(w)) for w in force(warnings))
        return NodeResult(
            name,
            deployment=dep,
            drv_path=target.drv_path,
            toplevel=target.out_path,
            warnings=texts,
            reads=tuple(ev.reads),
        )


def _serve_one(job: dict) -> NodeResult:
    from declos.diagnostics import DeclosError, render
    from declos.eval.deep import run_deep
    from declos.eval.settings import EvalSettings, using

    started = time.monotonic()
    try:
        with using(EvalSettings(**job["settings"])):
            result = run_deep(_evaluate, job)
    except DeclosError as e:
        return NodeResult(job["name"], error=render(e, show_trace=job["showTrace"]))
    return attrs.evolve(result, seconds=time.monotonic() - started)


def main() -> None:
    for line in sys.stdin:
        result = _serve_one(json.loads(line))
        sys.stdout.write(json.dumps(result.to_json()) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
