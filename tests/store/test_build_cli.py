"""`declos build`, `declos gc` and `declos store …` end to end: real
processes, a real store and SQLite database in a temporary state directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

from store_helpers import PKGS


def test_run_command_chain_result_link_and_root(declos):
    f = declos.write(
        "chain.dcl",
        PKGS
        + """rec {
          a = runCommand "a" { } "echo a > $out";
          b = runCommand "b" { inherit a; } "cat $a > $out; echo b >> $out";
          c = runCommand "c" { } "cat ${b} > $out; echo c >> $out";
        }""",
    )
    proc = declos("build", f, "-A", "c")
    assert proc.stderr == ""  # piped: quiet
    (out,) = proc.stdout.splitlines()
    assert out.startswith(str(declos.state / "store") + "/") and out.endswith("-c")
    assert Path(out).read_text() == "a\nb\nc\n"
    link = declos.work / "result"
    assert os.readlink(link) == out
    roots = declos.state / "gcroots" / "auto"
    assert [os.readlink(roots / n) for n in os.listdir(roots)] == [str(link)]
    info = json.loads(declos("store", "path-info", "result", "--json").stdout)
    assert info[0]["path"] == out and info[0]["references"] == []
    assert info[0]["deriver"].endswith("-c.drv")


def test_second_build_runs_no_builder(declos):
    f = declos.write(
        "count.dcl",
        PKGS
        + """rec {
          a = runCommand "a" { } "echo a > $out";
          b = runCommand "b" { } "cat ${a} > $out";
          all = [ a b (writeText "t" "t") ];
        }""",
    )
    logs = declos.state / "logs"  # a builder that runs writes its log there
    first = declos("build", f, "-A", "all", "--no-out-link").stdout
    assert len(list(logs.glob("*.log"))) == 3  # a, b and t
    for log in logs.glob("*.log"):
        log.unlink()
    second = declos("build", f, "-A", "all", "--no-out-link").stdout
    assert second == first and len(first.splitlines()) == 3
    assert list(logs.glob("*.log")) == []
    assert not (declos.work / "result").exists()


def test_independent_builds_run_in_parallel(declos):
    f = declos.write(
        "par.dcl",
        PKGS
        + """builtins.genList (i: runCommand "p${toString i}" { }
               "date +%s.%N > $out; sleep 1; date +%s.%N >> $out") 4""",
    )
    outs = declos("build", f, "-A", "", "-j", "4", "--no-out-link").stdout.split()
    spans = [tuple(map(float, Path(o).read_text().split())) for o in outs]
    assert len(spans) == 4
    assert max(start for start, _ in spans) < min(end for _, end in spans)


def test_failing_build_reports_status_and_log(declos):
    f = declos.write(
        "bad.dcl",
        PKGS
        + """rec {
          bad = runCommand "bad" { } "echo first; echo oops >&2; exit 3";
          after = runCommand "after" { } "cat ${bad} > $out";
        }""",
    )
    proc = declos("build", f, "-A", "after", check=1)
    assert proc.stdout == ""
    assert "-bad.drv' failed with exit code 3" in proc.stderr
    assert "> first\n" in proc.stderr and "> oops\n" in proc.stderr
    assert not (declos.work / "result").exists()
    assert not [n for n in os.listdir(declos.state / "store") if n.endswith(("-bad", "-after"))]


def test_keep_going_builds_what_it_can(declos):
    f = declos.write(
        "kg.dcl",
        PKGS
        + """rec {
          bad = runCommand "bad" { } "exit 1";
          dependent = runCommand "dependent" { } "cat ${bad} > $out";
          fine = runCommand "fine" { } "sleep 0.3; echo ok > $out";
        }""",
    )
    proc = declos("build", f, "-A", "", "--keep-going", "-j", "1", check=1)
    (out,) = proc.stdout.split()
    assert out.endswith("-fine") and Path(out).read_text() == "ok\n"
    assert "failed with exit code 1" in proc.stderr
    assert "1 build(s) failed, 1 dependent(s) not built" in proc.stderr


def test_gc_keeps_rooted_and_deletes_unrooted(declos):
    f = declos.write(
        "gc.dcl",
        PKGS
        + """rec {
          dep = writeText "dep" "dep";
          kept = runCommand "kept" { } "echo ${dep} > $out";
          lost = runCommand "lost" { } "echo lost > $out";
        }""",
    )
    kept = declos("build", f, "-A", "kept").stdout.strip()
    lost = declos("build", f, "-A", "lost", "--no-out-link").stdout.strip()
    dep = json.loads(declos("store", "path-info", kept, "--json").stdout)[0]["references"][0]
    assert dep.endswith("-dep")
    dry = declos("store", "gc", "--dry-run").stdout.split()
    assert lost in dry and kept not in dry and os.path.exists(lost)
    deleted = json.loads(declos("gc", "--json").stdout)["deleted"]
    assert lost in deleted and kept not in deleted and dep not in deleted
    assert not os.path.exists(lost) and os.path.exists(kept) and os.path.exists(dep)
    assert declos("store", "verify").returncode == 0
    os.unlink(declos.work / "result")
    deleted = declos("store", "gc").stdout.split()
    assert kept in deleted and dep in deleted
    assert not os.path.exists(kept)


def test_verify_check_contents_names_modified_path(declos):
    f = declos.write("v.dcl", PKGS + 'writeText "v" "original"')
    out = declos("build", f, "-A", "").stdout.strip()
    os.chmod(out, 0o644)
    with open(out, "w") as fh:
        fh.write("changed")
    assert declos("store", "verify").returncode == 0
    proc = declos("store", "verify", "--check-contents", check=1)
    assert f"modified: {out}" in proc.stdout


def test_template_undefined_variable_is_located(declos):
    declos.write("site.conf.j2", "listen {{ port }};\ninclude {{ missing }};\n")
    f = declos.write(
        "tpl.dcl",
        PKGS
        + """{
          ok = template { name = "ok"; src = ./site.conf.j2; vars = { port = 80; missing = "m"; }; };
          bad = template { name = "bad"; src = ./site.conf.j2; vars = { port = 80; }; };
        }""",
    )
    out = declos("build", f, "-A", "ok").stdout.strip()
    assert Path(out).read_text() == "listen 80;\ninclude m;\n"
    proc = declos("build", f, "-A", "bad", check=1)
    assert "'missing' is undefined (in site.conf.j2, line 2)" in proc.stderr
    assert "at site.conf.j2:2:1" in proc.stderr


def test_bad_name_and_eval_errors(declos):
    f = declos.write("n.dcl", PKGS + '{ x = writeText "a b" "x"; y = throw "no"; }')
    proc = declos("build", f, "-A", "x", check=1)
    assert "store path name 'a b' contains illegal character ' '" in proc.stderr
    proc = declos("build", f, "-A", "y", check=1)
    assert "error: no" in proc.stderr
    proc = declos("build", f, "-A", "z", check=1)
    assert "attribute 'z' in selection path 'z' not found" in proc.stderr


def test_build_without_attr_builds_the_toplevel(declos):
    f = declos.write("s.dcl", "{ }")
    proc = declos("build", f)
    (out,) = proc.stdout.split()
    assert out.endswith("-declos-system") and os.path.isfile(f"{out}/manifest.json")
    assert os.readlink(declos.work / "result") == out


def test_result_link_names(declos):
    f = declos.write(
        "m.dcl",
        PKGS
        + """{
          m = runCommand "m" { outputs = [ "out" "dev" ]; } "echo > $out; echo > $dev";
          t = writeText "t" "t";
        }""",
    )
    declos("build", f, "-A", "m", "-A", "m.dev", "-A", "t", "-o", "res")
    names = sorted(n for n in os.listdir(declos.work) if n.startswith("res"))
    assert names == ["res", "res-2", "res-dev"]
    assert os.readlink(declos.work / "res-dev").endswith("-m-dev")
    assert os.readlink(declos.work / "res-2").endswith("-t")


def test_interpolated_source_is_a_real_store_path(declos):
    declos.write("data.txt", "payload\n")
    f = declos.write(
        "src.dcl",
        PKGS + 'runCommand "s" { } "cat ${./data.txt} > $out; echo ${./data.txt} >> $out"',
    )
    out = declos("build", f, "-A", "").stdout.strip()
    content, src = Path(out).read_text().splitlines()
    assert content == "payload"
    assert src.startswith(str(declos.state / "store") + "/") and src.endswith("-data.txt")
    assert Path(src).read_text() == "payload\n"
    refs = json.loads(declos("store", "path-info", out, "--json").stdout)[0]["references"]
    assert refs == [src]


class _Tty:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_on_a_terminal_and_no_color(monkeypatch):
    from declos.cli.output import Progress
    from declos.store.graph import BuildEvent

    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = _Tty()
    progress = Progress(tty)
    progress(BuildEvent("start", "/s/aaaa-hello.drv", 1, 3, 1))
    assert "\033[32m[1/3\033[0m built, 1 running] building hello" in tty.text
    progress.done()
    assert tty.text.endswith("\r\033[K")
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Tty()
    Progress(plain)(BuildEvent("built", "/s/aaaa-hello.drv", 2, 3, 0))
    assert "\033[3" not in plain.text and "[2/3 built, 0 running] built hello" in plain.text


def test_why_depends(declos):
    f = declos.write(
        "w.dcl",
        PKGS
        + """rec {
          a = writeText "a" "a";
          b = runCommand "b" { } "echo ${a} > $out";
          c = runCommand "c" { } "echo ${b} > $out";
        }""",
    )
    a, b, c = declos("build", f, "-A", "a", "-A", "b", "-A", "c", "--no-out-link").stdout.split()
    chain = json.loads(declos("store", "why-depends", c, a, "--json").stdout)
    assert chain == [c, b, a]
    assert declos("store", "why-depends", a, c, check=1).returncode == 1


def test_pass_as_file(declos):
    f = declos.write(
        "paf.dcl",
        PKGS + 'runCommand "paf" { big = "lots of text"; passAsFile = [ "big" ]; }'
        ' "test -z \\"$big\\"; cat $bigPath > $out; echo >> $out; basename $bigPath >> $out"',
    )
    out = declos("build", f, "-A", "").stdout.strip()
    text, name = Path(out).read_text().splitlines()
    assert text == "lots of text"
    import hashlib

    from declos.eval.hashes import base32_encode

    assert name == ".attr-" + base32_encode(hashlib.sha256(b"big").digest())
