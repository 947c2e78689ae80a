"""environment.variables, sessionVariables and shellAliases cannot be made
to run shell code or add a line: names are refused (with the option path,
what was expected and the definition's file:line) unless they are shell
names or alias names, and values are literal: single-quoted in
/etc/profile.d/declos.sh, and in environment.d double-quoted when they start
with a quote or a blank (unquoted, systemd's reader ran such a value on over
the next lines, swallowing the variables after it)."""

from __future__ import annotations

import os
import subprocess

import pytest

VARIABLE = "not a valid shell variable name (letters, digits and _"
CASES = [
    (
        "variable",
        r'environment.variables."A=1\nB" = "x";',
        'environment.variables."A=1\\nB"',
        VARIABLE,
    ),
    (
        "session variable",
        r'environment.sessionVariables."X=1\nLD_PRELOAD" = "/tmp/evil.so";',
        'environment.sessionVariables."X=1\\nLD_PRELOAD"',
        VARIABLE,
    ),
    (
        "alias",
        'environment.shellAliases."ll;id" = "ls";',
        'environment.shellAliases."ll;id"',
        "not a valid alias name",
    ),
    (
        "search-path variable",
        'environment.profiles = [ "/opt/tools" ]; environment.profileRelativeEnvVars."A B" = [ "/bin" ];',
        'environment.profileRelativeEnvVars."A B"',
        VARIABLE,
    ),
]


@pytest.mark.parametrize(("what", "line", "option", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_name_that_would_run_code_or_add_a_line_is_refused(build, what, line, option, expected):
    err = build(f"{{\n  {line}\n}}", fails=True)
    assert f"{option} (defined in " in err
    assert "config.dcl:2)" in err
    assert expected in err


HOSTILE = r"""
{
  environment.variables.EVIL = "a'\nb\"; touch ${dir}/pwned; echo '$HOME `id` \\";
  environment.shellAliases.ll = "ls -l'\n; touch ${dir}/pwned";
  environment.sessionVariables = {
    A = "\"";
    B = "kept";
    C = " padded ";
    D = "hello $USER \\o/";
  };
}
"""


def test_values_are_literal_in_login_shells(build, tmp_path):
    s = build(HOSTILE.replace("${dir}", str(tmp_path)))
    profile = s.etc("profile.d/declos.sh")
    out = subprocess.run(
        ["sh", "-c", f'. {profile}; printf "%s|" "$EVIL" "$A" "$C"; alias ll'],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert out == (
        f"a'\nb\"; touch {tmp_path}/pwned; echo '$HOME `id` \\|\"| padded |"
        f"ll='ls -l'\"'\"'\n; touch {tmp_path}/pwned'\n"
    )
    assert not (tmp_path / "pwned").exists()


def test_session_values_are_literal_in_environment_d(build, tmp_path):
    s = build(HOSTILE.replace("${dir}", str(tmp_path)))
    text = s.etc("environment.d/40-declos-session.conf").read_text()
    # plain values as before, quoted ones only where systemd needs it
    assert text.splitlines()[1:] == ['A="\\""', "B=kept", 'C=" padded "', "D=hello $$USER \\\\o/"]
    gen = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator"
    if not os.access(gen, os.X_OK):
        pytest.skip("no systemd environment.d generator here")
    conf = tmp_path / "environment.d"
    conf.mkdir()
    (conf / "40-declos-session.conf").write_text(text)
    env = {"XDG_CONFIG_HOME": str(tmp_path), "USER": "x", "HOME": str(tmp_path)}
    out = subprocess.run([gen], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # printed shell-quoted by the generator
    for expected in ['A="\\""', "B=kept", 'C=" padded "', 'D="hello \\$USER \\\\o/"']:
        assert expected in lines
