"""services.snapper cannot be made to write a setting it does not declare:
a config file is KEY="value" lines, so a line end in a key or a value would
add one (ALLOW_USERS="mallory" lets mallory read every snapshot), and a
blank in a list item adds an item.  Each refusal names the option, what was
expected and the definition's file."""

from __future__ import annotations

import pytest

HOME = 'services.snapper.configs.home = { SUBVOLUME = "/home"; '
CASES = [
    (
        "key line end",
        HOME + r'"X\nALLOW_USERS" = "mallory"; };',
        [
            r'services.snapper.configs.home."X\nALLOW_USERS" (defined in ',
            "config.dcl:2)",
            "a snapper-configs(5) key is a shell name",
        ],
    ),
    (
        "freeform value line end",
        HOME + r'NUMBER_LIMIT = "50\"\nALLOW_USERS=\"mallory"; };',
        [
            "services.snapper.configs.home.NUMBER_LIMIT' is not of type",
            "snapper value (a string without line ends)",
            "config.dcl",
        ],
    ),
    (
        "freeform list item line end",
        HOME + r'FOO = [ "a\nALLOW_USERS=mallory" ]; };',
        [
            "services.snapper.configs.home.FOO",
            "snapper list item (a non-empty string",
            "config.dcl",
        ],
    ),
    (
        "allowed user with a blank",
        HOME + 'ALLOW_USERS = [ "alice mallory" ]; };',
        [
            "services.snapper.configs.home.ALLOW_USERS",
            "is not of type `snapper list item (a non-empty string without blanks or line ends)'",
            "config.dcl:2",
        ],
    ),
    (
        "subvolume line end",
        r'services.snapper.configs.home.SUBVOLUME = "/home\nALLOW_USERS=mallory";',
        [
            "services.snapper.configs.home.SUBVOLUME' is not of type "
            "`snapper value (a string without line ends)'",
            "config.dcl:2",
        ],
    ),
]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_key_or_value_that_would_add_a_setting_is_refused(build, what, line, expected):
    err = build(f"{{\n  {line}\n}}", fails=True)
    for part in expected:
        assert part in err


def test_a_bad_config_name_or_subvolume_says_where(build):
    err = build(
        '{\n  services.snapper.configs."a;b".SUBVOLUME = "/";\n'
        '  services.snapper.configs.x.SUBVOLUME = "home";\n}',
        fails=True,
    )
    assert 'services.snapper.configs."a;b" (defined in ' in err and "config.dcl:2)" in err
    assert 'SUBVOLUME must be an absolute path, not "home" (defined in ' in err
    assert "config.dcl:3)" in err


def test_plain_values_render_as_before(build):
    system = build(
        '{ services.snapper.configs.home = { SUBVOLUME = "/home"; ALLOW_USERS = [ "alice" "bob" ]; '
        'NUMBER_LIMIT = "2-10"; TIMELINE_MIN_AGE = 1800; EMPTY_PRE_POST_CLEANUP = true; }; }'
    )
    assert system.etc("snapper/configs/home").read_text().splitlines()[1:] == [
        'ALLOW_GROUPS=""',
        'ALLOW_USERS="alice bob"',
        'EMPTY_PRE_POST_CLEANUP="yes"',
        'FSTYPE="btrfs"',
        'NUMBER_LIMIT="2-10"',
        'SUBVOLUME="/home"',
        'TIMELINE_CLEANUP="no"',
        'TIMELINE_CREATE="no"',
        'TIMELINE_MIN_AGE="1800"',
    ]
