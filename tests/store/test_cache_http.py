"""A binary cache served over real HTTP by nginx: push, then substitute.

One state directory builds examples/minimal and pushes its toplevel's
closure, signed, to a directory that nginx serves on a loopback port.  Each
test then starts an empty state directory at the same place (so the store
paths are the same) and builds or switches to the same configuration with
the cache as its substituter: everything is substituted and no builder runs;
a tampered NAR, a bad or missing signature, or a cache for another store
directory is refused with a clear error and nothing is registered.
"""

from __future__ import annotations

import lzma
import os
import shutil
import socket

import pytest
from cache_helpers import MINIMAL, builds_run, fresh_state, leftovers, nginx_serving, run
from store_helpers import PKGS

from declos.store.cache_keys import SecretKey

#: Process and in-process builds, with references between them.
SMALL = (
    PKGS
    + """rec {
  text = writeText "greeting" "hello";
  script = writeShellScriptBin "greet" "cat ${text}";
  all = runCommand "all" { inherit text script; } ''
    mkdir -p $out; ln -s $script/bin/greet $out/greet; cp $text $out/copy; echo "$text" > $out/ref
  '';
}
"""
)


@pytest.fixture(scope="module")
def pushed(tmp_path_factory):
    """(state dir, toplevel path, the cache directory, the key, nginx's URL and root)."""
    base = tmp_path_factory.mktemp("cache-http")
    state = base / "state"
    (base / "small.dcl").write_text(SMALL)
    top = run(state, "build", MINIMAL, "--no-out-link").stdout.strip()
    small = run(state, "build", str(base / "small.dcl"), "-A", "all", "--no-out-link")
    small = small.stdout.strip()
    assert builds_run(state) > 0
    key = SecretKey.generate("test-cache-1")
    (base / "key.sec").write_text(str(key))
    cache = base / "cache"
    out = run(
        state, "cache", "push", str(cache), top, small, "--secret-key-file", str(base / "key.sec")
    )
    assert top in out.stdout.split() and small in out.stdout.split()
    assert "signed by 'test-cache-1'" in out.stderr
    srv = base / "srv"
    srv.mkdir()
    with nginx_serving(str(srv), str(base / "nginx")) as url:
        yield {
            "state": state,
            "top": top,
            "small": small,
            "file": str(base / "small.dcl"),
            "cache": cache,
            "key": key,
            "url": url,
            "srv": srv,
        }


@pytest.fixture
def served(pushed, request):
    """A copy of the pushed cache served at its own URL, for this test to change."""
    name = request.node.name.replace("[", "-").replace("]", "")
    shutil.copytree(pushed["cache"], pushed["srv"] / name)
    return pushed["srv"] / name, f"{pushed['url']}/{name}"


def small_build(pushed) -> tuple[str, ...]:
    return ("build", pushed["file"], "-A", "all", "--no-out-link")


def _conf(url: str, key) -> str:
    return f"substituters = {url}\ntrusted-public-keys = {key.public()}\n"


def _refused(pushed, stderr: str, *words: str) -> None:
    for w in words:
        assert w in stderr, stderr
    state = pushed["state"]
    assert not os.path.exists(pushed["small"])
    assert builds_run(state) == 0
    assert leftovers(state) == []


def test_fresh_state_dir_substitutes_everything(pushed, served):
    _, url = served
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    proc = run(state, "build", MINIMAL, "--no-out-link")
    assert proc.stdout.strip() == pushed["top"]
    assert builds_run(state) == 0
    assert "substituted " in proc.stderr and f"from {url}" in proc.stderr
    access = (pushed["srv"].parent / "nginx" / "access.log").read_text()
    assert '.narinfo HTTP/1.1" 200' in access and '.nar.xz HTTP/1.1" 200' in access
    assert os.path.isfile(os.path.join(pushed["top"], "manifest.json"))
    run(state, "store", "verify", "--check-contents")
    again = run(state, "build", MINIMAL, "--no-out-link")
    assert "substituted" not in again.stderr and builds_run(state) == 0


def test_switch_substitutes_with_the_flag(pushed, served, tmp_path):
    _, url = served
    state = pushed["state"]
    fresh_state(state, f"trusted-public-keys = {pushed['key'].public()}\n")
    root = tmp_path / "root"
    proc = run(state, "switch", MINIMAL, "--root", str(root), "--substituter", url)
    assert "generation 1 is active" in proc.stdout
    assert "substituted" in proc.stderr and builds_run(state) == 0
    assert os.path.realpath(state / "profiles" / "system") == pushed["top"]


def test_no_substitute_builds(pushed, served):
    _, url = served
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    run(state, *small_build(pushed), "--no-substitute")
    assert builds_run(state) > 0


def test_tampered_nar_is_refused(pushed, served):
    """One byte of a file changed in each NAR (still well formed, recompressed)."""
    cache, url = served
    for nar in sorted((cache / "nar").iterdir()):
        data = lzma.decompress(nar.read_bytes())
        if b"contents" in data:
            i = data.index(b"contents") + 16  # the first byte of the file (after its size)
            nar.write_bytes(lzma.compress(data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]))
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    proc = run(state, *small_build(pushed), check=1)
    _refused(pushed, proc.stderr, "NAR hash mismatch", "expected: sha256:", f"from {url}")


