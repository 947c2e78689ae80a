"""A value written into a unit file cannot add a line: systemd ends a line at
"\\n" and at "\\r", so `Description = "x\\nExecStartPre=/bin/evil"` would add
a setting the configuration never named.  Each string option that reaches a
unit file refuses a line end at evaluation, naming the option and the file."""

from __future__ import annotations

import pytest

CASES = [
    ("description", r'systemd.services.app.description = "x\nExecStartPre=/bin/evil";'),
    ("after", r'systemd.services.app.after = [ "a.target\rExecStartPre=/bin/evil" ];'),
    ("serviceConfig", r'systemd.services.app.serviceConfig.User = "nobody\nUser=root";'),
    (
        "serviceConfig list",
        r'systemd.services.app.serviceConfig.ExecStartPre = [ "/bin/true\r\nUser=root" ];',
    ),
    ("environment", r'systemd.services.app.environment.A = "1\nUser=root";'),
    ("path", r'systemd.services.app.path = [ "/opt/bin\nUser=root" ];'),
    ("startAt", r'systemd.services.app.startAt = "daily\nPersistent=false";'),
    ("listenStreams", r'systemd.sockets.app.listenStreams = [ "8080\nUser=root" ];'),
]


def _config(line: str) -> str:
    return f"""
        {{
          systemd.services.app.script = "true";
          systemd.sockets.app = {{ }};
          {line}
        }}
    """


@pytest.mark.parametrize(("what", "line"), CASES, ids=[c[0] for c in CASES])
def test_a_line_end_in_a_unit_value_is_refused(build, what, line):
    err = build(_config(line), fails=True)
    assert "without line ends" in err or "no line ends" in err
    assert "is not of type" in err
    assert "config.dcl:" in err


def test_values_on_one_line_still_build(build):
    system = build(
        _config(
            'systemd.services.app.description = "An app";\n'
            '          systemd.services.app.environment.A = "1";\n'
            '          systemd.sockets.app.listenStreams = [ "127.0.0.1:8080" ];'
        )
    )
    unit = (system.toplevel / "etc/systemd/system/app.service").read_text()
    assert "Description=An app\n" in unit
    assert 'Environment="A=1"\n' in unit
