"""Import cycles and runaway recursion end at once with a located error.

Nix 2.8 overflows its stack on an import cycle ("stack overflow (possible
infinite recursion)", no location, after the stack is exhausted); declos
names the chain of imports.  Each case runs `declos eval` in a subprocess
whose timeout is only a guard against hanging: no timing is asserted.
Where the behaviour is the language's, real Nix is run on the same files
and must fail too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nix_oracle import run_nix

NIX = shutil.which("nix-instantiate")


def declos_eval(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "declos", "eval", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def nix_fails(file: Path) -> str:
    """Nix's error for FILE (the nixbld warning of a fresh machine dropped)."""
    r = run_nix([NIX, "--eval", "--strict", str(file)], timeout=300)
    assert r.returncode != 0, r.stdout
    return r.stderr


def write(tmp: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text)


A_B_CYCLE = (
    "error: infinite recursion encountered: import cycle\n"
    "       $T/a.dcl:1:1 imports $T/b.dcl\n"
    "       $T/b.dcl:1:1 imports $T/a.dcl\n"
    "       at $T/b.dcl:1:1:\n"
    "            1| import ./a.dcl\n"
    "             | ^\n"
    "            2|\n"
)

CYCLES = [
    # (files, file to evaluate, expected stderr with $T for the directory)
    pytest.param(
        {"a.dcl": "import ./b.dcl\n", "b.dcl": "import ./a.dcl\n"},
        "a.dcl",
        A_B_CYCLE,
        id="two-files",
    ),
    pytest.param(
        {"self.dcl": "# comment\nlet x = 1; in import ./self.dcl\n"},
        "self.dcl",
        "error: infinite recursion encountered: import cycle\n"
        "       $T/self.dcl:2:15 imports $T/self.dcl\n"
        "       at $T/self.dcl:2:15:\n"
        "            1| # comment\n"
        "            2| let x = 1; in import ./self.dcl\n"
        "             |               ^\n"
        "            3|\n",
        id="self",
    ),
    pytest.param(
        {
            "main.dcl": "{ v = (import ./a.dcl).v; }\n",
            "a.dcl": "{\n  v = import ./sub;\n}.v\n",
            "sub/default.dcl": "(import ../c.dcl) + 1\n",
            "c.dcl": "let f = import; in f ./a.dcl\n",
        },
        "main.dcl",
        "error: infinite recursion encountered: import cycle\n"
        "       $T/a.dcl:2:7 imports $T/sub/default.dcl\n"
        "       $T/sub/default.dcl:1:1 imports $T/c.dcl\n"
        "       $T/c.dcl:1:20 imports $T/a.dcl\n"
        "       at $T/c.dcl:1:20:\n"
        "            1| let f = import; in f ./a.dcl\n"
        "             |                    ^\n"
        "            2|\n",
        id="three-files-through-a-directory-and-an-alias",
    ),
    pytest.param(
        {
            "a.dcl": "builtins.scopedImport { x = 1; } ./b.dcl\n",
            "b.dcl": "import ./a.dcl\n",
        },
        "a.dcl",
        A_B_CYCLE,
        id="through-scopedImport",
    ),
]


@pytest.mark.parametrize(("files", "entry", "expected"), CYCLES)
def test_import_cycle_names_the_chain(tmp_path, files, entry, expected):
    write(tmp_path, files)
    r = declos_eval("--strict", entry, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == expected.replace("$T", str(tmp_path))
    if NIX is not None:
        nix_files = {n.replace(".dcl", ".nix"): t.replace(".dcl", ".nix") for n, t in files.items()}
        nix_dir = tmp_path / "nix"
        write(nix_dir, nix_files)
        assert "stack overflow" in nix_fails(nix_dir / entry.replace(".dcl", ".nix"))


def test_a_value_cycle_across_files_is_not_an_import_cycle(tmp_path):
    """Each file's import finishes (a set); the cycle is between values."""
    write(
        tmp_path,
        {
            "a.dcl": "{ x = (import ./b.dcl).y; }\n",
            "b.dcl": "{ y = (import ./a.dcl).x; }\n",
        },
    )
    r = declos_eval("--strict", "a.dcl", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == (
        "error: infinite recursion encountered\n"
        f"       at {tmp_path}/a.dcl:1:7:\n"
        "            1| { x = (import ./b.dcl).y; }\n"
        "             |       ^\n"
        "            2|\n"
    )


def test_an_import_seen_again_after_it_finished_is_no_cycle(tmp_path):
    write(
        tmp_path,
        {
            "a.dcl": "{ b = import ./b.dcl; v = 1; }\n",
            "b.dcl": "{ w = (import ./a.dcl).v + 1; }\n",
        },
    )
    r = declos_eval("--strict", "a.dcl", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "{ b = { w = 2; }; v = 1; }\n"), r.stderr


def test_a_scopedImport_recursing_without_end_is_stopped_naming_the_file(tmp_path):
    write(tmp_path, {"s.dcl": "builtins.scopedImport { } ./s.dcl\n"})
    r = declos_eval("s.dcl", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == (
        f"error: stack overflow; max-call-depth exceeded: '{tmp_path}/s.dcl' is imported "
        "1000 times within its own evaluation\n"
        f"       at {tmp_path}/s.dcl:1:1:\n"
        "            1| builtins.scopedImport { } ./s.dcl\n"
        "             | ^\n"
        "            2|\n"
    )


def test_a_scopedImport_recursion_with_a_base_case_evaluates(tmp_path):
    write(
        tmp_path,
        {
            "count.dcl": "if n == 0 then 0 else 1 + builtins.scopedImport { n = n - 1; } ./count.dcl\n"
        },
    )
    r = declos_eval("-E", "builtins.scopedImport { n = 50; } ./count.dcl", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "50\n"), r.stderr


def test_a_stack_overflow_is_located_at_a_call(tmp_path):
    r = declos_eval("-E", "let f = x: 1 + f x; in f 1", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == (
        "error: stack overflow; max-call-depth exceeded\n"
        "       at «string»:1:16:\n"
        "            1| let f = x: 1 + f x; in f 1\n"
        "             |                ^\n"
    )
