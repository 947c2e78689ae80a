"""systemd.user.services and timers (/etc/systemd/user, default.target
wants, a reload of running user managers at activation), systemd.sockets
(rendered, in the manifest, checked) and systemd.units given as text;
service scripts start with `set -e` and really stop at the first failing
command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

USER = r"""
{
  systemd.user.services.hello = {
    description = "Say hello";
    wantedBy = [ "default.target" ];
    environment.GREETING = "hi";
    script = "echo $GREETING > $HOME/hello";
    serviceConfig.Type = "oneshot";
    startAt = "hourly";
  };
  systemd.sockets.echo = {
    wantedBy = [ "sockets.target" ];
    listenStreams = [ "127.0.0.1:7777" "/run/echo.sock" ];
    socketConfig.Accept = true;
  };
  systemd.sockets.logs = { listenDatagrams = [ "127.0.0.1:7778" ]; };
  systemd.services.logs.serviceConfig.ExecStart = "/bin/cat";
  systemd.services."echo@" = { serviceConfig = { ExecStart = "/bin/cat"; StandardInput = "socket"; }; };
  systemd.units."extra.target".text = "[Unit]\nDescription=An extra target\n";
}
"""


def test_user_units_in_etc_systemd_user(build):
    s = build(USER)
    etc = s.manifest["etc"]
    service = etc["systemd/user/hello.service"]["source"]
    assert etc["systemd/user/default.target.wants/hello.service"]["source"] == service
    assert "systemd/user/timers.target.wants/hello.timer" in etc
    text = Path(service).read_text().splitlines()
    assert "Description=Say hello" in text and 'Environment="GREETING=hi"' in text
    assert "OnCalendar=hourly" in Path(etc["systemd/user/hello.timer"]["source"]).read_text()
    # user units are not the system manager's: not in the manifest's units
    assert not any(u.startswith("hello.") for u in s.manifest["units"])
    names = [x["name"] for x in s.manifest["activationScripts"]]
    assert "systemd-user-units" in names
    assert (s.toplevel / "checks" / "user-units").read_text() in ("passed\n",) or (
        s.toplevel / "checks" / "user-units"
    ).read_text().startswith("not run")


def test_sockets_and_text_units(build):
    s = build(USER)
    sock = s.unit("echo.socket").splitlines()
    assert sock[sock.index("[Socket]") + 1 :] == [
        "ListenStream=127.0.0.1:7777",
        "ListenStream=/run/echo.sock",
        "Accept=yes",
    ]
    assert "ListenDatagram=127.0.0.1:7778" in s.unit("logs.socket").splitlines()
    units = s.manifest["units"]
    assert units["echo.socket"]["wantedBy"] == ["sockets.target"]
    assert "echo@.service" in units
    assert s.unit("extra.target") == "[Unit]\nDescription=An extra target\n"


def test_bad_user_unit_setting_fails_the_build(build):
    err = build(
        """
        {
          systemd.user.services.x = {
            script = "true";
            serviceConfig.NoSuchSetting = "1";
          };
        }
        """,
        fails=True,
    )
    assert "systemd.user.services.x.serviceConfig.NoSuchSetting" in err and "config.dcl:5" in err


def test_socket_name_and_unit_file_name_are_checked(build):
    err = build('{ systemd.sockets."a b".listenStreams = [ "1" ]; }', fails=True)
    assert 'The unit name "a b.socket" of systemd.sockets' in err
    err = build('{ systemd.units."x".text = ""; }', fails=True)
    assert 'The unit file name "x" of systemd.units (defined in' in err


def test_conflicting_unit_texts(build):
    err = build(
        """
        {
          systemd.services.x.script = "true";
          systemd.units."x.service".text = "[Service]\\nExecStart=/bin/true\\n";
        }
        """,
        fails=True,
    )
    assert "systemd.units" in err and "x.service" in err


def test_scripts_stop_at_the_first_failing_command(build, tmp_path):
    """NixOS's `set -e`: the ExecStart script of `script` fails at `false`."""
    marker = tmp_path / "after-false"
    s = build(
        f"""
        {{
          systemd.services.x = {{
            script = ''
              false
              touch {marker}
            '';
            preStart = "true";
            reload = "kill -HUP $MAINPID";
          }};
        }}
        """
    )
    lines = s.unit("x.service").splitlines()
    start = next(x for x in lines if x.startswith("ExecStart=")).split("=", 1)[1]
    assert any(x.startswith("ExecReload=") for x in lines)
    proc = subprocess.run([start], capture_output=True)
    assert proc.returncode == 1
    assert not os.path.exists(marker)
