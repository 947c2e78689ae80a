"""`declos switch` of a configuration text, in process, in a directory of
its own: `config.dcl`, the state directory, the root, and an empty
`sentinel/` directory beside the root that nothing may write into.

    s = switch_text(tmp, "{ users.users.alice.isNormalUser = true; }")
    s.code, s.err, s.conf, s.root
    s.passwd()                       # [[name, x, uid, …], …] as activation wrote it

Also `dcl_string`, to write any Python string (newlines, NUL, unicode) as a
DCL expression, and the checks every hostile-input test makes: no
traceback, nothing outside the root, one line per declared account.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import attrs

from declos.cli import main


@attrs.frozen
class Switched:
    code: int
    out: str
    err: str
    conf: str
    dir: Path

    @property
    def root(self) -> Path:
        return self.dir / "root"

    def lines(self, name: str) -> list[list[str]] | None:
        """The entries of `<root>/etc/NAME` split as glibc reads them (on "\\n" only)."""
        path = self.root / "etc" / name
        if not path.exists():
            return None
        text = path.read_bytes().decode(errors="surrogateescape")
        assert text == "" or text.endswith("\n")
        return [line.split(":") for line in text.split("\n")[:-1]]

    def passwd(self) -> list[list[str]] | None:
        return self.lines("passwd")

    def manifest(self) -> dict:
        with open(self.root / "run/current-system/manifest.json") as f:
            return json.load(f)


@contextlib.contextmanager
def _environment():
    saved = {k: os.environ.get(k) for k in ("DECLOS_PATH", "NO_COLOR")}
    os.environ.pop("DECLOS_PATH", None)
    os.environ["NO_COLOR"] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def switch_text(d: Path, text: str, *extra: str) -> Switched:
    """Write `text` to `d/config.dcl` and switch `d/root` to it (state in `d/state`)."""
    conf = d / "config.dcl"
    conf.write_text(text, encoding="utf-8")
    (d / "sentinel").mkdir(exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    args = ["switch", str(conf), "--root", str(d / "root"), "--state-dir", str(d / "state")]
    with _environment(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, *extra])
    return Switched(code, out.getvalue(), err.getvalue(), str(conf), d)


def switch_refused(d: Path, text: str) -> tuple[str, str]:
    """Switch to `text`, which must fail: exit 1, no traceback, nothing
    outside the root and nothing in it.  Returns (stderr, the config's path)."""
    s = switch_text(d, text)
    assert s.code == 1, s.out + s.err
    assert_contained(s)
    assert not (s.root / "etc").exists()
    return s.err, s.conf


def assert_contained(s: Switched) -> None:
    """Nothing but the configuration, state and root in the directory, and
    the sentinel beside the root still empty."""
    assert "Traceback" not in s.err and "Traceback" not in s.out
    assert set(os.listdir(s.dir)) <= {"config.dcl", "root", "sentinel", "state"}
    assert os.listdir(s.dir / "sentinel") == []


def assert_accounts_declared(s: Switched) -> None:
    """Every passwd, group and shadow line is one declared account, with
    the file's number of fields, once."""
    m = s.manifest()
    expected = {"passwd": (m["users"], 7), "shadow": (m["users"], 9)}
    groups = set(m["groups"])
    for u in m["users"].values():
        groups |= {u["group"] or "users", *u["extraGroups"]}
    expected["group"] = (groups, 4)
    for name, (declared, fields) in expected.items():
        entries = s.lines(name) or []
        assert sorted(e[0] for e in entries) == sorted(declared), name
        assert all(len(e) == fields for e in entries), (name, entries)
    root_uid = [e for e in s.passwd() or [] if e[2] == "0"]
    assert [e[0] for e in root_uid] == ["root"]


def dcl_string(s: str) -> str:
    """`s` as a DCL expression: a string literal, or `builtins.fromJSON` for
    what a literal cannot hold (NUL, other control characters)."""
    if any(ord(c) < 32 and c not in "\n\r\t" for c in s):
        return f"(builtins.fromJSON {dcl_string(json.dumps(s))})"
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${")
    return '"' + out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'
