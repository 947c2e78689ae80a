"""String builtins.  Lengths and offsets count UTF-8 bytes, as Nix's do."""

from __future__ import annotations

import functools
import re

from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    coerce_string,
    force,
    force_int,
    force_list,
    force_string,
    force_string_text,
)
from declos.eval.errors import EvalError
from declos.eval.ops import canonicalize_path
from declos.eval.values import CtxStr, PathValue, make_string, string_context, string_text


def _bytes_to_str(b: bytes) -> str:
    return b.decode("utf-8", errors="surrogateescape")


def _str_to_bytes(s: str) -> bytes:
    return s.encode("utf-8", errors="surrogateescape")


@builtin("toString", ("e",), global_=True)
def to_string(ev, e):
    s, c = coerce_string(
        ev,
        e,
        "while evaluating the first argument passed to builtins.toString",
        copy_to_store=False,
        more=True,
    )
    return make_string(s, c)


@builtin("stringLength", ("e",))
def string_length(ev, e):
    s, _ = coerce_string(ev, e, "while evaluating the argument passed to builtins.stringLength")
    return len(_str_to_bytes(s))


@builtin("substring", ("start", "len", "s"))
def substring(ev, start, length, s):
    i = force_int(
        start, "while evaluating the first argument (the start offset) passed to builtins.substring"
    )
    n = force_int(
        length,
        "while evaluating the second argument (the substring length) passed to builtins.substring",
    )
    text, context = coerce_string(
        ev, s, "while evaluating the third argument (the string) passed to builtins.substring"
    )
    if i < 0:
        raise EvalError("negative start position in 'substring'")
    if n < 0:
        n = 1 << 62
    if text.isascii():
        return make_string(text[i : i + n], context)
    data = _str_to_bytes(text)
    return make_string(_bytes_to_str(data[i : i + n]), context)


@builtin("concatStringsSep", ("separator", "list"))
def concat_strings_sep(ev, sep, xs):
    sep_v = force_string(
        sep,
        "while evaluating the first argument (the separator string) passed to builtins.concatStringsSep",
    )
    context = set(string_context(sep_v))
    texts = []
    for item in force_list(
        xs,
        "while evaluating the second argument (the list of strings to concat) passed to builtins.concatStringsSep",
    ):
        s, c = coerce_string(
            ev,
            item,
            "while evaluating one element of the list of strings to concat passed to builtins.concatStringsSep",
            copy_to_store=True,
        )
        texts.append(s)
        context |= c
    return make_string(string_text(sep_v).join(texts), context)


@functools.lru_cache(maxsize=256)
def _alternation(froms: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, int]]:
    """A regex matching any of `froms` (first listed first), and each
    string's first index."""
    first: dict[str, int] = {}
    for k, f in enumerate(froms):
        first.setdefault(f, k)
    return re.compile("|".join(re.escape(f) for f in froms)), first


@builtin("replaceStrings", ("from", "to", "s"))
def replace_strings(ev, from_, to, s):
    froms = [
        force_string_text(
            x, "while evaluating one of the strings to replace passed to builtins.replaceStrings"
        )
        for x in force_list(from_, arg_ctx(0, "replaceStrings"))
    ]
    tos_raw = force_list(to, arg_ctx(1, "replaceStrings"))
    if len(froms) != len(tos_raw):
        raise EvalError(
            "'from' and 'to' arguments passed to builtins.replaceStrings have different lengths"
        )
    tos: list = [None] * len(tos_raw)
    subject_v = force_string(s, arg_ctx(2, "replaceStrings"))
    subject = string_text(subject_v)
    context = set(string_context(subject_v))

    def replacement(k: int) -> str:
        if tos[k] is None:
            tos[k] = force_string(
                tos_raw[k],
                "while evaluating one of the replacement strings passed to builtins.replaceStrings",
            )
        context.update(string_context(tos[k]))
        return string_text(tos[k])

    if froms and all(froms):
        # One pass of a compiled alternation: at each position the first
        # `from` that matches wins, as in the loop below.
        pattern, first = _alternation(tuple(froms))
        text = pattern.sub(lambda m: replacement(first[m.group(0)]), subject)
        return make_string(text, context)
    out = []
    i = 0
    n = len(subject)
    while i <= n:
        for k, f in enumerate(froms):
            if subject.startswith(f, i):
                out.append(replacement(k))
                if f:
                    i += len(f)
                else:
                    if i < n:
                        out.append(subject[i])
                    i += 1
                break
        else:
            if i < n:
                out.append(subject[i])
            i += 1
    return make_string("".join(out), context)


@builtin("baseNameOf", ("x",), global_=True)
def base_name_of(ev, x):
    v = force(x)
    if type(v) is PathValue:
        text, context = v.path, frozenset[str]()
    else:
        text, context = coerce_string(
            ev,
            v,
            "while evaluating the first argument passed to builtins.baseNameOf",
            copy_to_store=False,
        )
    if text.endswith("/"):
        text = text[:-1]
    return make_string(text[text.rfind("/") + 1 :], context)


@builtin("dirOf", ("s",), global_=True)
def dir_of(ev, s):
    v = force(s)
    if type(v) is PathValue:
        p = v.path
        pos = p.rfind("/")
        return PathValue(canonicalize_path(p[:pos] if pos > 0 else "/"))
    text, context = coerce_string(
        ev, v, "while evaluating the first argument passed to builtins.dirOf", copy_to_store=False
    )
    pos = text.rfind("/")
    if pos == -1:
        return make_string(".", context)
    if pos == 0:
        return make_string("/", context)
    return make_string(text[:pos], context)


__all__ = ["CtxStr"]
