"""Hostile account values never reach /etc/passwd, /etc/group or /etc/shadow:
each is refused by `declos switch` at evaluation, exit 1, without a
traceback, with the configuration's file and line in the message, and the
root untouched.  Names are assertions (useradd's pattern, NixOS's wording);
other fields are type errors (`passwdEntry`, normalized absolute paths,
ids 0 … 2^32-2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from switching import (
    assert_accounts_declared,
    assert_contained,
    dcl_string,
    switch_refused,
    switch_text,
)

GOLDEN = Path(__file__).parent / "golden"
REGEX = '"[a-z_][a-z0-9_-]*\\$?"'


def golden(name: str, err: str, conf: str) -> None:
    text = err.replace(conf, "CONFIG")
    path = GOLDEN / name
    if os.environ.get("DECLOS_ACCEPT") == "1" or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


HOSTILE_NAMES = {
    "injection": "evil\nroot2::0:0::/root:/bin/sh\n#",
    "colon": "a:b",
    "newline": "a\nb",
    "carriage-return": "a\rb",
    "nul": "a\0b",
    "line-separator": "a\u2028b",
    "leading-dash": "-x",
    "uppercase": "Alice",
    "empty": "",
    "space": "a b",
    "slash": "a/b",
    "dotdot": "..",
    "unicode": "émile",
    "dollar-inside": "a$b",
    "digit-first": "1abc",
    "too-long": "a" * 33,
}


@pytest.mark.parametrize("value", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_hostile_user_name(tmp_path, value):
    err, conf = switch_refused(
        tmp_path, f"{{\n  users.users.${{{dcl_string(value)}}}.isNormalUser = true;\n}}\n"
    )
    shown = dcl_json(value)
    why = (
        "it is longer than 32 characters"
        if value == "a" * 33
        else f"it does not match the regex {REGEX}"
    )
    assert f"The username {shown} (defined in {conf}:2) is not valid, {why}." in err


@pytest.mark.parametrize("value", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_hostile_group_name(tmp_path, value):
    err, conf = switch_refused(
        tmp_path, f"{{\n  users.groups.${{{dcl_string(value)}}} = {{ }};\n}}\n"
    )
    assert f"The group name {dcl_json(value)} (defined in {conf}:2) is not valid" in err


def dcl_json(value: str) -> str:
    """How `builtins.toJSON` shows a string (as the messages quote names)."""
    return json.dumps(value, ensure_ascii=False)


def test_the_injection_of_the_issue_is_refused_with_nixos_wording(tmp_path):
    err, conf = switch_refused(
        tmp_path,
        '{\n  users.users."evil\\nroot2::0:0::/root:/bin/sh\\n#".isNormalUser = true;\n}\n',
    )
    golden("username-injection.err", err, conf)


def test_a_name_set_explicitly_is_checked_where_it_is_set(tmp_path):
    err, conf = switch_refused(
        tmp_path,
        '{\n  users.users.alice = {\n    isNormalUser = true;\n    name = "Alice";\n  };\n}\n',
    )
    assert f'The username "Alice" (defined in {conf}:4) is not valid' in err
    err, conf = switch_refused(
        tmp_path,
        '{\n  users.users.alice.isNormalUser = true;\n  users.users.alice.name = "a:b";\n}\n',
    )
    assert (
        "`users.users.alice.name' is not of type `string, not containing newlines or colons'" in err
    )
    assert f"In `{conf}:3'" in err


def test_a_32_character_name_is_the_longest(tmp_path):
    name = "a" * 32
    s = switch_text(tmp_path, f"{{ users.users.{name}.isNormalUser = true; }}\n")
    assert s.code == 0, s.err
    assert_contained(s)
    assert_accounts_declared(s)
    assert name in [e[0] for e in s.passwd()]


def test_a_trailing_dollar_is_a_valid_name(tmp_path):
    s = switch_text(
        tmp_path, '{ users.users."box$" = { isSystemUser = true; group = "nogroup"; }; }\n'
    )
    assert s.code == 0, s.err
    assert_accounts_declared(s)


# field -> hostile DCL values: each a type error at the definition's line
HOSTILE_FIELDS = {
    "description": [
        '"a:b"',
        '"a\\nb"',
        '"a\\rb"',
        dcl_string("a\0b"),
        dcl_string("a\x0bb"),
        '(builtins.fromJSON "\\"x\\\\u2028y\\"")',
        '"x\\n::0:0::/:/bin/sh"',
    ],
    "home": [
        '"/home/a:b"',
        '"/home/a\\nb"',
        '"/home/../etc"',
        '"/home/./a"',
        '"home/alice"',
        '"/home/alice/"',
        '"/home//alice"',
        '""',
        '".."',
        '"/.."',
    ],
    "shell": ['"/bin/sh:x"', '"bash"', '"/bin/../sh"', '"/bin/sh/"', '"/bin/sh\\n"', '""'],
    "hashedPassword": ['"a:b"', '"$6$x\\nroot::0"', '"a\\rb"'],
    "hashedPasswordFile": ['"relative/hash"', '"/etc/../hash"', '"/etc/hash\\n"'],
    "uid": ["(-1)", "4294967295", "4294967296", "9223372036854775807", "true", '"1000"'],
}
FIELD_CASES = [(f, v) for f, vs in HOSTILE_FIELDS.items() for v in vs]


@pytest.mark.parametrize(("field", "value"), FIELD_CASES, ids=[f"{f}={v}" for f, v in FIELD_CASES])
def test_hostile_user_field(tmp_path, field, value):
    err, conf = switch_refused(
        tmp_path,
        f"{{\n  users.users.alice = {{\n    isNormalUser = true;\n    {field} = {value};\n  }};\n}}\n",
    )
    assert f"A definition for option `users.users.alice.{field}' is not of type" in err
    assert f"In `{conf}:4'" in err


def test_type_error_golden(tmp_path):
    err, conf = switch_refused(
        tmp_path,
        '{\n  users.users.alice = {\n    isNormalUser = true;\n    home = "/home/../etc";\n  };\n}\n',
    )
    golden("home-not-normalized.err", err, conf)


@pytest.mark.parametrize("value", ["(-1)", "4294967295", "4294967296"])
def test_hostile_gid(tmp_path, value):
    err, conf = switch_refused(
        tmp_path, f"{{\n  users.groups.staff = {{\n    gid = {value};\n  }};\n}}\n"
    )
    assert (
        "`users.groups.staff.gid' is not of type `null or integer between 0 and 4294967294" in err
    )
    assert f"In `{conf}:3'" in err


def test_the_largest_ids_are_accepted(tmp_path):
    s = switch_text(
        tmp_path,
        '{ users.users.big = { isSystemUser = true; uid = 4294967294; group = "big"; };\n'
        "  users.groups.big.gid = 4294967294; }\n",
    )
    assert s.code == 0, s.err
    assert ["big", "x", "4294967294", "4294967294"] in [e[:4] for e in s.passwd()]


@pytest.mark.parametrize("member", ['"a:b"', '"a\\nroot2"', dcl_string("a\0b")])
def test_hostile_member_is_a_type_error(tmp_path, member):
    err, conf = switch_refused(
        tmp_path, f"{{\n  users.groups.staff = {{\n    members = [ {member} ];\n  }};\n}}\n"
    )
    assert "`users.groups.staff.members" in err and "is not of type" in err
    assert f"In `{conf}:3'" in err


@pytest.mark.parametrize("member", ["Alice", "-x", "a b", "a/b", "..", "a" * 33])
def test_member_that_is_not_a_user_name(tmp_path, member):
    err, conf = switch_refused(
        tmp_path,
        f'{{\n  users.groups.staff = {{\n    members = [ "ok" {dcl_string(member)} ];\n  }};\n}}\n',
    )
    assert f"users.groups.staff.members contains {dcl_json(member)} (defined in {conf}:3)" in err
    assert "which is not a valid user name" in err


@pytest.mark.parametrize("group", ["a:b", "a\nb", "Wheel", "../x", "-g"])
def test_hostile_extra_group(tmp_path, group):
    g = dcl_string(group)
    err, conf = switch_refused(
        tmp_path,
        f"{{\n  users.users.alice = {{\n    isNormalUser = true;\n    extraGroups = [ {g} ];\n  }};\n}}\n",
    )
    assert f"users.users.alice.extraGroups contains {dcl_json(group)} (defined in {conf}:4)" in err
    # declared as well: then the group's own name is refused
    err, conf = switch_refused(
        tmp_path,
        f"{{\n  users.users.alice = {{ isNormalUser = true; extraGroups = [ {g} ]; }};\n"
        f"  users.groups.${{{g}}} = {{ }};\n}}\n",
    )
    assert f"The group name {dcl_json(group)} (defined in {conf}:3) is not valid" in err


def test_hostile_primary_group(tmp_path):
    err, conf = switch_refused(
        tmp_path,
        '{\n  users.users.svc = {\n    isSystemUser = true;\n    group = "svc\\nroot2::0:";\n  };\n}\n',
    )
    assert (
        f'users.users.svc.group is "svc\\nroot2::0:" (defined in {conf}:4), a group that is not declared'
        in err
    )
    golden("primary-group-undeclared.err", err, conf)


def test_hashed_password_and_file_are_exclusive(tmp_path):
    err, conf = switch_refused(
        tmp_path,
        '{\n  users.users.alice = {\n    isNormalUser = true;\n    hashedPassword = "$6$x$y";\n'
        '    hashedPasswordFile = "/etc/secrets/alice";\n  };\n}\n',
    )
    assert (
        f'The user "alice" has both `hashedPassword\' (defined in {conf}:4) and '
        f"`hashedPasswordFile' (defined in {conf}:5) set to a non-null value" in err
    )


def test_a_path_value_home_is_not_copied_into_the_store(tmp_path):
    s = switch_text(
        tmp_path,
        "{ users.users.alice = { isNormalUser = true; home = /srv/nonexistent/alice; }; }\n",
    )
    assert s.code == 0, s.err
    assert s.manifest()["users"]["alice"]["home"] == "/srv/nonexistent/alice"
    assert_accounts_declared(s)
