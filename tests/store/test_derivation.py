"""Derivations: ATerm, drv paths and output paths, checked against Nix.

`nix-instantiate --store DIR` writes real `.drv` files into a chroot store
(`DIR/nix/store`, logically `/nix/store`), which we read back, byte for byte.
"""

from __future__ import annotations

import json
import os

import pytest

from declos.store.derivation import (
    Derivation,
    DerivationError,
    drv_path,
    instantiate,
    parse_derivation,
    unparse,
)

SIMPLE = (
    'derivation { name = "x"; system = "x86_64-linux"; builder = "/bin/sh"; '
    'args = ["-c" "echo > $out"]; }'
)

COMPLEX = r"""
let
  a = derivation { name = "a"; system = "x86_64-linux"; builder = "/bin/sh";
                   args = ["-c" "echo a > $out; echo > $dev"]; outputs = ["out" "dev"]; };
  f = derivation { name = "f"; system = "x86_64-linux"; builder = "/bin/sh";
                   outputHashMode = "recursive"; outputHashAlgo = "sha256";
                   outputHash = "1xmr8jicvzszfzpz46g37mlpvbzjl2wpwvl2b05psipssyp1sm8h"; };
  flat = derivation { name = "flat"; system = "x86_64-linux"; builder = "/bin/sh";
                      outputHash = "sha256-/N4rLtula/QIYB+3If6bXDONEO5CnqBPrlURto+/j7k="; };
  src = builtins.toFile "s" "hello";
in derivation {
  name = "b"; system = "x86_64-linux"; builder = "/bin/sh";
  args = ["-c" "cat ${a.dev} ${a} ${f} ${flat} ${src} > $out\n\t\"q\\"];
  foo = [1 true "x" null]; bar = false; baz = 3.5;
}
"""


def nix_instantiate(nix, tmp_path, expr):
    """Instantiate `expr` into a chroot store; return (drv path, out path, {path: text})."""
    root = tmp_path / "nixroot"
    drv = nix("nix-instantiate", "--store", str(root), "-E", expr)
    out = json.loads(
        nix("nix-instantiate", "--store", str(root), "--eval", "--json", "-E", f"({expr}).outPath")
    )
    files = {}
    for base in os.listdir(root / "nix" / "store"):
        if base.endswith(".drv"):
            files["/nix/store/" + base] = (root / "nix" / "store" / base).read_text()
    return drv, out, files


def resolver(files):
    def resolve(path: str) -> Derivation:
        name = path.rsplit("/", 1)[1].split("-", 1)[1].removesuffix(".drv")
        return parse_derivation(files[path], name)

    return resolve


def redo(drv: Derivation, resolve) -> Derivation:
    """Instantiate again from the derivation's own inputs, as derivationStrict would."""
    env = {k: v for k, v in drv.env.items() if k not in drv.outputs}
    return instantiate(
        env,
        args=drv.args,
        input_drvs=drv.input_drvs,
        input_srcs=drv.input_srcs,
        store_dir="/nix/store",
        resolve=resolve,
    )


def test_simple_derivation_matches_nix(nix, tmp_path):
    drv = instantiate(
        {"name": "x", "system": "x86_64-linux", "builder": "/bin/sh"},
        args=["-c", "echo > $out"],
        store_dir="/nix/store",
    )
    assert str(drv_path(drv, "/nix/store")) == "/nix/store/70aia2cap0q375yn9vna7r6bkz4lf044-x.drv"
    assert drv.outputs["out"].path == "/nix/store/d3v2zgdgmw8a1ja7d098isx4mdd7jf0g-x"
    want_drv, want_out, files = nix_instantiate(nix, tmp_path, SIMPLE)
    assert str(drv_path(drv, "/nix/store")) == want_drv
    assert drv.outputs["out"].path == want_out
    assert unparse(drv) == files[want_drv]


def test_inputs_fixed_outputs_and_escapes_match_nix(nix, tmp_path):
    want_drv, want_out, files = nix_instantiate(nix, tmp_path, COMPLEX)
    assert len(files) == 4
    resolve = resolver(files)
    for path, text in files.items():
        name = path.rsplit("/", 1)[1].split("-", 1)[1].removesuffix(".drv")
        drv = parse_derivation(text, name)
        assert unparse(drv) == text
        again = redo(drv, resolve)
        assert again == drv
        assert str(drv_path(again, "/nix/store")) == path
    top = resolve(want_drv)
    assert top.outputs["out"].path == want_out
    assert len(top.input_drvs) == 3
    assert any(outs == ("dev", "out") for outs in top.input_drvs.values())
    assert '\n\t"q\\' in top.args[1]
    assert top.env["foo"] == "1 1 x " and top.env["bar"] == ""


def test_fixed_output_hash_is_independent_of_builder(tmp_path):
    env = {
        "name": "f",
        "system": "x",
        "outputHash": "1xmr8jicvzszfzpz46g37mlpvbzjl2wpwvl2b05psipssyp1sm8h",
        "outputHashAlgo": "sha256",
        "outputHashMode": "recursive",
    }
    a = instantiate({**env, "builder": "/bin/a"}, store_dir="/s")
    b = instantiate({**env, "builder": "/bin/b"}, store_dir="/s")
    assert a.outputs["out"].path == b.outputs["out"].path
    assert drv_path(a, "/s") != drv_path(b, "/s")
    consumer = {"name": "c", "system": "x", "builder": "/bin/sh"}
    ca = instantiate(
        consumer, input_drvs={str(drv_path(a, "/s")): ["out"]}, store_dir="/s", resolve=lambda p: a
    )
    cb = instantiate(
        consumer, input_drvs={str(drv_path(b, "/s")): ["out"]}, store_dir="/s", resolve=lambda p: b
    )
    assert ca.outputs["out"].path == cb.outputs["out"].path


@pytest.mark.parametrize(
    "env,message",
    [
        ({"system": "x", "builder": "b"}, "'name' missing"),
        ({"name": "x.drv", "system": "x", "builder": "b"}, "end in '.drv'"),
        ({"name": "a b", "system": "x", "builder": "b"}, "illegal character"),
        ({"name": "x", "system": "x", "builder": "b", "outputs": "out drv"}, "'drv'"),
        ({"name": "x", "system": "x", "builder": "b", "outputs": "out out"}, "duplicate"),
        ({"name": "x", "system": "x", "builder": "b", "outputHash": "nope"}, "type"),
    ],
)
def test_instantiate_errors(env, message):
    with pytest.raises(Exception, match=message) as info:
        instantiate(env, store_dir="/s")
    assert info.value.code in ("derivation", "bad-store-path")


def test_parse_rejects_garbage():
    with pytest.raises(DerivationError):
        parse_derivation('Derive([("out"', "x")
