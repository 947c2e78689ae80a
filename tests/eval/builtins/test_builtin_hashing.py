"""hashString / hashFile / convertHash / placeholder."""

from __future__ import annotations

import pytest


def test_hash_string_algos(nix):
    assert nix('builtins.hashString "sha1" "abc"') == '"a9993e364706816aba3e25717850c26c9cd0d89d"'


def test_hash_file(nix, tmp_path):
    f = tmp_path / "x"
    f.write_bytes(b"abc")
    assert nix(f'builtins.hashFile "md5" {f}') == '"900150983cd24fb0d6963f7d28e17f72"'


@pytest.mark.parametrize(
    ("fmt", "out"),
    [
        ("base16", "900150983cd24fb0d6963f7d28e17f72"),
        ("nix32", "3jgzhjhz9zjvbb0kyj7jc500ch"),
        ("base32", "3jgzhjhz9zjvbb0kyj7jc500ch"),
        ("base64", "kAFQmDzST7DWlj99KOF/cg=="),
        ("sri", "md5-kAFQmDzST7DWlj99KOF/cg=="),
    ],
)
def test_convert_hash_formats(nix, fmt, out):
    expr = (
        'builtins.convertHash { hash = builtins.hashString "md5" "abc"; '
        f'hashAlgo = "md5"; toHashFormat = "{fmt}"; }}'
    )
    assert nix(expr) == f'"{out}"'


def test_convert_hash_from_sri_and_prefixed(nix):
    assert (
        nix(
            'builtins.convertHash { hash = "sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0="; toHashFormat = "nix32"; }'
        )
        == '"kpcd173cq987hw957sx6m0868wv3x6d9"'
    )


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            'builtins.hashString "sha257" ""',
            "unknown hash algorithm 'sha257', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'",
        ),
        (
            'builtins.convertHash { hash = "abc"; toHashFormat = "hex"; }',
            "unknown hash format 'hex', expect 'base16', 'base32', 'nix32', 'base64', or 'sri'",
        ),
        (
            'builtins.convertHash { hash = "abcd"; toHashFormat = "sri"; }',
            "hash 'abcd' does not include a type, nor is the type otherwise known from context",
        ),
    ],
)
def test_errors(nix_error, expr, message):
    assert nix_error(expr) == message


def test_placeholder(nix):
    assert (
        nix('builtins.placeholder "out"')
        == '"/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9"'
    )
