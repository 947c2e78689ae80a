"""Bad configurations: `declos switch` stops before touching the root, exit
status 1, one located message (no traceback) naming the user's file and
line, as NixOS words them."""

from __future__ import annotations

import textwrap

import pytest

from declos.cli import main


@pytest.fixture
def switch_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(text: str) -> tuple[str, str]:
        conf = tmp_path / "config.dcl"
        conf.write_text(textwrap.dedent(text).lstrip())
        root = tmp_path / "root"
        capsys.readouterr()
        code = main(["switch", str(conf), "--root", str(root), "--state-dir", str(tmp_path / "s")])
        out, err = capsys.readouterr()
        assert code == 1, out + err
        assert "Traceback" not in err
        assert not (root / "etc").exists()
        return err, str(conf)

    return run


def test_user_in_a_group_that_does_not_exist(switch_fails):
    err, conf = switch_fails(
        """
        {
          users.groups.developers = { };
          users.users.alice = {
            isNormalUser = true;
            extraGroups = [ "wheel" "develpers" ];
          };
        }
        """
    )
    assert "Failed assertions:" in err
    assert (
        f'users.users.alice.extraGroups contains "develpers" (defined in {conf}:5), '
        "a group that is not declared: add users.groups.develpers = { };"
    ) in err


def test_unknown_option_with_a_suggestion(switch_fails):
    err, conf = switch_fails(
        """
        {
          networking.hostName = "box";
          networking.firewal.allowedTCPPorts = [ 22 ];
        }
        """
    )
    assert "The option `networking.firewal' does not exist." in err
    assert f"In `{conf}:3'" in err
    assert "Did you mean `networking.firewall'?" in err


def test_unknown_sub_option_with_a_suggestion(switch_fails):
    err, conf = switch_fails(
        """
        {
          services.flatpak.enable = true;
          services.flatpak.package = [ "org.gnome.Calculator" ];
        }
        """
    )
    assert "The option `services.flatpak.package' does not exist." in err
    assert f"In `{conf}:3'" in err and "Did you mean `services.flatpak.packages'?" in err


def test_conflicting_definitions(switch_fails):
    err, conf = switch_fails(
        """
        {
          imports = [
            { i18n.defaultLocale = "en_US.UTF-8"; }
          ];
          i18n.defaultLocale = "de_DE.UTF-8";
        }
        """
    )
    assert "The option `i18n.defaultLocale' has conflicting definition values:" in err
    assert f'In `{conf}:5\': "de_DE.UTF-8"' in err
    assert f'In `{conf}:3\': "en_US.UTF-8"' in err
    assert "Use `lib.mkForce value` or `lib.mkDefault value`" in err


def test_port_out_of_range(switch_fails):
    err, conf = switch_fails(
        """
        {
          networking.firewall.enable = true;
          networking.firewall.allowedUDPPorts = [
            53
            65536
          ];
        }
        """
    )
    assert "A definition for option `networking.firewall.allowedUDPPorts" in err
    assert "is not of type `16 bit unsigned integer" in err
    assert f"In `{conf}:3': 65536" in err


def test_wrong_type_in_a_nested_rule(switch_fails):
    err, conf = switch_fails(
        """
        {
          security.sudo.extraRules = [
            { users = [ "alice" ];
              commands = [ { command = "/usr/bin/apt"; options = [ "NOPASWD" ]; } ];
            }
          ];
        }
        """
    )
    assert "is not of type `one of" in err and '"NOPASWD"' in err
    assert f"In `{conf}:" in err


def test_several_failed_assertions_are_all_listed(switch_fails):
    err, _ = switch_fails(
        """
        {
          users.users.svc = { isSystemUser = true; group = "svc"; };
          services.flatpak = { enable = true; packages = [ "fedora:org.gnome.Calculator" ]; };
          security.sudo.extraRules = [ { users = [ "svc" ]; commands = [ "systemctl" ]; } ];
        }
        """
    )
    assert "Failed assertions:" in err
    assert 'users.users.svc.group is "svc"' in err
    assert 'comes from the remote "fedora", which is not declared' in err
    assert 'the command "systemctl" must be a full path' in err
