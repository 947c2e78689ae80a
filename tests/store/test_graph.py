"""The build graph: order, parallelism, failures, keep-going, no-op rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import mkdrv, out_of

from declos.store.derivation import Derivation, DerivationOutput
from declos.store.graph import BuildError, CycleError, build, make_graph


def counting(store, tmp_path, name, script="", deps=(), **env):
    """A derivation whose builder prints its name (to its log) when it runs."""
    env.update({d.rsplit("-", 1)[1].removesuffix(".drv"): out_of(store, d) for d in deps})
    return mkdrv(store, name, f"echo {name}; {script} echo {name} > $out", deps=deps, **env)


def runs(tmp_path):
    """The builders that ran, in order: a builder that runs writes its log
    (`<state>/logs/<drv>.log`), and nothing else does.  (A builder cannot
    write anywhere else on the host.)"""
    logs = [p for p in (tmp_path / "state" / "logs").glob("*.log")]
    logs.sort(key=lambda p: p.stat().st_mtime_ns)
    return [p.read_text().split()[0] for p in logs if p.read_text().strip()]


def test_dependency_order_and_noop_rebuild(store, tmp_path):
    a = counting(store, tmp_path, "a")
    b = counting(store, tmp_path, "b", "cat $a > /dev/null &&", deps=[a])
    c = counting(store, tmp_path, "c", "cat $a $b > /dev/null &&", deps=[a, b])
    events = []
    result = build(store, [c], jobs=4, on_event=events.append)
    assert result.ok and list(result.built) == [a, b, c]
    assert runs(tmp_path) == ["a", "b", "c"]
    assert result.outputs[c]["out"] == out_of(store, c)
    assert [e.kind for e in events] == ["start", "built"] * 3
    assert events[-1].done == events[-1].total == 3
    # the same graph again: nothing to build, no builder runs
    events.clear()
    again = build(store, [c, b])
    assert again.ok and again.built == () and events == []
    assert runs(tmp_path) == ["a", "b", "c"]
    assert make_graph(store, [c]).number_of_nodes() == 0
    # a new top on the old graph builds only itself
    d = counting(store, tmp_path, "d", deps=[c])
    assert build(store, [d]).built == (d,)
    assert runs(tmp_path) == ["a", "b", "c", "d"]


def test_parallel_builds(store, tmp_path):
    drvs = [counting(store, tmp_path, f"p{i}", "sleep 0.6;") for i in range(4)]
    result = build(store, drvs, jobs=4)
    assert result.ok and len(result.built) == 4
    assert result.seconds < 0.6 * 4 * 0.75  # overlapped, not one after another
    assert sorted(runs(tmp_path)) == ["p0", "p1", "p2", "p3"]


def test_jobs_limit_is_respected(store, tmp_path):
    drvs = [counting(store, tmp_path, f"j{i}") for i in range(6)]
    peak = []
    build(store, drvs, jobs=2, on_event=lambda e: peak.append(e.running))
    assert max(peak) <= 2


def test_failure_stops_dependents(store, tmp_path):
    bad = mkdrv(store, "bad", "echo oops; exit 7")
    after = counting(store, tmp_path, "after", deps=[bad])
    other = counting(store, tmp_path, "other", "sleep 0.3;")
    result = build(store, [after, other], jobs=1)
    assert not result.ok
    err = result.failed[bad]
    assert isinstance(err, BuildError) and err.exit_status == 7 and err.log_tail == ("oops",)
    assert after in result.skipped
    assert "after" not in runs(tmp_path)
    with pytest.raises(BuildError, match="exit code 7"):
        result.raise_for_failure()
    assert not store.is_valid(out_of(store, after))


def test_keep_going(store, tmp_path):
    bad = mkdrv(store, "bad", "exit 1")
    after = counting(store, tmp_path, "after", deps=[bad])
    after2 = counting(store, tmp_path, "after2", deps=[after])
    free = [counting(store, tmp_path, f"free{i}") for i in range(3)]
    top_ok = counting(store, tmp_path, "topok", deps=free)
    result = build(store, [after2, top_ok], jobs=1, keep_going=True)
    assert set(result.failed) == {bad}
    assert set(result.skipped) == {after, after2}
    assert set(result.built) == {*free, top_ok}
    assert top_ok in result.outputs and after2 not in result.outputs
    assert sorted(runs(tmp_path)) == ["free0", "free1", "free2", "topok"]


def test_cycle_is_reported(store):
    d = store.store_dir
    a, b, c = (f"{d}/{h * 32}-{n}.drv" for h, n in (("a", "a"), ("b", "b"), ("c", "c")))

    def fake(name, inputs):
        return Derivation(
            name=name,
            system="x",
            builder="/bin/sh",
            input_drvs={i: ["out"] for i in inputs},
            outputs={"out": DerivationOutput(f"{d}/{name[0] * 32}-{name}-out")},
        )

    drvs = {a: fake("a", [b]), b: fake("b", [c]), c: fake("c", [a])}
    with pytest.raises(CycleError) as info:
        make_graph(store, [a], derivations=drvs)
    assert set(info.value.cycle) == {a, b, c}
    assert "cycle detected in the build graph" in info.value.message


def test_build_uses_in_memory_derivations(store, tmp_path):
    from declos.store.derivation import instantiate

    drv = instantiate(
        {"name": "mem", "system": "x", "builder": "builtin:text", "text": "t"},
        store_dir=store.store_dir,
    )
    path = f"{store.store_dir}/{'0' * 32}-mem.drv"
    result = build(store, [path], derivations={path: drv})
    assert result.ok and Path(drv.outputs["out"].path).read_text() == "t"


def test_cycle_in_a_hand_made_graph(store):
    import networkx as nx

    d = store.store_dir
    a, b, c = (f"{d}/{h * 32}-{h}.drv" for h in "abc")
    g = nx.DiGraph([(a, b), (b, c), (c, b)])
    with pytest.raises(CycleError) as info:
        build(store, [a], graph=g)
    assert set(info.value.cycle) == {b, c}
    shown = info.value.message
    assert f"{b} -> {c} -> {b}" in shown or f"{c} -> {b} -> {c}" in shown
