"""Smoke tests of the live harness: booting, commands, files, reboots, power
cuts, two hosts at once, and one real `declos switch --root /` on a booted
host (the proof that the harness can carry the behaviour tests)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from live_host import Host, HostError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_booted_host_runs_commands_as_root_with_a_clean_environment(host: Host) -> None:
    assert host.run("systemctl is-system-running").stdout.strip() in ("running", "degraded")
    assert host.read_file("/proc/1/comm") == "systemd\n"
    assert host.run(["id", "-u"]).stdout == "0\n"
    assert host.run("hostname").stdout.strip() == host.name
    env = dict(line.split("=", 1) for line in host.run("env").stdout.splitlines())
    assert env["LANG"] == "C.UTF-8"
    assert env["PATH"].startswith("/opt/declos/bin:")
    assert "PYTEST_CURRENT_TEST" not in env
    assert host.run(["env"], env={"EXTRA": "1"}).stdout.count("EXTRA=1") == 1
    # The private network: a loopback and nothing else.
    links = host.run(["ip", "-o", "link"]).stdout
    assert [line.split(":")[1].strip() for line in links.splitlines()] == ["lo"]
    assert "nginx" in host.journal("nginx.service")


def test_a_failing_command_raises_with_its_status_and_output(host: Host) -> None:
    with pytest.raises(HostError) as failed:
        host.run("echo to-out; echo to-err >&2; exit 3")
    message = str(failed.value)
    assert "exited 3" in message and "to-out" in message and "to-err" in message
    assert host.run("exit 4", check=False).returncode == 4
    with pytest.raises(HostError, match="did not finish within"):
        host.run(["sleep", "10"], timeout=0.5)


def test_files_are_written_read_and_copied_in(host: Host) -> None:
    host.write_file("/etc/declos-test/a.conf", "one\n", mode=0o600)
    assert host.run(["stat", "-c", "%a %U", "/etc/declos-test/a.conf"]).stdout == "600 root\n"
    assert host.read_file("/etc/declos-test/a.conf") == "one\n"
    host.copy_in(EXAMPLES / "minimal", "/root/cfg")
    assert host.read_file("/root/cfg/config.dcl") == (EXAMPLES / "minimal/config.dcl").read_text()
    assert host.run(["stat", "-c", "%U", "/root/cfg/config.dcl"]).stdout == "root\n"
    with pytest.raises(HostError, match="No such file"):
        host.read_file("/etc/declos-test/missing")


def test_declos_installs_from_the_wheels(host: Host) -> None:
    version = host.install_declos()
    assert version.startswith("declos ")
    assert host.run("command -v declos").stdout == "/opt/declos/bin/declos\n"


def test_declos_host_has_declos_installed(declos_host: Host) -> None:
    assert declos_host.run(["declos", "--version"]).stdout.startswith("declos ")


def test_a_reboot_keeps_the_disk_and_clears_run(host: Host) -> None:
    host.write_file("/var/lib/kept", "kept\n")
    host.write_file("/run/gone", "gone\n")
    first_init = host.pid
    host.reboot()
    assert host.pid != first_init
    assert host.read_file("/var/lib/kept") == "kept\n"
    assert host.run(["test", "-e", "/run/gone"], check=False).returncode == 1
    assert host.run("systemctl is-system-running").stdout.strip() in ("running", "degraded")
    assert host.boots == 2


def test_a_power_cut_stops_every_process_and_the_host_boots_again(host: Host) -> None:
    host.write_file("/var/lib/before-cut", "synced\n")
    host.run("sync")
    init = host.pid
    host.power_cut()
    assert not host.running
    assert not os.path.exists(f"/proc/{init}")
    assert host.read_file("/var/lib/before-cut") == "synced\n"  # read from the stopped root
    host.boot()
    assert host.read_file("/var/lib/before-cut") == "synced\n"
    assert host.run("systemctl is-system-running").stdout.strip() in ("running", "degraded")


def test_a_root_that_cannot_boot_fails_with_its_console(make_host) -> None:  # type: ignore[no-untyped-def]
    host = make_host(boot=False)
    for init in ("usr/lib/systemd/systemd", "lib/systemd/systemd", "sbin/init"):
        path = host.root / init
        if path.is_symlink() or path.exists():
            path.unlink()
    with pytest.raises(HostError, match="systemd-nspawn exited") as failed:
        host.boot(timeout=30)
    assert f"console of {host.name}" in str(failed.value)
    assert not host.running


def test_two_hosts_run_at_once_each_with_its_own_loopback(make_host, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if shutil.disk_usage(tmp_path).free < 2 << 30:
        pytest.skip("less than 2 GiB free for two more roots")
    a, b = make_host(), make_host()
    assert a.running and b.running and a.pid != b.pid
    assert a.run("hostname").stdout.strip() == a.name
    assert b.run("hostname").stdout.strip() == b.name
    # Port 80 is nginx in both, answering each on its own loopback.
    a.write_file("/var/www/html/index.html", "this is a\n")
    assert a.run("curl -sf http://127.0.0.1/").stdout == "this is a\n"
    assert "this is a" not in b.run("curl -sf http://127.0.0.1/", check=False).stdout


def test_declos_switch_applies_the_minimal_example_to_the_live_host(declos_host: Host) -> None:
    host = declos_host
    host.copy_in(EXAMPLES / "minimal", "/root/cfg")
    switched = host.run("declos switch /root/cfg/config.dcl --root /", check=False)
    assert switched.returncode == 0, switched.stdout + switched.stderr
    # networking.hostName, time.timeZone, users.users.alice of the example:
    assert host.read_file("/etc/hostname").strip() == "minimal"
    zone = host.run(["readlink", "-f", "/etc/localtime"]).stdout.strip()
    assert zone.endswith("/zoneinfo/Europe/Berlin")
    alice = host.run(["getent", "passwd", "alice"]).stdout.strip().split(":")
    assert alice[4:7] == ["Alice", "/home/alice", "/bin/bash"]
    assert "wheel" in host.run(["id", "-nG", "alice"]).stdout.split()
    assert host.run(["stat", "-c", "%U %a", "/home/alice"]).stdout == "alice 700\n"
    assert host.run(["su", "-", "alice", "-c", "id -un; pwd"]).stdout == "alice\n/home/alice\n"
