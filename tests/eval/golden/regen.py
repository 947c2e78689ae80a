#!/usr/bin/env python3
"""Regenerate golden expectations with real Nix (nix-instantiate) as the oracle.

    python3 tests/eval/golden/regen.py [--force] [NAME_SUBSTRING ...]

Every eval-okay-*.dcl / eval-fail-*.dcl here and in notyetpassing/ is run as
``nix-instantiate --eval [--strict] FILE [FLAGS]`` (see README.md for .flags and LAZY).
Cases whose first lines contain the marker ``# expected per Nix manual`` are
skipped: their expectations were written by hand because Nix 2.8 differs from
the current manual.

eval-okay: stdout -> .exp.  eval-fail: stderr -> .err.exp, rewritten from Nix
2.8's error layout into current Nix's layout (no blank lines around ``at``, one
line of context before and after the caret).  The golden directory's absolute
path becomes ``$GOLDEN`` in both.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent
sys.path.insert(0, str(GOLDEN.parents[1]))  # tests/, for the shared Nix oracle helper
from nix_oracle import run_nix  # noqa: E402

MARKER = "# expected per Nix manual"


def flags_of(case: Path) -> tuple[bool, list[str]]:
    f = case.with_suffix(".flags")
    if not f.exists():
        return True, []
    words: list[str] = []
    for line in f.read_text().splitlines():
        words += shlex.split(line.split("#", 1)[0])
    return "LAZY" not in words, [w for w in words if w != "LAZY"]


def snippet(path: Path, line: int, col: int) -> str:
    """Current Nix's printCodeLines: previous line, the line, caret, next line."""
    lines = path.read_text().split("\n")

    def row(n: int) -> str:
        text = lines[n - 1]
        return f"        {n:>5}|" + (f" {text}" if text else "")

    out = []
    if line > 1:
        out.append(row(line - 1))
    out.append(row(line))
    out.append("             | " + " " * (col - 1) + "^")
    if line < len(lines):
        out.append(row(line + 1))
    return "\n".join(out) + "\n"


AT = re.compile(r"^       at (.+?):(\d+):(\d+):$")


def convert_error(stderr: str) -> str:
    """Nix 2.8 error layout -> current Nix layout (without --show-trace)."""
    lines = stderr.rstrip("\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = AT.match(lines[i])
        if m:
            # drop the blank line before `at`, the blank after it and 2.8's snippet
            while out and out[-1] == "":
                out.pop()
            out.append(lines[i])
            i += 1
            while i < len(lines) and (lines[i] == "" or re.match(r"^ {8}[ \d]{5}\|", lines[i])):
                i += 1
            src = Path(m.group(1))
            if src.exists():
                out.append(snippet(src, int(m.group(2)), int(m.group(3))).rstrip("\n"))
            continue
        if lines[i] != "(use '--show-trace' to show detailed location information)":
            out.append(lines[i])
        i += 1
    return "\n".join(out) + "\n"


def regen(case: Path, force: bool = False) -> str:
    head = "\n".join(case.read_text().split("\n")[:3])
    if MARKER in head and not force:
        return "manual"
    strict, flags = flags_of(case)
    cmd = ["nix-instantiate", "--eval", *(["--strict"] if strict else []), str(case), *flags]
    p = run_nix(cmd, cwd=GOLDEN)
    root = str(GOLDEN)
    if case.name.startswith("eval-okay-"):
        if p.returncode != 0:
            return "ERROR: okay case failed:\n" + p.stderr
        case.with_suffix(".exp").write_text(p.stdout.replace(root, "$GOLDEN"))
    else:
        if p.returncode == 0:
            return "ERROR: fail case succeeded: " + p.stdout
        err = convert_error(p.stderr)
        case.with_suffix(".err.exp").write_text(err.replace(root, "$GOLDEN"))
    return "ok"


def main(argv: list[str]) -> int:
    force = "--force" in argv  # also overwrite hand-written (manual-marker) cases
    argv = [a for a in argv if a != "--force"]
    cases = sorted(GOLDEN.glob("eval-*.dcl")) + sorted(
        (GOLDEN / "notyetpassing").glob("eval-*.dcl")
    )
    if argv:
        cases = [c for c in cases if any(a in c.name for a in argv)]
    bad = 0
    for case in cases:
        status = regen(case, force)
        if status.startswith("ERROR"):
            bad += 1
            print(f"{case.name}: {status}", file=sys.stderr)
    print(f"{len(cases)} cases, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
