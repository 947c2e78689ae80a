"""The builders of `pkgs` NixOS configurations reach for (issue 14):
`pkgs.fetchurl` and `builtins.fetchurl` as fixed-output downloads over real
HTTP (from an nginx this test starts), `writers.writeBash`/`writePython3`
(and their Bin forms), `symlinkJoin` with `postBuild`, `runCommandLocal`
and `writeTextDir`, each built with `declos build` and its output used."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from declos.cli import main
from declos.store.hashing import nar_hash

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture
def build(tmp_path, capsys, monkeypatch):
    """`build(expr, attr)`: `declos build` of `attr` of the expression; its
    output path, or with `fails=True` the error text."""
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    state = tmp_path / "state"

    def run(expr: str, attr: str, fails: bool = False) -> str:
        f = tmp_path / "default.nix"
        f.write_text(textwrap.dedent(expr))
        capsys.readouterr()
        code = main(["build", str(f), "-A", attr, "--state-dir", str(state), "--no-out-link"])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        if fails:
            assert code == 1, out
            return err
        assert code == 0, err
        return out.strip()

    run.file = tmp_path / "default.nix"
    return run


@pytest.fixture
def web(tmp_path):
    """An nginx serving `www/` on 127.0.0.1: (base URL, the directory)."""
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed")
    www = tmp_path / "www"
    www.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = tmp_path / "nginx"
    run.mkdir()
    conf = run / "nginx.conf"
    temps = " ".join(
        f"{k}_temp_path {run}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf.write_text(
        f"daemon off; master_process off; pid {run}/pid; error_log {run}/error.log;\n"
        "events { }\n"
        f"http {{ access_log off; {temps}\n"
        f"  server {{ listen 127.0.0.1:{port}; root {www}; }} }}\n"
    )
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(run)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", www
    proc.terminate()
    proc.wait(10)


def sri(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_fetchurl_downloads_when_building_and_checks_the_hash(build, web):
    url, www = web
    body = b"hello over http\n"
    (www / "hello.txt").write_bytes(body)
    good_hash, other = sri(body), sri(b"something else")
    expr = f"""\
    let pkgs = import <declos/pkgs>; in {{
      good = pkgs.fetchurl {{ url = "{url}/hello.txt"; hash = "{good_hash}"; }};
      sha = pkgs.fetchurl {{
        url = "{url}/hello.txt";
        sha256 = "{hashlib.sha256(body).hexdigest()}";
        name = "renamed";
      }};
      used = pkgs.runCommand "used" {{ }} "tr a-z A-Z < ${{pkgs.fetchurl {{ url = "{url}/hello.txt"; hash = "{good_hash}"; }}}} > $out";
      wrong = pkgs.fetchurl {{ url = "{url}/hello.txt"; hash = "{other}"; }};
      missing = pkgs.fetchurl {{ url = "{url}/nothing.txt"; hash = "{sri(b"x")}"; }};
      nohash = pkgs.fetchurl {{ url = "{url}/hello.txt"; }};
    }}
    """
    good = build(expr, "good")
    assert Path(good).read_bytes() == body
    assert good.endswith("-hello.txt")
    assert build(expr, "sha").endswith("-renamed")
    assert Path(build(expr, "used")).read_text() == "HELLO OVER HTTP\n"

    err = build(expr, "wrong", fails=True)
    assert "hash mismatch in fixed-output derivation" in err
    assert f"got:    {good_hash}" in err
    store = build.file.parent / "state" / "store"
    assert not [p for p in os.listdir(store) if p.endswith("-hello.txt") and p not in good]

    err = build(expr, "missing", fails=True)
    assert f"cannot download '{url}/nothing.txt': HTTP error 404" in err
    err = build(expr, "nohash", fails=True)
    assert "give the expected `hash`" in err


def test_fetchurl_executable_is_hashed_as_nar(build, web, tmp_path):
    url, www = web
    (www / "tool").write_bytes(b"#!/bin/sh\necho tool\n")
    probe = tmp_path / "probe"
    probe.write_bytes(b"#!/bin/sh\necho tool\n")
    probe.chmod(0o755)
    h = nar_hash(str(probe))[0].sri()
    out = build(
        f'(import <declos/pkgs>).fetchurl {{ url = "{url}/tool"; hash = "{h}"; executable = true; }}',
        "",
    )
    assert subprocess.run([out], capture_output=True, text=True).stdout == "tool\n"


def test_builtins_fetchurl_is_the_path_of_a_fixed_output_download(build, web):
    url, www = web
    (www / "data.txt").write_bytes(b"data\n")
    digest = hashlib.sha256(b"data\n").hexdigest()
    expr = f"""\
    let pkgs = import <declos/pkgs>; in {{
      copy = pkgs.runCommand "copy" {{ }} "cp ${{builtins.fetchurl {{ url = "{url}/data.txt"; sha256 = "{digest}"; }}}} $out";
      bare = pkgs.runCommand "bare" {{ }} "cp ${{builtins.fetchurl "{url}/data.txt"}} $out";
    }}
    """
    assert Path(build(expr, "copy")).read_text() == "data\n"
    err = build(expr, "bare", fails=True)
    assert "builtins.fetchurl needs the expected `sha256` (or `hash`)" in err
    assert "default.nix:3:" in err  # at the call


@pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="no nix-instantiate")
def test_fixed_output_paths_are_nix_s(tmp_path):
    """A flat fixed-output path depends on its name and hash only: the same as Nix's."""
    h = hashlib.sha256(b"data\n").hexdigest()
    ours = subprocess.run(
        [
            "declos",
            "eval",
            "-E",
            f'(import <declos/pkgs>).fetchurl {{ url = "http://x/data.txt"; sha256 = "{h}"; }}',
            "-A",
            "outPath",
        ],
        capture_output=True,
        text=True,
    )
    nix = subprocess.run(
        [
            "nix-instantiate",
            "--eval",
            "--read-write-mode",
            "--store",
            str(tmp_path / "nix"),
            "-E",
            f'(import <nix/fetchurl.nix> {{ url = "http://x/data.txt"; sha256 = "{h}"; }}).outPath',
        ],
        capture_output=True,
        text=True,
    )
    assert nix.returncode == 0, nix.stderr
    assert ours.stdout == nix.stdout.replace(str(tmp_path / "nix"), "/nix/store")


