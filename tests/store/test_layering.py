"""Imports run one way (STYLE.md): diagnostics ← lang ← eval ← options ← system,
plus eval ← store.  `eval` never imports `store`; the CLI hands the
evaluator the store glue (`declos.store.builtins`)."""

from __future__ import annotations

import ast
import os

import pytest

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "declos")

FORBIDDEN = {
    "lang": ("declos.eval", "declos.options", "declos.store", "declos.system"),
    "eval": ("declos.options", "declos.store", "declos.system"),
    "store": ("declos.options", "declos.system"),
}


def _imports(path: str):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package):
    bad = []
    for root, _dirs, files in os.walk(os.path.join(PKG, package)):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            for line, module in _imports(path):
                if module.startswith(FORBIDDEN[package]):
                    bad.append(f"{os.path.relpath(path, PKG)}:{line} imports {module}")
    assert not bad, "\n".join(bad)
