"""Parse errors point at the right line: starlark's chunked-file tests.

testdata/parse-errors.dcl holds inputs separated by `---` lines; in each, the
line with a `### "regex"` comment is where the error must be reported, and
the regex must match the message.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from declos.diagnostics import ParseError, Source
from declos.lang.parser import parse_source

DATA = Path(__file__).resolve().parent / "testdata" / "parse-errors.dcl"
EXPECT_RE = re.compile(r'### "(.*)"')


def chunks() -> list:
    out = []
    line_no = 1
    for text in re.split(r"^---\n", DATA.read_text(), flags=re.M):
        expectations = [
            (i + 1, m.group(1))
            for i, line in enumerate(text.splitlines())
            if (m := EXPECT_RE.search(line))
        ]
        if expectations:
            out.append(pytest.param(text, expectations, id=f"line-{line_no}"))
        line_no += text.count("\n") + 1
    return out


def test_chunk_count():
    assert len(chunks()) >= 30


@pytest.mark.parametrize("text, expectations", chunks())
def test_error_position(text: str, expectations: list):
    assert len(expectations) == 1, "one expected error per chunk"
    ((want_line, pattern),) = expectations
    with pytest.raises(ParseError) as info:
        parse_source(Source(str(DATA), text))
    err = info.value
    assert re.search(pattern, err.message), err.message
    line, _col = err.span.line_col
    assert line == want_line, f"error at line {line}, expected {want_line}: {err.message}"
