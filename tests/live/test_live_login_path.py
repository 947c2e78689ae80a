"""environment.systemPackages on every login PATH of a booted Debian host
after `declos switch --root /`: login shells of root and of a user the
distribution made (`su -`), sudo's secure_path (and visudo's word on the
file), and a systemd user manager's environment (environment.d)."""

from __future__ import annotations

import time

from live_host import Host

SW = "/run/current-system/sw"
DEBIAN_USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
DEBIAN_ROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

CONFIG = r"""
{ pkgs, ... }: {
  environment.systemPackages = [
    (pkgs.writeShellScriptBin "hello-declos" "echo hello from declos")
    (pkgs.writeTextDir "share/hello-declos/greeting" "hi\n")
    (pkgs.writeTextFile {
      name = "declos-admin";
      destination = "/sbin/declos-admin";
      executable = true;
      text = "#!/bin/sh\necho admin\n";
    })
  ];
}
"""

# The live image has no libpam-systemd, whose pam_systemd sets
# XDG_RUNTIME_DIR for user@.service: without it the user manager exits.
# (Where pam_systemd is installed, the drop-in says the same again.)
RUNTIME_DIR_DROPIN = "[Service]\nEnvironment=XDG_RUNTIME_DIR=/run/user/%i\n"

PROBE_UNIT = """[Service]
Type=oneshot
ExecStart=/bin/sh -c 'command -v hello-declos >%t/probe'
"""


def _user_manager(host: Host, user: str, uid: str) -> None:
    """Start the user's systemd manager (lingering) and wait until it answers."""
    host.write_file("/etc/systemd/system/user@.service.d/declos-test.conf", RUNTIME_DIR_DROPIN)
    host.run(["systemctl", "daemon-reload"])
    host.run(["loginctl", "enable-linger", user])
    deadline = time.monotonic() + 60
    while host.run(["systemctl", "is-active", f"user@{uid}.service"], check=False).returncode:
        assert time.monotonic() < deadline, host.journal(f"user@{uid}.service")
        time.sleep(0.2)


def test_system_packages_are_on_every_login_path(declos_host: Host) -> None:
    host = declos_host
    host.run("useradd --create-home --shell /bin/bash someuser")  # the distribution's account
    host.write_file("/root/cfg/config.dcl", CONFIG)
    switched = host.run("declos switch /root/cfg/config.dcl --root /", check=False)
    assert switched.returncode == 0, switched.stdout + switched.stderr
    assert host.run(["readlink", "/run/current-system"]).stdout.startswith("/var/lib/declos/store/")

    # A user's login shell: the packages first, Debian's PATH after.
    login = host.run(
        ["su", "-", "someuser", "-c", 'command -v hello-declos; hello-declos; echo "$PATH"']
    )
    assert login.stdout.splitlines() == [
        f"{SW}/bin/hello-declos",
        "hello from declos",
        f"{SW}/bin:{SW}/sbin:{DEBIAN_USER_PATH}",
    ]
    xdg = host.run(["su", "-", "someuser", "-c", 'echo "$XDG_DATA_DIRS"']).stdout
    assert xdg == f"{SW}/share:/usr/local/share:/usr/share\n"

    # root's login shells, from an empty environment.
    for shell in ("sh", "bash"):
        out = host.run(["env", "-i", shell, "-lc", 'command -v hello-declos; echo "$PATH"']).stdout
        assert out.splitlines() == [
            f"{SW}/bin/hello-declos",
            f"{SW}/bin:{SW}/sbin:{DEBIAN_ROOT_PATH}",
        ]

    # sudo: visudo accepts the file; secure_path has the packages, as root and as the user.
    assert "/etc/sudoers.d/declos: parsed OK" in host.run(["visudo", "-c"]).stdout
    for who in ("root", "someuser"):
        ran = host.run(["sudo", "-u", who, "sh", "-c", 'command -v hello-declos; echo "$PATH"'])
        assert ran.stdout.splitlines() == [
            f"{SW}/bin/hello-declos",
            f"{SW}/bin:{SW}/sbin:{DEBIAN_ROOT_PATH}",
        ]

    # The user's systemd manager (environment.d): what its services and
    # graphical sessions inherit, and a service it runs finds the package.
    uid = host.run(["id", "-u", "someuser"]).stdout.strip()
    _user_manager(host, "someuser", uid)
    as_user = ["runuser", "-u", "someuser", "--", "env", f"XDG_RUNTIME_DIR=/run/user/{uid}"]
    shown = host.run([*as_user, "systemctl", "--user", "show-environment"]).stdout
    env = dict(line.split("=", 1) for line in shown.splitlines())
    assert env["PATH"].startswith(f"{SW}/bin:{SW}/sbin:/usr/local/")
    assert env["XDG_DATA_DIRS"].startswith(f"{SW}/share:")
    # A service of that manager (systemd-run --user would need the user's
    # D-Bus, which the image lacks; systemctl --user talks to the manager
    # directly).
    host.write_file("/etc/systemd/user/declos-path-probe.service", PROBE_UNIT)
    host.run([*as_user, "systemctl", "--user", "daemon-reload"])
    host.run([*as_user, "systemctl", "--user", "start", "declos-path-probe.service"])
    assert host.read_file(f"/run/user/{uid}/probe") == f"{SW}/bin/hello-declos\n"

    # Switching to a configuration without packages takes it all away.
    host.write_file("/root/cfg/config.dcl", "{ }\n")
    host.run("declos switch /root/cfg/config.dcl --root /")
    for name in ("profile.d/declos.sh", "environment.d/50-declos.conf", "sudoers.d/declos"):
        assert host.run(["test", "-e", f"/etc/{name}"], check=False).returncode == 1, name
    path = host.run(["su", "-", "someuser", "-c", 'echo "$PATH"']).stdout
    assert path == f"{DEBIAN_USER_PATH}\n"
