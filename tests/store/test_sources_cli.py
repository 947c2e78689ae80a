"""Sources copied from evaluation into a real store (once per content), the
helpers of `<declos/pkgs>` built end to end, and the command-line flags not
covered by test_build_cli.py (`--arg`, the state directory, `path-info
--closure-size`, `gc --max-freed`)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from store_helpers import PKGS, ROOT

from declos.diagnostics import Source
from declos.eval.printing import print_value
from declos.store.builtins import PKGS_DIR, EvalStore, evaluator_with_store

SOURCES = """{
  interp = "${./dir}";
  same = "${./other/dir}";
  named = builtins.path { path = ./dir; name = "renamed"; };
  filtered = builtins.path {
    path = ./dir; name = "kept"; filter = p: t: baseNameOf p != "skip";
  };
  fs = builtins.filterSource (p: t: baseNameOf p == "a") ./dir;
  fs2 = builtins.filterSource (p: t: baseNameOf p == "a") ./other/dir;
  t1 = builtins.toFile "t.txt" "hello";
  t2 = builtins.toFile "t.txt" "hello";
  tref = builtins.toFile "r.txt" "see ${./dir}";
}"""


def test_sources_are_copied_once_per_content(store, tmp_path):
    work = tmp_path / "work"
    for d in ("dir", "other/dir"):
        (work / d).mkdir(parents=True)
        (work / d / "a").write_text("a")
        (work / d / "skip").write_text("s")

    def evaluate() -> dict[str, str]:
        ev = evaluator_with_store(EvalStore(store), [f"declos/pkgs={PKGS_DIR}"])
        v = ev.eval_source(Source(None, f"builtins.toJSON {SOURCES}", str(work), "«t»"))
        return json.loads(json.loads(print_value(v)))

    p = evaluate()
    # Content-addressed: the same tree under the same name, from anywhere,
    # is one store path.
    assert p["interp"] == p["same"] and p["interp"].endswith("-dir")
    assert p["t1"] == p["t2"] and Path(p["t1"]).read_text() == "hello"
    assert sorted(os.listdir(p["named"])) == ["a", "skip"] and p["named"].endswith("-renamed")
    assert sorted(os.listdir(p["filtered"])) == ["a"]
    assert p["fs"] == p["fs2"] and sorted(os.listdir(p["fs"])) == ["a"]
    for v in p.values():
        assert store.is_valid(v), v
    assert store.query_references(p["tref"]) == [p["interp"]]
    entries = sorted(os.listdir(store.store_dir))
    rows = store.db.all_valid()
    assert len(set(p.values())) == len(rows)  # one copy (and one row) per content
    assert evaluate() == p  # again: nothing new
    assert sorted(os.listdir(store.store_dir)) == entries and store.db.all_valid() == rows


HELPERS = """rec {
  text = writeText "t" "hello";
  textFile = writeTextFile { name = "tf"; text = "x"; executable = true; destination = "/bin/tf"; };
  script = writeScript "s" "#!/bin/sh\\necho s";
  shell = writeShellScript "sh" "echo ${text}";
  bin = writeShellScriptBin "hi" "echo hi";
  run = runCommand "r" { x = text; } "cp $x $out";
  join = symlinkJoin { name = "j"; paths = [ bin textFile ]; };
  env = buildEnv { name = "e"; paths = [ bin textFile ]; };
  farm = linkFarm "lf" { "a/b" = text; };
  tpl = template { name = "tpl"; src = ./t.j2; vars = { who = "world"; }; };
}"""


def test_helpers_build_end_to_end(declos):
    declos.write("t.j2", "hello {{ who }}\n")
    f = declos.write("h.dcl", PKGS + HELPERS)
    names = ["text", "textFile", "script", "shell", "bin", "run", "join", "env", "farm", "tpl"]
    argv = [a for n in names for a in ("-A", n)]
    out = dict(zip(names, declos("build", f, *argv, "--no-out-link").stdout.split(), strict=True))

    def mode(p):
        return stat.S_IMODE(os.stat(p).st_mode)

    assert Path(out["text"]).read_text() == "hello" and mode(out["text"]) == 0o444
    assert mode(f"{out['textFile']}/bin/tf") == 0o555
    assert mode(out["script"]) == 0o555 and mode(out["shell"]) == 0o555
    assert Path(out["shell"]).read_text().startswith("#!")
    hi = subprocess.run([f"{out['bin']}/bin/hi"], capture_output=True, text=True)
    assert hi.stdout == "hi\n"
    assert Path(out["run"]).read_text() == "hello"
    for merged in (out["join"], out["env"]):
        assert sorted(os.listdir(f"{merged}/bin")) == ["hi", "tf"]
        assert os.readlink(f"{merged}/bin/hi") == f"{out['bin']}/bin/hi"
    assert os.readlink(f"{out['farm']}/a/b") == out["text"]
    assert Path(out["tpl"]).read_text() == "hello world\n"


def test_arg_and_argstr(declos):
    f = declos.write("a.dcl", PKGS + '{ n ? 1, s }: writeText "a" "${toString (n + 1)} ${s}"')
    out = declos("build", f, "-A", "", "--arg", "n", "41", "--argstr", "s", "x", "--no-out-link")
    assert Path(out.stdout.strip()).read_text() == "42 x"


def _cli(*argv, cwd, env):
    return subprocess.run(
        [sys.executable, "-m", "declos", *argv],
        cwd=cwd,
        env={**env, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def test_state_dir_precedence(tmp_path):
    (tmp_path / "f.dcl").write_text(PKGS + 'writeText "s" "s"')
    base = {k: v for k, v in os.environ.items() if k not in ("DECLOS_STATE_DIR", "XDG_DATA_HOME")}
    base["HOME"] = str(tmp_path / "home")
    argv = ["build", "f.dcl", "-A", "", "--no-out-link"]

    def store_of(proc):
        assert proc.returncode == 0, proc.stderr
        return os.path.dirname(proc.stdout.strip())

    home = store_of(_cli(*argv, cwd=tmp_path, env=base))
    assert home == str(tmp_path / "home/.local/share/declos/store")
    xdg = {**base, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert store_of(_cli(*argv, cwd=tmp_path, env=xdg)) == str(tmp_path / "xdg/declos/store")
    env = {**xdg, "DECLOS_STATE_DIR": str(tmp_path / "env")}
    assert store_of(_cli(*argv, cwd=tmp_path, env=env)) == str(tmp_path / "env/store")
    flag = [*argv, "--state-dir", str(tmp_path / "flag")]
    assert store_of(_cli(*flag, cwd=tmp_path, env=env)) == str(tmp_path / "flag/store")
    # The other commands read the same state directory.
    for cmd in (["store", "verify"], ["gc", "--dry-run"]):
        proc = _cli(*cmd, "--state-dir", str(tmp_path / "flag"), cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr


def test_path_info_closure_size_and_gc_max_freed(declos):
    f = declos.write(
        "c.dcl",
        PKGS
        + """rec {
          a = writeText "a" "aaaa";
          b = runCommand "b" { } "echo ${a} > $out";
          x = writeText "x" "xxxxxxxx";
          y = writeText "y" "yyyyyyyy";
        }""",
    )
    a, b = declos("build", f, "-A", "a", "-A", "b", "--no-out-link").stdout.split()
    (info,) = json.loads(declos("store", "path-info", b, "--closure-size", "--json").stdout)
    (ainfo,) = json.loads(declos("store", "path-info", a, "--json").stdout)
    assert info["closureSize"] == info["narSize"] + ainfo["narSize"]
    assert info["references"] == [a] and info["deriver"].endswith("-b.drv")
    plain = declos("store", "path-info", b, "--closure-size").stdout
    assert b in plain and str(info["closureSize"]) in plain
    declos("build", f, "-A", "x", "-A", "y", "--no-out-link")
    dry = json.loads(declos("gc", "--dry-run", "--json").stdout)
    assert dry["dryRun"] and len(dry["deleted"]) > 2
    one = json.loads(declos("gc", "--max-freed", "1", "--json").stdout)
    assert len(one["deleted"]) == 1 and one["freed"] >= 1
    rest = json.loads(declos("gc", "--json").stdout)
    assert set(one["deleted"]) | set(rest["deleted"]) == set(dry["deleted"])


@pytest.mark.parametrize("bad", ["a b", ".hidden", "x" * 212, "é"])
def test_names_are_checked_as_nix_does(declos, bad):
    f = declos.write("n.dcl", PKGS + f'writeText "{bad}" "x"')
    proc = declos("build", f, "-A", "", check=1)
    assert "store path name" in proc.stderr and "Traceback" not in proc.stderr
