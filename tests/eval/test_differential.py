"""Differential tests: random well-formed expressions, evaluated by declos and by Nix.

Skipped when nix-instantiate is not installed. Both must print the same value, or both
must fail. Integers stay small so that no generated expression overflows (Nix 2.8 wraps
where current Nix and declos raise an error).
"""

from __future__ import annotations

import shutil

import pytest
from nix_oracle import run_nix

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NIX = shutil.which("nix-instantiate")
pytestmark = pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")

NAMES = ["a", "b", "c", "x", "y", "foo", "bar-baz", "q'"]


def _string_literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


small = st.integers(min_value=-1000, max_value=1000).map(lambda n: f"({n})" if n < 0 else str(n))
str_lits = st.text(alphabet='abcxyz 01-_.\n"\\$', max_size=8).map(_string_literal)
names = st.sampled_from(NAMES)

# Typed generators: mostly well-typed, so that most examples evaluate. Integers stay small
# (|x| <= 1000, at most a few multiplications deep) so nothing overflows.
int_e = st.deferred(
    lambda: st.one_of(
        small,
        small,
        st.builds(lambda a, op, b: f"({a} {op} {b})", int_e, st.sampled_from(["+", "-"]), int_e),
        st.builds(lambda a, b: f"({a} * {b})", small, small),
        st.builds(lambda a, b: f"({a} / {b})", int_e, small.filter(lambda s: s != "0")),
        st.builds(lambda e: f"(builtins.length {e})", list_e),
        st.builds(lambda e: f"(builtins.stringLength {e})", str_e),
        st.builds(lambda c, a, b: f"(if {c} then {a} else {b})", bool_e, int_e, int_e),
        st.builds(lambda n, v, b: f"(let {n} = {v}; in {b} + {n})", names, int_e, int_e),
        st.builds(lambda d, n, b: f"({d}.{n} or {b})", attrs_e, names, int_e),
    )
)
bool_e = st.deferred(
    lambda: st.one_of(
        st.sampled_from(["true", "false"]),
        st.builds(
            lambda a, op, b: f"({a} {op} {b})",
            int_e,
            st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
            int_e,
        ),
        st.builds(lambda a, op, b: f"({a} {op} {b})", any_e, st.sampled_from(["==", "!="]), any_e),
        st.builds(
            lambda a, op, b: f"({a} {op} {b})", bool_e, st.sampled_from(["&&", "||", "->"]), bool_e
        ),
        st.builds(lambda a: f"(!{a})", bool_e),
        st.builds(lambda d, n: f"({d} ? {n})", attrs_e, names),
        st.builds(lambda a, b: f"(builtins.elem {a} {b})", any_e, list_e),
    )
)
str_e = st.deferred(
    lambda: st.one_of(
        str_lits,
        st.builds(lambda a, b: f"({a} + {b})", str_e, str_e),
        st.builds(lambda a: f"(toString {a})", int_e),
        st.builds(lambda a, b: f'("${{{a}}}-${{toString {b}}}")', str_e, int_e),
        st.builds(lambda e: f"(builtins.toJSON {e})", any_e),
        st.builds(lambda e: f"(builtins.typeOf {e})", any_e),
        st.builds(
            lambda e: f'(builtins.concatStringsSep "," (map toString {e}))',
            st.lists(int_e, max_size=4).map(_list),
        ),
        st.builds(
            lambda a, b, c: f"(builtins.substring {a} {b} {c})",
            st.integers(0, 5).map(str),
            st.integers(0, 5).map(str),
            str_e,
        ),
    )
)
list_e = st.deferred(
    lambda: st.one_of(
        st.lists(any_e, max_size=4).map(_list),
        st.builds(lambda a, b: f"({a} ++ {b})", list_e, list_e),
        st.builds(lambda e: f"(builtins.attrNames {e})", attrs_e),
        st.builds(lambda e: f"(builtins.attrValues {e})", attrs_e),
        st.builds(lambda e: f"(map (v: [ v v ]) {e})", list_e),
        st.builds(lambda e: f"(builtins.filter (v: v == null) {e})", list_e),
        st.builds(
            lambda e: f"(builtins.sort builtins.lessThan {e})",
            st.lists(int_e, max_size=5).map(_list),
        ),
    )
)
attrs_e = st.deferred(
    lambda: st.one_of(
        st.dictionaries(names, any_e, max_size=4).map(
            lambda d: "{ " + "".join(f"{k} = {v}; " for k, v in d.items()) + "}"
        ),
        st.builds(lambda a, b: f"({a} // {b})", attrs_e, attrs_e),
        st.builds(lambda e: f"(builtins.mapAttrs (n: v: [ n v ]) {e})", attrs_e),
        st.builds(lambda a, b: f"(with {a}; {b})", attrs_e, attrs_e),
        st.builds(lambda e: f"(builtins.tryEval {e})", any_e),
    )
)
any_e = st.deferred(
    lambda: st.one_of(
        st.sampled_from(["null"]),
        int_e,
        bool_e,
        str_e,
        list_e,
        attrs_e,
        # untyped combinations: may fail, and then both evaluators must fail
        st.builds(
            lambda a, op, b: f"({a} {op} {b})",
            st.one_of(int_e, str_e),
            st.sampled_from(["+", "-"]),
            st.one_of(int_e, str_e),
        ),
        st.builds(lambda n, body, arg: f"(({n}: {body}) {arg})", names, any_e, any_e),
    )
)


def _list(xs: list[str]) -> str:
    return "[ " + " ".join(f"({x})" for x in xs) + " ]"


expressions = any_e.filter(lambda e: len(e) < 2000)


def nix_eval(expr: str) -> tuple[bool, str]:
    p = run_nix([NIX, "--eval", "--strict", "-E", expr], timeout=30)
    return p.returncode == 0, p.stdout


def declos_eval(expr: str, capsys) -> tuple[bool, str]:
    from declos.cli import main

    capsys.readouterr()
    try:
        rc = main(["eval", "--strict", "-E", expr])
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    out, _err = capsys.readouterr()
    return rc == 0, out


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(expr=expressions)
def test_declos_agrees_with_nix(expr, capsys):
    nix_ok, nix_out = nix_eval(expr)
    ours_ok, ours_out = declos_eval(expr, capsys)
    assert ours_ok == nix_ok, (
        f"{expr!r}: nix ok={nix_ok} {nix_out!r}, declos ok={ours_ok} {ours_out!r}"
    )
    if nix_ok:
        assert ours_out == nix_out, expr
