"""Golden tests for the parser, run through the real CLI (`declos parse FILE`).

parse-okay-*.dcl  ->  .exp      the printed normalized form, exit code 0
parse-fail-*.dcl  ->  .err.exp  the rendered error, exit code 1

As in tests/eval/test_eval_golden.py, the absolute path of the golden directory
is written ``$GOLDEN`` in expectations, and `pytest --accept` (or
DECLOS_ACCEPT=1) rewrites them.  The parse cache is pointed at a temporary
directory so tests never touch the user's cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from declos.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
PLACEHOLDER = "$GOLDEN"


def cases(kind: str) -> list:
    return [pytest.param(p, id=p.stem) for p in sorted(GOLDEN.glob(f"parse-{kind}-*.dcl"))]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(tmp_path / "cache"))


def accepting(request) -> bool:
    return bool(request.config.getoption("--accept")) or os.environ.get("DECLOS_ACCEPT") == "1"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(argv)
    out, err = capsys.readouterr()
    root = str(GOLDEN)
    return rc, out.replace(root, PLACEHOLDER), err.replace(root, PLACEHOLDER)


def check(request, expected_file: Path, actual: str) -> None:
    if accepting(request):
        expected_file.write_text(actual)
        return
    assert expected_file.exists(), f"missing expectation {expected_file.name}"
    assert actual == expected_file.read_text()


def test_corpus_size():
    assert len(cases("okay")) >= 60
    assert len(cases("fail")) >= 25


@pytest.mark.parametrize("case", cases("okay"))
def test_parse_okay(case: Path, capsys, request):
    rc, out, err = run(["parse", str(case)], capsys)
    assert rc == 0, f"exit code {rc}, stderr:\n{err}"
    assert err == ""
    check(request, case.with_suffix(".exp"), out)


@pytest.mark.parametrize("case", cases("fail"))
def test_parse_fail(case: Path, capsys, request):
    rc, out, err = run(["parse", str(case)], capsys)
    assert rc == 1, f"exit code {rc}, stdout:\n{out}"
    assert out == ""
    assert "Traceback" not in err
    check(request, case.with_suffix(".err.exp"), err)


@pytest.mark.parametrize("case", cases("okay"))
def test_cached_parse_prints_the_same(case: Path, capsys):
    first = run(["parse", str(case)], capsys)
    second = run(["parse", str(case)], capsys)
    uncached = run(["parse", "--no-cache", str(case)], capsys)
    assert first == second == uncached


def test_expression_argument(capsys):
    rc, out, err = run(["parse", "-E", "x: x.a or  (1+2)"], capsys)
    assert (rc, out, err) == (0, "x: x.a or (1 + 2)\n", "")


def test_expression_argument_error(capsys):
    rc, out, err = run(["parse", "-E", "1 +"], capsys)
    assert rc == 1
    assert err.startswith("error: syntax error, unexpected end of file\n       at «string»:1:4:")


def test_missing_file(tmp_path, capsys):
    missing = tmp_path / "nope.dcl"
    rc, out, err = run(["parse", str(missing)], capsys)
    assert rc == 1
    assert out == ""
    assert err == f"error: getting status of '{missing}': No such file or directory\n"


def test_directory_as_file(tmp_path, capsys):
    rc, out, err = run(["parse", str(tmp_path)], capsys)
    assert rc == 1
    assert out == ""
    assert err == f"error: '{tmp_path}' is a directory, not a file\n"


def test_invalid_utf8(tmp_path, capsys):
    bad = tmp_path / "bad.dcl"
    bad.write_bytes(b'"\xff"\n')
    rc, out, err = run(["parse", str(bad)], capsys)
    assert rc == 1
    assert err == f"error: '{bad}' is not valid UTF-8 (byte 1)\n"
