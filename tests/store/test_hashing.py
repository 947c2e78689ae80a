"""Nix base32, hash conversions and NAR, checked against the real Nix tools."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declos.store.hashing import (
    Hash,
    HashError,
    base32_decode,
    base32_encode,
    compress_hash,
    file_hash,
    nar_bytes,
    nar_hash,
    restore_nar,
)

needs_nix = pytest.mark.skipif(shutil.which("nix-hash") is None, reason="Nix is not installed")


def make_tree(root):
    """A tree with every kind of NAR node: files, executables, symlinks,
    empty files, nested and empty directories, odd names and sizes."""
    root.mkdir()
    (root / "a").write_text("hello\n")
    (root / "empty").write_bytes(b"")
    (root / "sub").mkdir()
    (root / "sub" / "run").write_bytes(b"#!/bin/sh\necho 12345\n")
    os.chmod(root / "sub" / "run", 0o755)
    (root / "sub" / "bin").write_bytes(bytes(range(256)) * 33)
    (root / "sub" / "link").symlink_to("../a")
    (root / "dangling").symlink_to("/nowhere/at/all")
    (root / "emptydir").mkdir()
    (root / "B-upper").write_text("sorted before lower case")
    (root / "name with spaces").write_text("x" * 7)
    return root


def test_base32_known_values():
    digest = hashlib.sha256(b"bar").digest()
    assert base32_encode(digest) == "1fcgpy7vc4ammr7s17j2xq88scswkgz23dqzc04g8sx5vcp2pppw"
    assert base32_encode(b"") == ""
    assert base32_decode(base32_encode(digest)) == digest


@given(st.binary(min_size=1, max_size=80))
def test_base32_round_trip(data):
    text = base32_encode(data)
    assert len(text) == (len(data) * 8 - 1) // 5 + 1
    assert base32_decode(text, len(data)) == data


@given(st.binary(max_size=200))
def test_hash_stable_across_encodings(data):
    for algo in ("md5", "sha1", "sha256", "sha512"):
        h = Hash.of(algo, data)
        assert h.digest == hashlib.new(algo, data).digest()
        for enc in ("base16", "base32", "base64"):
            assert Hash.parse(h.to_string(enc)) == h
            assert Hash.parse(h.to_string(enc, include_algo=False), algo) == h
        assert Hash.parse(h.sri()) == h


def test_base32_rejects_bad_input():
    with pytest.raises(HashError):
        base32_decode("e" * 52)  # 'e' is not in Nix's alphabet
    with pytest.raises(HashError):
        base32_decode("z" * 52)  # overflows 32 bytes
    with pytest.raises(HashError):
        Hash.parse("sha256:abc")
    with pytest.raises(HashError):
        Hash.parse("abc")


def test_compress_hash():
    assert compress_hash(bytes(range(32)), 20) == bytes(
        (i ^ (i + 20)) if i < 12 else i for i in range(20)
    )


@needs_nix
@pytest.mark.parametrize("data", [b"", b"bar", b"a" * 1000, bytes(range(256))])
def test_base32_matches_nix_hash(tmp_path, data, nix):
    hex_digest = hashlib.sha256(data).hexdigest()
    want = nix("nix-hash", "--type", "sha256", "--to-base32", hex_digest)
    assert Hash.parse(hex_digest, "sha256").base32() == want
    sha1 = hashlib.sha1(data).hexdigest()
    assert Hash.parse(sha1, "sha1").base32() == nix(
        "nix-hash", "--type", "sha1", "--to-base32", sha1
    )
    f = tmp_path / "f"
    f.write_bytes(data)
    assert file_hash(f).base32() == nix(
        "nix-hash", "--type", "sha256", "--flat", "--base32", str(f)
    )


@needs_nix
def test_nar_matches_nix(tmp_path, nix):
    tree = make_tree(tmp_path / "tree")
    dumped = subprocess.run(["nix-store", "--dump", str(tree)], check=True, capture_output=True)
    assert nar_bytes(tree) == dumped.stdout
    h, size = nar_hash(tree)
    assert size == len(dumped.stdout)
    assert h.base32() == nix("nix-hash", "--type", "sha256", "--base32", str(tree))
    # single files and symlinks are NARs too
    for p in (tree / "a", tree / "sub" / "run", tree / "sub" / "link"):
        assert nar_hash(p)[0].base16() == nix("nix-hash", "--type", "sha256", str(p))


def test_nar_restore_round_trip(tmp_path):
    tree = make_tree(tmp_path / "tree")
    data = nar_bytes(tree)
    restore_nar(data, tmp_path / "copy")
    assert nar_bytes(tmp_path / "copy") == data


_names = st.text(alphabet="abcxyz019._-", min_size=1, max_size=8).filter(
    lambda n: n not in (".", "..")
)
_trees = st.recursive(
    st.one_of(
        st.tuples(st.just("file"), st.binary(max_size=64), st.booleans()),
        st.tuples(st.just("link"), st.text(alphabet="abc/.", min_size=1, max_size=10)),
    ),
    lambda children: st.dictionaries(_names, children, max_size=4),
    max_leaves=12,
)


def _write(path, node):
    if isinstance(node, dict):
        os.mkdir(path)
        for name, child in node.items():
            _write(os.path.join(path, name), child)
    elif node[0] == "file":
        with open(path, "wb") as f:
            f.write(node[1])
        os.chmod(path, 0o755 if node[2] else 0o644)
    else:
        os.symlink(node[1], path)


@needs_nix
@settings(max_examples=25, deadline=None)
@given(tree=_trees)
def test_nar_of_random_trees_matches_nix_and_round_trips(tmp_path_factory, tree):
    root = tmp_path_factory.mktemp("t") / "tree"
    _write(str(root), tree)
    data = nar_bytes(root)
    dumped = subprocess.run(["nix-store", "--dump", str(root)], check=True, capture_output=True)
    assert data == dumped.stdout
    copy = root.parent / "copy"
    restore_nar(data, copy)
    assert nar_hash(copy) == nar_hash(root)
