"""declos as users run it, for the benchmarks: a non-editable install of the checkout.

The README installs with `pip install .`; the development venv has an
editable install instead, whose finder (a .pth hook) is imported at every
interpreter start-up (~10 ms), and which runs declos from the checkout.  The
benches measure neither: `installed_python(work)` makes a fresh venv under
`work` (no pip, no setuptools), installs the checkout into it with
`pip install --no-deps --target` of a copy of its
files (pip compiles the .pyc files,
as it does for users), and lets it see declos's dependencies through a .pth
line naming the current environment's site-packages.  A plain path line in
a .pth only extends sys.path: the current environment's own .pth files (the
editable finder, setuptools' distutils hack) are not run.  It returns that
venv's python, to run as `python -m declos ...`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def installed_declos(work: str) -> tuple[str, str]:
    """Build the venv under `work`; return its `declos` script and the
    installed `declos` package directory."""
    venv = os.path.join(work, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Built from a copy: an in-tree build would leave build/ in the shared
    # checkout, and a stale build/lib there would be installed too.
    src = os.path.join(work, "src")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    for name in ("declos", "modules"):
        shutil.copytree(os.path.join(ROOT, name), os.path.join(src, name), ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(os.path.join(ROOT, name), src)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", src],
        check=True,
    )
    deps = sysconfig.get_paths()["purelib"]
    with open(os.path.join(site, "_declos_bench_deps.pth"), "w") as f:
        f.write(deps + "\n")
    declos = os.path.join(venv, "bin", "declos")
    found = subprocess.run(
        [
            python,
            "-P",
            "-c",
            "import declos, sys; print(declos.__file__); print(list(sys.modules))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
    ).stdout
    if not found.startswith(site) or "__editable__" in found:
        raise SystemExit(f"the bench's install of declos is not the one imported:\n{found}")
    return declos, os.path.join(site, "declos")


def declos_command(work: str, checkout: bool = False) -> tuple[list[str], str]:
    """The command the benches run and the `declos` package directory it
    runs: the installed `declos` script, or with `checkout` (quick
    iteration, not what users run) the current environment's
    `python -m declos`.  Nix is given that package's lib and module library,
    so both read the same files (the checkout may change during the run)."""
    if checkout:
        return [sys.executable, "-m", "declos"], os.path.join(ROOT, "declos")
    print("installing the checkout (non-editable) for the run ...", file=sys.stderr)
    script, package = installed_declos(work)
    return [script], package


def modules_dir(package: str) -> str:
    """The module library of a declos package directory (as declos.dirs finds it)."""
    installed = os.path.join(package, "modules")
    return installed if os.path.isdir(installed) else os.path.join(ROOT, "modules")
