"""`environment.etc` targets that are declos' own files or not normalized
paths relative to /etc are refused by `declos switch`: an assertion naming
the line that defines the target (the entry's, when the target is its
name), exit 1, no traceback, the root untouched."""

from __future__ import annotations

import json

import pytest
from switching import assert_contained, dcl_string, switch_refused, switch_text

FORBIDDEN = {
    "passwd": "declos writes /etc/passwd itself",
    "shadow": "declos writes /etc/shadow itself",
    "group": "declos writes /etc/group itself",
    "gshadow": "declos writes /etc/gshadow itself",
    ".declos-managed": "declos writes /etc/.declos-managed itself",
    "static": "/etc/static is declos' link to the generation's files",
    "static/hosts": "/etc/static is declos' link to the generation's files",
    ".": "it is not a normalized path",
    "": "it is empty",
    "/etc/hosts": "it is absolute",
    "/": "it is absolute",
    "..": "it is not a normalized path",
    "../shadow": "it is not a normalized path",
    "ssh/../../root/.ssh/authorized_keys": "it is not a normalized path",
    "a/./b": "it is not a normalized path",
    "a//b": "it is not a normalized path",
    "dir/": "it is not a normalized path",
    "hosts.declos-tmp": "declos uses names ending in .declos-tmp and .declos-backup",
    "hosts.declos-backup": "declos uses names ending in .declos-tmp and .declos-backup",
    "hosts.declos-backup.3": "declos uses names ending in .declos-tmp and .declos-backup",
    "d.declos-tmp/x": "declos uses names ending in .declos-tmp and .declos-backup",
    "a\nb": "it contains a line end or a NUL character",
    "a\rb": "it contains a line end or a NUL character",
    "a\0b": "it contains a line end or a NUL character",
    "x" * 256: "it has a component longer than 255 bytes",
}
CASES = list(FORBIDDEN.items())
IDS = [repr(t)[:24] for t in FORBIDDEN]


def _message(conf: str, name: str, target: str, line: int, why: str) -> str:
    entry = name if name.isidentifier() else json.dumps(name)
    return (
        f"environment.etc.{entry}.target is {json.dumps(target, ensure_ascii=False)} "
        f"(defined in {conf}:{line}), which cannot be a file under /etc: {why}"
    )


@pytest.mark.parametrize(("target", "why"), CASES, ids=IDS)
def test_forbidden_target_set_explicitly(tmp_path, target, why):
    err, conf = switch_refused(
        tmp_path,
        '{\n  environment.etc.entry = {\n    text = "x";\n'
        f"    target = {dcl_string(target)};\n  }};\n}}\n",
    )
    assert _message(conf, "entry", target, 4, why) in err


@pytest.mark.parametrize(("target", "why"), CASES, ids=IDS)
def test_forbidden_target_as_the_entry_name(tmp_path, target, why):
    err, conf = switch_refused(
        tmp_path,
        f'{{\n  networking.hostName = "box";\n  environment.etc.${{{dcl_string(target)}}}.text = "x";\n}}\n',
    )
    assert f"(defined in {conf}:3), which cannot be a file under /etc: {why}" in err


def test_forbidden_targets_are_all_listed(tmp_path):
    err, conf = switch_refused(
        tmp_path,
        '{\n  environment.etc.passwd.text = "root2::0:0::/:/bin/sh";\n'
        '  environment.etc.sneaky = { text = "x"; target = "shadow"; };\n'
        '  environment.etc."../escape".text = "x";\n}\n',
    )
    assert _message(conf, "passwd", "passwd", 2, "declos writes /etc/passwd itself") in err
    assert _message(conf, "sneaky", "shadow", 3, "declos writes /etc/shadow itself") in err
    assert 'environment.etc."../escape".target' in err and f"{conf}:4" in err


def test_targets_declos_does_not_own_are_fine(tmp_path):
    s = switch_text(
        tmp_path,
        "{\n"
        '  environment.etc."passwd.d/x".text = "x";\n'
        '  environment.etc."statics".text = "x";\n'
        '  environment.etc."my.declos-tmp.conf".text = "x";\n'
        '  environment.etc.deep = { text = "x"; target = "a/b/c/d"; };\n'
        "}\n",
    )
    assert s.code == 0, s.err
    assert_contained(s)
    for name in ("passwd.d/x", "statics", "my.declos-tmp.conf", "a/b/c/d"):
        assert (s.root / "etc" / name).is_symlink()


@pytest.mark.parametrize("owner", ['"a:b"', '"root\\n"', '"Root"', '"-1"', '""'])
def test_hostile_owner_of_a_copy(tmp_path, owner):
    err, conf = switch_refused(
        tmp_path,
        '{\n  environment.etc.secret = {\n    text = "x";\n    mode = "0600";\n'
        f"    user = {owner};\n  }};\n}}\n",
    )
    assert "`environment.etc.secret.user' is not of type `string matching the pattern" in err
    assert f"In `{conf}:5'" in err


@pytest.mark.parametrize("mode", ['"0644 "', '"999"', '"u+rw"', '"06444"', '""'])
def test_hostile_mode(tmp_path, mode):
    err, conf = switch_refused(
        tmp_path, f'{{\n  environment.etc.x = {{\n    text = "x";\n    mode = {mode};\n  }};\n}}\n'
    )
    assert "`environment.etc.x.mode' is not of type" in err and f"In `{conf}:4'" in err


def test_a_copy_of_a_host_file_is_refused(tmp_path):
    err, conf = switch_refused(
        tmp_path,
        '{\n  environment.etc.leak = {\n    source = "/etc/shadow";\n    mode = "0644";\n  };\n}\n',
    )
    assert (
        f'environment.etc.leak is a copy (mode 0644) of "/etc/shadow" (defined in {conf}:3), '
        "which is not in the store" in err
    )


def test_a_link_to_a_host_file_is_fine(tmp_path):
    s = switch_text(
        tmp_path, '{ environment.etc."localtime".source = "/usr/share/zoneinfo/UTC"; }\n'
    )
    assert s.code == 0, s.err
    assert (s.root / "etc/localtime").is_symlink()


@pytest.mark.parametrize("source", ["/usr/share/zoneinfo//UTC", "/usr/../etc/shadow", "/etc/"])
def test_a_link_to_a_path_that_is_not_normalized(tmp_path, source):
    err, conf = switch_refused(
        tmp_path, f'{{\n  environment.etc.x = {{\n    source = "{source}";\n  }};\n}}\n'
    )
    assert (
        f'environment.etc.x.source is "{source}" (defined in {conf}:3), '
        "which is not a normalized absolute path" in err
    )
