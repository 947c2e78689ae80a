"""A small directed graph: what the build scheduler and the activation plan need.

`networkx` costs ~75 ms to import (far more on a loaded machine), paid by
every build and switch for graphs of a few hundred nodes; these are the
operations they use, with the same results networkx gives: `DiGraph`'s
`nodes` (node -> attribute dict, in insertion order), `add_node`,
`add_edge`, `successors`, `predecessors` and `number_of_nodes`, and the
functions `find_cycle` (the first cycle a depth-first search over the nodes
in order meets, as `networkx.find_cycle`), `descendants` and
`lexicographical_topological_sort`.  The functions accept a networkx
DiGraph too (`declos store` commands still use networkx where they need
more, e.g. shortest paths).

Example:
    g = DiGraph()
    g.add_edge("a", "b")
    lexicographical_topological_sort(g)  # ["a", "b"]
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

N = TypeVar("N", bound=Hashable)


class Graph(Protocol[N]):
    """What the functions below read of a graph: a `DiGraph`, or networkx'."""

    @property
    def nodes(self) -> Iterable[N]: ...

    def successors(self, node: N) -> Iterator[N]: ...


class DiGraph(Generic[N]):
    """Nodes with attribute dicts; edges without attributes (an edge added twice is one)."""

    def __init__(self) -> None:
        # Attribute values are whatever the caller stores (as networkx).
        self.nodes: dict[N, dict[str, Any]] = {}
        self._succ: dict[N, dict[N, None]] = {}
        self._pred: dict[N, dict[N, None]] = {}

    def add_node(self, node: N, **attr: Any) -> None:
        if node not in self.nodes:
            self.nodes[node] = {}
            self._succ[node] = {}
            self._pred[node] = {}
        self.nodes[node].update(attr)

    def add_nodes_from(self, nodes: Iterable[N]) -> None:
        for n in nodes:
            self.add_node(n)

    def add_edge(self, u: N, v: N) -> None:
        self.add_node(u)
        self.add_node(v)
        self._succ[u][v] = None
        self._pred[v][u] = None

    def successors(self, node: N) -> Iterator[N]:
        return iter(self._succ[node])

    def predecessors(self, node: N) -> Iterator[N]:
        return iter(self._pred[node])

    def number_of_nodes(self) -> int:
        return len(self.nodes)


def find_cycle(graph: Graph[N]) -> list[tuple[N, N]] | None:
    """The edges of the first cycle met by a depth-first search from each
    node in turn (successors in insertion order), from the node where the
    cycle closes; None without a cycle.  `networkx.find_cycle`'s answer."""
    explored: set[N] = set()
    for start in graph.nodes:
        if start in explored:
            continue
        path = [start]  # the active path
        on_path = {start}
        stack = [graph.successors(start)]
        while stack:
            node = path[-1]
            for succ in stack[-1]:
                if succ in on_path:
                    i = path.index(succ)
                    cycle = path[i:]
                    return [(cycle[k], cycle[k + 1]) for k in range(len(cycle) - 1)] + [
                        (node, succ)
                    ]
                if succ in explored:
                    continue
                explored.add(succ)
                path.append(succ)
                on_path.add(succ)
                stack.append(graph.successors(succ))
                break
            else:
                stack.pop()
                on_path.discard(path.pop())
        explored.add(start)
    return None


def descendants(graph: Graph[N], node: N) -> set[N]:
    """Every node reachable from `node`, never `node` itself (as networkx)."""
    seen: set[N] = set()
    todo = [node]
    while todo:
        for succ in graph.successors(todo.pop()):
            if succ not in seen:
                seen.add(succ)
                todo.append(succ)
    seen.discard(node)
    return seen


def lexicographical_topological_sort(graph: Graph[N]) -> list[N] | None:
    """The nodes in dependency order, the smallest ready node first; None
    when there is a cycle (networkx raises NetworkXUnfeasible there)."""
    indegree = {n: 0 for n in graph.nodes}
    for n in graph.nodes:
        for succ in graph.successors(n):
            indegree[succ] += 1
    # Any: the nodes must be orderable as well as hashable (the heap compares them).
    ready: list[Any] = [n for n, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    order: list[N] = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for succ in graph.successors(n):
            indegree[succ] -= 1
            if indegree[succ] == 0:
                heapq.heappush(ready, succ)
    return order if len(order) == len(indegree) else None
