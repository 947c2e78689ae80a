"""systemd.services and systemd.timers rendered into unit files (checked
with `systemd-analyze verify` where it exists), their etc entries and
manifest "units"; system.activationScripts in the manifest."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SERVICE = """
{ pkgs, ... }: {
  systemd.services.hello = {
    description = "Say hello";
    wantedBy = [ "multi-user.target" ];
    requiredBy = [ "graphical.target" ];
    after = [ "network.target" "time-sync.target" ];
    path = [ (pkgs.writeShellScriptBin "greet" "echo hi") "/opt/tools/bin" ];
    environment = { GREETING = "hello \\"world\\" 100%"; UNSET = null; };
    script = "greet";
    preStart = "echo pre";
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      ReadWritePaths = [ "/tmp" "/var/tmp" ];
    };
    startAt = "daily";
    stopIfChanged = false;
  };
  systemd.services.off = { enable = false; script = "true"; };
  systemd.services.plain = {
    serviceConfig.ExecStart = "/bin/true";
    restartIfChanged = false;
  };
  systemd.timers.manual = {
    wantedBy = [ "timers.target" ];
    timerConfig = { OnBootSec = "5min"; Unit = "plain.service"; Persistent = false; };
  };
}
"""


@pytest.fixture
def services(build):
    return build(SERVICE)


def test_service_unit_text(services):
    text = services.unit("hello.service")
    lines = text.splitlines()
    assert lines[0] == "[Unit]"
    assert "After=network.target time-sync.target" in lines
    assert "Description=Say hello" in lines
    assert "[Service]" in lines
    assert 'Environment="GREETING=hello \\"world\\" 100%%"' in lines
    assert not any("UNSET" in line for line in lines)
    (path_line,) = [x for x in lines if x.startswith('Environment="PATH=')]
    entries = path_line.removeprefix('Environment="PATH=').removesuffix('"').split(":")
    assert entries[0].endswith("-greet/bin") and entries[1].endswith("-greet/sbin")
    assert entries[2] == "/opt/tools/bin" and entries[-1] == "/bin"
    assert lines.count("ReadWritePaths=/tmp") == 1 and "ReadWritePaths=/var/tmp" in lines
    assert "RemainAfterExit=yes" in lines and "Type=oneshot" in lines
    (start,) = [x for x in lines if x.startswith("ExecStart=")]
    script = start.removeprefix("ExecStart=")
    # NixOS's makeJobScript: `set -e` first
    assert Path(script).read_text() == "#!/bin/sh\nset -e\ngreet\n" and os.access(script, os.X_OK)
    (pre,) = [x for x in lines if x.startswith("ExecStartPre=")]
    assert Path(pre.removeprefix("ExecStartPre=")).read_text().endswith("echo pre\n")


def test_start_at_makes_a_timer(services):
    lines = services.unit("hello.timer").splitlines()
    assert "[Timer]" in lines and "OnCalendar=daily" in lines
    assert services.manifest["units"]["hello.timer"]["wantedBy"] == ["timers.target"]
    assert os.path.exists(services.etc("systemd/system/timers.target.wants/hello.timer"))
    manual = services.unit("manual.timer").splitlines()
    assert "Persistent=no" in manual and "Unit=plain.service" in manual


def test_units_in_manifest_units_dir_and_etc(services):
    units = services.manifest["units"]
    assert set(units) == {"hello.service", "hello.timer", "plain.service", "manual.timer"}
    assert sorted(os.listdir(services.toplevel / "units")) == sorted(units)
    hello = units["hello.service"]
    assert hello["wantedBy"] == ["multi-user.target"]
    assert (hello["restartIfChanged"], hello["stopIfChanged"]) == (True, False)
    assert units["plain.service"]["restartIfChanged"] is False
    assert os.path.realpath(services.toplevel / "units" / "hello.service") == hello["source"]
    etc = services.manifest["etc"]
    for name in (
        "systemd/system/hello.service",
        "systemd/system/multi-user.target.wants/hello.service",
        "systemd/system/graphical.target.requires/hello.service",
    ):
        assert etc[name]["source"] == hello["source"]
        assert os.path.realpath(services.etc(name)) == hello["source"]
    assert "systemd/system/off.service" not in etc


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_units_pass_systemd_analyze_verify(services):
    units = services.toplevel / "units"
    proc = subprocess.run(
        ["systemd-analyze", "verify", *(str(units / n) for n in sorted(os.listdir(units)))],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Unknown" not in proc.stderr and "ignoring" not in proc.stderr, proc.stderr


def test_conflicting_scalar_settings_are_an_error(build):
    err = build(
        """
        { systemd.services.x = { script = "true"; serviceConfig.ExecStart = "/bin/false"; }; }
        """,
        fails=True,
    )
    assert "systemd.services.x.serviceConfig.ExecStart" in err


def test_list_settings_concatenate_across_definitions(build):
    system = build(
        """
        { imports = [ { systemd.services.x.serviceConfig.ExecStartPost = [ "/bin/a" ]; } ];
          systemd.services.x.serviceConfig = { ExecStart = "/bin/true"; ExecStartPost = "/bin/b"; };
        }
        """
    )
    lines = system.unit("x.service").splitlines()
    assert {"ExecStartPost=/bin/a", "ExecStartPost=/bin/b"} <= set(lines)


def test_activation_scripts_sorted_with_deps(build):
    system = build(
        """
        {
          system.activationScripts.zz = "echo zz";
          system.activationScripts.aa = { text = "echo aa"; deps = [ "zz" ]; };
          system.activationScripts.mm.text = "echo mm";
        }
        """
    )
    scripts = system.manifest["activationScripts"]
    assert [s["name"] for s in scripts] == ["aa", "mm", "zz"]
    assert scripts[0]["deps"] == ["zz"] and scripts[1]["deps"] == []
    for s in scripts:
        assert Path(s["script"]).read_text() == f"#!/bin/sh\necho {s['name']}\n"
        assert os.access(s["script"], os.X_OK)


def test_activation_script_unknown_dep_is_an_assertion(build):
    err = build('{ system.activationScripts.a = { text = "x"; deps = [ "b" ]; }; }', fails=True)
    assert 'system.activationScripts.a depends on "b", which is not an activation script' in err


def test_reload_triggers_and_reload_if_changed_reach_the_unit_and_manifest(build):
    system = build(
        """
        { pkgs, ... }: {
          systemd.services.web = {
            wantedBy = [ "multi-user.target" ];
            serviceConfig.ExecStart = "/bin/true";
            serviceConfig.ExecReload = "/bin/true";
            reloadTriggers = [ (pkgs.writeText "site" "v1") ];
          };
          systemd.services.api = {
            serviceConfig.ExecStart = "/bin/true";
            reloadIfChanged = true;
          };
        }
        """
    )
    assert any(
        line.startswith("X-Reload-Triggers=") for line in system.unit("web.service").splitlines()
    )
    units = system.manifest["units"]
    assert units["api.service"]["reloadIfChanged"] is True
    assert units["web.service"]["reloadIfChanged"] is False


@pytest.mark.parametrize("name", ["a/b", "../etc", "x y", "evil\\nExecStart=/bin/sh", ""])
def test_a_unit_name_systemd_would_not_take_is_refused_at_its_line(build, name):
    err = build(
        f"""
        {{ ... }}: {{
          systemd.services."{name}".serviceConfig.ExecStart = "/bin/true";
        }}
        """,
        fails=True,
    )
    assert "of systemd.services (defined in " in err and "config.dcl:3)" in err
    assert "is not valid" in err


def test_an_activation_script_name_must_be_one_line(build):
    err = build('{ ... }: {\n  system.activationScripts."a\\nb" = "true";\n}\n', fails=True)
    assert 'The activation script name "a\\nb" (defined in ' in err and "config.dcl:2)" in err
