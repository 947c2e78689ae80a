"""Stragglers: `placeholder` and other builtins that fit no family."""

from __future__ import annotations

from declos.eval.builtins.registry import arg_ctx, builtin, force_string_text


def hash_placeholder(output: str) -> str:
    """Nix's `hashPlaceholder`: `/` + nix32(sha256("nix-output:<output>"))."""
    import hashlib

    from declos.store.hashing import base32_encode

    return "/" + base32_encode(hashlib.sha256(f"nix-output:{output}".encode()).digest())


@builtin("placeholder", ("output",))
def placeholder(ev, output):
    return hash_placeholder(force_string_text(output, arg_ctx(0, "placeholder")))
