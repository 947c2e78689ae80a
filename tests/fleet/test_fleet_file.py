"""The fleet file and `--on`: evaluation, and the errors of a bad one, located.

Hosts here are unreachable (a loopback port nothing listens on), so every
deploy stops at the copy; what is checked is what came before: the shape
of the file, the nodes' configurations (read from the toplevels built in
the state directory), `--on`, and that an evaluation failure touches no
host unless `--keep-going`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fleet_helpers import closed_port, hosts_of, run_declos

GOOD = """{
  defaults = { lib, ... }: {
    system.stateVersion = "24.11";
    deployment.targetHost = "127.0.0.1";
    deployment.targetPort = PORT;
  };
  nodes.web1 = { deployment.tags = [ "web" ]; deployment.healthChecks = [ "true" ]; };
  nodes.web2 = { nodes, ... }: {
    deployment.tags = [ "web" "eu" ];
    environment.etc.peer.text = nodes.web1.config.networking.hostName;
  };
  nodes.db = { deployment.targetUser = "admin"; };
}
"""


@pytest.fixture
def fleet(tmp_path: Path):
    def write(text: str, name: str = "fleet.dcl") -> str:
        path = tmp_path / name
        path.write_text(text.replace("PORT", str(closed_port())))
        return str(path)

    return write


def deploy(path: str, tmp_path: Path, *args: str, check: int | None = 1):
    return run_declos("deploy", path, "--state-dir", str(tmp_path / "state"), *args, check=check)


def test_nodes_are_defaults_plus_their_module(fleet, tmp_path: Path) -> None:
    proc = deploy(fleet(GOOD), tmp_path, "--json")
    hosts = hosts_of(proc)
    assert sorted(hosts) == ["db", "web1", "web2"]
    for h in hosts.values():  # evaluated and built; the copy fails: nobody listens
        assert h["status"] == "failed" and h["phase"] == "copy"
        assert "cannot connect to" in h["error"] and "refused" in h["error"]
    assert hosts["db"]["target"].startswith("admin@127.0.0.1:")
    assert hosts["web1"]["target"].startswith("root@127.0.0.1:")
    web2 = hosts["web2"]["toplevel"]
    assert Path(web2, "etc/hostname").read_text() == "web2\n"  # networking.hostName: the name
    assert Path(web2, "etc/peer").read_text() == "web1"  # `nodes` reads another node
    web1 = Path(hosts["web1"]["toplevel"], "etc/declos/health-checks/required.d")
    assert os.listdir(web1) == ["deployment-1"]  # deployment.healthChecks → system.healthChecks
    assert not Path(hosts["db"]["toplevel"], "etc/declos/health-checks").exists()


def test_target_host_defaults_to_the_node_name(fleet, tmp_path: Path) -> None:
    path = fleet('{ nodes.alpha = { system.stateVersion = "24.11"; }; }')
    hosts = hosts_of(deploy(path, tmp_path, "--json", "--ssh-option", "ConnectTimeout=1"))
    assert hosts["alpha"]["target"] == "root@alpha"


def test_on_selects_by_name_glob_and_tag(fleet, tmp_path: Path) -> None:
    path = fleet(GOOD)
    assert sorted(hosts_of(deploy(path, tmp_path, "--json", "--on", "web*"))) == ["web1", "web2"]
    assert sorted(hosts_of(deploy(path, tmp_path, "--json", "--on", "@eu,db"))) == ["db", "web2"]
    # the second time, every node comes from the evaluation cache
    again = hosts_of(deploy(path, tmp_path, "--json", "--on", "@web"))
    assert sorted(again) == ["web1", "web2"]
    assert all(h["evaluationCached"] for h in again.values())


def test_on_names_nothing_known(fleet, tmp_path: Path) -> None:
    path = fleet(GOOD)
    proc = deploy(path, tmp_path, "--on", "wbe1")
    assert "error: --on: no node is called 'wbe1'" in proc.stderr
    assert "Did you mean web1?" in proc.stderr
    proc = deploy(path, tmp_path, "--on", "@webb")
    assert "error: --on: no node has the tag '@webb'" in proc.stderr
    assert "Did you mean @web?" in proc.stderr


@pytest.mark.parametrize(
    "text, message, line",
    [
        (
            "[ ]",
            "a fleet file must evaluate to { defaults = MODULE; nodes.<name> = MODULE; }, "
            "not a list",
            1,
        ),
        ("{\n  defaults = { };\n  node.a = { };\n}", "a fleet file has no attribute 'node'", 3),
        ("{\n  defaults = { };\n}", "the fleet file has no 'nodes'", 1),
        ('{\n  nodes = [ "a" ];\n}', "'nodes' must be an attribute set of modules", 2),
        ("{\n  nodes = { };\n}", "the fleet has no nodes", 2),
        ('{\n  nodes.a = { };\n  nodes."-b" = { };\n}', "'-b' cannot name a node", 3),
    ],
)
def test_a_bad_fleet_file_is_a_located_error(fleet, tmp_path, text, message, line) -> None:
    path = fleet(text)
    proc = deploy(path, tmp_path)
    assert f"error: {message}" in proc.stderr
    assert f"at {path}:{line}:" in proc.stderr
    assert not (tmp_path / "state" / "store").exists() or not any(
        p.name.endswith(".drv") for p in (tmp_path / "state" / "store").iterdir()
    )


def test_a_bad_definition_names_the_fleet_file_line(fleet, tmp_path: Path) -> None:
    path = fleet('{\n  nodes.a = {\n    deployment.targetPort = "22";\n  };\n}')
    proc = deploy(path, tmp_path)
    assert "option `deployment.targetPort' is not of type" in proc.stderr
    assert f"In `{path}:3'" in proc.stderr
    assert "a  " in proc.stdout and "failed" in proc.stdout and "eval:" in proc.stdout


def test_a_failed_node_stops_the_deploy_unless_keep_going(fleet, tmp_path: Path) -> None:
    text = GOOD.replace('deployment.targetUser = "admin";', "networking.hostName = 12;")
    path = fleet(text)
    hosts = hosts_of(deploy(path, tmp_path, "--json"))
    assert hosts["db"]["status"] == "failed" and hosts["db"]["phase"] == "eval"
    assert "networking.hostName" in hosts["db"]["error"]
    assert {hosts[n]["status"] for n in ("web1", "web2")} == {"cancelled"}
    hosts = hosts_of(deploy(path, tmp_path, "--json", "--keep-going"))
    assert hosts["db"]["phase"] == "eval"
    assert {hosts[n]["phase"] for n in ("web1", "web2")} == {"copy"}  # they were tried


def test_deploy_usage_errors(fleet, tmp_path: Path) -> None:
    path = fleet(GOOD)
    proc = deploy(path, tmp_path, "--ssh-option", "NoEquals", check=2)
    assert "--ssh-option takes KEY=VALUE" in proc.stderr
    proc = deploy(path, tmp_path, "--confirm-timeout", "0", check=2)
    assert "--confirm-timeout must be more than 0" in proc.stderr
    proc = deploy(str(tmp_path / "missing.dcl"), tmp_path)
    assert "the fleet file" in proc.stderr and "does not exist" in proc.stderr


def test_the_nodes_warnings_are_printed(fleet, tmp_path: Path) -> None:
    # As `declos switch` prints a configuration's warnings: for each node
    # deployed, from the evaluation cache too (the second deploy).
    text = GOOD.replace(
        'deployment.targetUser = "admin";',
        'deployment.targetUser = "admin"; warnings = [ "db: the disk is nearly full" ];',
    )
    path = fleet(text)
    for _ in range(2):
        proc = deploy(path, tmp_path)
        assert "warning: db: db: the disk is nearly full" in proc.stderr
        assert "warning: web1" not in proc.stderr
    proc = deploy(path, tmp_path, "--on", "web1")
    assert "nearly full" not in proc.stderr
