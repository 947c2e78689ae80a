"""Nested options in listings and the manual, and `declos eval CONFIG -A config.…`.

Fixtures: golden/introspect/nested.dcl (sites with locations and listen
entries, freeform settings) with the stand-in module library, and
examples/webserver with the shared modules.
"""

from __future__ import annotations

import contextlib
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from declos.cli import main
from declos.options.markdown import markdown_to_html

FIXTURES = Path(__file__).parent / "golden" / "introspect"
REPO = Path(__file__).parents[2]
LIBRARY = ["-I", "declos/modules=library"]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def in_fixtures(monkeypatch):
    monkeypatch.chdir(FIXTURES)


# --- listings and the manual --------------------------------------------------------


def test_json_lists_nested_options_with_their_full_path(in_fixtures):
    rc, out, _ = run_cli(["options", *LIBRARY, "nested.dcl", "--json"])
    assert rc == 0
    names = [o["name"] for o in json.loads(out)]
    for name in (
        "services.proxy.sites.<name>.locations.<name>.proxyPass",
        "services.proxy.sites.<name>.locations.<name>.priority",
        "services.proxy.sites.<name>.listen.*.port",
        "services.proxy.settings.LogLevel",
        "services.proxy.backup.dir",
    ):
        assert name in names
    assert all(n.startswith(("services.", "system.", "networking.")) for n in names), names
    assert not any("_module" in n for n in names)


def test_webserver_json_has_nginx_locations_in_full(monkeypatch):
    monkeypatch.chdir(REPO)
    rc, out, _ = run_cli(["options", "examples/webserver/config.dcl", "--json"])
    assert rc == 0
    by_name = {o["name"]: o for o in json.loads(out)}
    proxy = by_name["services.nginx.virtualHosts.<name>.locations.<name>.proxyPass"]
    assert proxy["template"] is True
    assert proxy["loc"] == ["services", "nginx", "virtualHosts", "<name>", "locations"] + [
        "<name>",
        "proxyPass",
    ]


