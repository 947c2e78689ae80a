"""Binary caches shared with Nix 2.8: each side reads what the other wrote.

Nix runs on a chroot store whose store directory is declos' own
(`local?root=<tmp>&store=<state>/store`), so both name the same paths.
Nix's `nix copy --from` takes a cache declos pushed (checking declos'
signatures against `trusted-public-keys`), and a fresh declos state
directory builds from a cache that `nix copy --to file://…` wrote, signed
with a key Nix generated, running no builder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from cache_helpers import NIX, builds_run, fresh_state, nix_store_url, run
from nix_oracle import run_nix
from store_helpers import PKGS

from declos.store.cache_keys import SecretKey
from declos.store.cache_narinfo import NarInfo

SMALL = (
    PKGS
    + """rec {
  text = writeText "greeting" "hello";
  all = runCommand "all" { inherit text; } ''
    mkdir -p $out; cp $text $out/copy; echo "$text" > $out/ref; ln -s $text $out/link
  '';
}
"""
)


@pytest.fixture
def setup(tmp_path):
    if shutil.which("nix") is None:
        pytest.skip("Nix is not installed")
    state = tmp_path / "state"
    (tmp_path / "small.dcl").write_text(SMALL)
    build = ("build", str(tmp_path / "small.dcl"), "-A", "all", "--no-out-link")
    top = run(state, *build).stdout.strip()
    return {
        "state": state,
        "top": top,
        "build": build,
        "nix_store": nix_store_url(tmp_path / "nixroot", f"{state}/store"),
        "tmp": tmp_path,
    }


def _nix_key(tmp) -> None:
    """`nix-test-1`, a key pair Nix generates: `tmp`/n.sec and n.pub."""
    argv = ["nix-store", "--generate-binary-cache-key", "nix-test-1"]
    run_nix([*argv, str(tmp / "n.sec"), str(tmp / "n.pub")], check=True)


def _nix_import(setup) -> None:
    """Nix's store gets the closure of declos' `all` (`nix-store --import`)."""
    export = run(setup["state"], "store", "export", "--closure", setup["top"], text=False)
    argv = ["nix-store", "--store", setup["nix_store"], "--import"]
    subprocess.run(argv, input=export.stdout, capture_output=True, check=True)


def _nix(*argv) -> str:
    proc = run_nix([*NIX, *argv])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_nix_copy_takes_a_cache_declos_pushed(setup):
    state, top, tmp = setup["state"], setup["top"], setup["tmp"]
    printed = run(
        None, "cache", "keygen", "declos-test-1",
        "--secret-key-file", str(tmp / "k.sec"), "--public-key-file", str(tmp / "k.pub"),
    ).stdout  # fmt: skip
    pub = SecretKey.generate("declos-test-1").public()  # the same name, another key
    key = SecretKey.load(str(tmp / "k.sec"))
    assert printed.strip() == str(key.public()) == (tmp / "k.pub").read_text()
    assert os.stat(tmp / "k.sec").st_mode & 0o777 == 0o600
    run(state, "cache", "push", str(tmp / "cache"), top, "--secret-key-file", str(tmp / "k.sec"))
    source = f"file://{tmp}/cache?store={state}/store"
    refused = run_nix(
        [*NIX, "copy", "--from", source, "--store", setup["nix_store"], top]
        + ["--option", "trusted-public-keys", str(pub)]
    )
    assert refused.returncode != 0 and "lacks a valid signature" in refused.stderr
    _nix(
        "copy", "--from", source, "--store", setup["nix_store"], top,
        "--option", "trusted-public-keys", str(key.public()),
    )  # fmt: skip
    info = json.loads(_nix("path-info", "--store", setup["nix_store"], "--json", "--sigs", top))
    ours = json.loads(run(state, "store", "path-info", "--json", top).stdout)[0]
    assert info[0]["narSize"] == ours["narSize"]
    assert info[0]["signatures"][0].startswith("declos-test-1:")
    check = run_nix(["nix-store", "--store", setup["nix_store"], "--verify-path", top])
    assert check.returncode == 0, check.stderr


def test_declos_builds_from_a_cache_nix_copy_wrote(setup):
    state, top, tmp = setup["state"], setup["top"], setup["tmp"]
    _nix_import(setup)
    _nix_key(tmp)
    dest = f"file://{tmp}/nixcache?store={state}/store&secret-key={tmp}/n.sec"
    _nix("copy", "--store", setup["nix_store"], "--to", dest, top)
    narinfos = list((tmp / "nixcache").glob("*.narinfo"))
    assert narinfos and all("Sig: nix-test-1:" in p.read_text() for p in narinfos)
    # declos signs exactly as Nix does (Ed25519 is deterministic).
    nix_key = SecretKey.load(str(tmp / "n.sec"))
    for p in narinfos:
        info = NarInfo.parse(p.read_text(), f"{state}/store", str(p))
        assert info.sigs == (nix_key.sign(info.fingerprint()),)
    with open(tmp / "n.pub") as f:
        conf = f"substituters = file://{tmp}/nixcache\ntrusted-public-keys = {f.read()}\n"
    fresh_state(state, conf)
    proc = run(state, *setup["build"])
    assert proc.stdout.strip() == top
    assert builds_run(state) == 0
    assert f"from file://{tmp}/nixcache" in proc.stderr
    run(state, "store", "verify", "--check-contents")


def test_declos_fetches_paths_nix_added(setup):
    """Paths Nix made itself (a source with `nix-store --add`, a text with a
    reference from `builtins.toFile`), fetched with `declos cache fetch`."""
    state, tmp = setup["state"], setup["tmp"]
    (tmp / "src").mkdir()
    (tmp / "src" / "f").write_text("file\n")
    os.symlink("f", tmp / "src" / "l")
    added = run_nix(
        ["nix-store", "--store", setup["nix_store"], "--add", str(tmp / "src")], check=True
    )
    text = run_nix(
        ["nix-instantiate", "--store", setup["nix_store"], "--read-write-mode", "--eval", "-E"]
        + ['builtins.toFile "b" "see ${builtins.toFile "a" "x"}"'],
        check=True,
    )
    paths = [added.stdout.strip(), json.loads(text.stdout)]
    _nix_key(tmp)
    dest = f"file://{tmp}/nixcache?store={state}/store&secret-key={tmp}/n.sec&compression=xz"
    _nix("copy", "--store", setup["nix_store"], "--to", dest, *paths)
    unsigned = f"file://{tmp}/nixcache"
    fresh_state(state)
    proc = run(state, "cache", "fetch", "--substituter", unsigned, *paths, check=1)
    assert "is not signed" in proc.stderr or "no valid signature" in proc.stderr
    with open(tmp / "n.pub") as f:
        fresh_state(state, f"trusted-public-keys = {f.read()}\n")
    out = run(state, "cache", "fetch", "--substituter", unsigned, *paths)
    assert len(out.stdout.split()) == 3  # with `a`, referenced by `b`
    rows = json.loads(run(state, "store", "path-info", "--json", *paths).stdout)
    assert rows[1]["references"] and rows[1]["references"][0].endswith("-a")
    assert rows[0]["ca"].startswith("fixed:r:sha256:")
    run(state, "store", "verify", "--check-contents")


def test_zstd_cache_written_by_nix(setup):
    if shutil.which("zstd") is None:
        pytest.skip("the zstd program is not installed")
    state, top, tmp = setup["state"], setup["top"], setup["tmp"]
    _nix_import(setup)
    dest = f"file://{tmp}/zcache?store={state}/store&compression=zstd"
    _nix("copy", "--store", setup["nix_store"], "--to", dest, top)
    assert any(p.suffix == ".zst" for p in (tmp / "zcache" / "nar").iterdir())
    fresh_state(state, f"substituters = file://{tmp}/zcache\nrequire-sigs = false\n")
    assert run(state, *setup["build"]).stdout.strip() == top
    assert builds_run(state) == 0