def test_writers(build):
    expr = """\
    let pkgs = import <declos/pkgs>; in {
      bash = pkgs.writers.writeBash "greet" ''
        declare -A a=([x]=bash)
        echo "hello from ''${a[x]}"
      '';
      bashBin = pkgs.writers.writeBashBin "greet" { } "echo bin";
      py = pkgs.writers.writePython3 "sum" { flakeIgnore = [ "E501" ]; } ''
        print(sum([1, 2, 3]))
      '';
      pyBin = pkgs.writers.writePython3Bin "sum" { } "print('bin')";
      broken = pkgs.writers.writePython3 "broken" { } "print(";
      libs = pkgs.writers.writePython3 "libs" { libraries = [ pkgs.hello ]; } "print(1)";
    }
    """
    bash = build(expr, "bash")
    assert Path(bash).read_text().startswith("#!/bin/bash\n")
    assert subprocess.run([bash], capture_output=True, text=True).stdout == "hello from bash\n"
    out = build(expr, "bashBin")
    assert subprocess.run([f"{out}/bin/greet"], capture_output=True, text=True).stdout == "bin\n"
    py = build(expr, "py")
    assert Path(py).read_text().startswith("#!/usr/bin/python3\n")
    assert subprocess.run([py], capture_output=True, text=True).stdout == "6\n"
    out = build(expr, "pyBin")
    assert subprocess.run([f"{out}/bin/sum"], capture_output=True, text=True).stdout == "bin\n"
    err = build(expr, "broken", fails=True)
    assert "writePython3 'broken', line 1: '(' was never closed" in err
    err = build(expr, "libs", fails=True)
    assert "`libraries` are not supported by declos" in err


def test_symlink_join_post_build_run_command_local_write_text_dir(build):
    expr = """\
    let
      pkgs = import <declos/pkgs>;
      a = pkgs.writeTextDir "share/doc/a.txt" "a";
      b = pkgs.writeShellScriptBin "b" "echo b";
    in {
      joined = pkgs.symlinkJoin {
        name = "joined";
        paths = [ a b ];
        postBuild = "echo extra > $out/share/doc/extra.txt; ln -s b $out/bin/b2";
      };
      plain = pkgs.symlinkJoin { name = "plain"; paths = [ a b ]; };
      local = pkgs.runCommandLocal "local" { greeting = "hi"; } "echo $greeting > $out";
      dir = a;
    }
    """
    joined = Path(build(expr, "joined"))
    assert (joined / "share/doc/a.txt").read_text() == "a"
    assert (joined / "share/doc/a.txt").is_symlink()
    assert (joined / "share/doc/extra.txt").read_text() == "extra\n"
    out = subprocess.run([joined / "bin/b2"], capture_output=True, text=True).stdout
    assert out == "b\n"
    plain = Path(build(expr, "plain"))
    assert (plain / "bin/b").exists() and not (plain / "share/doc/extra.txt").exists()
    assert Path(build(expr, "local")).read_text() == "hi\n"
    assert Path(build(expr, "dir"), "share/doc/a.txt").read_text() == "a"
