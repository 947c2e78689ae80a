"""declos.store.digraph gives networkx' answers (the scheduler and the
activation plan used networkx before; its import cost ~75 ms per switch).

Random graphs, fixed seeds: the same nodes in the same order, the same
first cycle (so the same "cycle detected" and "in a cycle" messages), the
same lexicographical topological order, the same descendants.
"""

from __future__ import annotations

import random

import networkx as nx
import pytest

from declos.store import digraph


def _pair(seed: int):
    r = random.Random(seed)
    nodes = [f"n{r.randint(0, 20)}" for _ in range(r.randint(1, 9))]
    ours, theirs = digraph.DiGraph(), nx.DiGraph()
    for g in (ours, theirs):
        g.add_nodes_from(nodes)
    for _ in range(r.randint(0, 14)):
        u, v = r.choice(nodes), r.choice(nodes)
        ours.add_edge(u, v)
        theirs.add_edge(u, v)
    return nodes, ours, theirs


@pytest.mark.parametrize("block", range(10))
def test_the_same_answers_as_networkx(block):
    for seed in range(block * 200, block * 200 + 200):
        nodes, ours, theirs = _pair(seed)
        assert list(ours.nodes) == list(theirs.nodes)
        assert ours.number_of_nodes() == theirs.number_of_nodes()
        try:
            cycle = nx.find_cycle(theirs)
        except nx.NetworkXNoCycle:
            cycle = None
        assert digraph.find_cycle(ours) == cycle == digraph.find_cycle(theirs), seed
        try:
            order = list(nx.lexicographical_topological_sort(theirs))
        except nx.NetworkXUnfeasible:
            order = None
        assert digraph.lexicographical_topological_sort(ours) == order, seed
        for n in set(nodes):
            assert digraph.descendants(ours, n) == nx.descendants(theirs, n), seed
            assert list(ours.successors(n)) == list(theirs.successors(n))
            assert list(ours.predecessors(n)) == list(theirs.predecessors(n))


def test_node_attributes_and_repeated_edges():
    g = digraph.DiGraph()
    g.add_edge("a", "b")
    g.add_edge("a", "b")
    g.add_node("b", drv="x")
    assert g.nodes["b"] == {"drv": "x"} and g.nodes["a"] == {}
    assert list(g.successors("a")) == ["b"] and list(g.predecessors("b")) == ["a"]
    assert digraph.find_cycle(g) is None
    g.add_edge("b", "b")
    assert digraph.find_cycle(g) == [("b", "b")]
