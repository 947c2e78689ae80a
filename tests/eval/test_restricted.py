"""restrict-eval and pure-eval: file access only under the allowed paths.

Every case runs `declos eval` in a subprocess (the timeout only guards
against hanging) and, where the behaviour is Nix's, `nix-instantiate --eval`
with the same settings and search path: the first line of both errors must
be the same.  declos also locates the error at the call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nix_oracle import run_nix

NIX = shutil.which("nix-instantiate")
RESTRICT = ["--option", "restrict-eval", "true"]


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, cwd=cwd, env=env or os.environ.copy()
    )


def declos(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "declos", "eval", "--strict", *args], cwd, env)


def nix_error_line(*args: str, cwd: Path) -> str:
    r = run_nix([NIX, "--eval", "--strict", *args], timeout=300, cwd=cwd)
    lines = r.stderr.splitlines()
    assert r.returncode != 0, r.stdout
    return lines[0]


@pytest.fixture
def tree(tmp_path):
    """allowed/ (on -I) with a file, a link out of it and a module; secret/ outside."""
    allowed, secret = tmp_path / "allowed", tmp_path / "secret"
    allowed.mkdir()
    secret.mkdir()
    (allowed / "ok.txt").write_text("fine\n")
    (allowed / "value.dcl").write_text("42\n")
    (secret / "key").write_text("s3cret\n")
    (secret / "mod.dcl").write_text("1\n")
    (allowed / "link").symlink_to(secret / "key")
    return tmp_path


FORBIDDEN = [
    # (expression, the path named, whether Nix 2.8 has the builtin)
    ("builtins.readFile SECRET/key", "SECRET/key", True),
    ("builtins.readDir SECRET", "SECRET", True),
    ("import SECRET/mod.dcl", "SECRET/mod.dcl", True),
    ("builtins.scopedImport { } SECRET/mod.dcl", "SECRET/mod.dcl", True),
    ('builtins.hashFile "sha256" SECRET/key', "SECRET/key", True),
    ("builtins.readFileType SECRET/key", "SECRET/key", False),
    ('"${SECRET/key}"', "SECRET/key", True),
    ("builtins.path { path = SECRET/key; }", "SECRET/key", True),
    ("builtins.filterSource (p: t: true) SECRET", "SECRET", True),
    ("builtins.toJSON [ SECRET/key ]", "SECRET/key", True),
    ('builtins.findFile [ { prefix = "s"; path = "SECRET"; } ] "s/key"', "SECRET/key", True),
    ("builtins.readFile ALLOWED/../secret/key", "SECRET/key", True),
]


@pytest.mark.parametrize(("expr", "named", "in_nix"), FORBIDDEN, ids=[f[0] for f in FORBIDDEN])
def test_access_outside_the_allowed_paths_is_forbidden(tree, expr, named, in_nix):
    subst = {"SECRET": str(tree / "secret"), "ALLOWED": str(tree / "allowed")}
    for k, v in subst.items():
        expr, named = expr.replace(k, v), named.replace(k, v)
    r = declos(*RESTRICT, "-I", str(tree / "allowed"), "-E", expr, cwd=tree)
    message = f"error: access to absolute path '{named}' is forbidden in restricted mode"
    assert r.returncode == 1
    assert r.stderr.splitlines()[:2] == [message, "       at «string»:1:1:"], r.stderr
    assert "s3cret" not in r.stdout + r.stderr
    if NIX is not None and in_nix:
        nix_expr = expr.replace(".dcl", ".nix")
        (tree / "secret" / "mod.nix").write_text("1\n")
        assert nix_error_line(*RESTRICT, "-I", str(tree / "allowed"), "-E", nix_expr, cwd=tree) == (
            message.replace(".dcl", ".nix")
        )


def test_a_symlink_out_of_an_allowed_path_is_forbidden(tree):
    expr = f"builtins.readFile {tree}/allowed/link"
    r = declos(*RESTRICT, "-I", str(tree / "allowed"), "-E", expr, cwd=tree)
    message = f"error: access to canonical path '{tree}/secret/key' is forbidden in restricted mode"
    assert (r.returncode, r.stderr.splitlines()[0]) == (1, message)
    if NIX is not None:
        assert (
            nix_error_line(*RESTRICT, "-I", str(tree / "allowed"), "-E", expr, cwd=tree) == message
        )


def test_allowed_paths_are_read(tree):
    """-I entries, a `prefix=dir` entry, and the directory of the evaluated file."""
    (tree / "allowed" / "main.dcl").write_text(
        "[ (builtins.readFile ./ok.txt) (import ./value.dcl) (builtins.pathExists ./ok.txt) ]\n"
    )
    r = declos(*RESTRICT, str(tree / "allowed" / "main.dcl"), cwd=tree)
    assert (r.returncode, r.stdout) == (0, '[ "fine\\n" 42 true ]\n'), r.stderr
    r = declos(*RESTRICT, "-I", f"lib={tree}/allowed", "-E", "import <lib/value.dcl>", cwd=tree)
    assert (r.returncode, r.stdout) == (0, "42\n"), r.stderr
    r = declos(*RESTRICT, "-I", str(tree / "allowed"), "-E", f"import {tree}/allowed", cwd=tree)
    assert r.returncode == 1  # a directory without default.nix: not a restriction
    assert "forbidden" not in r.stderr


def test_pathExists_and_getEnv_say_nothing(tree):
    expr = (
        f"[ (builtins.pathExists {tree}/secret/key) (builtins.pathExists {tree}/allowed/ok.txt) "
        '(builtins.getEnv "SECRET_TOKEN") ]'
    )
    env = {**os.environ, "SECRET_TOKEN": "abc"}
    r = declos(*RESTRICT, "-I", str(tree / "allowed"), "-E", expr, cwd=tree, env=env)
    assert (r.returncode, r.stdout) == (0, '[ false true "" ]\n'), r.stderr
    r = declos("-E", 'builtins.getEnv "SECRET_TOKEN"', cwd=tree, env=env)
    assert r.stdout == '"abc"\n'


def test_an_expression_relative_to_the_working_directory_is_not_allowed(tree):
    r = declos(*RESTRICT, "-E", "builtins.readFile ./allowed/ok.txt", cwd=tree)
    message = (
        f"error: access to absolute path '{tree}/allowed/ok.txt' is forbidden in restricted mode"
    )
    assert (r.returncode, r.stderr.splitlines()[0]) == (1, message)


@pytest.mark.parametrize(
    "flags",
    [
        ["--restrict-eval"],
        ["--option", "restrict-eval", "true"],
        ["--option", "restrict-eval", "1"],
        ["--option", "restrict-eval", "yes"],
        ["--option", "restrict-eval", "false", "--restrict-eval"],
    ],
)
def test_the_ways_to_turn_restrict_eval_on(tree, flags):
    r = declos(*flags, "-E", f"builtins.readFile {tree}/secret/key", cwd=tree)
    assert r.returncode == 1
    assert "is forbidden in restricted mode" in r.stderr.splitlines()[0]


def test_restrict_eval_off_reads_anything(tree):
    for flags in ([], ["--option", "restrict-eval", "false"]):
        r = declos(*flags, "-E", f"builtins.readFile {tree}/secret/key", cwd=tree)
        assert (r.returncode, r.stdout) == (0, '"s3cret\\n"\n'), r.stderr


def test_option_values_and_names(tree):
    r = declos("--option", "restrict-eval", "maybe", "-E", "1", cwd=tree)
    assert (r.returncode, r.stderr) == (
        2,
        "error: Boolean setting 'restrict-eval' has invalid value 'maybe'\n",
    )
    r = declos("--option", "no-such-setting", "x", "-E", "1", cwd=tree)
    assert (r.returncode, r.stdout, r.stderr) == (
        0,
        "1\n",
        "warning: unknown setting 'no-such-setting'\n",
    )


def test_pure_eval(tree):
    pure = ["--option", "pure-eval", "true", "-I", str(tree / "allowed")]
    r = declos(*pure, "-E", f"builtins.readFile {tree}/secret/key", cwd=tree)
    message = (
        f"error: access to absolute path '{tree}/secret/key' is forbidden in pure eval mode "
        "(use '--impure' to override)"
    )
    assert (r.returncode, r.stderr.splitlines()[0]) == (1, message)
    if NIX is not None:
        nix_pure = ["--option", "pure-eval", "true"]
        expr = f"builtins.readFile {tree}/secret/key"
        assert nix_error_line(*nix_pure, "-E", expr, cwd=tree) == message
        assert nix_error_line(*nix_pure, "-E", "builtins.currentTime", cwd=tree) == (
            "error: attribute 'currentTime' missing"
        )
    r = declos("--pure-eval", "-E", "builtins.currentTime", cwd=tree)
    assert (r.returncode, r.stderr.splitlines()[0]) == (1, "error: attribute 'currentTime' missing")
    r = declos(
        "--pure-eval", "-E", '[ (builtins ? currentTime) (builtins.getEnv "HOME") ]', cwd=tree
    )
    assert r.stdout == '[ false "" ]\n'
    r = declos("--pure-eval", "--impure", "-E", "builtins.isInt builtins.currentTime", cwd=tree)
    assert r.stdout == "true\n"
    # DECLOS_PATH is the environment's: ignored in pure mode; -I is kept.
    env = {**os.environ, "DECLOS_PATH": f"lib={tree}/allowed"}
    r = declos("--pure-eval", "-E", "import <lib/value.dcl>", cwd=tree, env=env)
    assert r.returncode == 1 and "file 'lib/value.dcl' was not found" in r.stderr
    r = declos(*pure, "-E", "import ./secret/mod.dcl", cwd=tree)
    assert r.returncode == 1 and "forbidden in pure eval mode" in r.stderr
    r = declos(*pure, "-E", f"import {tree}/allowed/value.dcl", cwd=tree)
    assert r.stdout == "42\n"


def test_a_template_builder_reads_only_the_store(tree):
    """builtin:template renders in declos' own process: a `template` naming a
    host file (a string, not a path copied into the store) is refused, with
    restrict-eval or without, so a build cannot carry a host file into the
    store behind the evaluator's back."""
    (tree / "allowed" / "t.dcl").write_text(
        "derivation {\n"
        '  name = "leak"; system = builtins.currentSystem; builder = "builtin:template";\n'
        f'  template = "{tree}/secret/key"; vars = "{{}}";\n'
        "}\n"
    )
    r = run(
        [
            sys.executable,
            "-m",
            "declos",
            "build",
            "--state-dir",
            str(tree / "state"),
            "--no-out-link",
            "-A",
            "",
            str(tree / "allowed" / "t.dcl"),
        ],
        tree,
    )
    assert r.returncode == 1
    assert f"error: the template '{tree}/secret/key' of '" in r.stderr
    assert "is not in the store: give a path value" in r.stderr
    assert not any(
        "s3cret" in p.read_text()
        for p in (tree / "state" / "store").iterdir()
        if p.is_file() and not p.name.endswith(".drv")
    )
