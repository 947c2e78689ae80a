"""`declos options` (listing, --json, --explain) and `declos docs`, end to end.

Fixture configurations live in golden/introspect/; each case runs the CLI
from that directory (so locations print as `basic.dcl:23`) with
`-I declos/modules=library`, a small stand-in for the shared module library,
and compares stdout (and stderr, after a `--- stderr ---` line) with
`<case>.exp`.  The fixture directory is written `$GOLDEN` in expectations.
`pytest --accept` (or DECLOS_ACCEPT=1) rewrites them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from declos.cli import main
from declos.options.commands import options_report
from declos.options.configuration import evaluate_configuration, on_deep_stack
from declos.options.introspect import collect_options

FIXTURES = Path(__file__).parent / "golden" / "introspect"
LIBRARY = ["-I", "declos/modules=library"]


def accepting(request) -> bool:
    return bool(request.config.getoption("--accept")) or os.environ.get("DECLOS_ACCEPT") == "1"


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


SITE = 'services.proxy.sites."example.org"'
API = SITE + '.locations."/api"'

CASES = [
    # (case name, arguments after `declos`, exit status)
    ("list", ["options", "basic.dcl"], 0),
    ("list-named", ["options", "basic.dcl", "services.web.port", "networking.hostName"], 0),
    ("list-prefix", ["options", "basic.dcl", "services.web.vhosts"], 0),
    ("list-sub-option", ["options", "basic.dcl", "services.web.vhosts.docs.root"], 0),
    ("list-hidden-named", ["options", "basic.dcl", "secret"], 0),
    ("list-base-module", ["options", "basic.dcl", "system.stateVersion"], 0),
    ("json", ["options", "basic.dcl", "services.web.hosts", "--json"], 0),
    (
        "explain",
        ["options", "basic.dcl", "services.web.hosts", "services.web.port", "services.web.user"]
        + ["--explain"],
        0,
    ),
    (
        "explain-conditions",
        ["options", "conditions.dcl", "services.web.port", "services.web.banner", "--explain"],
        0,
    ),
    ("explain-json", ["options", "basic.dcl", "services.web.port", "--explain", "--json"], 0),
    # Concrete paths below submodules, attrsOf and listOf (nested.dcl).
    ("nested-submodule", ["options", "nested.dcl", API + ".proxyPass", API + ".priority"], 0),
    ("nested-explain", ["options", "nested.dcl", API + ".priority", "--explain"], 0),
    ("nested-force", ["options", "nested.dcl", SITE + '.locations."/".priority', "--explain"], 0),
    ("nested-list", ["options", "nested.dcl", SITE + ".listen.0", SITE + ".listen.1.port"], 0),
    (
        "nested-attrs-entry",
        ["options", "nested.dcl", "services.proxy.headers.X-Frame2", "--explain"],
        0,
    ),
    (
        "nested-freeform",
        [
            "options",
            "nested.dcl",
            "services.proxy.settings.Extra",
            "services.proxy.settings.LogLevel",
        ],
        0,
    ),
    ("nested-null-or", ["options", "nested.dcl", "services.proxy.backup.dir"], 0),
    (
        "nested-coerced",
        [
            "options",
            "nested.dcl",
            "services.proxy.scripts.hello.text",
            "services.proxy.scripts.bye.text",
        ],
        0,
    ),
    (
        "nested-coerced-explain",
        ["options", "nested.dcl", "services.proxy.scripts.hello.text", "--explain"],
        1,
    ),
    ("nested-json", ["options", "nested.dcl", API + ".proxyPass", "--json"], 0),
    ("nested-explain-json", ["options", "nested.dcl", API + ".priority", "--explain", "--json"], 0),
    ("nested-missing-entry", ["options", "nested.dcl", SITE + '.locations."/docs".proxyPass'], 0),
    (
        "nested-missing-site",
        ["options", "nested.dcl", 'services.proxy.sites."exmple.org".serverName'],
        0,
    ),
    ("nested-template", ["options", "nested.dcl", "services.proxy.sites.<name>.listen.*.port"], 0),
    (
        "nested-dotted-name",
        ["options", "nested.dcl", "services.proxy.sites.example.org.serverName"],
        1,
    ),
    ("nested-entry", ["options", "nested.dcl", SITE, SITE + '.locations."/"', "--json"], 0),
    ("nested-no-such-option", ["options", "nested.dcl", SITE + ".locatoins"], 1),
    ("nested-list-index", ["options", "nested.dcl", SITE + ".listen.2.port"], 1),
    ("nested-into-string", ["options", "nested.dcl", "services.proxy.headers.X-Frame.x"], 1),
    (
        "nested-explain-missing",
        ["options", "nested.dcl", SITE + '.locations."/x".priority', "--explain"],
        1,
    ),
    (
        "nested-explain-template",
        ["options", "nested.dcl", "services.proxy.sites.<name>.serverName", "--explain"],
        1,
    ),
    # Bad inputs: one located message, exit 1, no traceback.
    ("throws", ["options", "throws.dcl"], 1),
    ("explain-throws", ["options", "throws.dcl", "badCondition", "bad", "--explain"], 1),
    ("unknown-option", ["options", "basic.dcl", "services.web.prot"], 1),
    ("unknown-option-far", ["options", "basic.dcl", "no.such.thing"], 1),
    ("missing-config", ["options", "no-such-config.dcl"], 1),
    ("syntax-error", ["options", "syntax-error.dcl"], 1),
    ("undeclared-definition", ["options", "undeclared.dcl"], 1),
    (
        "explain-sub-option",
        ["options", "basic.dcl", "services.web.vhosts.docs.root", "--explain"],
        0,
    ),
]


@pytest.mark.parametrize(("name", "argv", "status"), CASES, ids=[c[0] for c in CASES])
def test_options_golden(name, argv, status, request, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    rc, out, err = run_cli(argv[:1] + LIBRARY + argv[1:])
    text = out + (f"--- stderr ---\n{err}" if err else "")
    text = text.replace(str(FIXTURES), "$GOLDEN")
    assert "Traceback" not in text
    expected = FIXTURES / f"{name}.exp"
    if accepting(request):
        expected.write_text(text)
    assert text == expected.read_text()
    assert rc == status


def test_json_is_stable_and_parses(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    rc, out, _ = run_cli(["options", *LIBRARY, "basic.dcl", "--json"])
    assert rc == 0
    data = json.loads(out)
    names = [o["name"] for o in data]
    assert names == sorted(names)
    hosts = next(o for o in data if o["name"] == "services.web.hosts")
    assert hosts["value"] == '[ "a.example" "m.example" "z.example" ]'
    assert hosts["declarations"] == ["web-options.dcl:13"]
    assert [d["line"] for d in hosts["definitions"]] == [24, 28, 29]
    assert {d["priority"] for d in hosts["definitions"]} == {100}
    rc2, out2, _ = run_cli(["options", *LIBRARY, "basic.dcl", "--json"])
    assert out2 == out


def test_all_includes_internal_options(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    _, plain, _ = run_cli(["options", *LIBRARY, "basic.dcl"])
    rc, everything, _ = run_cli(["options", *LIBRARY, "basic.dcl", "--all"])
    assert rc == 0
    for hidden in ("\nsecret\n", "\nsystem.modulesPath\n", "\n_module.check\n"):
        assert hidden not in plain
        assert hidden in everything


def test_explain_needs_an_option(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    rc, _, err = run_cli(["options", *LIBRARY, "basic.dcl", "--explain"])
    assert rc == 2
    assert "needs at least one OPTION" in err


def test_evaluate_configuration_uses_the_module_list():
    ev, result = evaluate_configuration(
        str(FIXTURES / "basic.dcl"), [f"declos/modules={FIXTURES / 'library'}"]
    )

    def run():
        from declos.eval.values import force

        config = force(result["config"])
        system = force(config["system"])
        return force(system["stateVersion"]), force(system["modulesPath"])

    state_version, modules_path = on_deep_stack(run)
    assert state_version == "25.05"
    assert modules_path == str(FIXTURES / "library")


def test_options_report_is_callable_without_the_cli(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    report = options_report(
        "basic.dcl", ["services.web.port"], search_path=["declos/modules=library"]
    )
    assert report.failed == ()
    assert "value: 443" in report.text


# --- docs -------------------------------------------------------------------------


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: list[str] = []
        self.ids: list[str] = []
        self.inputs: list[dict] = []
        self.scripts = 0
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-name" in a:
            self.names.append(a["data-name"])
            self.ids.append(a["id"])
        if tag == "input":
            self.inputs.append(a)
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if a.get(key) and not a[key].startswith("#"):
                self.external.append(a[key])


def _documented_names() -> list[str]:
    ev, result = evaluate_configuration(
        str(FIXTURES / "basic.dcl"), [f"declos/modules={FIXTURES / 'library'}"]
    )
    return on_deep_stack(lambda: [i.name for i in collect_options(ev, result["options"])])


def test_docs_html_and_markdown(tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    out = tmp_path / "manual"
    rc, stdout, err = run_cli(["docs", *LIBRARY, "basic.dcl", "-o", str(out)])
    assert rc == 0, err
    assert sorted(os.listdir(out)) == ["index.html", "options.md"]
    assert stdout.splitlines() == [str(out / "index.html"), str(out / "options.md")]
    names = _documented_names()
    assert "services.web.vhosts.<name>.root" in names
    assert "secret" not in names

    parser = _Sections()
    parser.feed((out / "index.html").read_text())
    parser.close()
    assert parser.names == [n.lower() for n in names]
    assert len(set(parser.ids)) == len(parser.ids)
    assert any(i.get("type") == "search" for i in parser.inputs)
    assert parser.scripts == 1
    assert parser.external == []

    md = (out / "options.md").read_text()
    for n in names:
        assert f"## `{n}`" in md
    assert "Document root of <name>." in md
    assert "&lt;name&gt;" in (out / "index.html").read_text()


def test_docs_replace_atomically(tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    out = tmp_path / "manual"
    assert run_cli(["docs", *LIBRARY, "basic.dcl", "-o", str(out)])[0] == 0
    (out / "options.md").write_text("stale")
    assert run_cli(["docs", *LIBRARY, "conditions.dcl", "-o", str(out)])[0] == 0
    assert "services.web.banner" in (out / "options.md").read_text()
    assert sorted(os.listdir(tmp_path)) == ["manual"]  # no temporary directories left


def test_docs_refuse_to_replace_other_files(tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    out = tmp_path / "manual"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    rc, _, err = run_cli(["docs", *LIBRARY, "basic.dcl", "-o", str(out)])
    assert rc == 1
    assert "refusing to replace" in err and "notes.txt" in err
    assert (out / "notes.txt").read_text() == "mine"


def test_docs_bad_config(tmp_path, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    rc, _, err = run_cli(["docs", *LIBRARY, "syntax-error.dcl", "-o", str(tmp_path / "m")])
    assert rc == 1
    assert "syntax-error.dcl:4:12" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()
