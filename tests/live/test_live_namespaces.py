"""NixOS namespaces on a booted Debian host (issue 14), switched with
`declos switch --root /`: fileSystems (a tmpfs and a bind mount mounted,
remounted with new options, mounted again after a reboot, unmounted when
dropped), a login shell the host lacks (refused before anything changes),
security.sudo's %wheel rule and execWheelOnly (sudo's mode given back),
systemd.user.services with environment.sessionVariables (run by a user's
manager, started by a later switch), systemd.sockets, and `set -e` in
service scripts."""

from __future__ import annotations

import time

from live_config import CFG
from live_config import switch as _switch
from live_host import Host

# As tests/live/test_live_login_path.py: the image has no libpam-systemd,
# whose pam_systemd sets XDG_RUNTIME_DIR for user@.service.
RUNTIME_DIR_DROPIN = "[Service]\nEnvironment=XDG_RUNTIME_DIR=/run/user/%i\n"


def _mounts(size: str, bind: bool = True) -> str:
    view = '  fileSystems."/srv/view" = { device = "/srv/data"; options = [ "bind" ]; };\n'
    return (
        "{\n"
        f'  fileSystems."/mnt/scratch" = {{ device = "tmpfs"; fsType = "tmpfs"; options = [ "size={size}" "mode=0755" ]; }};\n'
        + (view if bind else "")
        + "}\n"
    )


def _findmnt(host: Host, where: str) -> str:
    return host.run(["findmnt", "-n", "-o", "FSTYPE,OPTIONS", where]).stdout.strip()


def test_tmpfs_and_bind_mounts(declos_host: Host) -> None:
    host = declos_host
    host.run("mkdir -p /srv/data && echo hello >/srv/data/file")
    _switch(host, _mounts("8m"))
    fstype, options = _findmnt(host, "/mnt/scratch").split()
    assert fstype == "tmpfs" and "size=8192k" in options.split(",")
    assert host.run(["cat", "/srv/view/file"]).stdout == "hello\n"
    assert host.run(
        ["systemctl", "is-active", "mnt-scratch.mount", "srv-view.mount"]
    ).stdout.split() == [
        "active",
        "active",
    ]

    # new options: remounted in place (what is on the tmpfs stays)
    host.run("echo kept >/mnt/scratch/file")
    out = _switch(host, _mounts("16m"))
    assert "reload mnt-scratch.mount" in out.stdout
    assert "size=16384k" in _findmnt(host, "/mnt/scratch").split()[1].split(",")
    assert host.run(["cat", "/mnt/scratch/file"]).stdout == "kept\n"

    host.reboot()
    assert "size=16384k" in _findmnt(host, "/mnt/scratch")
    assert host.run(["cat", "/srv/view/file"]).stdout == "hello\n"

    # dropped: unmounted, the data underneath untouched
    _switch(host, _mounts("16m", bind=False))
    assert host.run(["mountpoint", "-q", "/srv/view"], check=False).returncode != 0
    assert host.run(["cat", "/srv/data/file"]).stdout == "hello\n"
    _switch(host, "{ }")
    assert host.run(["mountpoint", "-q", "/mnt/scratch"], check=False).returncode != 0


def test_login_shell_the_host_lacks_is_refused(declos_host: Host) -> None:
    host = declos_host
    _switch(host, "{ users.users.bob.isNormalUser = true; }")
    active = host.run(["readlink", "/run/current-system"]).stdout
    refused = _switch(
        host,
        '{\n  users.users.bob.isNormalUser = true;\n  users.users.alice.isNormalUser = true;\n  users.defaultUserShell = "/bin/zsh";\n}\n',
        check=False,
    )
    assert refused.returncode == 1
    assert (
        "the login shell /bin/zsh of the user alice does not exist in the root / "
        f"(users.defaultUserShell, defined in {CFG}:4)"
    ) in refused.stderr
    assert "nothing was changed" in refused.stderr and "Traceback" not in refused.stderr
    assert host.run(["getent", "passwd", "alice"], check=False).returncode == 2
    assert host.run(["readlink", "/run/current-system"]).stdout == active
    # the distribution's shell, named explicitly, is there
    _switch(host, '{ users.users.alice = { isNormalUser = true; shell = "/bin/bash"; }; }')
    assert host.run(["getent", "passwd", "alice"]).stdout.strip().endswith(":/bin/bash")


SUDO = """
{{
  users.users.alice = {{ isNormalUser = true; extraGroups = [ "wheel" ]; }};
  users.users.bob.isNormalUser = true;
  security.sudo.wheelNeedsPassword = false;
  security.sudo.execWheelOnly = {only};
}}
"""


def _sudo(host: Host, user: str):
    return host.run(["runuser", "-u", user, "--", "/usr/bin/sudo", "-n", "true"], check=False)


