"""The store of a live host is read-only (issue 11), on a booted Debian
container: after the first `declos switch --root /`, /var/lib/declos/store
is a read-only bind mount, so root in a shell cannot change it, while
declos itself still switches (building into the store), collects garbage
and deletes generations; after a reboot, declos-activate.service has made
it read-only again before anything else.  The live root's activation
scripts still run in the host's mount namespace, although the declos that
runs them works in a namespace of its own: a mount they make stays."""

from __future__ import annotations

from live_host import Host

STORE = "/var/lib/declos/store"
MNT = "/run/declos-script-mnt"

CONFIG = """{ ... }: {
  system.stateVersion = "24.11";
  networking.hostName = "%(name)s";
  environment.etc."declos-test".text = "%(name)s\\n";
  system.activationScripts.mount-test = ''
    mkdir -p %(mnt)s
    mountpoint -q %(mnt)s || mount -t tmpfs declos-script %(mnt)s
    echo %(name)s > /var/lib/declos-script-ran
  '';
}
"""


def write_config(host: Host, name: str) -> str:
    path = f"/root/{name}.dcl"
    host.write_file(path, CONFIG % {"name": name, "mnt": MNT})
    return path


def assert_read_only(host: Host) -> None:
    touched = host.run(["touch", f"{STORE}/x"], check=False)
    assert touched.returncode != 0
    assert "Read-only file system" in touched.stderr, touched.stderr
    options = host.run(["findmnt", "-n", "-o", "OPTIONS", STORE]).stdout
    assert options.split(",")[0] == "ro", options
    assert len(host.run(["findmnt", "-n", STORE]).stdout.splitlines()) == 1  # not stacked


def switch(host: Host, config: str) -> str:
    done = host.run(f"declos switch {config} --root / 2>&1", check=False, timeout=600)
    assert done.returncode == 0, done.stdout
    return done.stdout


def test_the_live_store_is_read_only_and_declos_still_writes_it(declos_host: Host) -> None:
    host = declos_host
    switch(host, write_config(host, "first"))
    assert_read_only(host)
    rm = host.run(f"rm -rf {STORE}/*-declos-test", check=False)
    assert "Read-only file system" in rm.stderr, rm.stderr

    # A second switch builds into the read-only store; its script's mount stays.
    out = switch(host, write_config(host, "second"))
    assert "generation 2 is active" in out
    assert host.read_file("/etc/declos-test") == "second\n"
    assert host.read_file("/var/lib/declos-script-ran") == "second\n"
    assert host.run(["findmnt", "-n", "-o", "SOURCE", MNT]).stdout.strip() == "declos-script"
    assert_read_only(host)

    # gc and generations delete on the read-only store.
    first = host.run(["readlink", "/var/lib/declos/profiles/system-1-link"]).stdout.strip()
    host.run("declos generations delete 1 --root /")
    collected = host.run("declos gc --root /", timeout=300)
    assert first in collected.stdout.split()
    assert host.run(["test", "-e", first], check=False).returncode == 1
    assert_read_only(host)

    # After a reboot, declos-activate.service made it read-only again.
    host.reboot()
    assert host.run("systemctl is-active declos-activate.service").stdout == "active\n"
    assert_read_only(host)
    assert host.read_file("/etc/declos-test") == "second\n"
    switch(host, write_config(host, "third"))
    assert host.read_file("/etc/declos-test") == "third\n"
    assert_read_only(host)
