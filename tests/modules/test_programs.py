"""programs.bash, programs.zsh, programs.git, programs.ssh and programs.vim:
the files they write, read back by the real programs (an interactive bash
sourcing /etc/profile.d/declos.sh, `git config --system`, `ssh -G`,
`ssh-keygen -F`), the host packages they declare, the build-time checks
of /etc/gitconfig and the ssh_config drop-in, and located errors."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.modules.real_programs import require, run_isolated

SHELLS = r"""
{
  environment.shellAliases = { gs = "git status"; ll = "ls -l"; };
  environment.variables.GREETING = "hello";
  programs.bash = {
    shellAliases.ll = "ls -la";
    promptInit = "PS1='declos> '";
    interactiveShellInit = "declos_interactive=yes";
  };
  programs.zsh = {
    enable = true;
    shellAliases.zz = "echo zz";
    promptInit = "PROMPT='%n@declos%# '";
    loginShellInit = "declos_login=yes";
    setOptions = [ "EXTENDED_HISTORY" ];
  };
  programs.vim.defaultEditor = true;
}
"""


@pytest.fixture
def shells(build):
    return build(SHELLS)


def test_bash_interactive_shells_get_aliases_prompt_and_init(shells):
    bash = require("bash")
    # the toplevel's /etc seen at /etc, as a login would see the switched root
    probe = 'echo "$PS1|$declos_interactive|$GREETING|$EDITOR"; alias ll; alias gs'
    proc = run_isolated(
        shells.toplevel,
        [bash, "--noprofile", "--norc", "-i", "-c", f". /etc/profile.d/declos.sh; {probe}"],
        binds=((shells.toplevel / "etc", "/etc"),),
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "declos> |yes|hello|vim"
    assert "alias ll='ls -la'" in lines  # programs.bash wins over environment.shellAliases
    assert "alias gs='git status'" in lines  # and has the environment's by default


def test_bash_file_is_only_read_by_interactive_bash(shells):
    profile = shells.etc("profile.d/declos.sh")
    sh = require("dash") if shutil.which("dash") else require("sh")
    # dash parses and sources it without reading the bash file
    proc = subprocess.run(
        [sh, "-c", f'. {profile}; echo "${{declos_interactive-unset}}"'],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and proc.stdout == "unset\n", proc.stderr
    subprocess.run(["bash", "-n", str(shells.etc("declos/bashrc"))], check=True)


def test_zsh_is_a_host_package_with_its_zshenv(shells):
    m = shells.manifest
    assert {"zsh", "vim"} <= set(m["hostPackages"]["packages"])
    zshenv = shells.etc("zsh/zshenv").read_text()
    # Debian's own default PATH, then login and interactive parts in order
    assert 'export PATH="/usr/local/bin:/usr/bin:/bin:/usr/games"' in zshenv
    login = zshenv.index("if [[ -o login ]]")
    interactive = zshenv.index("if [[ -o interactive ]]")
    assert login < zshenv.index("emulate sh -c '. /etc/profile.d/declos.sh'") < interactive
    assert login < zshenv.index("declos_login=yes") < interactive
    tail = zshenv[interactive:]
    assert "setopt EXTENDED_HISTORY" in tail and "HISTSIZE=2000" in tail
    assert tail.index("alias zz='echo zz'") < tail.index("PROMPT='%n@declos%# '")
    if shutil.which("zsh"):
        subprocess.run(["zsh", "-n", str(shells.etc("zsh/zshenv"))], check=True)


def test_zsh_config_directory_for_fedora(build):
    s = build('{ programs.zsh = { enable = true; configDirectory = "/etc"; }; }')
    assert "zshenv" in s.manifest["etc"] and "zsh/zshenv" not in s.manifest["etc"]


def test_nothing_written_for_shells_by_default(build):
    etc = build("{ }").manifest["etc"]
    assert not {"declos/bashrc", "zsh/zshenv", "gitconfig"} & set(etc)
    assert "profile.d/declos.sh" not in etc


GIT = r"""
{
  programs.git = {
    enable = true;
    config = {
      init.defaultBranch = "main";
      url."https://github.com/".insteadOf = [ "gh:" "github:" ];
      user.useConfigOnly = true;
    };
  };
}
"""


def test_git_system_config_read_by_git(build):
    git = require("git")
    s = build(GIT)
    assert "git" in s.manifest["hostPackages"]["packages"]
    env = {
        "GIT_CONFIG_SYSTEM": str(s.etc("gitconfig")),
        "HOME": str(s.toplevel),
        "PATH": os.environ["PATH"],
    }

    def get(*key: str) -> str:
        return subprocess.run(
            [git, "config", "--system", *key], capture_output=True, text=True, env=env, check=True
        ).stdout

    assert get("init.defaultBranch") == "main\n"
    assert get("--get-all", "url.https://github.com/.insteadOf") == "gh:\ngithub:\n"
    assert get("--bool", "user.useConfigOnly") == "true\n"
    # git is on this host (require above), so the build's check ran
    assert (s.toplevel / "checks" / "gitconfig").read_text() == "passed\n"


def test_git_config_list_keeps_order(build):
    s = build(
        """
        { programs.git = { enable = true;
            config = [ { b.x = 1; } { a.y = "z"; } ]; }; }
        """
    )
    text = s.etc("gitconfig").read_text()
    assert text.index("[b]") < text.index("[a]")


def test_git_disabled_writes_nothing(build):
    s = build('{ programs.git.config.init.defaultBranch = "main"; }')
    assert "gitconfig" not in s.manifest["etc"]
    assert "git" not in s.manifest.get("hostPackages", {}).get("packages", {})


SSH = r"""
{
  programs.ssh = {
    knownHosts."github.com".publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    knownHosts.build = {
      hostNames = [ "build" "10.0.0.5" ];
      publicKeyFile = ./build.pub;
    };
    knownHosts.ca = { hostNames = [ "*.example.org" ]; certAuthority = true; publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHWjkplYp+V9NPhm8qZp5UUtnPm8m2H4HJ0VJa1tGu0K"; };
    ciphers = [ "aes256-gcm@openssh.com" "chacha20-poly1305@openssh.com" ];
    extraConfig = ''
      Host build
        User ci
        Port 2222
    '';
  };
}
"""

BUILD_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuildKeyBuildKeyBuildKeyBuildKeyBuildKey0 build"


def test_ssh_client_reads_the_drop_in_and_known_hosts(build):
    ssh = require("ssh")
    (build.dir / "build.pub").write_text(BUILD_KEY + "\n")
    s = build(SSH)
    conf = s.etc("ssh/ssh_config.d/declos.conf")
    out = subprocess.run([ssh, "-G", "-F", str(conf), "build"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    settings = out.stdout.splitlines()
    assert "user ci" in settings and "port 2222" in settings
    assert "ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com" in settings
    known = s.etc("ssh/ssh_known_hosts").read_text().splitlines()
    assert f"build,10.0.0.5 {BUILD_KEY}" in known
    assert any(x.startswith("@cert-authority *.example.org ssh-ed25519 ") for x in known)
    keygen = shutil.which("ssh-keygen")
    if keygen:
        found = subprocess.run(
            [keygen, "-F", "github.com", "-f", str(s.etc("ssh/ssh_known_hosts"))],
            capture_output=True,
            text=True,
        )
        assert "github.com ssh-ed25519" in found.stdout


def test_ssh_bad_config_fails_the_build_naming_the_line(build):
    require("ssh")
    err = build(
        """
        {
          programs.ssh.extraConfig = ''
            NoSuchOption yes
          '';
        }
        """,
        fails=True,
    )
    assert "programs.ssh.extraConfig" in err and "config.dcl:3" in err


def test_known_host_needs_exactly_one_key(build):
    err = build(
        """
        {
          programs.ssh.knownHosts.foo = { hostNames = [ "foo" ]; };
        }
        """,
        fails=True,
    )
    assert 'programs.ssh.knownHosts."foo"' in err and "config.dcl:3" in err
    assert "set exactly one of publicKey and publicKeyFile" in err


def test_vim_default_editor_priority(build):
    s = build('{ programs.vim.defaultEditor = true; environment.variables.EDITOR = "nano"; }')
    assert "export EDITOR=nano" in s.etc("profile.d/declos.sh").read_text()
    assert "vim" in s.manifest["hostPackages"]["packages"]
    plain = build("{ programs.vim.enable = true; }")
    assert "vim" in plain.manifest["hostPackages"]["packages"]
    assert "profile.d/declos.sh" not in plain.manifest["etc"]


def test_bad_alias_name_is_an_assertion(build):
    err = build('{\n  programs.bash.shellAliases."l l" = "ls";\n}', fails=True)
    assert 'programs.bash.shellAliases."l l" (defined in ' in err
    assert "config.dcl:2): not a valid alias name" in err
    err = build(
        '{\n  programs.zsh.enable = true;\n  programs.zsh.shellAliases."a;b" = "ls";\n}', fails=True
    )
    assert 'programs.zsh.shellAliases."a;b" (defined in ' in err
    assert "config.dcl:3): not a valid alias name" in err
