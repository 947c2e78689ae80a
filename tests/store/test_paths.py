"""Store path computation and name validation, checked against nix-instantiate."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declos.store.hashing import Hash, file_hash, nar_hash
from declos.store.paths import (
    StorePath,
    StorePathError,
    check_name,
    make_fixed_output_path,
    make_source_path,
    make_text_path,
    store_path_of,
)


def nix_eval(nix, expr: str, store_dir: str | None = None) -> object:
    env = dict(os.environ)
    if store_dir is not None:
        env["NIX_STORE_DIR"] = store_dir
    return json.loads(nix("nix-instantiate", "--eval", "--json", "--strict", "-E", expr, env=env))


def test_to_file_known_path():
    p = make_text_path("foo", b"bar", (), "/nix/store")
    assert str(p) == "/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo"
    assert StorePath.parse(str(p)) == p
    assert StorePath.parse(str(p), "/nix/store/") == p


@pytest.mark.parametrize("store_dir", ["/nix/store", "/tmp/declos-test/store"])
@pytest.mark.parametrize("text", ["bar", "", 'multi\nline "quoted" ${x}\n'])
def test_to_file_matches_nix(nix, store_dir, text):
    literal = json.dumps(text).replace("${", "\\${")
    expr = f'builtins.toFile "foo" {literal}'
    assert str(make_text_path("foo", text.encode(), (), store_dir)) == nix_eval(
        nix, expr, store_dir
    )


def test_to_file_with_references_matches_nix(nix):
    expr = """let a = builtins.toFile "a" "A"; b = builtins.toFile "b" "B";
              in [ a b (builtins.toFile "c" "${b} and ${a}") ]"""
    a, b, c = nix_eval(nix, expr)
    want = make_text_path("c", f"{b} and {a}".encode(), [a, b], "/nix/store")
    assert str(want) == c


def test_source_paths_match_nix(nix, tmp_path):
    (tmp_path / "somefile").write_text("some contents\n")
    d = tmp_path / "dir"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "x").write_text("x")
    (d / "l").symlink_to("sub/x")
    got = nix_eval(
        nix,
        f'[ "${{{tmp_path}/somefile}}" "${{{d}}}" '
        f'(builtins.path {{ path = {d}; name = "renamed"; }}) ]',
    )
    assert got == [
        str(make_source_path("somefile", nar_hash(tmp_path / "somefile")[0], "/nix/store")),
        str(make_source_path("dir", nar_hash(d)[0], "/nix/store")),
        str(make_source_path("renamed", nar_hash(d)[0], "/nix/store")),
    ]


def test_flat_fixed_output_path_matches_nix(nix, tmp_path):
    f = tmp_path / "f"
    f.write_text("flat contents")
    h = file_hash(f)
    got = nix_eval(
        nix,
        f'(builtins.path {{ path = {f}; name = "f"; recursive = false; sha256 = "{h.base16()}"; }})',
    )
    assert got == str(make_fixed_output_path("f", h, False, "/nix/store"))
    sha1 = file_hash(f, "sha1")
    got = nix_eval(
        nix,
        f'(builtins.path {{ path = {f}; name = "f"; recursive = false; '
        f'sha256 = "{file_hash(f).base32()}"; }})',
    )
    assert got == str(make_fixed_output_path("f", h, False, "/nix/store"))
    assert make_fixed_output_path("f", sha1, True, "/nix/store").name == "f"


@pytest.mark.parametrize(
    "name,message",
    [
        ("", "must not be empty"),
        ("a b", "illegal character ' '"),
        ("ünï", "illegal character 'ü'"),
        ("a/b", "illegal character '/'"),
        (".hidden", "must not start with a period"),
        ("x" * 212, "longer than 211"),
    ],
)
def test_bad_names(name, message):
    with pytest.raises(StorePathError, match=message) as info:
        check_name(name)
    assert info.value.code == "bad-store-path"


def test_good_names():
    for name in ["a", "x" * 211, "foo-1.2+3_?=", "A.b"]:
        assert check_name(name) == name


@given(st.text(alphabet="abcXYZ019+-._?=", min_size=1, max_size=40).filter(lambda s: s[0] != "."))
def test_store_path_round_trip(name):
    p = make_text_path(name, name.encode(), (), "/s")
    assert StorePath.parse(str(p), "/s") == p
    assert store_path_of(f"{p}/bin/x", "/s") == p


def test_parse_rejects():
    for bad in ["/nix/store/short-x", "/nix/store/" + "e" * 32 + "-x", "x"]:
        with pytest.raises(StorePathError):
            StorePath.parse(bad)
    with pytest.raises(StorePathError):
        StorePath.parse("/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo", "/other")


def test_sri_and_base32_hash_give_same_path():
    h = Hash.of("sha256", b"x")
    assert make_fixed_output_path("n", Hash.parse(h.sri()), False, "/s") == make_fixed_output_path(
        "n", h, False, "/s"
    )
