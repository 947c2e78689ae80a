"""Bad configurations of services.openssh and services.nginx: each error
names the option, the user's file and line (or, for assertions, what to
change), as NixOS does, and no traceback is shown."""

from __future__ import annotations

from pathlib import Path


def test_port_out_of_range(build):
    err = build(
        """\
        { ... }: {
          services.openssh.enable = true;
          services.openssh.ports = [ 22 70000 ];
        }
        """,
        fails=True,
    )
    assert "services.openssh.ports" in err
    assert "is not of type `16 bit unsigned integer" in err
    assert f"- In `{build.dir / 'config.dcl'}:3': 70000" in err


def test_nginx_listen_port_out_of_range(build):
    err = build(
        """\
        { ... }: {
          services.nginx.enable = true;
          services.nginx.virtualHosts.a.listen = [
            { addr = "127.0.0.1"; port = -1; }
          ];
        }
        """,
        fails=True,
    )
    assert "services.nginx.virtualHosts.a.listen" in err and ".port' is not of type" in err
    assert f"{build.dir / 'config.dcl'}:4" in err


def test_unknown_option_suggests_the_near_one(build):
    err = build(
        """\
        { ... }: {
          services.nginx.enable = true;
          services.nginx.virtualHost."example.org".root = "/srv/www";
        }
        """,
        fails=True,
    )
    assert "The option `services.nginx.virtualHost' does not exist." in err
    assert f"- In `{build.dir / 'config.dcl'}:3'" in err
    assert "Did you mean `services.nginx.virtualHosts'?" in err


def test_unknown_setting_inside_a_virtual_host(build):
    err = build(
        """\
        { ... }: {
          services.nginx.enable = true;
          services.nginx.virtualHosts.a.locations."/".proxyPas = "http://127.0.0.1:8080";
        }
        """,
        fails=True,
    )
    assert 'locations."/".proxyPas\' does not exist' in err
    assert "proxyPass" in err and f"{build.dir / 'config.dcl'}:3" in err


def test_conflicting_definitions_name_both_files(build):
    other = Path(build.dir, "web.dcl")
    other.write_text('{ ... }: {\n  services.nginx.user = "web";\n}\n')
    err = build(
        """\
        { ... }: {
          imports = [ ./web.dcl ];
          services.nginx.enable = true;
          services.nginx.user = "www-data";
        }
        """,
        fails=True,
    )
    assert "The option `services.nginx.user' has conflicting definition values:" in err
    assert f'- In `{build.dir / "config.dcl"}:4\': "www-data"' in err
    assert f'- In `{other}:2\': "web"' in err
    assert "mkForce" in err


def test_bad_enum_setting(build):
    err = build(
        """\
        { ... }: {
          services.openssh.enable = true;
          services.openssh.settings.PermitRootLogin = "maybe";
        }
        """,
        fails=True,
    )
    assert "services.openssh.settings.PermitRootLogin' is not of type `one of" in err
    assert f'- In `{build.dir / "config.dcl"}:3\': "maybe"' in err


def test_failed_assertions_are_all_listed(build):
    err = build(
        """\
        { ... }: {
          services.nginx.enable = true;
          services.nginx.virtualHosts."a.org".forceSSL = true;
          services.openssh.enable = true;
          services.openssh.listenAddresses = [ { port = 22; } ];
          users.users.deploy = { isNormalUser = true; extraGroups = [ "webmasters" ]; };
        }
        """,
        fails=True,
    )
    assert "Failed assertions:" in err
    config = build.dir / "config.dcl"
    assert (
        f'services.nginx.virtualHosts."a.org" uses TLS (defined in {config}:3):'
        " set its sslCertificate and sslCertificateKey." in err
    )
    assert "services.openssh.listenAddresses: every entry needs an `addr`." in err
    assert 'users.users.deploy.extraGroups contains "webmasters"' in err


def test_one_ssl_mode_only(build):
    err = build(
        """\
        { ... }: {
          services.nginx.enable = true;
          services.nginx.virtualHosts.b = {
            sslCertificate = "/c.pem";
            sslCertificateKey = "/k.pem";
            addSSL = true;
            forceSSL = true;
          };
        }
        """,
        fails=True,
    )
    config = build.dir / "config.dcl"
    assert (
        'services.nginx.virtualHosts."b": at most one of addSSL, onlySSL and forceSSL may be set'
        f" (defined in {config}:6, {config}:7)." in err
    )
