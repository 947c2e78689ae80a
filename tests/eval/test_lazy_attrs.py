"""`pkgs` is a set whose ~64 000 host package names are read, and whose
values are made, only when used (values.LazyAttrs, issue 12).  The law: every
expression gives a lazy set the same value, or the same error, as the
complete set it stands for; a lazy set is made complete (in place, for every
holder) by anything but selecting or testing one name.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declos.diagnostics import DeclosError, Source
from declos.eval.deep import run_deep
from declos.eval.evaluator import Evaluator
from declos.eval.printing import print_value
from declos.eval.values import Attrs, LazyAttrs, Pending, Thunk, force

HOST = ("bash", "coreutils", "git", "htop", "nginx", "vim")
OWN = {"writeText": "own-writeText", "git": "own-git", "lib": Attrs({"x": 1})}


class Loads:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return HOST


def package(name: str) -> str:
    return "pkg-" + name


def lazy_set(loads: Loads) -> LazyAttrs:
    s = LazyAttrs(OWN)
    s.pos = Pending(loads, package, None)
    return s


def complete_set() -> Attrs:
    """What `pkgs` was before it was lazy: a thunk per name, then its own attributes."""
    return Attrs({**{n: Thunk(package, n) for n in HOST}, **OWN})


def evaluate(text: str, s) -> str:
    ev = Evaluator()

    def run():
        v = ev.eval_source(Source(None, text), Attrs({"s": s}))
        ev.force_deep(v)
        return print_value(force(v))

    try:
        return run_deep(run)
    except DeclosError as e:
        return "error: " + str(e)


EXPRESSIONS = [
    "s.htop",
    "[ s.htop s.lib.x ]",
    "let t = s; f = x: x.vim; in [ t.htop (f s) ]",
    "s.git",
    "s.writeText",
    "s.lib.x",
    "s.nope",
    "s.htpo",
    "s.nope or 7",
    "s.vim or 7",
    "s.lib.y or 7",
    "s ? htop",
    "s ? nope",
    "s ? lib.x",
    "s ? htop.x",
    's ? "${"ng" + "inx"}"',
    "with s; [ htop git writeText ]",
    "with s; nope",
    "with { htop = 1; }; with s; htop",
    "let inherit (s) bash vim; in [ bash vim ]",
    "let inherit (s) nope; in nope",
    "builtins.attrNames s",
    "builtins.attrValues s",
    "builtins.length (builtins.attrNames (s // { extra = 1; }))",
    "({ a = 1; } // s).htop",
    "(s // { htop = 1; }).htop",
    "builtins.mapAttrs (n: v: n) s",
    'builtins.getAttr "nginx" s',
    'builtins.getAttr "nope" s',
    'builtins.hasAttr "bash" s',
    'builtins.hasAttr "nope" s',
    'builtins.removeAttrs s [ "git" "htop" ]',
    "builtins.intersectAttrs { vim = 0; writeText = 0; zz = 0; } s",
    'builtins.catAttrs "vim" [ s { vim = 2; } ]',
    "s == s",
    "s == (s // { })",
    "s == { }",
    "builtins.isAttrs s",
    "builtins.typeOf s",
    'builtins.toJSON (builtins.removeAttrs s [ "lib" ])',
    "({ htop, bash, ... }: [ htop bash ]) s",
    "({ htop, nope }: htop) s",
    "(x@{ ... }: x.coreutils) s",
    "s.htop.x",
    '"${s}"',
    'builtins.attrNames (builtins.listToAttrs [ { name = "a"; value = s; } ]).a',
    "builtins.deepSeq s 1",
    "builtins.seq s 1",
    'builtins.unsafeGetAttrPos "htop" s',
    'builtins.foldl\' (acc: n: acc + builtins.stringLength s.${n}) 0 [ "bash" "vim" ]',
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_a_lazy_set_is_the_complete_set(text):
    assert evaluate(text, lazy_set(Loads())) == evaluate(text, complete_set())


def test_the_names_are_not_read_while_only_the_sets_own_attributes_are_used():
    loads = Loads()
    s = lazy_set(loads)
    assert evaluate("[ s.git s.lib.x (s.writeText or 0) (s ? lib) ]", s) == (
        '[ "own-git" 1 "own-writeText" true ]'
    )
    assert loads.count == 0
    assert type(s) is LazyAttrs


def test_selecting_a_name_makes_only_that_value_and_reads_the_names_once():
    loads = Loads()
    s = lazy_set(loads)
    assert evaluate("[ s.htop s.htop (s ? vim) (with s; bash) ]", s) == (
        '[ "pkg-htop" "pkg-htop" true "pkg-bash" ]'
    )
    assert loads.count == 1
    assert type(s) is LazyAttrs
    assert sorted(dict(s)) == ["bash", "git", "htop", "lib", "writeText"]
    assert all(type(dict.__getitem__(s, n)) is Thunk for n in ("bash", "htop"))


def test_any_other_reader_completes_the_set_in_place():
    s = lazy_set(Loads())
    held = s
    assert evaluate("builtins.length (builtins.attrNames s)", s) == "8"
    assert type(held) is Attrs
    assert sorted(held) == sorted(complete_set())
    assert force(held["git"]) == "own-git"
    assert held.pos is None


# The law for any expression: random compositions of set operations over `s`
# (each giving a set again), observed by one of the readers.
NAMES = ("htop", "git", "writeText", "lib", "nope", "vim")


def set_terms():
    name = st.sampled_from(NAMES)
    base = st.just("s")

    def extend(inner):
        return st.one_of(
            st.builds(lambda t, n: f"({t} // {{ {n} = 1; }})", inner, name),
            st.builds(lambda t, n: f"({{ {n} = 2; }} // {t})", inner, name),
            st.builds(lambda t, n: f'(builtins.removeAttrs {t} [ "{n}" ])', inner, name),
            st.builds(lambda t, n: f"(builtins.intersectAttrs {{ {n} = 0; }} {t})", inner, name),
            st.builds(lambda t: f"(builtins.mapAttrs (n: v: v) {t})", inner),
            st.builds(lambda t: f"(let t = {t}; in t)", inner),
            st.builds(lambda t: f"((x: x) {t})", inner),
            st.builds(lambda t: f"(({{ ... }}@a: a) {t})", inner),
            st.builds(
                lambda t: f'(builtins.listToAttrs [ {{ name = "x"; value = {t}; }} ]).x', inner
            ),
        )

    return st.recursive(base, extend, max_leaves=3)


def observations():
    name = st.sampled_from(NAMES)
    return st.one_of(
        st.builds(lambda t, n: f"{t}.{n}", set_terms(), name),
        st.builds(lambda t, n: f"{t}.{n} or 7", set_terms(), name),
        st.builds(lambda t, n: f"{t} ? {n}", set_terms(), name),
        st.builds(lambda t, n: f"with {t}; {n}", set_terms(), name),
        st.builds(lambda t, n: f"let inherit ({t}) {n}; in {n}", set_terms(), name),
        st.builds(lambda t, n: f'builtins.getAttr "{n}" {t}', set_terms(), name),
        st.builds(lambda t, n: f'builtins.hasAttr "{n}" {t}', set_terms(), name),
        st.builds(lambda t, n: f"({{ {n}, ... }}: {n}) {t}", set_terms(), name),
        st.builds(lambda t: f"builtins.attrNames {t}", set_terms()),
        st.builds(lambda t: f"builtins.attrValues {t}", set_terms()),
        st.builds(lambda a, b: f"{a} == {b}", set_terms(), set_terms()),
        st.builds(lambda t: f"builtins.deepSeq {t} (builtins.typeOf {t})", set_terms()),
        st.builds(lambda t: f'builtins.toJSON (builtins.removeAttrs {t} [ "lib" ])', set_terms()),
    )


@settings(max_examples=150, deadline=None)
@given(observations())
def test_any_composition_of_set_operations_sees_the_complete_set(text):
    assert evaluate(text, lazy_set(Loads())) == evaluate(text, complete_set())
