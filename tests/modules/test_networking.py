"""networking.hosts/extraHosts (/etc/hosts), networking.nameservers
(/etc/resolv.conf) and i18n (/etc/locale.conf)."""

from __future__ import annotations


def test_hosts_and_resolv_conf(build):
    system = build(
        """
        {
          networking.hostName = "box";
          networking.hosts = { "10.0.0.5" = [ "db.internal" "db" ]; "10.0.0.9" = [ ]; };
          networking.extraHosts = "10.0.0.6 cache";
          networking.nameservers = [ "1.1.1.1" "2606:4700:4700::1111" ];
          networking.search = [ "example.com" "home.arpa" ];
          networking.resolvconf.extraOptions = [ "ndots:1" "rotate" ];
        }
        """
    )
    assert system.etc("hosts").read_text().splitlines()[1:] == [
        "127.0.0.1 localhost",
        "::1 localhost",
        "127.0.0.2 box",
        "10.0.0.5 db.internal db",
        "10.0.0.6 cache",
    ]
    assert system.etc("resolv.conf").read_text().splitlines()[1:] == [
        "nameserver 1.1.1.1",
        "nameserver 2606:4700:4700::1111",
        "search example.com home.arpa",
        "options ndots:1 rotate",
    ]
    assert system.manifest["warnings"] == []


def test_hosts_and_resolv_conf_left_alone_by_default(build):
    etc = build('{ networking.hostName = "box"; networking.search = [ "x" ]; }').manifest["etc"]
    assert "hosts" not in etc and "resolv.conf" not in etc


def test_hosts_definitions_merge(build):
    system = build(
        """
        {
          imports = [ { networking.hosts."10.0.0.5" = [ "a" ]; } ];
          networking.hosts."10.0.0.5" = [ "b" ];
        }
        """
    )
    (line,) = [x for x in system.etc("hosts").read_text().splitlines() if x.startswith("10.")]
    assert sorted(line.split()[1:]) == ["a", "b"]


def test_nameserver_must_be_an_address(build):
    err = build(
        """
        {
          networking.nameservers = [
            "dns.example.com"
          ];
        }
        """,
        fails=True,
    )
    assert "networking.nameservers" in err and "IPv4 or IPv6 address" in err
    assert "config.dcl:3" in err, err


def test_more_than_three_nameservers_warns(build):
    system = build('{ networking.nameservers = [ "1.1.1.1" "8.8.8.8" "9.9.9.9" "8.8.4.4" ]; }')
    assert "only the first three" in system.manifest["warnings"][0]
    assert "only the first three" in system.stderr


def test_locale_conf(build):
    system = build(
        """
        {
          i18n.defaultLocale = "en_US.UTF-8";
          i18n.extraLocaleSettings = { LC_TIME = "de_DE.UTF-8"; LC_PAPER = "de_DE.UTF-8"; };
        }
        """
    )
    assert system.etc("locale.conf").read_text() == (
        "LANG=en_US.UTF-8\nLC_PAPER=de_DE.UTF-8\nLC_TIME=de_DE.UTF-8\n"
    )
    assert "locale.conf" not in build("{ }").manifest["etc"]


def test_locale_settings_are_checked(build):
    err = build('{ i18n.extraLocaleSettings.PATH = "C"; }', fails=True)
    assert "Failed assertions" in err and "i18n.extraLocaleSettings.PATH" in err
    err = build('{ i18n.defaultLocale = "en US"; }', fails=True)
    assert "i18n.defaultLocale" in err and "config.dcl:1" in err
