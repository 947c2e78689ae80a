"""A service's `environment` value may end in a backslash: Environment= is
written quoted, the backslash escaped (`Environment="PATTERN=C:\\\\"`), so
the line ends in a quote and continues nothing, and systemd reads the value
back exactly.  Line ends stay refused, also in a string that starts with
"/" (it was taken as a path, line ends and all), and a final backslash
stays refused where a unit value is written unquoted (it would continue
the line)."""

from __future__ import annotations

import re
import subprocess

import pytest
from real_programs import offline_security_user

CONFIG = r"""
{
  systemd.services.app = {
    script = "true";
    environment = { PATTERN = "C:\\"; ONLY = "\\"; MIXED = "a\\b \"c\" 100%\\"; };
    serviceConfig.User = "nobody";
  };
}
"""
VALUES = {"PATTERN": "C:\\", "ONLY": "\\", "MIXED": 'a\\b "c" 100%\\'}


def _unquote(line: str) -> tuple[str, str]:
    """The variable and value of one `Environment="NAME=VALUE"` line, as
    systemd unquotes it (C escapes inside double quotes, then `%%`)."""
    word = line.removeprefix("Environment=")
    assert word.startswith('"') and word.endswith('"'), line
    text = re.sub(r"\\(.)", r"\1", word[1:-1]).replace("%%", "%")
    name, _, value = text.partition("=")
    return name, value


def test_a_final_backslash_is_written_quoted_and_read_back(build):
    unit = build(CONFIG).unit("app.service")
    lines = unit.splitlines()
    assert 'Environment="PATTERN=C:\\\\"' in lines
    assert 'Environment="ONLY=\\\\"' in lines
    assert 'Environment="MIXED=a\\\\b \\"c\\" 100%%\\\\"' in lines
    assert "User=nobody" in lines
    read = dict(_unquote(line) for line in lines if line.startswith("Environment="))
    assert read == VALUES


def test_systemd_reads_the_exact_value_and_the_next_line(build, tmp_path):
    system = build(CONFIG)  # the build's own check ran systemd-analyze verify on it
    text = system.unit("app.service")
    assert "'nobody'" in offline_security_user(text, tmp_path)
    # A name starting with a digit is no variable name, so systemd prints
    # the assignment it parsed, "ignoring" it: the value exactly as read.
    probe = tmp_path / "probe.service"
    probe.write_text(re.sub(r'(?m)^Environment="', 'Environment="1', text))
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(probe)], capture_output=True, text=True
    )
    parsed = re.findall(r"Invalid environment assignment, ignoring: 1(.*)", proc.stderr)
    assert sorted(parsed) == sorted(f"{k}={v}" for k, v in VALUES.items()), proc.stderr


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            r'systemd.services.app.environment.A = "/x\nExecStartPre=/bin/evil";',
            [
                "systemd.services.app.environment.A",
                "environment value (string, path, package or integer; no line ends)",
            ],
        ),
        (
            r'systemd.services.app.environment.A = "1\rUser=root";',
            ["systemd.services.app.environment.A", "no line ends"],
        ),
        (
            r'systemd.services.app.serviceConfig.SyslogIdentifier = "app\\";',
            ["systemd.services.app.serviceConfig.SyslogIdentifier", "no final backslash"],
        ),
    ],
    ids=["path-like line end", "carriage return", "unquoted final backslash"],
)
def test_what_would_end_or_continue_the_line_stays_refused(build, line, expected):
    err = build(f'{{\n  {line}\n  systemd.services.app.script = "true";\n}}\n', fails=True)
    for part in expected:
        assert part in err
    assert "config.dcl:2" in err
    assert not [n for n in build.store_names() if n.endswith(("declos-system", "app.service"))]


def test_a_name_with_a_line_end_is_refused_without_the_unit_check(build):
    # Quoting does not help a name: the line end would still end the line.
    err = build(
        "{\n  systemd.checkUnits = false;\n"
        '  systemd.services.app = { script = "true"; environment."A\\nUser=root\\nB" = "1"; };\n}\n',
        fails=True,
    )
    assert "option `systemd.services.app.environment' is not of type" in err
    assert "(names and values without line ends)" in err and "config.dcl:3" in err
    assert not [n for n in build.store_names() if n.endswith(("declos-system", "app.service"))]
