"""The `declos/cli/` package: one family of commands per module, loaded
only when its command is given; shared names public; nothing else in
declos imports the command line."""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import subprocess
import sys

import pytest

from declos.cli import GROUPS, build_parser

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "declos")


def _imports(path: str):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.lineno, node.module, alias.name


def _python_files():
    for root, _dirs, files in os.walk(PKG):
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(root, name)


def test_only_the_entry_point_imports_the_cli():
    cli_dir = os.path.join(PKG, "cli")
    bad = [
        f"{os.path.relpath(path, PKG)}:{line} imports {module}"
        for path in _python_files()
        if not path.startswith(cli_dir + os.sep) and path != os.path.join(PKG, "command.py")
        for line, module, _ in _imports(path)
        if module == "declos.cli" or module.startswith("declos.cli.")
    ]
    assert not bad, "\n".join(bad)


def test_cli_modules_share_only_public_names():
    bad = [
        f"cli/{os.path.basename(path)}:{line} imports {name} from {module}"
        for path in _python_files()
        if path.startswith(os.path.join(PKG, "cli") + os.sep)
        for line, module, name in _imports(path)
        if name and name.startswith("_") and module.startswith("declos.")
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(("module", "names"), GROUPS)
def test_each_family_adds_the_commands_the_table_names(module, names):
    """`declos CMD` builds only the family GROUPS names for CMD: a command
    missing from the table would not be found when given."""
    sub = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(f"declos.cli.{module}").add_commands(sub)
    assert tuple(sub.choices) == names


def test_a_command_gets_its_own_family_only():
    assert set(build_parser(["eval", "-E", "1"])._subparsers._group_actions[0].choices) == {
        "parse",
        "eval",
    }
    every = build_parser()._subparsers._group_actions[0].choices
    assert tuple(every) == tuple(n for _, names in GROUPS for n in names)


def test_eval_imports_no_other_command_family():
    code = (
        "import sys; from declos.cli import main; rc = main(['eval', '-E', '1 + 1']); "
        "print(sorted(m for m in sys.modules if m.startswith('declos.cli')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "2",
        "['declos.cli', 'declos.cli.args', 'declos.cli.evaluate']",
    ]


def test_python_dash_m_declos_runs_the_command():
    proc = subprocess.run(
        [sys.executable, "-m", "declos", "eval", "-E", '"a" + "b"'], capture_output=True, text=True
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '"ab"\n', "")
