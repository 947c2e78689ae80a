"""Host packages on a booted Debian host, installed from Debian's mirror
(issue 14): `environment.hostPackages` installed, removed, rolled back and
undone by `declos switch --root /` with the host's apt; a name apt cannot
resolve (or an empty index) fails before anything changes; a package the
user installed by hand is never removed; `pkgs.<name>` in
environment.systemPackages and users.users.<n>.packages is installed and on
the login PATH; a package's own /etc file where declos manages one is kept
aside and given back.

The hosts share this machine's network (apt needs Debian's mirror), so
their sshd and nginx, which would compete with this machine's for ports 22
and 80, are masked before boot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_host import Host

CFG = "/root/cfg/config.dcl"
RECORD = "/var/lib/declos/host-packages.json"


@pytest.fixture
def apt_host(make_host) -> Host:
    """A booted host with declos, this machine's network and a current index."""
    host = make_host(declos=True, private_network=False, boot=False)
    units = Path(host.root, "etc/systemd/system")
    for unit in ("ssh.service", "ssh.socket", "nginx.service"):
        (units / unit).unlink(missing_ok=True)
        (units / unit).symlink_to("/dev/null")
    host.boot()
    return host


def _update(host: Host) -> None:
    host.run("apt-get update -q", timeout=300)


def _installed(host: Host, name: str) -> bool:
    out = host.run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", name], check=False)
    return out.returncode == 0 and out.stdout.startswith("ii")


