"""Hash builtins: `hashString`, `hashFile`, `convertHash`.

Digests are printed in base16 as Nix does; Nix's base32 (its own alphabet and
bit order), base64 and SRI forms come from `declos.eval.hashes`, which the
store shares for its paths.
"""

from __future__ import annotations

from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    force_attrs,
    force_string_text,
)
from declos.eval.errors import EvalError

_ALGOS = ("md5", "sha1", "sha256", "sha512")
_FORMATS = ("base16", "nix32", "base32", "base64", "sri")


def _algo(name: str) -> str:
    if name not in _ALGOS:
        raise EvalError(
            f"unknown hash algorithm '{name}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'"
        )
    return name


def digest_hex(algo: str, data: bytes) -> str:
    import hashlib

    return hashlib.new(algo, data).hexdigest()


@builtin("hashString", ("type", "s"))
def hash_string(ev, type_, s):
    algo = _algo(force_string_text(type_, arg_ctx(0, "hashString")))
    text = force_string_text(s, arg_ctx(1, "hashString"))
    return digest_hex(algo, text.encode("utf-8", "surrogateescape"))


@builtin("hashFile", ("type", "p"))
def hash_file(ev, type_, p):
    algo = _algo(force_string_text(type_, arg_ctx(0, "hashFile")))
    from declos.eval.builtins.paths import read_file_bytes, real_path

    path = real_path(ev, p, arg_ctx(1, "hashFile"))
    return digest_hex(algo, read_file_bytes(ev, path))


@builtin("convertHash", ("args",))
def convert_hash(ev, args):
    from declos.eval.hashes import Hash, HashError

    name = "convertHash"
    attrs = force_attrs(args, arg_ctx(0, name))
    if "hash" not in attrs:
        raise EvalError("attribute 'hash' missing").add_frame(
            None, f"while evaluating the first argument passed to builtins.{name}"
        )
    text = force_string_text(
        attrs["hash"], "while evaluating the attribute 'hash' passed to builtins.convertHash"
    )
    algo = None
    if "hashAlgo" in attrs:
        algo = _algo(
            force_string_text(
                attrs["hashAlgo"],
                "while evaluating the attribute 'hashAlgo' passed to builtins.convertHash",
            )
        )
    if "toHashFormat" not in attrs:
        raise EvalError("attribute 'toHashFormat' missing")
    fmt = force_string_text(
        attrs["toHashFormat"],
        "while evaluating the attribute 'toHashFormat' passed to builtins.convertHash",
    )
    if fmt not in _FORMATS:
        raise EvalError(
            f"unknown hash format '{fmt}', expect 'base16', 'base32', 'nix32', 'base64', or 'sri'"
        )
    if algo is None and ":" not in text and "-" not in text:
        raise EvalError(
            f"hash '{text}' does not include a type, nor is the type otherwise known from context"
        )
    try:
        h = Hash.parse(text, algo)
    except HashError as e:
        raise EvalError(e.message) from None
    if fmt == "sri":
        return h.sri()
    return h.to_string(fmt, include_algo=False)
