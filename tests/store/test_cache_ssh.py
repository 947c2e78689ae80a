"""`declos cache push ssh://HOST/DIR`: a real sshd on a loopback port.

The sshd runs with its own host key, configuration and authorized key; the
client is the `ssh` program, given options with `--ssh-option` as a user's
ssh_config would.  The pushed directory is then a cache that a fresh state
directory substitutes from.
"""

from __future__ import annotations

import socket

import pytest
from cache_helpers import builds_run, fresh_state, run
from store_helpers import PKGS

from declos.store.cache_keys import SecretKey
from tests.ssh_server import loopback_sshd

SMALL = (
    PKGS
    + """rec {
  text = writeText "greeting" "hello";
  all = runCommand "all" { inherit text; } "mkdir $out; cp $text $out/copy";
}
"""
)


@pytest.fixture
def sshd(tmp_path):
    """(port, ssh options) of an sshd that lets this user in with a test key."""
    with loopback_sshd(tmp_path) as reached:
        yield reached


def test_push_over_ssh_then_substitute(sshd, tmp_path):
    port, ssh_args = sshd
    state = tmp_path / "state"
    (tmp_path / "small.dcl").write_text(SMALL)
    build = ("build", str(tmp_path / "small.dcl"), "-A", "all", "--no-out-link")
    top = run(state, *build).stdout.strip()
    key = SecretKey.generate("ssh-test-1")
    (tmp_path / "k.sec").write_text(str(key))
    remote = tmp_path / "remote" / "cache"
    url = f"ssh://root@127.0.0.1:{port}{remote}"
    push = ("cache", "push", url, top, "--secret-key-file", str(tmp_path / "k.sec"), *ssh_args)
    out = run(state, *push)
    assert top in out.stdout.split() and f"to {url}" in out.stderr
    names = sorted(p.name for p in remote.iterdir())
    assert "nix-cache-info" in names and "nar" in names
    assert not [n for n in names if n.startswith(".")]  # no staging left behind
    again = run(state, *push)
    assert again.stdout == "" and "pushed 0 paths" in again.stderr
    fresh_state(state, f"substituters = file://{remote}\ntrusted-public-keys = {key.public()}\n")
    assert run(state, *build).stdout.strip() == top
    assert builds_run(state) == 0


def test_push_to_an_unreachable_host_is_a_clear_error(tmp_path):
    state = tmp_path / "state"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there
    (tmp_path / "small.dcl").write_text(SMALL)
    top = run(state, "build", str(tmp_path / "small.dcl"), "-A", "text", "--no-out-link")
    url = f"ssh://root@127.0.0.1:{port}/srv/cache"
    proc = run(state, "cache", "push", url, top.stdout.strip(), check=1)
    assert f"listing {url} on 'root@127.0.0.1' failed" in proc.stderr


def test_push_refuses_a_cache_of_another_store(tmp_path):
    """(Not over ssh.)  A directory whose nix-cache-info names another store
    directory gets nothing; nor does a push with a key file that is not one."""
    state = tmp_path / "state"
    (tmp_path / "small.dcl").write_text(SMALL)
    top = run(state, "build", str(tmp_path / "small.dcl"), "-A", "all", "--no-out-link")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "nix-cache-info").write_text("StoreDir: /nix/store\n")
    proc = run(state, "cache", "push", str(cache), top.stdout.strip(), check=1)
    assert f"is for the store '/nix/store', not '{state}/store'" in proc.stderr
    assert sorted(p.name for p in cache.iterdir()) == ["nix-cache-info"]
    (tmp_path / "bad.sec").write_text("not a key\n")
    push = ("cache", "push", str(tmp_path / "c2"), top.stdout.strip())
    proc = run(state, *push, "--secret-key-file", str(tmp_path / "bad.sec"), check=1)
    assert "bad.sec: a secret key must be NAME:BASE64" in proc.stderr
    assert not (tmp_path / "c2").exists()
