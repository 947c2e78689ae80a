"""Configurations under restrict-eval and pure-eval, through `declos build`
and `declos switch`: a read outside the configuration's directory, the
module library and the -I entries is an error, and nothing of it reaches
the store; the evaluation cache never answers a restricted switch with an
unrestricted result.  Subprocess timeouts only guard against hanging.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def declos(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "declos", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=env or os.environ.copy(),
    )


@pytest.fixture
def site(tmp_path):
    """conf/ holds the configuration; secret/ is outside everything allowed."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "secret").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "secret" / "key").write_text("s3cret-value\n")
    (tmp_path / "secret" / "mod.dcl").write_text("{ }\n")
    (tmp_path / "conf" / "motd").write_text("welcome\n")
    (tmp_path / "shared" / "banner").write_text("shared banner\n")
    return tmp_path


def build(site: Path, text: str, *flags: str) -> subprocess.CompletedProcess:
    (site / "conf" / "configuration.dcl").write_text(text.replace("$S", str(site)))
    state = str(site / "state")
    return declos("build", "configuration.dcl", "--state-dir", state, *flags, cwd=site / "conf")


def store_holds(site: Path, needle: bytes) -> bool:
    store = site / "state" / "store"
    for dirpath, _dirs, files in os.walk(store):
        for name in files:
            p = Path(dirpath) / name
            if not p.is_symlink() and needle in p.read_bytes():
                return True
    return False


FORBIDDEN = [
    pytest.param(
        '{ ... }:\n{\n  environment.etc."leak".text = builtins.readFile $S/secret/key;\n}\n',
        "$S/secret/key",
        "       at $S/conf/configuration.dcl:3:33:\n",
        id="readFile",
    ),
    pytest.param(
        '{ ... }:\n{\n  environment.etc."leak".source = $S/secret/key;\n}\n',
        "$S/secret/key",
        None,  # copied by the library's etc module: located there
        id="a-path-copied-into-the-store",
    ),
    pytest.param(
        "{ ... }:\n{\n  imports = [ $S/secret/mod.dcl ];\n}\n",
        "$S/secret/mod.dcl",
        None,
        id="a-module-import",
    ),
    pytest.param(
        "{ lib, ... }:\n{\n"
        '  environment.etc."keys".text = lib.concatStrings (lib.attrNames (builtins.readDir '
        "$S/secret));\n}\n",
        "$S/secret",
        None,
        id="readDir",
    ),
]


@pytest.mark.parametrize(("text", "path", "located"), FORBIDDEN)
@pytest.mark.parametrize("flag", ["--restrict-eval", "--pure-eval"])
def test_build_refuses_to_read_outside(site, text, path, located, flag):
    r = build(site, text, flag, "--no-out-link")
    mode = (
        "in restricted mode"
        if flag == "--restrict-eval"
        else ("in pure eval mode (use '--impure' to override)")
    )
    message = f"error: access to absolute path '{path}' is forbidden {mode}".replace(
        "$S", str(site)
    )
    assert r.returncode == 1
    lines = [ln.strip() for ln in r.stderr.splitlines()]
    assert message.strip() in lines, r.stderr
    if located is not None:
        assert located.replace("$S", str(site)) in r.stderr
    assert "Traceback" not in r.stderr
    assert not store_holds(site, b"s3cret-value")


def test_build_without_restrict_eval_reads_anything(site):
    """The documented default: any file the user can read may end up in the store."""
    text = '{ ... }:\n{\n  environment.etc."leak".text = builtins.readFile $S/secret/key;\n}\n'
    r = build(site, text, "--no-out-link")
    assert r.returncode == 0, r.stderr
    assert store_holds(site, b"s3cret-value")


def test_allowed_reads_build(site):
    text = (
        "{ ... }:\n{\n"
        '  environment.etc."motd".text = builtins.readFile ./motd;\n'
        '  environment.etc."copied".source = ./motd;\n'
        '  environment.etc."banner".text = builtins.readFile <shared/banner>;\n'
        '  time.timeZone = "Europe/Berlin";\n'
        "}\n"
    )
    r = build(site, text, "--restrict-eval", "-I", f"shared={site}/shared")
    assert r.returncode == 0, r.stderr
    etc = site / "conf" / "result" / "etc"
    assert (etc / "motd").read_text() == "welcome\n"
    assert (etc / "copied").read_text() == "welcome\n"
    assert (etc / "banner").read_text() == "shared banner\n"


def test_pure_eval_hides_the_environment(site):
    text = (
        '{ ... }:\n{\n  environment.etc."who".text = "[${builtins.getEnv "DECLOS_TEST_WHO"}]";\n}\n'
    )
    env = {**os.environ, "DECLOS_TEST_WHO": "alice"}
    (site / "conf" / "configuration.dcl").write_text(text)
    state = str(site / "state")
    for flags, expected in ([], "[alice]"), (["--pure-eval"], "[]"), (["--restrict-eval"], "[]"):
        out = str(site / f"result{len(flags)}{expected}")
        r = declos(
            "build",
            "configuration.dcl",
            "--state-dir",
            state,
            "-o",
            out,
            *flags,
            cwd=site / "conf",
            env=env,
        )
        assert r.returncode == 0, r.stderr
        assert (Path(out) / "etc" / "who").read_text() == expected


def test_switch_restricted_is_not_answered_from_the_unrestricted_cache(site):
    text = '{ ... }:\n{\n  environment.etc."leak".text = builtins.readFile $S/secret/key;\n}\n'
    (site / "conf" / "configuration.dcl").write_text(text.replace("$S", str(site)))
    common = ["configuration.dcl", "--state-dir", str(site / "state"), "--root", str(site / "root")]
    r = declos("switch", *common, "--dry-run", cwd=site / "conf")
    assert r.returncode == 0, r.stderr
    r = declos("switch", *common, "--dry-run", cwd=site / "conf")
    assert "reusing its result" in r.stderr  # the cache answers the same settings
    for flags in (["--restrict-eval"], ["--option", "restrict-eval", "true"], ["--pure-eval"]):
        r = declos("switch", *common, *flags, cwd=site / "conf")
        assert r.returncode == 1, r.stdout
        assert "reusing its result" not in r.stderr
        assert f"error: access to absolute path '{site}/secret/key' is forbidden" in r.stderr
        assert not (site / "root" / "etc" / "leak").exists()
