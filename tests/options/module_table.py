"""Shared harness for the module-system tables (nixpkgs lib/tests/modules.sh style).

A case is `(path, modules, expected)` or `(path, modules, expected, args)`:
`(lib.evalModules { modules = [ … ]; <args> }).<path>` is evaluated with
`declos eval --strict`; `expected` is the printed value, or `Err(regex)` to
match against the error message.  Module names are fixture files in
golden/modules/ (without `.dcl`); `args` is extra DCL text spliced into the
evalModules argument set (`specialArgs = …;`, `class = …;`, `prefix = …;`),
in which `fixtures` is the fixture directory as a path.  In an expected
value, FIXTURES stands for that directory.
"""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest

from declos.cli import main

FIXTURES = os.path.join(os.path.dirname(__file__), "golden", "modules")


class Err:
    def __init__(self, pattern: str):
        self.pattern = pattern

    def __repr__(self) -> str:
        return f"Err({self.pattern!r})"


def expr(path: str, modules: list[str], args: str = "") -> str:
    mods = " ".join(os.path.join(FIXTURES, m + ".dcl") for m in modules)
    return (
        f"let lib = import <declos/lib>; fixtures = {FIXTURES}; "
        f"r = lib.evalModules {{ modules = [ {mods} ]; {args} }}; "
        f"in with r; {path}"
    )


def case_id(case: tuple) -> str:
    ident = f"{case[0]}|{'+'.join(case[1])}"
    if len(case) > 3:
        ident += f"|{case[3]}"
    return ident


def params(cases: list[tuple]) -> list[tuple]:
    """Normalise cases to (path, modules, expected, args) for parametrize."""
    return [c if len(c) == 4 else (*c, "") for c in cases]


def table(cases: list[tuple]):
    """`@table(CASES)` over a test taking (path, modules, expected, args)."""
    return pytest.mark.parametrize(
        ("path", "modules", "expected", "args"),
        [pytest.param(*c, id=case_id(c)) for c in params(cases)],
    )


def run_case(path: str, modules: list[str], expected, args: str = "") -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["eval", "--strict", "-E", expr(path, modules, args)])
    if isinstance(expected, Err):
        assert rc == 1, out.getvalue()
        assert re.search(expected.pattern, err.getvalue()), err.getvalue()
        assert "Traceback" not in err.getvalue()
    else:
        assert rc == 0, err.getvalue()
        assert out.getvalue() == expected.replace("FIXTURES", FIXTURES) + "\n"


def run(capsys, expr: str, *flags: str) -> tuple[int, str, str]:
    """`declos eval --strict [flags] -E expr`: exit code, output and error text."""
    capsys.readouterr()
    rc = main(["eval", "--strict", *flags, "-E", expr])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return rc, out, err


def ok(capsys, expr: str, *flags: str) -> str:
    rc, out, err = run(capsys, expr, *flags)
    assert rc == 0, err
    return out.strip()


def fails(capsys, expr: str, *flags: str) -> str:
    rc, out, err = run(capsys, expr, *flags)
    assert rc == 1, out
    return err


# Shared by the split tables (test_modules_*.py, test_types_*.py).
NOVALUE = r"(was accessed but has no value defined|is used but not defined)"
MISSING = r"attribute '?{0}'? (missing|not found)|does not have attribute `?'?{0}"
T = ["declare-types", "define-types-good"]
TB = ["declare-types", "define-types-bad"]
TC = ["declare-types", "define-types-conflicts"]
MP = "specialArgs.modulesPath = fixtures;"


def bad(option: str, type_re: str, value_re: str = "") -> Err:
    return Err(
        rf"A definition for option `types\.{option}' is not of type `{type_re}'\. Definition values:\n\s*- In `.*define-types-bad\.dcl(:\d+)?':\s*{value_re}"
    )


def neither(option: str, type_re: str, t1: str, t2: str, value_re: str) -> Err:
    """Both members of an `either` refuse the definitions (nixpkgs 26.11's message)."""
    return Err(
        rf"A definition for option `types\.{option}' is not of type `{type_re}'\. The option `types\.{option}` "
        rf"is neither a value of type `{t1}` nor `{t2}`, Definition values:\n\s*- In `.*define-types-bad\.dcl(:\d+)?':\s*{value_re}"
    )
