"""The build graph and the parallel scheduler that realises it.

Owns the DiGraph (`digraph.py`, networkx' interface without its import
cost) of derivations that still need building (an edge runs from an input
derivation to the derivation that uses it), cycle
detection, and `build`: run `builders.build_one` for every node in
dependency order on a thread pool of `jobs` workers.  A failure stops its
dependents; without `keep_going` nothing new is started after it, with
`keep_going` everything not downstream of a failure is built.  Derivations
whose outputs are all valid are not in the graph at all, so building an
unchanged graph again runs no builder; those outputs become temporary roots
when found valid (`Store.keep_if_valid`), so a `gc` running meanwhile cannot
take them from the builds that use them.  It must not know how a builder runs.

Example:
    result = build(store, [str(drv_path)], jobs=4)
    result.raise_for_failure()
    result.outputs[str(drv_path)]["out"]
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping

import attrs

from declos.diagnostics import DeclosError
from declos.store.builders import DEFAULT_TIMEOUT, BuildError, build_one
from declos.store.derivation import Derivation
from declos.store.digraph import DiGraph, descendants, find_cycle
from declos.store.pause import pause
from declos.store.store import Store


class CycleError(DeclosError):
    code = "cycle"

    def __init__(self, cycle: list[str]):
        shown = " -> ".join([*cycle, cycle[0]])
        super().__init__(f"cycle detected in the build graph: {shown}")
        self.cycle = cycle


@attrs.frozen
class BuildEvent:
    """Progress: `kind` is start, built, failed or skipped; the counts are
    after the event (built / to build / running)."""

    kind: str
    drv_path: str
    done: int
    total: int
    running: int
    error: DeclosError | None = None


@attrs.frozen
class BuildResult:
    built: tuple[str, ...]
    failed: Mapping[str, DeclosError]
    skipped: tuple[str, ...]
    outputs: Mapping[str, Mapping[str, str]]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped

    def raise_for_failure(self) -> None:
        """Raise the first failure, mentioning how many others there were."""
        if not self.failed:
            return
        first_path = sorted(self.failed)[0]
        first = self.failed[first_path]
        others = len(self.failed) - 1
        if others or self.skipped:
            first.add_frame(
                None,
                f"{others} other build(s) failed and {len(self.skipped)} dependent(s) were "
                "not built",
            )
        raise first


def _output_paths(store: Store, drv_path: str, derivations: Mapping[str, Derivation]) -> dict:
    outs = store.db.derivation_outputs(drv_path)
    if outs:
        return outs
    drv = derivations.get(drv_path) or store.read_derivation(drv_path)
    return drv.output_paths()


def make_graph(
    store: Store,
    targets: Iterable[str],
    derivations: Mapping[str, Derivation] | None = None,
    substitute: Callable[[list[str]], bool] | None = None,
) -> DiGraph[str]:
    """The DiGraph of what must be built for `targets`, each node carrying
    its `Derivation` as `drv`.  Derivations come from `derivations` when
    given, else from their `.drv` files.  `substitute(paths)` (a binary
    cache's, `cache.Substituter.substitute`) is asked for missing outputs
    first: what it makes valid is not built, nor are its inputs.  Raises
    `CycleError`."""
    derivations = dict(derivations or {})
    graph: DiGraph[str] = DiGraph()
    stack = [str(t) for t in targets]
    seen: set[str] = set()

    def have(outs: Iterable[str]) -> bool:  # valid, and kept from gc from now on
        outs = list(outs)
        if store.keep_if_valid(outs):
            return True
        return substitute is not None and substitute(outs) and store.keep_if_valid(outs)

    while stack:
        path = stack.pop()
        if path in seen:
            continue
        seen.add(path)
        if have(_output_paths(store, path, derivations).values()):
            continue  # and kept: a gc now must not take it away from the builds below
        drv = derivations.get(path) or store.read_derivation(path)
        graph.add_node(path, drv=drv)
        for input_drv in drv.input_drvs:
            outs = _output_paths(store, input_drv, derivations)
            if have(outs[o] for o in drv.input_drvs[input_drv]):
                continue
            graph.add_edge(input_drv, path)
            stack.append(input_drv)
    check_acyclic(graph)
    return graph


def check_acyclic(graph: DiGraph[str]) -> None:
    cycle = find_cycle(graph)
    if cycle is not None:
        raise CycleError([edge[0] for edge in cycle])


def build(
    store: Store,
    targets: Iterable[str],
    *,
    jobs: int | None = None,
    keep_going: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    derivations: Mapping[str, Derivation] | None = None,
    on_event: Callable[[BuildEvent], None] | None = None,
    graph: DiGraph[str] | None = None,
    unsafe: bool = False,
    substitute: Callable[[list[str]], bool] | None = None,
) -> BuildResult:
    """Build every missing output needed by `targets` (`.drv` paths).

    Returns what was built, what failed (with its `BuildError`: exit status
    and log tail), and what was skipped because an input failed (or, without
    `keep_going`, because the build stopped).  `outputs` maps each target
    that is now valid to its output paths.  `unsafe` lets process builders
    run without a sandbox where there is none (`--unsafe-builders`).
    `substitute` fetches missing outputs from binary caches (`make_graph`).
    """
    import concurrent.futures as cf

    started = time.monotonic()
    targets = [str(t) for t in targets]
    derivations = dict(derivations or {})
    if graph is None:
        graph = make_graph(store, targets, derivations, substitute)
    else:
        check_acyclic(graph)
    pause("graph")
    jobs = max(1, jobs or os.cpu_count() or 1)
    waiting = {n: set(graph.predecessors(n)) for n in graph.nodes}
    ready = sorted(n for n, deps in waiting.items() if not deps)
    built: list[str] = []
    failed: dict[str, DeclosError] = {}
    skipped: set[str] = set()
    total = graph.number_of_nodes()
    running: dict[cf.Future, str] = {}
    stop = False

    def emit(kind: str, path: str, error: DeclosError | None = None) -> None:
        if on_event is not None:
            on_event(BuildEvent(kind, path, len(built), total, len(running), error))

    def run(path: str) -> None:
        build_one(store, path, graph.nodes[path]["drv"], timeout=timeout, unsafe=unsafe)

    with cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="declos-build") as pool:
        while ready or running:
            while ready and not stop and len(running) < jobs:
                path = ready.pop(0)
                running[pool.submit(run, path)] = path
                emit("start", path)
            if not running:
                break
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f]):
                path = running.pop(future)
                error = future.exception()
                if error is None:
                    built.append(path)
                    emit("built", path)
                    for succ in sorted(graph.successors(path)):
                        waiting[succ].discard(path)
                        if not waiting[succ] and succ not in skipped:
                            ready.append(succ)
                    continue
                if not isinstance(error, DeclosError):
                    stop = True
                    _drain(running)
                    raise error
                failed[path] = error
                emit("failed", path, error)
                for down in descendants(graph, path):
                    if down not in skipped:
                        skipped.add(down)
                        emit("skipped", down)
                ready = [n for n in ready if n not in skipped]
                if not keep_going:
                    stop = True
    finished = set(built) | set(failed)
    skipped |= {n for n in graph.nodes if n not in finished}
    outputs = {}
    for t in targets:
        outs = _output_paths(store, t, derivations)
        if store.keep_if_valid(outs.values()):
            outputs[t] = dict(outs)
    return BuildResult(
        built=tuple(built),
        failed=failed,
        skipped=tuple(sorted(skipped)),
        outputs=outputs,
        seconds=time.monotonic() - started,
    )


def _drain(running: dict) -> None:
    import concurrent.futures as cf

    cf.wait(running)


__all__ = ["BuildError", "BuildEvent", "BuildResult", "CycleError", "build", "make_graph"]
