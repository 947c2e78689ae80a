"""Compiled units in pieces (`declos/eval/units.py`): after an edit of a
file, only the pieces of its generated module whose text changed are
compiled again; the rest comes from the file's last unit, moved to its new
lines.  The result is what a cold compile gives: the same values, the same
code, the same line numbers."""

from __future__ import annotations

import itertools
import os
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declos.diagnostics import Source
from declos.eval import units
from declos.eval.values import Attrs, force
from declos.lang.parser import parse_source
from declos.store.builtins import EvalStore, evaluator_with_store

statements = st.lists(st.text(alphabet="abcxyz =()\n", min_size=1, max_size=3000), max_size=60)


@settings(max_examples=150, deadline=None)
@given(statements, statements, st.integers(0, 59), st.text(alphabet="ab", max_size=40))
def test_pieces_are_the_module_and_an_edit_keeps_the_pieces_before_it(head, body, at, extra):
    joined = "\n".join(head + body) + "\n" if head or body else ""
    assert "".join(units.pieces(head, body)) == joined
    if not body:
        return
    at %= len(body)
    edited = [*body[:at], body[at] + extra, *body[at + 1 :]]
    before, after = units.pieces([], body), units.pieces([], edited)
    # Every piece ending before the edited statement is the same text.
    start = sum(len(s) + 1 for s in body[:at])
    kept = sum(1 for end in itertools.accumulate(map(len, before)) if end <= start)
    assert after[:kept] == before[:kept]


def _binding(i: int, value: str) -> str:
    return f'  b{i} = {{ name = "n{i}"; f = x: x + {i}; value = {value}; }};'


def _program(first: str, n: int = 400) -> str:
    """`{ first; total; }`: b0.value is `first`, total is sum(2i) over the rest."""
    lines = ["let", _binding(0, first)]
    lines += [_binding(i, str(i)) for i in range(1, n)]
    lines += [
        "in {",
        "  first = b0.value;",
        "  total = builtins.foldl' (acc: b: acc + b.value + b.f 0) 0 [",
    ]
    lines += [f"    b{i}" for i in range(1, n)]
    lines += ["  ];", "}"]
    return "\n".join(lines) + "\n"


TOTAL = 2 * sum(range(400))


