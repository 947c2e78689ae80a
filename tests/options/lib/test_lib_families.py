"""lib (`import <declos/lib>`): the runTests suite, a table of CLI evaluations, and the
same expressions under real Nix (skipped without nix-instantiate).

`lib-tests.dcl` is nixpkgs lib/tests/misc.nix in style: it evaluates to the list of failed
tests, `[ ]` on success. The table below checks what a runTests suite cannot: printed
output, laziness through `--strict`, and the messages of `throw`s. Every expression is
also evaluated by `nix-instantiate` with our lib imported by path, and both outputs must
be identical: that checks the evaluator against Nix on real library code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nix_oracle import run_nix

from declos.cli import main

HERE = Path(__file__).resolve().parent
LIB_DIR = HERE.parents[2] / "declos" / "options" / "lib"
NIX = shutil.which("nix-instantiate")
needs_nix = pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")

SUITE = f"import {HERE / 'lib-tests.dcl'} {{ lib = LIB; }}"

# (expression with LIB for the library, expected stdout of `eval --strict`).
CASES = [
    ('(LIB).mapAttrs\' (n: v: (LIB).nameValuePair "x-${n}" v) { a = 1; }', "{ x-a = 1; }"),
    ('(LIB).attrByPath [ "a" "b" ] null { a.b = [ 1 ]; }', "[ 1 ]"),
    ('(LIB).unique [ 1 2 1 "a" "a" ]', '[ 1 2 "a" ]'),
    ("(LIB).flatten [ [ 1 [ 2 ] ] 3 ]", "[ 1 2 3 ]"),
    ('(LIB).concatMapStringsSep ", " toString [ 1 2 ]', '"1, 2"'),
    ('(LIB).toposort (LIB).hasPrefix [ "/a/b" "/" "/a" ]', '{ result = [ "/" "/a" "/a/b" ]; }'),
    ("(LIB).generators.toINI { } { main.x = 1; }", '"[main]\\nx=1\\n"'),
    ("(LIB).generators.toKeyValue { } { a = true; }", '"a=true\\n"'),
    ('(LIB).escapeShellArgs [ "a b" "c" ]', "\"'a b' c\""),
    ("(LIB).recursiveUpdate { a.b = 1; } { a.c = 2; }", "{ a = { b = 1; c = 2; }; }"),
    ('(LIB).optional false (throw "lazy")', "[ ]"),
    ('(LIB).optionalAttrs false (throw "lazy")', "{ }"),
    ('(LIB).optionalString false (throw "lazy")', '""'),
    ('builtins.length ((LIB).mapAttrsToList (n: v: throw "lazy") { a = 1; })', "1"),
    ("(LIB).fix (self: { a = 1; b = self.a + 1; })", "{ a = 1; b = 2; }"),
    ("(LIB).trivial.release", '"24.11"'),
    ("(LIB).version", '"0.1.0"'),
    ("(LIB).isFunction (LIB).id", "true"),
    (
        "(LIB).generators.toPretty { } [ 1 { a = null; } ]",
        '"[\\n  1\\n  {\\n    a = null;\\n  }\\n]"',
    ),
    ('(LIB).versions.majorMinor "3.11.2"', '"3.11"'),
    ('(LIB).strings.sanitizeDerivationName "a/b c"', '"a-b-c"'),
    ("builtins.attrNames ((LIB).extend (f: p: { zz = 1; })).fixedPoints", None),
]

# (expression, first line of stderr): messages of lib's own throws.
ERRORS = [
    ("(LIB).last [ ]", "error: lists.last: list must not be empty!"),
    (
        '(LIB).toInt "012"',
        'error: toInt: Ambiguity in interpretation of "012" between octal and zero padded integer.',
    ),
    ('(LIB).toInt "1x"', 'error: toInt: Could not convert "1x" to int.'),
    ('(LIB).getAttrFromPath [ "a" "b" ] { }', "error: cannot find attribute 'a.b'"),
    (
        '(LIB).assertOneOf "color" "red" [ "blue" ]',
        'error: color must be one of [\n         "blue"\n       ], but is: "red"',
    ),
    (
        '(LIB).fixedWidthString 1 "0" "22"',
        "error: fixedWidthString: requested string length (1) must not be shorter than actual length (2)",
    ),
    ('(LIB).throwIfNot false "nope" 1', "error: nope"),
    (
        "((LIB).attrsets.unionOfDisjoint { a = 1; } { a = 2; }).a",
        "error: unionOfDisjoint: collision on a; complete list: a",
    ),
    (
        '(LIB).checkListOfEnum "fruit" [ "apple" ] [ "pear" ] 1',
        "error: fruit: pear unexpected; valid ones: apple",
    ),
]


def declos_eval(capsys, expr: str) -> tuple[int, str, str]:
    code = main(["eval", "--strict", "-E", expr.replace("LIB", "import <declos/lib>")])
    out, err = capsys.readouterr()
    return code, out, err


def nix_eval(expr: str) -> tuple[int, str, str]:
    nix_expr = expr.replace("LIB", f"import {LIB_DIR / 'default.dcl'}")
    proc = run_nix([NIX, "--eval", "--strict", "-E", nix_expr], timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_runtests_suite(capsys):
    code, out, err = declos_eval(capsys, SUITE)
    assert (code, out) == (0, "[ ]\n"), err


@needs_nix
def test_runtests_suite_under_nix():
    code, out, err = nix_eval(SUITE)
    assert (code, out) == (0, "[ ]\n"), err


@pytest.mark.parametrize(("expr", "expected"), [c for c in CASES if c[1] is not None])
def test_lib_case(capsys, expr, expected):
    code, out, err = declos_eval(capsys, expr)
    assert code == 0, err
    assert out == expected + "\n"


@pytest.mark.parametrize(("expr", "message"), ERRORS)
def test_lib_error(capsys, expr, message):
    code, out, err = declos_eval(capsys, expr)
    assert code == 1
    assert err.startswith(message + "\n"), err


@needs_nix
@pytest.mark.parametrize("expr", [c[0] for c in CASES])
def test_lib_case_agrees_with_nix(capsys, expr):
    _, out, err = declos_eval(capsys, expr)
    nix_code, nix_out, nix_err = nix_eval(expr)
    assert nix_code == 0, nix_err
    assert out == nix_out, err


@needs_nix
@pytest.mark.parametrize(("expr", "message"), ERRORS)
def test_lib_error_agrees_with_nix(expr, message):
    code, _, err = nix_eval(expr)
    assert code == 1
    assert err.startswith(message + "\n"), err


def test_lib_from_any_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = declos_eval(capsys, "(LIB).id 7")
    assert (code, out) == (0, "7\n"), err


def test_lib_names_do_not_force_values(capsys):
    # Attribute names of lib never depend on lib's values: `with lib;` stays lazy.
    code, out, err = declos_eval(
        capsys, "with LIB; builtins.length (builtins.attrNames (LIB)) > 300"
    )
    assert (code, out) == (0, "true\n"), err
