"""The module library travels with a non-editable install: a wheel built
from the project holds every file of `modules/` as `declos/modules/…`
(setup.py), where `declos.dirs.modules_dir` finds it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from declos.dirs import modules_dir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_wheel_carries_the_module_library(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(os.path.join(ROOT, name), src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("declos", "modules"):
        shutil.copytree(os.path.join(ROOT, name), src / name, ignore=ignore)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(src)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-300:]}")
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    library = modules_dir()
    for dirpath, _, files in os.walk(library):
        for f in files:
            if f.endswith(".dcl"):
                rel = os.path.relpath(os.path.join(dirpath, f), library)
                assert f"declos/modules/{rel}" in names, rel
    assert "declos/store/pkgs/default.dcl" in names
    assert "declos/options/lib/default.dcl" in names