def test_a_nar_cut_short_is_refused(pushed, served):
    cache, url = served
    for nar in (cache / "nar").iterdir():
        nar.write_bytes(nar.read_bytes()[: nar.stat().st_size // 2])
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    proc = run(state, *small_build(pushed), check=1)
    _refused(pushed, proc.stderr, "error:", "the NAR of")


def test_signature_by_an_untrusted_key_is_refused(pushed, served):
    _, url = served
    state = pushed["state"]
    other = SecretKey.generate("other-1")
    fresh_state(state, _conf(url, other))
    proc = run(state, *small_build(pushed), check=1)
    _refused(
        pushed,
        proc.stderr,
        "refusing to substitute",
        "no valid signature by a trusted key",
        "signed as 'test-cache-1'; trusted: 'other-1'",
    )


def test_forged_signature_is_refused(pushed, served):
    """A narinfo whose NarHash was changed keeps a signature that no longer fits."""
    cache, url = served
    for info in cache.glob("*.narinfo"):
        text = info.read_text()
        sig = next(line for line in text.splitlines() if line.startswith("Sig:"))
        forged = SecretKey.generate("test-cache-1").sign("1;x;sha256:y;1;")
        info.write_text(text.replace(sig, f"Sig: {forged}"))
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    proc = run(state, *small_build(pushed), check=1)
    _refused(pushed, proc.stderr, "no valid signature by a trusted key")


def test_unsigned_narinfo_is_refused_unless_signatures_are_not_required(pushed, served):
    cache, url = served
    for info in cache.glob("*.narinfo"):
        text = info.read_text()
        info.write_text(
            "".join(line for line in text.splitlines(True) if not line.startswith("Sig:"))
        )
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    proc = run(state, *small_build(pushed), check=1)
    _refused(pushed, proc.stderr, "is not signed", "trusted-public-keys")
    fresh_state(state, f"substituters = {url}\nrequire-sigs = false\n")
    run(state, *small_build(pushed))
    assert builds_run(state) == 0


def test_cache_for_another_store_dir_is_refused(pushed, served):
    cache, url = served
    info = cache / "nix-cache-info"
    info.write_text(info.read_text().replace(str(pushed["state"]), "/nix"))
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    proc = run(state, *small_build(pushed), check=1)
    _refused(pushed, proc.stderr, f"is for the store '/nix/store', not '{state}/store'")


def test_incomplete_cache_falls_back_to_building(pushed, served):
    """A closure with a path missing from the cache is built here instead."""
    cache, url = served
    infos = sorted(cache.glob("*.narinfo"))
    leaf = next(i for i in infos if "-greeting\n" in i.read_text())  # referenced by `all`
    leaf.unlink()
    state = pushed["state"]
    fresh_state(state, _conf(url, pushed["key"]))
    proc = run(state, *small_build(pushed))
    assert proc.stdout.strip() == pushed["small"]
    assert builds_run(state) > 0


def test_bad_config_is_located(pushed, served):
    _, url = served
    state = pushed["state"]
    fresh_state(state, f"substituters = {url}\ntrusted-public-key = x:y\n")
    proc = run(state, *small_build(pushed), check=1)
    assert f"{state}/declos.conf:2:1" in proc.stderr
    assert "unknown setting 'trusted-public-key'" in proc.stderr
    assert "Did you mean 'trusted-public-keys'?" in proc.stderr
    fresh_state(state, "substituters = ftp://x\n")
    proc = run(state, *small_build(pushed), check=1)
    assert "not a file://, http:// or https:// URL" in proc.stderr
    assert f"{state}/declos.conf:1:16" in proc.stderr


def test_unreachable_cache_is_a_clear_error(pushed):
    state = pushed["state"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there
    fresh_state(state, f"substituters = http://127.0.0.1:{port}\n")
    proc = run(state, *small_build(pushed), check=1)
    assert f"cannot reach binary cache 'http://127.0.0.1:{port}'" in proc.stderr
    assert "--no-substitute" in proc.stderr
    run(state, *small_build(pushed), "--no-substitute")


def test_push_refuses_a_cache_whose_nar_is_a_symlink(pushed, tmp_path):
    """A cache directory is not trusted: its `nar` pointing elsewhere does not
    make a push write there."""
    state = pushed["state"]
    fresh_state(state)
    small = run(state, *small_build(pushed), "--no-substitute").stdout.strip()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "nar").symlink_to(elsewhere)
    proc = run(state, "cache", "push", str(cache), small, check=1)
    assert "its 'nar' is a symlink" in proc.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_file_cache_symlink_out_of_it_is_refused(pushed, served, tmp_path):
    """A file:// cache is not trusted: a NAR that is a symlink to a file
    outside it is not read, even one with the right contents."""
    cache, _ = served
    for nar in sorted((cache / "nar").iterdir()):
        outside = tmp_path / nar.name
        nar.rename(outside)
        nar.symlink_to(outside)
    state = pushed["state"]
    fresh_state(state, _conf(f"file://{cache}", pushed["key"]))
    proc = run(state, *small_build(pushed), check=1)
    _refused(pushed, proc.stderr, "names a file outside it")