@pytest.fixture
def compiled(monkeypatch, tmp_path):
    """Compile count, cache directory and a fresh process' memory."""
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(units, "_MEMORY", {})
    monkeypatch.setattr(units, "_LAST", {})
    count = [0]
    real = compile

    def counting(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(units, "compile", counting, raising=False)
    return count


def _evaluate(path) -> tuple[object, units.Unit]:
    ev = evaluator_with_store(EvalStore.read_only(), [])
    value = force(ev.import_file(str(path)))
    source = Source(str(path), path.read_text(), str(path.parent), str(path))
    unit = ev.units.cached(source)
    assert unit is not None
    return value, unit


def _cold(path) -> tuple[object, units.Unit]:
    """The value and unit with no earlier unit of the file anywhere (a
    cache directory of its own, nothing in memory)."""
    saved = dict(units._MEMORY), dict(units._LAST), os.environ["DECLOS_CACHE_DIR"]
    units._MEMORY.clear()
    units._LAST.clear()
    os.environ["DECLOS_CACHE_DIR"] = saved[2] + "-cold"
    try:
        ev = evaluator_with_store(EvalStore.read_only(), [])
        source = Source(str(path), path.read_text(), str(path.parent), str(path))
        unit, side = ev.units.generate(parse_source(source), source)
        assert side == ()
        return force(ev.units.run(unit, side, source, [None])), unit
    finally:
        os.environ["DECLOS_CACHE_DIR"] = saved[2]
        units._MEMORY.clear()
        units._LAST.clear()
        units._MEMORY.update(saved[0])
        units._LAST.update(saved[1])


def _plain(v):
    v = force(v)
    if type(v) is Attrs:
        return {k: _plain(v[k]) for k in v}
    if type(v) is list:
        return [_plain(x) for x in v]
    return v


def _functions(code: types.CodeType):
    for c in code.co_consts:
        if type(c) is types.CodeType:
            yield c
            yield from _functions(c)


def _lines(unit: units.Unit) -> dict:
    return {
        f.co_name: (f.co_firstlineno, list(f.co_lines()), f.co_code)
        for _, _, code in unit
        for f in _functions(code)
    }


@pytest.mark.parametrize("from_disk", [False, True], ids=["same-process", "next-process"])
def test_a_one_line_change_compiles_two_pieces_and_equals_a_cold_compile(
    compiled, tmp_path, from_disk
):
    path = tmp_path / "big.dcl"
    path.write_text(_program("0"))
    _, first = _evaluate(path)
    assert len(first) > 6
    if from_disk:  # a new process: the last unit is named on disk
        units._MEMORY.clear()
        units._LAST.clear()
    compiled[0] = 0
    path.write_text(_program("1000"))
    value, unit = _evaluate(path)
    assert compiled[0] == 2  # the spans and the piece of the changed line
    cold_value, cold = _cold(path)
    assert _plain(value) == _plain(cold_value)
    assert force(value["first"]) == 1000 and force(value["total"]) == TOTAL
    assert [(d, line) for d, line, _ in unit] == [(d, line) for d, line, _ in cold]
    assert _lines(unit) == _lines(cold)


def test_pieces_moved_by_an_edit_get_the_lines_of_a_cold_compile(compiled):
    """A statement that grows by a line moves every piece after it: those
    are reused with their line numbers moved.  (The generator numbers its
    names in order, so a DCL edit that adds code renames, and recompiles,
    what follows; a statement growing alone is what this path is for.)"""
    body = [f"def T{i}(env):\n    x = [y for y in env]\n    return x or {i}" for i in range(3000)]
    first = units.compile_unit(["S1, = SPANS('')"], body, "<dcl t>", None)
    grown = [body[0].replace("return", "pass\n    return"), *body[1:]]
    compiled[0] = 0
    unit = units.compile_unit(["S1, = SPANS('')"], grown, "<dcl t>", first)
    lines_before = {digest: line for digest, line, _ in first}
    moved = [d for d, line, _ in unit if d in lines_before and lines_before[d] != line]
    assert len(moved) == len(unit) - 2  # not the spans, not the grown one
    assert compiled[0] == 1
    cold = units.compile_unit(["S1, = SPANS('')"], grown, "<dcl t>", None)
    assert _lines(unit) == _lines(cold)
    ns: dict = {"SPANS": lambda _: [None]}
    for _, _, code in unit:
        exec(code, ns)
    assert ns["T2999"]([]) == 2999


def test_a_damaged_last_unit_only_means_compiling_everything(compiled, tmp_path):
    path = tmp_path / "big.dcl"
    path.write_text(_program("0"))
    _, first = _evaluate(path)
    units._MEMORY.clear()
    units._LAST.clear()
    for entry in (tmp_path / "cache" / "code").iterdir():
        if entry.name.startswith(units.LAST_PREFIX):
            entry.write_bytes(b"not a key")
    compiled[0] = 0
    path.write_text(_program("7"))
    value, unit = _evaluate(path)
    assert compiled[0] == len(unit)
    assert force(value["first"]) == 7 and force(value["total"]) == TOTAL


def test_a_file_keeps_one_entry_however_often_it_is_edited(compiled, tmp_path):
    path = tmp_path / "big.dcl"
    code = tmp_path / "cache" / "code"
    path.write_text(_program("0"))
    _evaluate(path)
    entries = sorted(p.name for p in code.glob("*.marshal"))
    for i, first in enumerate(("1", "2", "1")):
        if i == 2:  # the next process
            units._MEMORY.clear()
            units._LAST.clear()
        path.write_text(_program(first))
        value, _ = _evaluate(path)
        assert force(value["first"]) == int(first)
        now = sorted(p.name for p in code.glob("*.marshal"))
        assert len(now) == len(entries) and now != entries
        entries = now
