"""What a deploy shows: the table on a terminal, plain lines when piped."""

from __future__ import annotations

import io
import re

from declos.fleet.display import Board

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _story(board: Board) -> None:
    board.phase("web1", "eval", "running")
    board.phase("web1", "eval", "done")
    board.phase("db", "eval", "done", "unchanged: not evaluated")
    board.phase("web1", "copy", "running", "connecting to root@web1")
    board.line("web1", "unit restart nginx.service")
    board.phase("db", "copy", "failed", "cannot connect to root@db: Connection refused\nmore")
    board.phase("web1", "copy", "done", "3 paths, 0.1 MiB")
    board.close()


def test_piped_one_line_per_change(monkeypatch) -> None:
    out = io.StringIO()
    _story(Board(["web1", "db"], stream=out, tty=False))
    lines = out.getvalue().splitlines()
    assert lines[0] == "web1: eval started"
    assert lines[1].startswith("web1: eval done (")
    assert "db: eval done: unchanged: not evaluated" in lines
    assert "web1| unit restart nginx.service" in lines
    assert "db: copy failed: cannot connect to root@db: Connection refused" in "\n".join(lines)
    assert "more" not in out.getvalue()  # only the first line of an error
    assert not ANSI.search(out.getvalue())


def test_terminal_table_redrawn_in_place(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    _story(Board(["web1", "db"], stream=out, tty=True))
    text = out.getvalue()
    last = ANSI.sub("", text.split("\x1b[J")[-1]).splitlines()
    assert last[0].split() == ["HOST", "EVAL", "BUILD", "COPY", "ACTIVATE", "CONFIRM"]
    assert last[1].startswith("web1") and "✓" in last[1] and "3 paths, 0.1 MiB" in last[1]
    assert last[2].startswith("db") and "✗" in last[2]
    assert "\x1b[32m" in text  # colour on a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    plain = io.StringIO()
    _story(Board(["web1", "db"], stream=plain, tty=True))
    assert "\x1b[32m" not in plain.getvalue()
