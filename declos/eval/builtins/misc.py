"""Stragglers: `placeholder` and other builtins that fit no family."""

from __future__ import annotations

from declos.eval.builtins.registry import arg_ctx, builtin, force_string_text


def hash_placeholder(output: str) -> str:
    """Nix's `hashPlaceholder`: `/` + nix32(sha256("nix-output:<output>"))."""
    import hashlib

    from declos.eval.hashes import base32_encode

    return "/" + base32_encode(hashlib.sha256(f"nix-output:{output}".encode()).digest())


@builtin("placeholder", ("output",), global_=True)
def placeholder(ev, output):
    return hash_placeholder(force_string_text(output, arg_ctx(0, "placeholder")))


@builtin("storePath", ("path",))
def store_path(ev, path):
    from declos.eval.builtins.paths import real_path
    from declos.eval.errors import EvalError
    from declos.eval.values import CtxStr

    p = real_path(ev, path, arg_ctx(0, "storePath"))
    store_dir = (ev.store.store_dir if ev.store is not None else "/nix/store").rstrip("/")
    if not p.startswith(store_dir + "/") or len(p) <= len(store_dir) + 1:
        raise EvalError(f"path '{p}' is not in the Nix store")
    top = store_dir + "/" + p[len(store_dir) + 1 :].split("/", 1)[0]
    if ev.store is not None and not ev.store.is_valid(top):
        raise EvalError(f"path '{top}' is not valid")
    return CtxStr(p, frozenset((top,)))
