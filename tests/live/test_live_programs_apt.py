"""programs.git and programs.vim on a booted Debian host (issue 14): the
switch installs git and vim with the host's apt (they are host packages),
/etc/gitconfig is git's system configuration, and vim is the login
shells' EDITOR; a generation without them removes what declos installed.

The host shares this machine's network (apt needs Debian's mirror), so its
sshd and nginx, which would compete with this machine's for ports 22 and
80, are masked before boot (as tests/live/test_live_packages.py does).
"""

from __future__ import annotations

from pathlib import Path

from live_host import Host

CFG = "/root/cfg/config.dcl"

CONFIG = r"""
{
  programs.git = {
    enable = true;
    config = { init.defaultBranch = "main"; url."https://github.com/".insteadOf = "gh:"; };
  };
  programs.vim.defaultEditor = true;
  users.users.alice.isNormalUser = true;
}
"""


def _installed(host: Host, name: str) -> bool:
    out = host.run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}", name], check=False)
    return out.returncode == 0 and out.stdout.startswith("ii")


def test_git_and_vim_installed_and_configured(make_host) -> None:
    host = make_host(declos=True, private_network=False, boot=False)
    units = Path(host.root, "etc/systemd/system")
    for unit in ("ssh.service", "ssh.socket", "nginx.service"):
        (units / unit).unlink(missing_ok=True)
        (units / unit).symlink_to("/dev/null")
    host.boot()
    host.run("apt-get update -q", timeout=300)

    host.write_file(CFG, CONFIG)
    first = host.run(["declos", "switch", CFG, "--root", "/"], check=False, timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    (install,) = [x for x in first.stdout.splitlines() if x.startswith("host install ")]
    assert install.startswith("host install git vim (apt"), install
    assert _installed(host, "git") and _installed(host, "vim")

    assert host.run(["git", "config", "--system", "init.defaultBranch"]).stdout == "main\n"
    assert (
        host.run(["git", "config", "--system", "url.https://github.com/.insteadOf"]).stdout
        == "gh:\n"
    )
    assert host.run(["su", "-", "alice", "-c", 'echo "$EDITOR"; command -v vim']).stdout == (
        "vim\n/usr/bin/vim\n"
    )

    host.write_file(CFG, "{ users.users.alice.isNormalUser = true; }\n")
    second = host.run(["declos", "switch", CFG, "--root", "/"], check=False, timeout=900)
    assert second.returncode == 0, second.stdout + second.stderr
    assert not _installed(host, "git") and not _installed(host, "vim")
    assert host.run(["test", "-e", "/etc/gitconfig"], check=False).returncode == 1
