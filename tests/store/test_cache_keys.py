"""Ed25519 (RFC 8032's test vectors, Nix's keys and signatures), key files,
narinfo and nix-cache-info texts, and the declos.conf settings."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from declos.diagnostics import render
from declos.store import ed25519
from declos.store.cache_config import parse_settings
from declos.store.cache_keys import CacheKeyError, PublicKey, SecretKey, fingerprint
from declos.store.cache_narinfo import CacheError, CacheInfo, NarInfo

# RFC 8032, section 7.1: (secret key, public key, message, signature).
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (  # TEST SHA(abc): the message is SHA-512("abc")
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        hashlib.sha512(b"abc").hexdigest(),
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
        "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
]


@pytest.mark.parametrize(("sk", "pk", "msg", "sig"), RFC8032)
def test_rfc8032_vectors(sk, pk, msg, sig):
    sk, pk, msg, sig = map(bytes.fromhex, (sk, pk, msg, sig))
    assert ed25519.public_key(sk) == pk
    assert ed25519.sign(sk, msg) == sig
    assert ed25519.verify(pk, msg, sig)
    assert not ed25519.verify(pk, msg + b"x", sig)
    assert not ed25519.verify(pk, msg, sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not ed25519.verify(pk, msg, sig[:32] + (ed25519.L + 1).to_bytes(32, "little"))
    assert not ed25519.verify(pk[:31] + bytes([pk[31] ^ 0x40]), msg, sig)


def test_keys_and_signatures_made_by_nix(tmp_path):
    """A key `nix-store --generate-binary-cache-key` wrote, and what Nix signs with it."""
    if shutil.which("nix-store") is None:
        pytest.skip("Nix is not installed")
    sec, pub = tmp_path / "k.sec", tmp_path / "k.pub"
    subprocess.run(
        ["nix-store", "--generate-binary-cache-key", "nix-1", sec, pub],
        check=True,
        capture_output=True,
    )
    key = SecretKey.load(str(sec))
    assert str(key.public()) == pub.read_text()
    assert str(key) == sec.read_text()
    # `nix store sign` on a path of a chroot store, compared with ours.
    root = tmp_path / "root"
    (tmp_path / "f").write_text("x")
    url = f"local?root={root}"
    nix = ["nix", "--extra-experimental-features", "nix-command"]
    path = subprocess.run(
        ["nix-store", "--store", url, "--add", tmp_path / "f"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run([*nix, "store", "sign", "--store", url, "-k", sec, path], check=True)
    out = subprocess.run(
        [*nix, "path-info", "--store", url, "--sigs", "--json", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    info = json.loads(out)[0]
    from declos.store.hashing import Hash

    fp = fingerprint(path, str(Hash.parse(info["narHash"])), info["narSize"], info["references"])
    assert info["signatures"] == [key.sign(fp)]
    assert key.public().verify(fp, info["signatures"][0])


def test_key_files_are_checked():
    key = SecretKey.generate("k-1")
    assert SecretKey.parse(str(key)) == key
    assert PublicKey.parse(str(key.public())) == key.public()
    with pytest.raises(CacheKeyError, match="must be NAME:BASE64"):
        PublicKey.parse("nocolon")
    with pytest.raises(CacheKeyError, match="not valid base64"):
        PublicKey.parse("k:***")
    with pytest.raises(CacheKeyError, match="has 3 bytes, an Ed25519 public key has 32"):
        PublicKey.parse("k:AAAA")
    with pytest.raises(CacheKeyError, match="does not hold its own public key"):
        other = SecretKey.generate("k-1")
        SecretKey.parse(str(key)[:-44] + str(other)[-44:])  # another key's public half
    with pytest.raises(CacheKeyError, match="invalid key name"):
        SecretKey.generate("a:b")
    fp = fingerprint("/s/x", "sha256:" + "0" * 52, 5, ["/s/b", "/s/a"])
    assert fp == f"1;/s/x;sha256:{'0' * 52};5;/s/a,/s/b"
    sig = key.sign(fp)
    assert key.public().verify(fp, sig)
    assert not key.public().verify(fp + "x", sig)
    assert not SecretKey.generate("k-1").public().verify(fp, sig)


NIX_NARINFO = """StorePath: /s/store/xnvpqa0qkqzq6zm79db45jaybhbaam49-b
URL: nar/01s7vk2bgnb4qdfv0nnxrmgc32zbqz2i3pfn84vjr2bfpysf8r4v.nar.xz
Compression: xz
FileHash: sha256:01s7vk2bgnb4qdfv0nnxrmgc32zbqz2i3pfn84vjr2bfpysf8r4v
FileSize: 180
NarHash: sha256:01ld0h0yqjcpinsap7b4xjws5j7ga8qjl5d1864lyiblblwsmkpf
NarSize: 176
References: 0c94xr16yn515k097m3vwiysb40fgs0y-a
Sig: test-1:n6APOiBP1Nb45278ivG07I0nILnF3ysFSOoEozTM4D4Gw6kcpGSYUhXhCdxjon9ncLqqt3dqkB5c+iy6e8oTAA==
CA: text:sha256:1vklx7j64iqv5dvvzsgyxdiiy73wa6b9q3dp747d1r0idgqvab8p
"""


def test_narinfo_as_nix_writes_it():
    info = NarInfo.parse(NIX_NARINFO, "/s/store", "x.narinfo")
    assert info.references == ("/s/store/0c94xr16yn515k097m3vwiysb40fgs0y-a",)
    assert info.render() == NIX_NARINFO
    assert info.fingerprint().startswith("1;/s/store/xnvpqa0qkqzq6zm79db45jaybhbaam49-b;sha256:")
    bare = NarInfo.parse("StorePath: /s/store/" + NIX_NARINFO.split("/s/store/")[1].split("\n")[0]
                         + "\nURL: nar/x.nar\nNarHash: sha256:" + "0" * 52 + "\nNarSize: 1\n", "/s/store", "y")  # fmt: skip
    assert bare.compression == "bzip2" and bare.references == () and bare.deriver is None
    with pytest.raises(CacheError, match="is not in the Nix store '/other'"):
        NarInfo.parse(NIX_NARINFO, "/other", "x.narinfo")
    with pytest.raises(CacheError, match="corrupt: it has no NarHash"):
        NarInfo.parse(
            "StorePath: /s/store/xnvpqa0qkqzq6zm79db45jaybhbaam49-b\nURL: u\n", "/s/store", "x"
        )
    info = CacheInfo.parse("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n", "i")
    assert info == CacheInfo("/nix/store", True, 40)
    assert CacheInfo.parse(info.render(), "i") == info


def test_settings_are_parsed_and_errors_located():
    key = SecretKey.generate("c-1").public()
    text = (
        "# a comment\n"
        "substituters = https://a.example file:///srv/c/   # trailing comment\n"
        "extra-substituters = http://127.0.0.1:8080\n"
        f"trusted-public-keys = {key}\n"
        "require-sigs = false\n"
        "secret-key-files = /k/c-1.sec\n"
    )
    s = parse_settings(text, "/state/declos.conf")
    assert s.substituters == ("https://a.example", "file:///srv/c", "http://127.0.0.1:8080")
    assert s.trusted() == {"c-1": key}
    assert s.require_sigs is False and s.secret_key_files == ("/k/c-1.sec",)
    cases = [
        (
            "substituter = x\n",
            "1:1",
            "unknown setting 'substituter'",
            "Did you mean 'substituters'?",
        ),
        (
            "substituters = http://a ftp://b\n",
            "1:25",
            "not a file://, http:// or https:// URL",
            None,
        ),
        ("trusted-public-keys = k:AAAA\n", "1:23", "an Ed25519 public key has 32", None),
        ("require-sigs = maybe\n", "1:16", "'true' or 'false'", None),
        ("\n  secret-key-files = rel.sec\n", "2:22", "is not an absolute path", None),
        ("just words\n", "1:1", "expected 'name = value'", None),
    ]
    for text, where, message, hint in cases:
        with pytest.raises(CacheError) as e:
            parse_settings(text, "/state/declos.conf")
        shown = render(e.value)
        assert f"/state/declos.conf:{where}" in shown and message in shown, shown
        if hint:
            assert hint in shown
