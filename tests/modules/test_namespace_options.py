"""`declos options` and `declos docs` list the options of the NixOS
namespaces of issue 14, sub-options of submodules included."""

from __future__ import annotations

import contextlib
import io

import pytest

from declos.cli import main

OPTIONS = [
    "fileSystems.<name>.device",
    "fileSystems.<name>.fsType",
    "fileSystems.<name>.options",
    "fileSystems.<name>.neededForBoot",
    "fileSystems.<name>.autoFormat",
    "swapDevices.*.size",
    "programs.bash.shellAliases",
    "programs.bash.interactiveShellInit",
    "programs.bash.promptInit",
    "programs.zsh.enable",
    "programs.zsh.promptInit",
    "programs.git.config",
    "programs.ssh.extraConfig",
    "programs.ssh.knownHosts.<name>.publicKey",
    "programs.vim.defaultEditor",
    "security.sudo.wheelNeedsPassword",
    "security.sudo.execWheelOnly",
    "environment.sessionVariables",
    "systemd.user.services.<name>.script",
    "systemd.user.timers",
    "systemd.sockets.<name>.listenStreams",
    "systemd.units.<name>.text",
    "systemd.services.<name>.reload",
    "services.journald.extraConfig",
    "services.journald.storage",
    "services.timesyncd.servers",
    "services.resolved.dnssec",
    "networking.interfaces.<name>.ipv4.addresses.*.address",
    "networking.defaultGateway",
    "networking.defaultGateway6",
    "system.healthChecks",
    "system.autoUpgrade.enable",
    "system.autoUpgrade.source",
    "system.autoUpgrade.allowReboot",
]


@pytest.fixture(scope="module")
def listing(tmp_path_factory):
    d = tmp_path_factory.mktemp("opts")
    (d / "config.dcl").write_text("{ }\n")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["options", str(d / "config.dcl")]) == 0, err.getvalue()
        assert main(["docs", str(d / "config.dcl"), "-o", str(d / "docs")]) == 0, err.getvalue()
    names = {line for line in out.getvalue().splitlines() if line and not line.startswith(" ")}
    return names, (d / "docs" / "options.md").read_text()


@pytest.mark.parametrize("option", OPTIONS)
def test_option_is_listed_and_documented(listing, option):
    names, manual = listing
    assert option in names
    assert option in manual