def _switch(host: Host, text: str, *args: str, check: bool = True):
    host.write_file(CFG, text)
    proc = host.run(["declos", "switch", CFG, "--root", "/", *args], check=False, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _record(host: Host) -> dict:
    return json.loads(host.read_file(RECORD))["packages"]


def test_host_packages_follow_the_generations(apt_host: Host) -> None:
    host = apt_host
    _update(host)
    host.run("apt-get install -y -q tree", timeout=300)  # the user's own, by hand
    one = '{ environment.hostPackages = [ "htop" "tree" ]; }\n'

    plan = _switch(host, one, "--dry-run")
    assert "host install htop (apt" in plan.stdout
    assert not _installed(host, "htop")  # a dry run changes nothing

    first = _switch(host, one)
    assert "host install htop (apt" in first.stdout
    assert _installed(host, "htop") and _installed(host, "tree")
    assert host.run("htop --version").returncode == 0
    assert set(_record(host)) == {"htop"}  # tree was the user's: not recorded
    assert host.run(["apt-mark", "showmanual", "htop"]).stdout == "htop\n"

    second = _switch(host, '{ environment.hostPackages = [ "git" ]; }\n')
    assert "host install git (apt; with" in second.stdout
    assert "host remove htop (apt)" in second.stdout
    assert _installed(host, "git") and not _installed(host, "htop")
    assert _installed(host, "tree")  # never removed: installed by hand
    assert set(_record(host)) == {"git"}
    # the dependencies git pulled in went with it later; now they are there
    pulled = _record(host)["git"]["with"]
    assert pulled and all(_installed(host, p) for p in pulled)

    diff = host.run("declos diff --root /").stdout.splitlines()
    assert "host package added git" in diff and "host package removed htop" in diff
    assert "host package removed tree" in diff

    back = host.run("declos rollback --root /", timeout=600)
    assert "host install htop" in back.stdout and "host remove git (apt)" in back.stdout
    assert _installed(host, "htop") and not _installed(host, "git")
    # git's dependencies went with it, but what apt still counts as needed (less
    # is recommended by other packages) stays, as a dependency
    left = [p for p in pulled if _installed(host, p)]
    assert "git-man" in pulled and not _installed(host, "git-man")
    auto = host.run("apt-mark showauto").stdout.split()
    assert all(p in auto for p in left), left
    assert _installed(host, "tree")

    again = host.run("declos switch-generation 2 --root /", timeout=600)
    assert again.returncode == 0
    assert _installed(host, "git") and not _installed(host, "htop")

    # removed by hand: the next switch to the same generation puts it back (drift)
    host.run("apt-get remove -y -q git", timeout=300)
    repair = _switch(host, '{ environment.hostPackages = [ "git" ]; }\n')
    assert "host install git" in repair.stdout and _installed(host, "git")


UNRESOLVABLE = """{
  environment.hostPackages = [
    "git"
    "htopp"
  ];
}
"""


def _unchanged(host: Host) -> None:
    assert host.run("test -e /etc/static", check=False).returncode != 0
    assert host.run("declos generations --root /").stdout == ""
    assert not _installed(host, "git")
    assert host.run(f"test -e {RECORD}", check=False).returncode != 0


def test_names_apt_cannot_resolve_fail_before_any_change(apt_host: Host) -> None:
    host = apt_host
    # the image's index is empty until `apt-get update`
    empty = _switch(host, UNRESOLVABLE, check=False)
    assert empty.returncode == 1
    assert "apt cannot resolve these names:" in empty.stderr
    assert f"git (defined in {CFG}:2): no such package in the index" in empty.stderr
    assert "run `apt-get update` first" in empty.stderr
    assert "nothing was changed" in empty.stderr and "Traceback" not in empty.stderr
    _unchanged(host)

    _update(host)
    typo = _switch(host, UNRESOLVABLE, check=False)
    assert typo.returncode == 1
    assert "apt cannot resolve this name:" in typo.stderr
    assert f"htopp (defined in {CFG}:2): no such package in the index" in typo.stderr
    assert "Did you mean htop, " in typo.stderr
    dry = _switch(host, UNRESOLVABLE, "--dry-run", check=False)
    assert dry.returncode == 1 and "htopp (defined in" in dry.stderr
    _unchanged(host)


BROKEN = """{
  environment.hostPackages = [ "tree" ];
  systemd.services.broken = {
    wantedBy = [ "multi-user.target" ];
    serviceConfig.Type = "oneshot";
    serviceConfig.ExecStart = "/bin/sh -c 'echo broken on purpose; exit 3'";
  };
}
"""


def test_a_failed_switch_takes_back_its_installs_and_removals(apt_host: Host) -> None:
    host = apt_host
    _update(host)
    _switch(host, '{ environment.hostPackages = [ "htop" ]; }\n')
    assert _installed(host, "htop")
    failed = _switch(host, BROKEN, check=False)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "host install tree" in failed.stdout and "host remove htop" in failed.stdout
    assert "the previous configuration (generation 1) is active again" in failed.stderr
    # tree, installed by the failed switch, is gone; htop, removed by it, is back
    assert not _installed(host, "tree") and _installed(host, "htop")
    assert set(_record(host)) == {"htop"}
    gens = host.run("declos generations --root /").stdout.splitlines()
    assert len(gens) == 1 and gens[0].startswith("*   1")


PKGS = """{ pkgs, ... }: {
  environment.systemPackages = with pkgs; [ htop ];
  environment.hostPackages = [ "nano" ];
  environment.etc."nanorc".text = "set nowrap\\n";
  users.users.alice = {
    isNormalUser = true;
    packages = [ pkgs.tree ];
  };
}
"""


def test_pkgs_of_the_host_on_the_path_and_their_etc_files(apt_host: Host) -> None:
    host = apt_host
    _update(host)
    out = _switch(host, PKGS)
    assert "host install htop nano tree (apt" in out.stdout, out.stdout
    assert all(_installed(host, p) for p in ("htop", "nano", "tree"))
    # pkgs.htop's output links the host's file, and is on the login PATH
    sw = "/run/current-system/sw/bin"
    assert host.run(["readlink", f"{sw}/htop"]).stdout.endswith("/bin/htop\n")
    assert host.run(["readlink", "-f", f"{sw}/htop"]).stdout == "/usr/bin/htop\n"
    assert host.run(["env", "-i", "sh", "-lc", "command -v htop"]).stdout == f"{sw}/htop\n"
    # alice's own packages come first on her PATH
    alice = host.run(["su", "-", "alice", "-c", 'command -v tree; echo "$PATH"']).stdout
    mine = "/etc/profiles/per-user/alice/bin"
    assert alice.splitlines()[0] == f"{mine}/tree"
    assert alice.splitlines()[1].startswith(f"{mine}:{sw}:")
    # nano's own /etc/nanorc was set aside for the managed one, and comes back after
    assert host.run(["readlink", "/etc/nanorc"]).stdout == "/etc/static/nanorc\n"
    assert "GNU nano" in host.read_file("/etc/nanorc.declos-backup")
    diff = host.run("declos diff --root / 0 1", check=False)
    assert diff.returncode != 0  # there is no generation 0

    out = _switch(host, "{ }\n")
    assert "host remove htop nano tree (apt)" in out.stdout
    assert not any(_installed(host, p) for p in ("htop", "nano", "tree"))
    assert "GNU nano" in host.read_file("/etc/nanorc")
    diff = host.run("declos diff --root /").stdout.splitlines()
    assert "host package removed nano" in diff
    assert [line for line in diff if "package removed htop" in line] == [
        "host package removed htop",
        "package removed htop 3.2.2-2",
    ]
    assert "user alice package removed tree 2.1.0-1" in diff


def test_packages_are_not_installed_while_booting(apt_host: Host) -> None:
    """declos-activate.service runs before the network: a generation made the
    default with `declos boot` is activated at boot without its new host
    packages, which the next switch installs."""
    host = apt_host
    _update(host)
    _switch(host, '{ environment.hostPackages = [ "htop" ]; }\n')
    host.write_file(CFG, '{ environment.hostPackages = [ "htop" "tree" ]; }\n')
    host.run(["declos", "boot", CFG, "--root", "/"], timeout=600)
    host.reboot()
    assert "generation 2" in host.run("declos status --root /").stdout
    assert not _installed(host, "tree") and _installed(host, "htop")
    said = host.journal("declos-activate.service")
    assert "host packages not installed while booting: tree" in said
    repair = host.run(["declos", "switch", CFG, "--root", "/"], timeout=600)
    assert "host install tree" in repair.stdout and _installed(host, "tree")
