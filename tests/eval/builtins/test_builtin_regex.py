"""POSIX ERE translation for `match`/`split`; expectations checked against Nix."""

from __future__ import annotations

import pytest

from declos.eval.builtins.regex import RegexSyntaxError, translate


@pytest.mark.parametrize(
    ("regex", "subject", "expected"),
    [
        # `.` and bracket expressions work on bytes, as std::regex does
        (".", "λ", "null"),
        ("..", "λ", "[ ]"),
        ("[^a]", "λ", "null"),
        # `]` first is literal; `\` is literal inside brackets
        ("[]a]+", "]a]", "[ ]"),
        ("[^]a]+", "bc", "[ ]"),
        ("[a\\\\]+", "a\\\\", "[ ]"),
        ("[\\\\n]", "n", "[ ]"),
        # `-` first, last, or as a range end
        ("[a-]+", "a-", "[ ]"),
        ("[--/]+", "-./", "[ ]"),
        ("[%--]+", "%-", "[ ]"),
        ("[[:alpha:]-]", "-", "[ ]"),
        # classes, case-insensitive names, libstdc++'s short names
        ("[[:Digit:]]", "1", "[ ]"),
        ("[[:w:]]+", "a_1", "[ ]"),
        ("[[:punct:]]+", "!/:@[`{~", "[ ]"),
        ("[[:xdigit:]]+", "09afAF", "[ ]"),
        ("[[:blank:]]+", " \\t", "[ ]"),
        ("[[:space:]]+", " \\t\\n\\r", "[ ]"),
        ("[[.a.]-c]+", "abc", "[ ]"),
        ("[[=a=]]", "a", "[ ]"),
        # anchors: `$` is the end only, `^`/`$` in the middle never match
        ("a$", "a\\n", "null"),
        ("a^b", "a^b", "null"),
        ("(^a)", "a", '[ "a" ]'),
        # escapes of special characters are literal
        ("\\\\(\\\\.\\\\*", "(.*", "[ ]"),
        ("\\\\{", "{", "[ ]"),
        # `}` alone is an ordinary character
        ("a}", "a}", "[ ]"),
        # stacked quantifiers repeat the repetition; never lazy or possessive
        ("a**", "aaa", "[ ]"),
        ("(a*)?", "aaa", '[ "aaa" ]'),
        ("a{1}{2}", "aa", "[ ]"),
        ("a+?", "aaa", "[ ]"),
        ("a*+", "aaa", "[ ]"),
        # empty groups and alternatives
        ("()", "", '[ "" ]'),
        ("a|", "", "[ ]"),
        ("(|a)+", "aa", '[ "" ]'),
        # unmatched groups are null; repeated groups keep their last match
        ("(a)|(b)", "b", '[ null "b" ]'),
        ("((a)|b)+", "ab", '[ "b" "a" ]'),
        # depth-first preference, as libstdc++
        ("(a|ab)(c|bcd)", "abcd", '[ "a" "bcd" ]'),
        ("(a*)(a*)", "aa", '[ "aa" "" ]'),
    ],
)
def test_match(nix, regex, subject, expected):
    assert nix(f'builtins.match "{regex}" "{subject}"') == expected


@pytest.mark.parametrize(
    "regex",
    [
        "(",
        ")",
        "a)",
        "[a",
        "[a-z",
        "*a",
        "a|*b",
        "(*a)",
        "^*",
        "(?:a)",
        "a{",
        "a{1",
        "a{,2}",
        "a{2,1}",
        "a{1,2,3}",
        "[z-a]",
        "[a-c-e]",
        "[[:alpha:]-z]",
        "[[:nope:]]",
        "\\\\d",
        "\\\\/",
        "\\\\]",
        "\\\\}",
        "a\\\\",
    ],
)
def test_invalid(nix_error, regex):
    assert (
        nix_error(f'builtins.match "{regex}" "x"')
        == f"invalid regular expression '{regex.replace(chr(92) * 2, chr(92))}'"
    )


@pytest.mark.parametrize(
    ("regex", "subject", "expected"),
    [
        (",", "a,b", '[ "a" [ ] "b" ]'),
        ("x", "abc", '[ "abc" ]'),
        ("a*", "bab", '[ "" [ ] "b" [ ] "" [ ] "b" [ ] "" ]'),
        ("", "ab", '[ "" [ ] "a" [ ] "b" [ ] "" ]'),
        ("(a)*", "aaba", '[ "" [ "a" ] "" [ null ] "b" [ "a" ] "" [ null ] "" ]'),
        # leftmost-longest, as libstdc++'s POSIX mode
        ("a|ab", "xabx", '[ "x" [ ] "x" ]'),
        ("x|xy|xyz", "axyzb", '[ "a" [ ] "b" ]'),
        ("a|ab|abc", "abcabc", '[ "" [ ] "" [ ] "" ]'),
        ("(a|ab)(b*)", "abb", '[ "" [ "a" "bb" ] "" ]'),
        # bytes: a split inside a multi-byte character keeps the bytes
        ("λ", "aλb", '[ "a" [ ] "b" ]'),
    ],
)
def test_split(nix, regex, subject, expected):
    assert nix(f'builtins.split "{regex}" "{subject}"') == expected


def test_split_without_match_keeps_context(nix):
    assert (
        nix('builtins.hasContext (builtins.head (builtins.split "Q" (builtins.toFile "f" "y")))')
        == "true"
    )


def test_translate_anchors_and_dot():
    assert translate("^a.$") == rb"\Aa[^\x00]\Z"


def test_translate_rejects_python_extensions():
    with pytest.raises(RegexSyntaxError):
        translate("(?i)a")


def test_compiled_patterns_are_cached():
    from declos.eval.builtins.regex import compile_ere

    assert compile_ere("a(b)c") is compile_ere("a(b)c")