class _Manual(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections: dict[str, dict] = {}
        self._current: str | None = None
        self.html: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-name" in a:
            self._current = a["id"]
            self.sections[a["id"]] = a
            self.html[a["id"]] = []
        elif self._current:
            self.html[self._current].append(self.get_starttag_text())

    def handle_data(self, data):
        if self._current:
            self.html[self._current].append(data)


def _manual(tmp_path) -> tuple[_Manual, str]:
    out = tmp_path / "manual"
    rc, _, err = run_cli(["docs", *LIBRARY, "nested.dcl", "-o", str(out)])
    assert rc == 0, err
    parser = _Manual()
    parser.feed((out / "index.html").read_text())
    return parser, (out / "options.md").read_text()


def test_manual_lists_nested_options_and_renders_their_markdown(in_fixtures, tmp_path):
    manual, md = _manual(tmp_path)
    pid = "opt-services.proxy.sites._name_.locations._name_.proxyPass"
    assert manual.sections[pid]["data-name"] == (
        "services.proxy.sites.<name>.locations.<name>.proxypass"
    )
    body = "".join(manual.html[pid])
    assert "<code>" in body and "http://127.0.0.1:8080" in body
    assert "<strong>" in body and "**not**" not in body
    assert '<div class="admonition note">' in body and "::: {.note}" not in body
    # An {option} role links to that option's entry.
    assert '<a href="#opt-services.proxy.sites._name_.serverName">' in body
    assert "{option}" not in body
    sites = "".join(manual.html["opt-services.proxy.sites"])
    assert "<em>" in sites and '<a href="https://example.org/proxy">' in sites

    # The Markdown manual keeps the text as written, roles as inline code.
    assert "## `services.proxy.sites.<name>.locations.<name>.proxyPass`" in md
    assert "see `services.proxy.sites.<name>.serverName`." in md
    assert "{option}" not in md


def test_manual_search_matches_names_and_descriptions(in_fixtures, tmp_path):
    manual, _ = _manual(tmp_path)
    search = manual.sections["opt-services.proxy.sites._name_.locations._name_.proxyPass"]
    text = search["data-search"]
    assert "services.proxy.sites.<name>.locations.<name>.proxypass" in text
    assert "where requests for the location go" in text
    assert "\n" not in text


def test_description_markdown_is_safe():
    html = markdown_to_html(
        "<script>alert(1)</script> [x](javascript:alert(1)) {option}`a.b` `c`",
        lambda name: None,
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert '<code class="role-option">a.b</code>' in html  # no entry: no link
    assert "<code>c</code>" in html


# --- declos eval on a configuration module -----------------------------------------------


API = 'config.services.proxy.sites."example.org".locations."/api".proxyPass'


@pytest.mark.parametrize(
    ("argv", "printed"),
    [
        (["-A", API], '"http://127.0.0.1:8080"\n'),
        (
            ["-A", "config.services.proxy.headers", "--json"],
            '{"X-Frame":"DENY","X-Frame2":"SAMEORIGIN"}\n',
        ),
        (
            ["-A", 'config.services.proxy.sites."example.org".listen', "--strict"],
            '[ { addr = "0.0.0.0"; port = 8080; } { addr = "::"; port = 80; } ]\n',
        ),
        (["-A", "options.services.proxy.backup.description"], '"Backups, if any."\n'),
        (
            ["-A", "config.services.proxy.settings.Extra", "-A", "config.system.stateVersion"],
            '"yes"\n"25.05"\n',
        ),
    ],
)
def test_eval_selects_from_the_evaluated_configuration(in_fixtures, argv, printed):
    rc, out, err = run_cli(["eval", *LIBRARY, "nested.dcl", *argv])
    assert (rc, out, err) == (0, printed, "")


def test_eval_webserver_host_name(monkeypatch):
    monkeypatch.chdir(REPO)
    rc, out, _ = run_cli(
        ["eval", "examples/webserver/config.dcl", "-A", "config.networking.hostName"]
    )
    assert (rc, out) == (0, '"web"\n')


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        # A module as an attribute set of module keywords.
        ('{ imports = [ ./nested-options.dcl ]; config.services.proxy.headers.A = "b"; }', '"b"\n'),
        # A module function without `...`, taking `lib`.
        (
            '{ lib, ... }: { imports = [ ./nested-options.dcl ]; config.services.proxy.headers.A = lib.toUpper "b"; }',
            '"B"\n',
        ),
    ],
)
def test_eval_module_forms(tmp_path, monkeypatch, source, printed):
    (tmp_path / "nested-options.dcl").write_text((FIXTURES / "nested-options.dcl").read_text())
    (tmp_path / "c.dcl").write_text(source)
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_cli(["eval", "c.dcl", "-A", "config.services.proxy.headers.A"])
    assert (rc, out, err) == (0, printed, "")


@pytest.mark.parametrize(
    "source",
    [
        # Not modules: selected as nix-instantiate does.
        "{ config = { x = 1; }; other = 2; }",
        "{ pkgs ? null }: { config.x = 1; }",
    ],
)
def test_eval_of_values_that_are_not_modules_is_unchanged(tmp_path, monkeypatch, source):
    (tmp_path / "v.dcl").write_text(source)
    monkeypatch.chdir(tmp_path)
    assert run_cli(["eval", "v.dcl", "-A", "config.x"]) == (0, "1\n", "")


def test_eval_module_refuses_arguments(in_fixtures):
    rc, out, err = run_cli(["eval", *LIBRARY, "nested.dcl", "-A", API, "--arg", "x", "1"])
    assert (rc, out) == (1, "")
    assert "is a configuration module: --arg and --argstr do not apply" in err


def test_eval_module_without_config_prefix_suggests_it(in_fixtures):
    rc, _, err = run_cli(["eval", *LIBRARY, "nested.dcl", "-A", "services.proxy.headers"])
    assert rc == 1
    assert "called without required argument 'lib'" in err
    assert "Did you mean `config.services.proxy.headers'?" in err


def test_eval_module_unknown_attribute(in_fixtures):
    rc, _, err = run_cli(["eval", *LIBRARY, "nested.dcl", "-A", "config.services.proxy.nope"])
    assert rc == 1
    assert "attribute 'nope' in selection path 'config.services.proxy.nope' not found" in err
    assert "Traceback" not in err
