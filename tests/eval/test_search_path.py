"""`<name>` lookups: -I, DECLOS_PATH, and the error when nothing matches."""

import contextlib
import io

from declos.cli import main


def run(args, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(args)
    return rc, out.getvalue(), err.getvalue()


def test_missing_entry_names_declos_path(tmp_path, monkeypatch):
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    rc, _, err = run(["eval", "-E", "<nosuchlib/x.dcl>"])
    assert rc == 1
    assert "file 'nosuchlib/x.dcl' was not found in the search path" in err
    assert "$DECLOS_PATH or -I" in err


def test_declos_path_and_dash_i(tmp_path, monkeypatch):
    lib = tmp_path / "teamlib"
    lib.mkdir()
    (lib / "value.dcl").write_text("42\n")
    monkeypatch.setenv("DECLOS_PATH", f"teamlib={lib}")
    assert run(["eval", "-E", "import <teamlib/value.dcl>"])[:2] == (0, "42\n")
    monkeypatch.delenv("DECLOS_PATH")
    assert run(["eval", "-I", f"teamlib={lib}", "-E", "import <teamlib/value.dcl>"])[:2] == (
        0,
        "42\n",
    )
