"""compareVersions / splitVersion / parseDrvName edge cases (checked against Nix)."""

from __future__ import annotations

import pytest

from declos.eval.builtins.versions import compare_versions, parse_drv_name


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ("1.0pre", "1.0", -1),
        ("1.0a", "1.0.1", -1),
        ("99999999999", "1", -1),  # too big for an int: a word, and words sort first
        ("1.", "1", 0),
        ("1..2", "1.2", 0),
        ("2.3pre1", "2.3pre2", -1),
        ("pre", "pre", 0),
        ("a", "", 1),
    ],
)
def test_compare(a, b, result):
    assert compare_versions(a, b) == result
    assert compare_versions(b, a) == -result


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("foo-", ("foo-", "")),
        ("-1", ("", "1")),
        ("foo-bar-1.0-rc", ("foo-bar", "1.0-rc")),
        ("foo--1", ("foo", "-1")),
        ("foo-λ", ("foo", "λ")),
    ],
)
def test_parse_drv_name(name, parsed):
    assert parse_drv_name(name) == parsed


def test_split_version(nix):
    assert nix('builtins.splitVersion "1..2--3"') == '[ "1" "2" "3" ]'


def test_context_is_rejected(nix_error):
    msg = nix_error('builtins.compareVersions (builtins.toFile "f" "x") "1"')
    assert "is not allowed to refer to a store path" in msg
