"""`declos deploy` to booted Debian hosts over real ssh (issue 15).

The hosts share this machine's network: each one's sshd listens on its own
loopback port (written before boot, then kept by the fleet's openssh
configuration), root logs in with a key made for the test, nginx listens on
a port of its own (Debian's unit masked before boot), and declos is linked
into /usr/local/bin, where commands run over ssh find it.  The deployer
builds in a state directory under the test's tmp_path; every host uses the
same path (store paths name their store directory).

- examples/fleet to three hosts in parallel, then again with nothing
  changed; `--on` limits a deploy to the nodes it names or tags;
- a failing health check rolls that host back and the deploy exits 1;
- a configuration that locks root out of ssh is undone by the host itself
  once the confirmation timeout passes;
- killing the deployer in the middle of a copy leaves no path, nor any
  staging directory, in the host's store; the next deploy succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from live_host import Host

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fleet" / "fleet.dcl"
STATES = "/var/lib/declos-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fleet:
    """Booted hosts reachable over ssh, and the deployer's side of things."""

    def __init__(self, tmp_path: Path, make_host, names: list[str]) -> None:
        self.tmp = tmp_path
        # Not under /tmp: services with PrivateTmp (nginx) would not see the store.
        self.state = f"{STATES}/{os.getpid()}-{tmp_path.name}"
        key = tmp_path / "id_deploy"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        self.key = key
        self.pubkey = Path(f"{key}.pub").read_text().strip()
        self.ports = {n: {"ssh": _free_port(), "http": _free_port()} for n in names}
        self.hosts: dict[str, Host] = {}
        for name in names:
            host = make_host(declos=True, private_network=False, boot=False)
            self._prepare(host, self.ports[name]["ssh"])
            self.hosts[name] = host
        for host in self.hosts.values():
            host.boot()

    def _prepare(self, host: Host, port: int) -> None:
        host.write_file(
            "/etc/ssh/sshd_config.d/port.conf", f"Port {port}\nListenAddress 127.0.0.1\n"
        )
        host.write_file("/root/.ssh/authorized_keys", self.pubkey + "\n", mode=0o600)
        (host.root / "etc/systemd/system/nginx.service").symlink_to("/dev/null")
        (host.root / "usr/local/bin/declos").symlink_to("/opt/declos/bin/declos")

    def overlay(self, base: str = str(EXAMPLE), extra: str = "{ }") -> str:
        """A fleet file: `base`'s nodes (those we have hosts for), reached on
        this machine's loopback, plus `extra` (a module) in every node."""
        path = self.tmp / f"fleet-{time.monotonic_ns()}.dcl"
        path.write_text(
            f"""let
  base = import {base};
  ports = builtins.fromJSON ''{json.dumps(self.ports)}'';
in {{
  defaults = {{ lib, name, ... }}: {{
    imports = [ (base.defaults or {{ }}) {extra} ];
    deployment.targetHost = lib.mkForce "127.0.0.1";
    deployment.targetPort = ports.${{name}}.ssh;
    services.openssh.ports = [ ports.${{name}}.ssh ];
    services.openssh.listenAddresses = [ {{ addr = "127.0.0.1"; }} ];
    services.nginx.defaultListenAddresses = [ "127.0.0.1" ];
    services.nginx.defaultHTTPListenPort = ports.${{name}}.http;
    users.users.root.openssh.authorizedKeys.keys = lib.mkForce [ "{self.pubkey}" ];
  }};
  nodes = builtins.intersectAttrs ports base.nodes;
}}
"""
        )
        return str(path)

    def argv(self, fleet: str, *args: str) -> list[str]:
        ssh = [
            f"IdentityFile={self.key}",
            "StrictHostKeyChecking=no",
            "UserKnownHostsFile=/dev/null",
            "LogLevel=ERROR",
        ]
        opts = [a for o in ssh for a in ("--ssh-option", o)]
        return [
            sys.executable,
            "-m",
            "declos",
            "deploy",
            fleet,
            "--state-dir",
            self.state,
            *opts,
            *args,
        ]

    def deploy(self, fleet: str, *args: str, check: int | None = 0, env=None):
        environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        proc = subprocess.run(
            self.argv(fleet, *args),
            capture_output=True,
            text=True,
            env={**environ, **(env or {})},
            timeout=900,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        if check is not None:
            assert proc.returncode == check, proc.stdout + proc.stderr
        return proc

    def summary(self, fleet: str, *args: str, check: int | None = 0) -> dict:
        proc = self.deploy(fleet, "--json", *args, check=check)
        return {h["name"]: h for h in json.loads(proc.stdout)["hosts"]}

    def current(self, name: str) -> str:
        """The toplevel active on a host."""
        return self.hosts[name].run("readlink /run/current-system").stdout.strip()

    def ssh(self, name: str, command: str) -> subprocess.CompletedProcess[str]:
        port = self.ports[name]["ssh"]
        argv = ["ssh", "-i", str(self.key), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no"]
        argv += ["-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-p", str(port)]
        return subprocess.run([*argv, "root@127.0.0.1", command], capture_output=True, text=True)


def test_example_fleet_to_three_hosts_then_on_limits(tmp_path: Path, make_host) -> None:
    fleet = Fleet(tmp_path, make_host, ["web1", "web2", "ops"])
    path = fleet.overlay()
    started = time.monotonic()
    cold = fleet.summary(path)
    cold_s = time.monotonic() - started
    assert {n: h["status"] for n, h in cold.items()} == dict.fromkeys(cold, "deployed")
    for name, host in fleet.hosts.items():
        assert fleet.current(name) == cold[name]["toplevel"]
        assert host.read_file("/etc/fleet-node") == f"{name}\n"
        assert host.run("systemctl is-active sshd").stdout.strip() == "active"
        assert cold[name]["generation"] == 1
    http = fleet.ports["web1"]["http"]
    page = subprocess.run(["curl", "-fsS", f"http://127.0.0.1:{http}/"], capture_output=True)
    assert b"fleet's web servers" in page.stdout
    assert "probe-web.timer" in fleet.hosts["ops"].run("systemctl list-timers --all").stdout
    # Nothing changed: no evaluation, nothing copied, nothing activated.
    started = time.monotonic()
    again = fleet.summary(path)
    warm_s = time.monotonic() - started
    assert {n: h["status"] for n, h in again.items()} == dict.fromkeys(again, "unchanged")
    assert all(h["evaluationCached"] and h["copied"]["paths"] == 0 for h in again.values())
    print(f"\nexamples/fleet to 3 hosts: cold {cold_s:.1f} s, nothing changed {warm_s:.1f} s")
    # --on: a change to every node reaches only those named or tagged.
    changed = fleet.overlay(extra='{ environment.etc."wave".text = "2"; }')
    some = fleet.summary(changed, "--on", "ops")
    assert list(some) == ["ops"] and some["ops"]["status"] == "deployed"
    assert fleet.hosts["ops"].read_file("/etc/wave") == "2"
    assert fleet.current("web1") == cold["web1"]["toplevel"]
    webs = fleet.summary(changed, "--on", "@web")
    assert sorted(webs) == ["web1", "web2"]
    assert fleet.hosts["web2"].read_file("/etc/wave") == "2"
    proc = fleet.deploy(changed, "--on", "nosuch", check=1)
    assert "no node is called 'nosuch'" in proc.stderr


def _one_host(tmp_path: Path, make_host, *args: str) -> tuple[Fleet, str]:
    fleet = Fleet(tmp_path, make_host, ["web1"])
    first = fleet.summary(fleet.overlay(), *args)
    assert first["web1"]["status"] == "deployed"
    return fleet, first["web1"]["toplevel"]


def test_a_failing_health_check_rolls_the_host_back(tmp_path: Path, make_host) -> None:
    # (the first deploy builds on the host: only the .drv files are copied)
    fleet, good = _one_host(tmp_path, make_host, "--build-on", "target")
    assert not Path(good).exists()  # built there, not here
    bad = fleet.overlay(
        extra='{ environment.etc."wave".text = "2"; deployment.healthChecks = [ "test -e /nonexistent" ]; }'
    )
    proc = fleet.deploy(bad, check=1)
    assert "web1" in proc.stdout and "failed" in proc.stdout
    assert "health check failed: deployment-" in proc.stderr
    assert fleet.current("web1") == good
    host = fleet.hosts["web1"]
    assert host.run("test -e /etc/wave", check=False).returncode != 0
    gens = json.loads(
        host.run(["declos", "generations", "--json", "--state-dir", fleet.state]).stdout
    )
    assert [g["number"] for g in gens if g["current"]] == [1] and len(gens) == 1


def test_a_deploy_that_locks_root_out_is_undone_by_the_host(tmp_path: Path, make_host) -> None:
    fleet, good = _one_host(tmp_path, make_host)
    locked = fleet.overlay(
        extra='({ lib, ... }: { services.openssh.settings.PermitRootLogin = lib.mkForce "no"; })'
    )
    started = time.monotonic()
    proc = fleet.deploy(locked, "--confirm-timeout", "8", check=1)
    assert "cannot log into root@127.0.0.1" in proc.stderr
    assert "puts its previous generation back by itself" in proc.stderr
    host = fleet.hosts["web1"]
    status = ["declos", "status", "--json", "--state-dir", fleet.state, "--root", "/"]
    deadline = started + 90
    while time.monotonic() < deadline:  # until the undo is over: the journal is gone
        if json.loads(host.run(status).stdout)["interrupted"] is None:
            break
        time.sleep(0.5)
    assert time.monotonic() - started >= 8  # it waited for the confirmation first
    assert fleet.current("web1") == good
    assert "permitrootlogin no" not in host.run("sshd -T").stdout
    assert fleet.ssh("web1", "echo in").stdout == "in\n"
    gens = host.run(["declos", "generations", "--json", "--state-dir", fleet.state]).stdout
    assert [g["number"] for g in json.loads(gens)] == [1]


def test_killing_the_deployer_mid_copy_leaves_nothing_partial(tmp_path: Path, make_host) -> None:
    fleet, good = _one_host(tmp_path, make_host)
    changed = fleet.overlay(
        extra='{ environment.etc."big".text = builtins.concatStringsSep "" (builtins.genList (i: "line ${toString i}\\n") 20000); }'
    )
    pause = tmp_path / "pause"
    pause.mkdir()
    env = {"DECLOS_TEST_PAUSE_AT": "copy", "DECLOS_TEST_PAUSE_DIR": str(pause)}
    environ = {**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, **env}
    proc = subprocess.Popen(
        fleet.argv(changed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environ
    )
    try:
        deadline = time.monotonic() + 300
        while not (pause / "copy.paused").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    host = fleet.hosts["web1"]
    store = f"{fleet.state}/store"
    deadline = time.monotonic() + 30
    while host.run(f"ls -a {store} | grep -c tmp-recv", check=False).stdout.strip() != "0":
        assert time.monotonic() < deadline, host.run(f"ls -a {store}").stdout
        time.sleep(0.2)
    local = Path(fleet.state, "store")
    new = sorted(p.name for p in local.iterdir() if p.name.endswith("-declos-system-web1"))
    assert len(new) == 2  # the deployed toplevel and the one that was being copied
    for name in new:
        there = host.run(["test", "-e", f"{store}/{name}"], check=False).returncode == 0
        assert there == (f"{store}/{name}" == good)
    verify = host.run(["declos", "store", "verify", "--state-dir", fleet.state], check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert fleet.current("web1") == good
    after = fleet.summary(changed)
    assert after["web1"]["status"] == "deployed"
    assert host.read_file("/etc/big").startswith("line 0\n")


@pytest.fixture(autouse=True)
def _needs_ssh(tmp_path: Path):
    if not os.path.exists("/usr/bin/ssh"):
        pytest.skip("needs the ssh program")
    yield
    shutil.rmtree(f"{STATES}/{os.getpid()}-{tmp_path.name}", ignore_errors=True)
