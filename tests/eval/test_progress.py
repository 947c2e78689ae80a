"""Progress reports of long evaluations and builds (declos.progress).

A terminal gets a live status line (phase, elapsed time, counts) that is
cleared when the phase ends; a pipe gets nothing for short work and a few
plain lines for long work; `-q` silences both.
"""

from __future__ import annotations

import io
import time

import pytest

from declos import progress
from declos.cli import main
from declos.eval.evaluator import EvalStats


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setattr(progress, "TTY_AFTER", 0.05)
    monkeypatch.setattr(progress, "PIPED_AFTER", 0.1)
    progress.set_quiet(False)
    yield
    progress.set_quiet(False)


def test_a_terminal_gets_a_live_line_cleared_at_the_end():
    out = Terminal()
    stats = EvalStats()
    with progress.Ticker("evaluating config.dcl", stats.describe, stream=out):
        stats.files, stats.options, stats.derivations = 3, 120, 4
        time.sleep(0.4)
    text = out.getvalue()
    assert "\r\033[Kevaluating config.dcl: " in text
    assert ", 3 files, 120 options, 4 derivations" in text
    assert text.endswith("\r\033[K")  # nothing left on the line
    assert "\n" not in text


def test_a_pipe_gets_nothing_for_short_work():
    out = io.StringIO()
    with progress.Ticker("evaluating config.dcl", lambda: "1 files", stream=out):
        pass
    assert out.getvalue() == ""


def test_a_pipe_gets_plain_lines_for_long_work_and_one_at_the_end():
    out = io.StringIO()
    with progress.Ticker("building", lambda: "3/5 derivations built", stream=out):
        time.sleep(0.35)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 3
    assert all(line.startswith("building: ") for line in lines)
    assert "\r" not in out.getvalue()
    assert lines[-1].startswith("building: done in ")
    assert lines[-1].endswith(" s, 3/5 derivations built")


def test_a_failed_phase_says_no_done_line():
    out = io.StringIO()
    with pytest.raises(RuntimeError), progress.Ticker("evaluating", stream=out):
        time.sleep(0.25)
        raise RuntimeError("boom")
    assert "done in" not in out.getvalue()


def test_quiet_silences_terminal_and_pipe():
    progress.set_quiet(True)
    tty, pipe = Terminal(), io.StringIO()
    with progress.Ticker("a", stream=tty), progress.Ticker("b", stream=pipe):
        time.sleep(0.3)
    assert tty.getvalue() == "" and pipe.getvalue() == ""


@pytest.mark.parametrize("argv", [["-q", "eval"], ["eval", "-q"]])
def test_q_is_accepted_before_and_after_the_command(argv, tmp_path, capsys):
    f = tmp_path / "x.dcl"
    f.write_text("1 + 2")
    assert main([*argv, str(f)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "3\n" and captured.err == ""
    assert progress.quiet()


def test_an_evaluation_counts_files_options_and_derivations(tmp_path, capsys):
    from declos.diagnostics import Source
    from declos.eval.deep import run_deep
    from declos.eval.values import force
    from declos.store.builtins import EvalStore, evaluator_with_store

    (tmp_path / "m.dcl").write_text(
        "{ lib, ... }: { options.x = lib.mkOption { default = 1; }; "
        "options.y = lib.mkOption { default = 2; }; }"
    )
    text = (
        "let r = (import <declos/lib>).evalModules { modules = [ ./m.dcl ]; }; "
        'd = derivation { name = "d"; system = "x"; builder = "/bin/sh"; }; '
        "in [ r.config.x r.config.y d.drvPath ]"
    )
    ev = evaluator_with_store(EvalStore.read_only())
    run_deep(lambda: ev.force_deep(force(ev.eval_source(Source(None, text, str(tmp_path))))))
    assert ev.stats.files > 1
    assert ev.stats.options >= 2
    assert ev.stats.derivations == 1
