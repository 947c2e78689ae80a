"""environment.variables and environment.shellAliases: the shell-escaped
/etc/profile.d/declos.sh, read back by a real shell."""

from __future__ import annotations

import subprocess


def test_profile_is_shell_escaped(build):
    system = build(
        r"""
        {
          environment.variables = {
            EDITOR = "vim";
            QUOTED = "it's \"x\" $HOME `id` \\";
            XDG_DATA_DIRS = [ "/usr/share" "/var/lib/flatpak/exports/share" ];
            ANSWER = 42;
          };
          environment.shellAliases = { ll = "ls -l"; gs = "git status; echo 'done'"; gone = null; };
          environment.extraInit = ''export PATH="$HOME/bin:$PATH"'';
        }
        """
    )
    profile = system.etc("profile.d/declos.sh")
    script = (
        f'. {profile}; printf "%s\\n" "$EDITOR" "$QUOTED" "$XDG_DATA_DIRS" "$ANSWER" "$PATH"; alias'
    )
    out = subprocess.run(
        ["sh", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"HOME": "/home/u", "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out[:5] == [
        "vim",
        'it\'s "x" $HOME `id` \\',
        "/usr/share:/var/lib/flatpak/exports/share",
        "42",
        "/home/u/bin:/usr/bin:/bin",
    ]
    aliases = "\n".join(out[5:])
    assert "ll='ls -l'" in aliases and "gs=" in aliases and "gone" not in aliases
    # sh -n parses it too
    subprocess.run(["sh", "-n", str(profile)], check=True)


def test_no_profile_without_settings(build):
    assert "profile.d/declos.sh" not in build("{ }").manifest["etc"]


def test_bad_names_are_assertions(build):
    err = build(
        """
        {
          environment.variables."MY-VAR" = "x";
          environment.shellAliases."l l" = "ls";
        }
        """,
        fails=True,
    )
    assert "Failed assertions" in err
    assert 'environment.variables."MY-VAR"' in err and 'environment.shellAliases."l l"' in err
