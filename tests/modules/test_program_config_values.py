"""programs.git, programs.ssh and system.autoUpgrade cannot be made to write
a line, a section, a directive or an argument they do not declare.

/etc/gitconfig's section and variable names are written without quoting:
`"alias]\\n[core]\\n\\tfsmonitor = CMD\\n[y".x` added a `core.fsmonitor` (a
command every git user runs) that `git config --list` accepted; names are
git-config(1) names now, while values stay any string (quoted and escaped,
read back exactly by git).  A line end in a `programs.ssh.knownHostsFiles`
entry added a `Match exec` or `ProxyCommand` line to ssh_config (run by
`ssh -G` itself), a blank trusted another file.  `system.autoUpgrade.ref`
is an argument of `git fetch`, where "--upload-pack=CMD" ran CMD as root.
Each is refused at evaluation with the option, what was expected and the
definition's file:line, and nothing is built; plain values render byte for
byte as before."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

GIT = "programs.git = { enable = true; config"
UPGRADE = 'system.autoUpgrade = { enable = true; source = "https://git.example.org/hosts.git";'
SECTION = ["programs.git.config: the section name", "is not a git-config(1) section"]
VARIABLE = "is not a git-config(1) variable: a letter, then letters, digits and"
CASES = [
    (
        "git section closing its header",
        GIT + r'."alias]\n[core]\n\tfsmonitor = touch /tmp/p\n[y".x = "1"; };',
        [*SECTION, r'"alias]\n[core]\n\tfsmonitor = touch /tmp/p\n[y"'],
    ),
    (
        "git quoted section closing its header",
        GIT + r'."remote \"o\"]\n[core]\n\tpager = touch /tmp/p\n[remote \"x\"".url = "u"; };',
        SECTION,
    ),
    (
        "git subsection with a line end",
        GIT + r'.url."https://m/\n[core]\n\tpager = touch /tmp/p\n".insteadOf = "gh:"; };',
        SECTION,
    ),
    (
        "git section with a blank",
        GIT + '."core pager".x = "1"; };',
        SECTION,
    ),
    (
        "git variable with a line end",
        GIT + r'.user."name=x\n[core]\n\tsshCommand=touch /tmp/p\n\tz" = "1"; };',
        ['programs.git.config."user": the variable name', VARIABLE],
    ),
    (
        "git variable with a blank, in a list of sets",
        GIT + ' = [ { core."pager = touch /tmp/p #" = "x"; } ]; };',
        ['programs.git.config."core": the variable name "pager = touch /tmp/p #"', VARIABLE],
    ),
    (
        "ssh known-hosts file with a line end",
        r'programs.ssh.knownHostsFiles = [ "/etc/ssh/fleet\nMatch exec \"touch /tmp/p\"" ];',
        ["programs.ssh.knownHostsFiles", "absolute path without blanks, quotes"],
    ),
    (
        "ssh known-hosts file with a blank",
        'programs.ssh.knownHostsFiles = [ "/srv/fleet /tmp/attacker_known_hosts" ];',
        ["programs.ssh.knownHostsFiles", "absolute path without blanks, quotes"],
    ),
    (
        "auto-upgrade ref as a git option",
        UPGRADE + ' ref = "--upload-pack=touch /tmp/p;git-upload-pack"; };',
        ["system.autoUpgrade.ref", "git branch, tag or commit", 'not starting with "-"'],
    ),
    (
        "auto-upgrade source as a git option",
        'system.autoUpgrade = { enable = true; source = "--upload-pack=x"; };',
        ["system.autoUpgrade.source", 'not starting with "-"'],
    ),
    (
        "auto-upgrade file with a backslash",
        UPGRADE + r' file = "a\\c.dcl"; };',
        ["system.autoUpgrade.file", "relative path inside the repository", "no backslash"],
    ),
    (
        "auto-upgrade dates with a line end",
        UPGRADE + r' dates = "daily\nOnBootSec=1"; };',
        ["system.autoUpgrade.dates", "string without line ends"],
    ),
]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_value_that_would_add_a_line_or_argument_is_refused(build, what, line, expected):
    err = build("{\n  " + line + "\n}\n", fails=True)
    for text in expected:
        assert text in err
    assert "config.dcl:2" in err
    made = build.store_names()
    assert not [n for n in made if n.endswith("declos-system")]


def test_git_reads_back_exactly_the_declared_values(build):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    system = build(
        r"""
        {
          programs.git.enable = true;
          programs.git.config = {
            user.name = "x\"\n[core]\n\tpager = touch /tmp/p";
            user.email = "back\\slash\\";
            alias.a = " lead\tand trail ; # hash ";
            alias.b = "cr\rhere\r\n";
            url."https://h/a b]c [d".insteadOf = "x";
          };
        }
        """
    )
    listed = subprocess.run(
        [git, "config", "--file", str(system.etc("gitconfig")), "--list", "-z"],
        capture_output=True,
        check=True,
    ).stdout.decode()  # bytes: text mode would read "\r" as a line end
    pairs = [item.split("\n", 1) for item in listed.split("\0") if item]
    assert pairs == [
        ["alias.a", " lead\tand trail ; # hash "],
        ["alias.b", "cr\rhere\r\n"],
        ["url.https://h/a b]c [d.insteadof", "x"],
        ["user.email", "back\\slash\\"],
        ["user.name", 'x"\n[core]\n\tpager = touch /tmp/p'],
    ]


GITCONFIG = """\
[alias]
\tlg = "log --graph\\t--oneline\\\\n"