def test_wheel_may_use_sudo_and_only_wheel_with_exec_wheel_only(declos_host: Host) -> None:
    host = declos_host
    before = host.run(["stat", "-c", "%U %G %a", "/usr/bin/sudo"]).stdout
    _switch(host, SUDO.format(only="false"))
    assert _sudo(host, "alice").returncode == 0  # NixOS's %wheel rule, NOPASSWD
    assert _sudo(host, "bob").returncode != 0

    _switch(host, SUDO.format(only="true"))
    assert host.run(["stat", "-c", "%U %G %a", "/usr/bin/sudo"]).stdout == "root wheel 4510\n"
    assert host.run(["dpkg-statoverride", "--list", "/usr/bin/sudo"]).stdout == (
        "root wheel 4510 /usr/bin/sudo\n"
    )
    denied = _sudo(host, "bob")
    assert denied.returncode != 0 and "Permission denied" in denied.stderr  # not even executed
    assert _sudo(host, "alice").returncode == 0
    host.reboot()
    assert host.run(["stat", "-c", "%U %G %a", "/usr/bin/sudo"]).stdout == "root wheel 4510\n"

    _switch(host, SUDO.format(only="false"))
    assert host.run(["stat", "-c", "%U %G %a", "/usr/bin/sudo"]).stdout == before
    assert host.run(["dpkg-statoverride", "--list", "/usr/bin/sudo"], check=False).returncode == 1
    assert _sudo(host, "alice").returncode == 0


USER_UNITS = r"""
{
  users.users.alice.isNormalUser = true;
  environment.sessionVariables.GREETING = "hello session";
  systemd.user.services.greet = {
    wantedBy = [ "default.target" ];
    serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
    script = ''echo "$GREETING" >"$HOME/greeting"'';
  };
EXTRA}
"""

SECOND = r"""
  systemd.user.services.later = {
    wantedBy = [ "default.target" ];
    serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
    script = "echo later >$HOME/later";
  };
"""


def _wait_for(host: Host, path: str, unit: str) -> str:
    deadline = time.monotonic() + 60
    while host.run(["test", "-e", path], check=False).returncode:
        assert time.monotonic() < deadline, host.journal(unit)
        time.sleep(0.2)
    return host.read_file(path)


def test_user_services_with_session_variables(declos_host: Host) -> None:
    host = declos_host
    _switch(host, USER_UNITS.replace("EXTRA", ""))
    uid = host.run(["id", "-u", "alice"]).stdout.strip()
    assert host.run(["su", "-", "alice", "-c", 'echo "$GREETING"']).stdout == "hello session\n"

    host.write_file("/etc/systemd/system/user@.service.d/declos-test.conf", RUNTIME_DIR_DROPIN)
    host.run(["systemctl", "daemon-reload"])
    host.run(["loginctl", "enable-linger", "alice"])
    # the user's manager starts the unit, with the session's variables (environment.d)
    assert _wait_for(host, "/home/alice/greeting", f"user@{uid}.service") == "hello session\n"

    # a unit a later switch adds is started in the running manager
    out = _switch(host, USER_UNITS.replace("EXTRA", SECOND))
    assert _wait_for(host, "/home/alice/later", f"user@{uid}.service") == "later\n", out.stdout


SOCKET = r"""
{
  systemd.sockets.echo = { wantedBy = [ "sockets.target" ]; listenStreams = [ "127.0.0.1:7777" ]; socketConfig.Accept = true; };
  systemd.services."echo@".serviceConfig = { ExecStart = "/bin/cat"; StandardInput = "socket"; };
EXTRA}
"""

FAILING = r"""
  systemd.services.fails = {
    wantedBy = [ "multi-user.target" ];
    serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
    script = ''
      false
      touch /run/after-false
    '';
  };
"""

ECHO = (
    "import socket; s = socket.create_connection(('127.0.0.1', 7777), timeout=10); "
    "s.sendall(b'ping\\n'); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode(), end='')"
)


def test_socket_activation_and_set_e(declos_host: Host) -> None:
    host = declos_host
    _switch(host, SOCKET.replace("EXTRA", ""))
    assert host.run(["systemctl", "is-active", "echo.socket"]).stdout == "active\n"
    assert host.run(["python3", "-c", ECHO]).stdout == "ping\n"

    # `set -e`: the script stops at `false`, the unit fails, the switch is undone
    failed = _switch(host, SOCKET.replace("EXTRA", FAILING), check=False)
    assert failed.returncode == 1
    assert "the following units failed: fails.service" in failed.stderr
    assert host.run(["test", "-e", "/run/after-false"], check=False).returncode == 1
    assert host.run(["systemctl", "is-active", "echo.socket"]).stdout == "active\n"
    assert host.run(["python3", "-c", ECHO]).stdout == "ping\n"
