"""Fuzzing `declos switch` with hostile users, groups and etc entries.

Hypothesis writes configurations whose names, paths and values mix
useradd-valid names with text holding `:`, newlines, NUL, `..`, `/`,
unicode and long runs, switches a fresh root to each, and checks what a
user must be able to rely on whatever they write:

- exit 0, or exit 1 with a located message (the configuration's file or
  the option path) and never a Python traceback;
- not a byte outside the root: a sentinel directory beside it stays empty;
- after a success, every passwd, group and shadow line is one declared
  account with the file's number of fields (no injected line, no uid 0 but
  root's); after a failure, no account file at all.

Evaluation costs about a second per switch, so the number of examples is
kept small; each example declares several accounts and entries.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import attrs
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from switching import (
    Switched,
    assert_accounts_declared,
    assert_contained,
    dcl_string,
    switch_text,
)

# fmt: off
FRAGMENTS = [":", "\n", "\r", "\0", "..", ".", "/", "//", "\u2028", "\x85", "\x0b", "é", "Ω",
             "A", "-", "$", " ", "#", "root", "x" * 40, "\t", "\\", '"', "${", "''", "*", "\ufeff"]
# fmt: on

hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), min_size=1, max_size=5
).map("".join)
benign_name = st.from_regex(r"[a-z_][a-z0-9_-]{0,12}", fullmatch=True)


def _absolute(names: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(names, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))


@attrs.frozen
class Values:
    """Where an example draws its names, text and paths from."""

    name: st.SearchStrategy
    text: st.SearchStrategy
    path: st.SearchStrategy
    relative: st.SearchStrategy
    bad_id: st.SearchStrategy


# printable text without a colon: what a description may well hold
BENIGN = Values(
    name=benign_name,
    text=st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=":"),
        max_size=20,
    ),
    path=_absolute(benign_name),
    relative=st.lists(benign_name, min_size=1, max_size=3).map("/".join),
    bad_id=st.nothing(),
)
_hostile_name = st.one_of(hostile_text, benign_name)
HOSTILE = Values(
    name=_hostile_name,
    text=st.one_of(hostile_text, BENIGN.text),
    path=st.one_of(_absolute(_hostile_name), hostile_text, BENIGN.path),
    relative=st.lists(_hostile_name, min_size=1, max_size=3).map("/".join),
    bad_id=st.sampled_from(["(-1)", "4294967295", "4294967296", "9223372036854775807"]),
)


@attrs.frozen
class Entry:
    """One line of the configuration: `<option path> = { <fields> };`."""

    option: str
    key: str
    fields: tuple[tuple[str, str], ...]

    def render(self) -> str:
        body = " ".join(f"{k} = {v};" for k, v in self.fields)
        return f"  {self.option}.${{{dcl_string(self.key)}}} = {{ {body} }};"


def _optional(fields: dict) -> st.SearchStrategy:
    """A subset of `fields` (name -> strategy of DCL text), drawn."""
    return st.fixed_dictionaries({}, optional=fields).map(lambda d: tuple(sorted(d.items())))


def _strings(values) -> st.SearchStrategy:
    return st.lists(values, max_size=3).map(lambda vs: "[ " + " ".join(map(dcl_string, vs)) + " ]")


@st.composite
def users(draw, v: Values, index: int) -> Entry:
    normal = draw(st.booleans())
    kind = (
        (("isNormalUser", "true"),)
        if normal
        else (("isSystemUser", "true"), ("group", '"nogroup"'))
    )
    fields = draw(
        _optional(
            {
                "description": v.text.map(dcl_string),
                "home": v.path.map(dcl_string),
                "shell": v.path.map(dcl_string),
                "hashedPassword": v.text.map(dcl_string),
                "extraGroups": _strings(
                    st.sampled_from(["wheel", "audio"]) | (v.name if v is HOSTILE else st.nothing())
                ),
                # distinct per user, so no example trips "UIDs and GIDs must be unique!"
                "uid": v.bad_id | st.just(str((1000 if normal else 500) + index)),
            }
        )
    )
    return Entry("users.users", draw(v.name), kind + fields)


@st.composite
def groups(draw, v: Values, index: int) -> Entry:
    fields = draw(
        _optional(
            {
                "members": _strings(v.name),
                "gid": v.bad_id | st.just(str(5000 + index)),
            }
        )
    )
    return Entry("users.groups", draw(v.name), fields)


@st.composite
def etc_entries(draw, v: Values) -> Entry:
    own = st.sampled_from(["passwd", "shadow", ".", "", "static/x", "a.declos-tmp"])
    fields = draw(
        _optional(
            {
                "target": (v.relative | (v.path | own if v is HOSTILE else st.nothing())).map(
                    dcl_string
                ),
                "mode": st.sampled_from(['"symlink"', '"0644"', '"0600"']),
            }
        )
    )
    return Entry("environment.etc", draw(v.relative), (("text", '"x"'), *fields))


@st.composite
def configurations(draw) -> list[Entry]:
    v = draw(st.sampled_from([HOSTILE, BENIGN]))
    n_users, n_groups = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    entries = [draw(users(v, i)) for i in range(n_users)]
    entries += [draw(groups(v, i)) for i in range(n_groups)]
    entries += draw(st.lists(etc_entries(v), max_size=2))
    keys = [(e.option, e.key) for e in entries]
    return [e for i, e in enumerate(entries) if (e.option, e.key) not in keys[:i]]


def _located(s: Switched) -> bool:
    """The message names the configuration file or the option at fault."""
    return any(w in s.err for w in (s.conf, "users.users.", "users.groups.", "environment.etc."))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(configurations())
def test_hostile_configurations_switch_cleanly_or_fail_located(entries):
    text = "{\n" + "\n".join(e.render() for e in entries) + "\n}\n"
    with tempfile.TemporaryDirectory() as d:
        s = switch_text(Path(d), text)
        assert s.code in (0, 1), s.err
        event(f"exit {s.code}")  # pytest --hypothesis-show-statistics
        assert_contained(s)
        if s.code == 0:
            assert_accounts_declared(s)
        else:
            assert _located(s), s.err
            assert not (s.root / "etc/passwd").exists()
