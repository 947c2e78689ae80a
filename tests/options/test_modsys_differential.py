"""The module system's Python versions against its DCL reference.

modules.dcl calls the Python versions of its per-definition functions
(`declos/eval/builtins/modsys.py`) as `builtins.__declosX or <DCL>`; with
`DECLOS_REFERENCE_MODULES=1` the evaluator has none of them, and the DCL
runs.  Every case of the module-system tables (test_modules.py,
test_modules_*.py, test_types_*.py) and every example configuration is evaluated both
ways here: the exit code, the output and the error message must be the same.
"""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest
from module_table import case_id, expr, params
from test_modules import CASES
from test_modules_eval import EVAL_CASES
from test_modules_force_freeform import FORCE_FREEFORM_CASES
from test_modules_imports import IMPORT_CASES
from test_modules_priorities import PRIORITY_CASES
from test_modules_records import RECORD_CASES
from test_modules_submodules import SUBMODULE_CASES
from test_types_checks import TYPE_CHECK_CASES
from test_types_merge import TYPE_MERGE_CASES

from declos.cli import main
from declos.eval.builtins.registry import ACCELERATORS

ALL = (
    IMPORT_CASES
    + FORCE_FREEFORM_CASES
    + TYPE_CHECK_CASES
    + TYPE_MERGE_CASES
    + SUBMODULE_CASES
    + PRIORITY_CASES
    + RECORD_CASES
    + EVAL_CASES
)
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = ("minimal", "webserver", "workstation", "team")


def run(argv: list[str], reference: bool, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setenv("DECLOS_REFERENCE_MODULES", "1" if reference else "0")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def same_both_ways(argv: list[str], monkeypatch) -> tuple[int, str, str]:
    fast = run(argv, False, monkeypatch)
    reference = run(argv, True, monkeypatch)
    assert fast == reference
    return fast


def test_the_switch_really_switches(monkeypatch):
    has = ["eval", "-E", "builtins ? __declosDischargeProperties"]
    assert run(has, False, monkeypatch)[1] == "true\n"
    assert run(has, True, monkeypatch)[1] == "false\n"


def test_every_accelerator_lib_asks_for_switches(monkeypatch):
    # A name modules.dcl asks for that no builtin has would run the DCL both
    # ways, and the comparisons below could not fail.
    lib = os.path.join(REPO, "declos", "options", "lib")
    asked = set()
    for name in os.listdir(lib):
        if name.endswith(".dcl"):
            with open(os.path.join(lib, name)) as f:
                asked.update(re.findall(r"__declos[A-Za-z']+", f.read()))
    assert asked == ACCELERATORS
    names = " ".join(f'"{n}"' for n in sorted(asked))
    has = ["eval", "--strict", "-E", f"map (n: builtins.hasAttr n builtins) [ {names} ]"]
    assert run(has, False, monkeypatch)[1] == "[ " + "true " * len(asked) + "]\n"
    assert run(has, True, monkeypatch)[1] == "[ " + "false " * len(asked) + "]\n"


TABLE = params(CASES + ALL)


@pytest.mark.parametrize(("path", "modules", "expected", "args"), TABLE, ids=map(case_id, TABLE))
def test_module_table_both_ways(path, modules, expected, args, monkeypatch):
    same_both_ways(["eval", "--strict", "-E", expr(path, modules, args)], monkeypatch)


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_toplevel_both_ways(example, monkeypatch):
    config = os.path.join(REPO, "examples", example, "config.dcl")
    text = (
        "((import <declos/lib>).evalModules { modules = [ " + config + " ] ++ "
        "import <declos/modules/module-list.dcl>; specialArgs.modulesPath = <declos/modules>; })"
        ".config.system.build.toplevel.drvPath"
    )
    argv = ["eval", "-E", text, "-I", f"teamlib={REPO}/examples/team/library"]
    rc, out, err = same_both_ways(argv, monkeypatch)
    assert rc == 0, err
    assert out.startswith('"/nix/store/')
