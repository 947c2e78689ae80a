"""`declos repl CONFIG`, typed into a real terminal (a pty: readline, Ctrl-C, history).

Runs in tests/options/golden/introspect with the small stand-in module
library (`-I declos/modules=library`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from repl_pty import PROMPT, Terminal

FIXTURES = Path(__file__).parent / "golden" / "introspect"
LIBRARY = ["-I", "declos/modules=library"]


@pytest.fixture
def home(tmp_path):
    """A data directory of its own: the history file goes there."""
    return {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}


@pytest.fixture
def repl(home):
    terminals: list[Terminal] = []

    def start(config: str = "basic.dcl", cwd=FIXTURES) -> Terminal:
        argv = ["repl", *LIBRARY, config]
        term = Terminal(argv, cwd, home)
        terminals.append(term)
        banner = term.prompt()
        assert "Added 4 variables: config, options, lib, pkgs" in banner
        return term

    yield start
    for term in terminals:
        term.kill()


def test_values_one_level_deep_and_deeply_with_p(repl):
    term = repl()
    assert 'config.networking.hostName\n"web1"\n' in term.line("config.networking.hostName")
    shallow = term.line("config.services.web")
    assert "vhosts = { … };" in shallow and "port = 443;" in shallow
    deep = term.line(":p config.services.web")
    assert 'vhosts = { docs = { root = "/srv/docs"; }; };' in deep
    assert "[ 1 2 3 ]" in term.line("lib.range 1 3")
    assert "a set" in term.line(":t options")
    term.send(":q\n")
    assert term.close() == 0


def test_an_error_is_reported_and_the_prompt_comes_back(repl):
    term = repl()
    out = term.line("config.networking.hostNmae")
    assert "error: attribute 'hostNmae' missing" in out
    assert "«repl»:1:" in out and "Traceback" not in out
    out = term.line("1 +")
    assert "error: syntax error" in out
    assert "unknown command ':frobnicate'" in term.line(":frobnicate")
    assert "2\n" in term.line("1 + 1")
    term.send("\x04")  # Ctrl-D on an empty line leaves
    assert term.close() == 0


def test_bindings_are_lazy_and_stay_in_scope(repl):
    term = repl()
    assert "Added variable boom." in term.line('boom = throw "not yet"')
    assert "Added variable host." in term.line('host = config.networking.hostName + "!"')
    assert '"web1!"' in term.line("host")
    assert "not yet" in term.line("boom")


def test_tab_completes_attribute_paths(repl):
    term = repl()
    # One candidate: completed in place.
    term.send("config.networking.hostN\t\n")
    out = term.prompt()
    assert 'config.networking.hostName\n"web1"' in out
    # Several: a second Tab lists them.
    term.send("config.services.web.\t\t")
    listing = term.read_until(PROMPT + "config.services.web.")
    for name in ("enable", "hosts", "port", "user", "vhosts"):
        assert f"config.services.web.{name}" in listing
    term.send("\x15")  # clear the line
    # Option paths after :e, into the configuration's entries.
    term.send(":e services.web.vhosts.d\t.r\t\n")
    out = term.read_until("verdict: used")
    assert ":e services.web.vhosts.docs.root\n" in out


def test_tab_completes_quoted_names(repl):
    term = repl("nested.dcl")
    term.send('config.services.proxy.sites."exa\t.locations."/a\t.proxyP\t\n')
    out = term.prompt()
    assert 'sites."example.org".locations."/api".proxyPass\n' in out
    assert '"http://127.0.0.1:8080"' in out


def test_explain_and_option_commands(repl):
    term = repl()
    out = term.line(":explain services.web.port")
    assert "winning priority: 50 (mkForce)" in out
    assert "dropped: an mkIf condition is false" in out
    out = term.line(":o services.web.vhosts.docs.root")
    assert "declared in: web-options.dcl:25" in out
    assert 'basic.dcl:25 [priority 100 (plain definition)]: "/srv/docs"' in out
    assert "does not exist" in term.line(":e services.web.prot")
    assert ":e needs an option name" in term.line(":e")


def test_history_persists_between_sessions(repl, home):
    term = repl()
    term.line("config.services.web.port")
    term.send(":q\n")
    assert term.close() == 0
    history = Path(home["XDG_DATA_HOME"]) / "declos" / "repl-history"
    assert "config.services.web.port" in history.read_text().splitlines()

    term = repl()
    term.send("\x10\x10\n")  # Ctrl-P twice: back past `:q` to the port
    out = term.prompt()
    assert "443" in out


def test_ctrl_c_stops_an_evaluation(repl):
    term = repl()
    slow = "let l = builtins.genList (x: x) 4000; in "
    slow += "builtins.foldl' (a: x: a + builtins.foldl' (b: y: b + y) 0 l) 0 l"
    term.send(slow + "\n")
    term.read_until(slow[-20:])
    import time

    time.sleep(1.0)
    term.send("\x03")
    out = term.read_until(PROMPT, timeout=10)
    assert "interrupted" in out
    assert "2\n" in term.line("1 + 1")


def test_reload_picks_up_an_edited_configuration(repl, tmp_path):
    work = tmp_path / "conf"
    shutil.copytree(FIXTURES, work)
    term = repl(cwd=work)
    assert '"web1"' in term.line("config.networking.hostName")
    config = work / "basic.dcl"
    config.write_text(config.read_text().replace('"web1"', '"web2"'))
    assert "Reloaded" in term.line(":r")
    assert '"web2"' in term.line("config.networking.hostName")


def _piped(config: str, text: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "declos", "repl", *LIBRARY, config],
        input=text,
        capture_output=True,
        text=True,
        cwd=FIXTURES,
        timeout=120,
    )


def test_without_a_terminal_it_reads_standard_input():
    proc = _piped("basic.dcl", "config.services.web.hosts\nnope\n:p config.services.web.vhosts\n")
    assert proc.returncode == 0
    assert '[ "a.example" "m.example" "z.example" ]' in proc.stdout
    assert '{ docs = { root = "/srv/docs"; }; }' in proc.stdout
    assert "undefined variable 'nope'" in proc.stderr


def test_a_broken_configuration_is_reported_before_any_prompt():
    proc = _piped("no-such.dcl", "")
    assert proc.returncode == 1
    assert "configuration file 'no-such.dcl' does not exist" in proc.stderr
    assert PROMPT not in proc.stdout