[branch "main"]
\tremote = "origin"

[core]
\tautocrlf = false
\tcompression = 9
\tpager = "less -R"

[diff "a.b"]
\tc = "d"

[http "https://example.com"]
\tsslVerify = true

[includeIf "gitdir:~/work/"]
\tpath = "~/work/.gitconfig"

[init]
\tdefaultBranch = "main"

[remote "origin"]
\turl = "https://example.org/x.git"

[safe]
\tdirectory = "/srv/repo"
\tdirectory = "*"

[url "git@github.com:"]
\tpushInsteadOf = "https://github.com/"

[url "https://github.com/"]
\tinsteadOf = "gh:"
\tinsteadOf = "github:"

[user]
\temail = "ada@example.org"
\tname = "Ada \\"the\\" Admin"
"""

SSH_CONFIG = """\
# Generated by declos (programs.ssh).
ForwardX11 no
PubkeyAcceptedKeyTypes +ssh-rsa,ssh-dss
HostKeyAlgorithms ssh-ed25519-cert-v01@openssh.com,ssh-ed25519
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com
MACs hmac-sha2-512-etm@openssh.com
KexAlgorithms curve25519-sha256,sntrup761x25519-sha512@openssh.com
GlobalKnownHostsFile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2 \
/etc/ssh/extra_known_hosts /var/lib/known-hosts.d/fleet
Host build
  User ci
