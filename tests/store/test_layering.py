"""Imports run one way (DESIGN.md's pipeline, STYLE.md): diagnostics ← lang ←
eval ← options ← system, plus eval ← store ← system.  Each package imports
only packages below it: `eval` never imports `store` (the CLI hands the
evaluator the store glue, `declos.store.builtins`), `store` knows no options
and no system, and `system`, which must not evaluate DCL, imports neither
the parser, the evaluator nor the module system.  Nothing below the command
line imports it or what drives it (`declos.cli`, `toplevel`, `fleet`,
`evalcache`, `progress`); `declos.diagnostics` and `declos.dirs` are usable
from everywhere."""

from __future__ import annotations

import ast
import os

import pytest

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "declos")

ABOVE_ALL = ("declos.cli", "declos.toplevel", "declos.fleet", "declos.evalcache", "declos.progress")

FORBIDDEN = {
    "lang": ("declos.eval", "declos.options", "declos.store", "declos.system", *ABOVE_ALL),
    "eval": ("declos.options", "declos.store", "declos.system", *ABOVE_ALL),
    "options": ("declos.store", "declos.system", *ABOVE_ALL),
    "store": ("declos.options", "declos.system", *ABOVE_ALL),
    "system": ("declos.lang", "declos.eval", "declos.options", *ABOVE_ALL),
}

# Imports a forbidden prefix above allows, each with its reason.
ALLOWED = {
    # a hash function (store path digests for synth's toplevels), not evaluation
    "system": ("declos.eval.hashes",),
}


def _imports(path: str):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "declos":  # `from declos import evalcache`
                for alias in node.names:
                    yield node.lineno, f"declos.{alias.name}"
            else:
                yield node.lineno, node.module


def _below(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package):
    bad = []
    for root, _dirs, files in os.walk(os.path.join(PKG, package)):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            for line, module in _imports(path):
                if _below(module, FORBIDDEN[package]) and not _below(
                    module, ALLOWED.get(package, ())
                ):
                    bad.append(f"{os.path.relpath(path, PKG)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_each_form_of_import(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "import declos.store.paths\n"
        "from declos import evalcache\n"
        "def f():\n"
        "    from declos.system.manifest import load_manifest\n"
    )
    found = [m for _line, m in _imports(str(path))]
    assert found == ["declos.store.paths", "declos.evalcache", "declos.system.manifest"]
    assert _below("declos.store.paths", ("declos.store",))
    assert not _below("declos.storefront", ("declos.store",))


def test_every_package_has_its_rule():
    """A new package under declos/ is placed in the pipeline, or is one of the
    command line's (cli, fleet)."""
    packages = {
        n
        for n in os.listdir(PKG)
        if os.path.isfile(os.path.join(PKG, n, "__init__.py")) or n in FORBIDDEN
    }
    assert packages - set(FORBIDDEN) <= {"cli", "fleet"}, packages - set(FORBIDDEN)
