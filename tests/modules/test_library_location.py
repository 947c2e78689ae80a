"""A toplevel's drvPath does not depend on where the module library is.

The checks' origins and the manifest name the definitions they come from;
the module library's own files are shown as <declos/modules/…>, so that a
checkout, an install under site-packages and another machine's install
compute the same derivations (and share binary caches).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOPLEVEL = """\
((import <declos/lib>).evalModules {{
  modules = [ {config} ] ++ import <declos/modules/module-list.dcl>;
  specialArgs.modulesPath = {modules};
}}).config.system.build.toplevel.drvPath
"""


def _eval(path: str, modules: str, cache: str) -> str:
    env = {**os.environ, "DECLOS_CACHE_DIR": cache}
    env.pop("DECLOS_PATH", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "declos",
            "eval",
            "--strict",
            "-I",
            f"declos/modules={modules}",
            path,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.parametrize("example", ["webserver", "workstation"])
def test_the_drv_path_is_the_same_wherever_the_library_is(tmp_path, example):
    config = os.path.join(REPO, "examples", example, "config.dcl")
    found = set()
    for place in ("one/lib", "two/elsewhere/declos"):
        modules = tmp_path / place / "modules"
        shutil.copytree(os.path.join(REPO, "modules"), modules)
        expr = tmp_path / place / "toplevel.nix"
        expr.write_text(TOPLEVEL.format(config=config, modules=modules))
        found.add(_eval(str(expr), str(modules), str(tmp_path / "cache")))
    assert len(found) == 1, found


def test_a_library_file_is_shown_relative_to_the_library(tmp_path):
    modules = os.path.join(REPO, "modules")
    expr = tmp_path / "show.nix"
    expr.write_text(
        f"let checks = import {modules}/system/checks-lib.dcl {{ lib = import <declos/lib>; }}; in [\n"
        f"  (checks.showDefinition {{ file = {modules}/services/nginx.dcl; line = 5; }})\n"
        f'  (checks.showDefinition {{ file = "{tmp_path}/config.dcl"; line = 3; }})\n'
        f'  (checks.showDefinition {{ file = "{modules}-other/x.dcl"; }})\n'
        "]\n"
    )
    out = _eval(str(expr), modules, str(tmp_path / "cache"))
    assert out == (
        f'[ "<declos/modules/services/nginx.dcl>:5" "{tmp_path}/config.dcl:3" '
        f'"{modules}-other/x.dcl" ]'
    )
