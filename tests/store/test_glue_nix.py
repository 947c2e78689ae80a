"""`derivation` and store paths from evaluation, compared with real Nix.

Nix runs as `nix-instantiate --eval --strict --read-write-mode` against a
chroot store (`--store <tmp>`), so its store directory is still /nix/store
and it writes `.drv` files (needed for a `drvPath` in a string's context);
declos runs with a read-only `EvalStore` on /nix/store, as `declos eval`
does.  Both evaluate the same files in the same temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from nix_oracle import run_nix

from declos.diagnostics import Source
from declos.eval.errors import EvalError
from declos.eval.printing import print_value
from declos.store.builtins import PKGS_DIR, EvalStore, evaluator_with_store
from declos.store.derivation import unparse


@pytest.fixture
def both(tmp_path):
    """`both(expr)` → (declos's printed value, Nix's, declos's EvalStore)."""
    if shutil.which("nix-instantiate") is None:
        pytest.skip("Nix is not installed")
    work = tmp_path / "work"
    work.mkdir()
    (work / "f.txt").write_text("hello\n")
    (work / "dir").mkdir()
    (work / "dir" / "a").write_text("a")
    (work / "dir" / "skip").write_text("s")
    (work / "dir" / "x.sh").write_text("#!/bin/sh\n")
    os.chmod(work / "dir" / "x.sh", 0o755)
    nix_root = tmp_path / "nixroot"

    def run(expr: str):
        store = EvalStore.read_only("/nix/store")
        ev = evaluator_with_store(store, [f"declos/pkgs={PKGS_DIR}"])
        v = ev.eval_source(Source(None, expr, str(work), "«string»"))
        ev.force_deep(v)
        ours = print_value(v)
        proc = run_nix(
            ["nix-instantiate", "--store", str(nix_root), "--eval", "--strict"]
            + ["--read-write-mode", "-I", f"declos/pkgs={PKGS_DIR}", "-E", expr],
            cwd=work,
        )
        if proc.returncode != 0:
            pytest.fail(f"nix-instantiate failed:\n{proc.stderr}")
        return ours, proc.stdout.strip(), store

    run.work = work
    run.nix_root = nix_root
    return run


SIMPLE = 'derivation { name = "x"; system = "x86_64-linux"; builder = "/bin/sh"; }'

CASES = {
    "simple": f"let d = {SIMPLE}; in [ d.outPath d.drvPath ]",
    "whole value": SIMPLE,
    "args and coercions": """
      let d = derivation {
        name = "c"; system = "x86_64-linux"; builder = "/bin/sh";
        args = [ "-c" "echo $out" 1 true ];
        list = [ 1 true false null "x" [ ] [ "y" "z" ] 2.5 ];
        t = true; f = false; n = null; i = -3; fl = 0.1;
      }; in [ d.outPath d.drvPath ]""",
    "ignoreNulls": """
      let d = derivation {
        name = "c"; system = "x"; builder = "/bin/sh"; n = null; __ignoreNulls = true;
      }; in [ d.outPath d.drvPath ]""",
    "inputs from other derivations": """
      let
        a = derivation { name = "a"; system = "x"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; };
        b = derivation { name = "b"; system = "x"; builder = "/bin/sh"; x = a; y = a.dev; z = "${a.dev}/lib"; };
        c = derivation { name = "c"; system = "x"; builder = "${b}/bin/sh"; args = [ a.all ]; };
      in [ a.outPath a.dev.outPath a.drvPath b.outPath b.drvPath c.outPath c.drvPath ]""",
    "multiple outputs": """
      let d = derivation {
        name = "m"; system = "x"; builder = "/bin/sh"; outputs = [ "lib" "out" "dev" ];
      }; in [ d.outPath d.outputName d.drvPath d.lib.outPath d.dev.outPath d.out.outPath
              (map (o: o.outputName) d.all) ]""",
    "toFile and paths": """
      let
        t = builtins.toFile "t.txt" "see ${./f.txt} and ${./dir}";
        d = derivation {
          name = "p"; system = "x"; builder = "/bin/sh";
          src = ./f.txt; dir = ./dir; t = t;
          named = builtins.path { path = ./dir; name = "renamed"; };
          filtered = builtins.path { path = ./dir; filter = p: t: baseNameOf p != "skip"; };
          fs = builtins.filterSource (p: t: baseNameOf p == "a") ./dir;
          flat = builtins.path { path = ./f.txt; recursive = false; name = "flat"; };
        };
      in [ t "${./f.txt}" d.outPath d.drvPath ]""",
    "fixed output": """
      let
        f1 = derivation { name = "f1"; system = "x"; builder = "/bin/sh";
          outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; outputHashMode = "recursive"; };
        f2 = derivation { name = "f2"; system = "x"; builder = "/bin/sh";
          outputHashAlgo = "sha256"; outputHash = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"; };
        f3 = derivation { name = "f3"; system = "x"; builder = "/bin/sh";
          outputHashAlgo = "sha1"; outputHash = "0000000000000000000000000000000000000000"; };
        user = derivation { name = "u"; system = "x"; builder = "/bin/sh"; inputs = [ f1 f2 f3 ]; };
      in [ f1.outPath f1.drvPath f2.outPath f2.drvPath f3.outPath f3.drvPath user.outPath user.drvPath ]""",
    "drvPath in context": """
      let
        a = derivation { name = "a"; system = "x"; builder = "/bin/sh"; src = ./f.txt; };
        b = derivation { name = "b"; system = "x"; builder = "/bin/sh"; a = a; };
        c = derivation { name = "c"; system = "x"; builder = "/bin/sh"; d = b.drvPath; };
      in [ c.outPath c.drvPath ]""",
    "pkgs helpers": """
      let pkgs = import <declos/pkgs/default.dcl>; t = pkgs.writeText "t" "hi"; in
      map (d: d.drvPath) [
        t (pkgs.writeScript "s" "x") (pkgs.writeShellScript "s" "echo ${t}")
        (pkgs.writeShellScriptBin "hi" "echo hi") (pkgs.writeTextDir "share/x" "x")
        (pkgs.runCommand "r" { x = t; } "cp $x $out")
        (pkgs.symlinkJoin { name = "j"; paths = [ t ]; })
        (pkgs.buildEnv { name = "e"; paths = [ t ]; ignoreCollisions = true; })
        (pkgs.linkFarm "lf" { "a/b" = t; c = ./f.txt; })
        (pkgs.linkFarm "lf2" [ { name = "x"; path = t; } ])
        (pkgs.template { name = "tpl"; src = ./f.txt; vars = { a = t; n = 1; }; })
      ]""",
}


@pytest.mark.parametrize("expr", list(CASES.values()), ids=list(CASES))
def test_same_as_nix(both, expr):
    ours, theirs, _ = both(expr)
    assert ours == theirs


def test_drv_files_byte_for_byte(both):
    expr = CASES["inputs from other derivations"].replace("in [", "in builtins.seq [ c.drvPath ] [")
    _, _, store = both(expr)
    assert store.derivations
    for path, drv in store.derivations.items():
        written = both.nix_root / path.lstrip("/")
        assert written.read_text() == unparse(drv), path


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ('derivation { name = "a b"; system = "x"; builder = "y"; }', "illegal character ' '"),
        ('derivation { name = "x.drv"; system = "x"; builder = "y"; }', "not allowed to end in"),
        ('derivation { name = ""; system = "x"; builder = "y"; }', "must not be empty"),
        (f'derivation {{ name = "{"a" * 212}"; system = "x"; builder = "y"; }}', "longer than 211"),
        ('derivation { system = "x"; builder = "y"; }', "required attribute 'name' missing"),
        ('derivation { name = "a"; builder = "y"; }', "required attribute 'system' missing"),
        ('derivation { name = "a"; system = "x"; }', "required attribute 'builder' missing"),
        (
            'derivation { name = "a"; system = "x"; builder = "y"; outputs = [ "out" "out" ]; }',
            "duplicate derivation output 'out'",
        ),
        (
            'derivation { name = "a"; system = "x"; builder = "y"; __structuredAttrs = true; }',
            "structured attributes ('__structuredAttrs') are not supported",
        ),
        ('derivation { name = "a"; system = "x"; builder = "y"; s = {}; }', "cannot coerce a set"),
    ],
)
def test_bad_derivations(expr, message):
    ev = evaluator_with_store(EvalStore.read_only())
    with pytest.raises(EvalError) as info:
        ev.force_deep(ev.eval_source(Source(None, f"({expr}).outPath", "/", "«string»")))
    assert message in info.value.message


def test_declos_eval_prints_nix_paths(both):
    """`declos eval` (the CLI, read-only) prints what `nix-instantiate --eval` does."""
    expr = f"({SIMPLE}).drvPath"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ours = subprocess.run(
        ["python", "-m", "declos", "eval", "-E", expr],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.strip() == both(expr)[1]
