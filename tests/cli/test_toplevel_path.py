"""`declos build CONFIG` and `declos switch`/`test`/`boot` take one path
from CONFIG to the toplevel (`declos.toplevel.build_toplevel`) and show its
warnings one way, whether the toplevel was evaluated, taken from the
evaluation cache, or given already built (what deploy's hosts switch to)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from declos.cli import main

CONFIG = """\
{ ... }:
{
  networking.hostName = "warned";
  system.stateVersion = "24.11";
  warnings = [ "mind the gap" "and the step" ];
}
"""


@pytest.fixture
def site(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "config.dcl").write_text(CONFIG)

    def declos(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*argv, "--state-dir", str(tmp_path / "state")])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    declos.dir = tmp_path
    return declos


WARNED = "warning: mind the gap\nwarning: and the step\n"


def _warnings(err: str) -> str:
    return "".join(line + "\n" for line in err.splitlines() if line.startswith("warning:"))


def test_build_and_switch_show_the_same_warnings_for_the_same_toplevel(site):
    config = str(site.dir / "config.dcl")
    code, out, err = site("build", config, "--no-out-link")
    assert code == 0, err
    assert _warnings(err) == WARNED
    (toplevel,) = out.split()
    root = str(site.dir / "root")
    code, out, err = site("switch", config, "--root", root)
    assert code == 0, err
    assert _warnings(err) == WARNED
    assert os.path.realpath(site.dir / "state" / "profiles" / "system") == toplevel
    # From the evaluation cache: nothing evaluated, the same warnings.
    code, out, err = site("test", config, "--root", root)
    assert code == 0, err
    assert "inputs unchanged since the last evaluation" in err
    assert _warnings(err) == WARNED
    # Given the built toplevel, as `declos deploy` runs it on a host.
    code, out, err = site("boot", toplevel, "--root", root)
    assert code == 0, err
    assert _warnings(err) == WARNED


def test_build_config_makes_its_result_link(site):
    config = str(site.dir / "config.dcl")
    cwd = os.getcwd()
    os.chdir(site.dir)
    try:
        code, out, err = site("build", config)
    finally:
        os.chdir(cwd)
    assert code == 0, err
    assert os.path.realpath(site.dir / "result") == out.strip()
    assert Path(out.strip(), "manifest.json").is_file()
