"""Running real Nix (`nix-instantiate`, `nix-hash`) as the oracle, on any machine.

Every test that compares with Nix runs it through `run_nix`, which returns
the finished process with Nix's own configuration warnings removed from its
stderr.  On a fresh Debian machine where nix-bin is installed without a
`nixbld` group, Nix prints

    warning: the group 'nixbld' specified in 'build-users-group' does not exist

before anything else; such lines say nothing about the expression and would
make every comparison of error text fail.  Lines an evaluation prints
(`trace:`, `evaluation warning:`, errors) are kept.

The tests directory is on `sys.path` (pytest's rootdir import of
tests/conftest.py), so test files import this as `from nix_oracle import …`.
"""

from __future__ import annotations

import re
import shutil
import subprocess

NIX_INSTANTIATE = shutil.which("nix-instantiate")

# Nix's logger warnings about its settings (the missing build group, an
# unknown setting), as opposed to what an evaluation prints.
_SETTINGS_WARNING = re.compile(
    r"warning: (the group '[^']*' specified in 'build-users-group' does not exist"
    r"|unknown setting '[^']*')$"
)


def without_nix_warnings(stderr: str) -> str:
    """`stderr` without Nix's configuration warnings (see the module docstring)."""
    return "".join(
        line
        for line in stderr.splitlines(keepends=True)
        if not _SETTINGS_WARNING.match(line.rstrip("\n"))
    )


def run_nix(argv: list[str], **kw) -> subprocess.CompletedProcess:
    """`subprocess.run(argv, capture_output=True, text=True, **kw)` with the
    warnings dropped from stderr; `check=True` raises as subprocess.run does."""
    check = kw.pop("check", False)
    proc = subprocess.run(argv, capture_output=True, text=True, **kw)
    proc.stderr = without_nix_warnings(proc.stderr or "")
    if check:
        proc.check_returncode()
    return proc