"""

FETCH = """\
#!/bin/sh
set -eu
state=$1
repo=$state/checkout
export HOME=$state GIT_TERMINAL_PROMPT=0
if [ -d "$repo/.git" ] && [ "$(git -C "$repo" remote get-url origin)" = \
https://git.example.org/infra/hosts.git ]; then
  git -C "$repo" fetch --quiet --depth 1 origin refs/heads/release/2024.1 >&2
else
  rm -rf "$repo"
  git init --quiet "$repo" >&2
  git -C "$repo" remote add origin https://git.example.org/infra/hosts.git
  git -C "$repo" fetch --quiet --depth 1 origin refs/heads/release/2024.1 >&2
fi
git -C "$repo" checkout --quiet --force --detach FETCH_HEAD >&2
git -C "$repo" clean --quiet -f -d -x >&2
echo "fetched $(git -C "$repo" rev-parse HEAD) from "https://git.example.org/infra/hosts.git >&2
[ -f "$repo/"web1/config.dcl ] || { echo "system.autoUpgrade.file: "web1/config.dcl" \
is not in the repository" >&2; exit 1; }
echo "$repo/"web1/config.dcl


"""


def test_plain_values_render_as_before(build):
    system = build(
        r"""
        {
          programs.git = {
            enable = true;
            config = {
              init.defaultBranch = "main";
              user = { name = "Ada \"the\" Admin"; email = "ada@example.org"; };
              url."https://github.com/".insteadOf = [ "gh:" "github:" ];
              url."git@github.com:".pushInsteadOf = "https://github.com/";
              core = { autocrlf = false; compression = 9; pager = "less -R"; };
              "remote \"origin\"".url = "https://example.org/x.git";
              alias.lg = "log --graph\t--oneline\\n";
              includeIf."gitdir:~/work/".path = "~/work/.gitconfig";
              safe.directory = [ "/srv/repo" "*" ];
              http."https://example.com".sslVerify = true;
              branch.main.remote = "origin";
              "diff.a.b".c = "d";
            };
          };
          programs.vim = { enable = true; defaultEditor = true; package = "vim-nox"; };
          programs.ssh = {
            forwardX11 = false;
            pubkeyAcceptedKeyTypes = [ "+ssh-rsa" "ssh-dss" ];
            hostKeyAlgorithms = [ "ssh-ed25519-cert-v01@openssh.com" "ssh-ed25519" ];
            ciphers = [ "chacha20-poly1305@openssh.com" "aes256-gcm@openssh.com" ];
            macs = [ "hmac-sha2-512-etm@openssh.com" ];
            kexAlgorithms = [ "curve25519-sha256" "sntrup761x25519-sha512@openssh.com" ];
            knownHostsFiles = [ "/etc/ssh/extra_known_hosts" "/var/lib/known-hosts.d/fleet" ];
            extraConfig = ''
              Host build
                User ci
            '';
          };
          system.autoUpgrade = {
            enable = true;
            source = "https://git.example.org/infra/hosts.git";
            ref = "refs/heads/release/2024.1";
            file = "web1/config.dcl";
            dates = "Mon *-*-* 04:40";
            randomizedDelaySec = "45min";
            flags = [ "--keep-failed" "--option" "a b" ];
            allowReboot = true;
          };
        }
        """
    )
    assert system.etc("gitconfig").read_text() == GITCONFIG
    assert system.etc("ssh/ssh_config.d/declos.conf").read_text() == SSH_CONFIG
    assert "EDITOR" in system.etc("profile.d/declos.sh").read_text()
    service = system.unit("declos-upgrade.service")
    assert (
        "Description=declos: switch to the configuration of https://git.example.org/infra/hosts.git\n"
        in service
    )
    assert "OnCalendar=Mon *-*-* 04:40\n" in system.unit("declos-upgrade.timer")
    assert "RandomizedDelaySec=45min\n" in system.unit("declos-upgrade.timer")
    script = service.split("ExecStart=", 1)[1].split("\n", 1)[0]
    text = Path(script).read_text()
    assert "--root / --keep-failed --option 'a b'\n" in text
    fetch = text.split("config=$(", 1)[1].split(" ", 1)[0]
    assert Path(fetch).read_text() == FETCH


def test_a_percent_in_the_source_is_no_unit_specifier(build):
    # "%20" in a URL failed the unit check ("Invalid slot"), "%n" was the unit's name
    system = build(
        """
        {
          system.autoUpgrade = { enable = true; source = "https://git.example.org/my%20hosts%n.git"; };
        }
        """
    )
    assert (
        "Description=declos: switch to the configuration of https://git.example.org/my%%20hosts%%n.git\n"
        in system.unit("declos-upgrade.service")
    )
