"""toJSON / fromJSON beyond the golden files (floats, escapes, nlohmann errors)."""

from __future__ import annotations

import pytest

from declos.eval.builtins.json import format_json_float
from declos.eval.builtins.json_errors import nlohmann_error


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (100.0, "100.0"),
        (0.1, "0.1"),
        (1e-4, "0.0001"),
        (1e-5, "1e-05"),
        (123456789012345.0, "123456789012345.0"),
        (1e15, "1e+15"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
        (float("inf"), "null"),
        (float("nan"), "null"),
    ],
)
def test_float_format(x, text):
    assert format_json_float(x) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            b"",
            "line 1, column 1: syntax error while parsing value - unexpected end of input; "
            "expected '[', '{', or a literal",
        ),
        (
            b"01",
            "line 1, column 2: syntax error while parsing value - unexpected number literal; "
            "expected end of input",
        ),
        (
            b"[1,]",
            "line 1, column 4: syntax error while parsing value - unexpected ']'; "
            "expected '[', '{', or a literal",
        ),
        (
            b"[1 2]",
            "line 1, column 4: syntax error while parsing array - unexpected number "
            "literal; expected ']'",
        ),
        (
            b'{"a" 1}',
            "line 1, column 6: syntax error while parsing object separator - "
            "unexpected number literal; expected ':'",
        ),
        (
            b"nul",
            "line 1, column 4: syntax error while parsing value - invalid literal; "
            "last read: 'nul'",
        ),
        (
            b"-",
            "line 1, column 2: syntax error while parsing value - invalid number; expected "
            "digit after '-'; last read: '-'",
        ),
        (
            b'"\\x"',
            "line 1, column 3: syntax error while parsing value - invalid string: "
            "forbidden character after backslash; last read: '\"\\x'",
        ),
        (
            b'"\\ud800"',
            "line 1, column 8: syntax error while parsing value - invalid string: "
            "surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF; "
            "last read: '\"\\ud800\"'",
        ),
        (
            b"{ not json",
            "line 1, column 4: syntax error while parsing object key - invalid "
            "literal; last read: '{ no'; expected string literal",
        ),
    ],
)
def test_nlohmann_messages(text, message):
    assert nlohmann_error(text) == f"[json.exception.parse_error.101] parse error at {message}"


def test_valid_json_has_no_error():
    assert nlohmann_error(b'{"a": [1, 2.5, "\\ud83d\\ude00", null]}') is None


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('builtins.fromJSON "9223372036854775807"', "9223372036854775807"),
        ('builtins.fromJSON "-9223372036854775808"', "-9223372036854775808"),
        ('builtins.fromJSON "-9223372036854775809"', "-9.22337e+18"),
        ('builtins.fromJSON "184467440737095516150"', "1.84467e+20"),
        ('builtins.fromJSON "\\"\\\\ud83d\\\\ude00\\""', '"😀"'),
        ('builtins.toJSON (builtins.fromJSON "\\"\\\\u0001\\"")', '"\\"\\\\u0001\\""'),
        ('builtins.toJSON { a.outPath = "x"; }', '"{\\"a\\":\\"x\\"}"'),
        ('builtins.hasContext (builtins.toJSON [ (builtins.toFile "f" "x") ])', "true"),
    ],
)
def test_values(nix, expr, expected):
    assert nix(expr) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            'builtins.fromJSON "18446744073709551615"',
            "unsigned json number 18446744073709551615 outside of Nix integer range",
        ),
        (
            'builtins.fromJSON "1e400"',
            "[json.exception.out_of_range.406] number overflow parsing '1e400'",
        ),
        (
            'builtins.fromJSON "NaN"',
            "[json.exception.parse_error.101] parse error at line 1, column 1: syntax error while "
            "parsing value - invalid literal; last read: 'N'",
        ),
        ("builtins.toJSON builtins.map", "cannot convert the built-in function 'map' to JSON"),
    ],
)
def test_errors(nix_error, expr, message):
    assert nix_error(expr) == message
