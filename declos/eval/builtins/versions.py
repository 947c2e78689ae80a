"""Version builtins: `compareVersions`, `splitVersion`, `parseDrvName`.

Nix's rules (libstore/names.cc): a version is split into components at `.`
and `-`, and between runs of digits and runs of other characters.  Two
components compare numerically when both are numbers; `pre` sorts before
everything, the empty component before a number, and a number after a word
(`2.3a < 2.3.1`); otherwise byte-wise.
"""

from __future__ import annotations

from declos.eval.builtins.registry import arg_ctx, builtin, force_string_no_context
from declos.eval.values import Attrs

_INT_MAX = 2**31 - 1  # Nix parses components with string2Int<int>


def _components(v: str) -> list[str]:
    out = []
    i, n = 0, len(v)
    while i < n:
        while i < n and (v[i] == "." or v[i] == "-"):
            i += 1
        if i == n:
            break
        start = i
        if "0" <= v[i] <= "9":
            while i < n and "0" <= v[i] <= "9":
                i += 1
        else:
            while i < n and not ("0" <= v[i] <= "9") and v[i] != "." and v[i] != "-":
                i += 1
        out.append(v[start:i])
    return out


def _as_int(c: str) -> int | None:
    if c and c.isascii() and c.isdigit():
        n = int(c)
        if n <= _INT_MAX:
            return n
    return None


def _component_lt(c1: str, c2: str) -> bool:
    n1, n2 = _as_int(c1), _as_int(c2)
    if n1 is not None and n2 is not None:
        return n1 < n2
    if c1 == "" and n2 is not None:
        return True
    if c1 == "pre" and c2 != "pre":
        return True
    if c2 == "pre":
        return False
    if n2 is not None:
        return True
    if n1 is not None:
        return False
    return c1.encode() < c2.encode()


def compare_versions(v1: str, v2: str) -> int:
    if v1 == v2:
        return 0
    a, b = _components(v1), _components(v2)
    for i in range(max(len(a), len(b))):
        c1 = a[i] if i < len(a) else ""
        c2 = b[i] if i < len(b) else ""
        if _component_lt(c1, c2):
            return -1
        if _component_lt(c2, c1):
            return 1
    return 0


@builtin("compareVersions", ("s1", "s2"))
def compare_versions_(ev, s1, s2):
    a = force_string_no_context(s1, arg_ctx(0, "compareVersions"))
    b = force_string_no_context(s2, arg_ctx(1, "compareVersions"))
    return compare_versions(a, b)


@builtin("splitVersion", ("s",))
def split_version(ev, s):
    return _components(force_string_no_context(s, arg_ctx(0, "splitVersion")))


def parse_drv_name(s: str) -> tuple[str, str]:
    """(name, version): split at the first `-` not followed by a letter."""
    i = s.find("-")
    while i != -1:
        if i + 1 < len(s) and not (s[i + 1].isascii() and s[i + 1].isalpha()):
            return s[:i], s[i + 1 :]
        i = s.find("-", i + 1)
    return s, ""


@builtin("parseDrvName", ("s",))
def parse_drv_name_(ev, s):
    text = force_string_no_context(s, arg_ctx(0, "parseDrvName"))
    name, version = parse_drv_name(text)
    return Attrs({"name": name, "version": version})
