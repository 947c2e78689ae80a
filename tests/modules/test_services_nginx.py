"""services.nginx: nginx.conf rendered from nginx.conf.j2 and checked with
the real `nginx -t` from a switched root, nginx.service, the nginx account,
SSL virtual hosts and the module's assertions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from real_programs import in_root, nginx_check, switch

CONFIG = """
{ ... }: {
  services.nginx = {
    enable = true;
    recommendedOptimisation = true;
    recommendedGzipSettings = true;
    recommendedProxySettings = true;
    recommendedTlsSettings = true;
    commonHttpConfig = "log_format main '$remote_addr $request';";
    virtualHosts."example.org" = {
      default = true;
      serverAliases = [ "www.example.org" ];
      root = "/srv/www";
      locations."/".tryFiles = "$uri $uri/ =404";
      locations."/api/" = { proxyPass = "http://127.0.0.1:8080/"; proxyWebsockets = true; };
      locations."/static/" = { alias = "/srv/static/"; extraConfig = "expires 1d;\\nadd_header X-A b;"; };
      locations."= /old".return = "301 /new";
      locations."/first" = { priority = 10; return = 204; };
      extraConfig = "access_log /var/log/nginx/example.log main;";
    };
    virtualHosts.blog = {
      serverName = "blog.example.org";
      listen = [ { addr = "127.0.0.1"; port = 8081; } { addr = "[::1]"; } ];
      locations."/".index = "index.html";
      root = ./www;
    };
    appendHttpConfig = "charset utf-8;";
    appendConfig = "worker_processes 2;";
  };
}
"""


@pytest.fixture
def nginx_system(build):
    (build.dir / "www").mkdir()
    (build.dir / "www" / "index.html").write_text("<h1>blog</h1>\n")
    return build(CONFIG)


def server_block(text: str, name: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f'  # virtualHosts."{name}"')
    end = lines.index("  }", start)
    return [line.strip() for line in lines[start + 1 : end + 1]]


def test_nginx_conf_text(nginx_system):
    text = nginx_system.etc("nginx/nginx.conf").read_text()
    lines = [line.strip() for line in text.splitlines()]
    assert "pid /run/nginx/nginx.pid;" in lines and "daemon off;" in lines
    assert "include /etc/nginx/mime.types;" in lines
    assert "sendfile on;" in lines and "gzip on;" in lines and "ssl_session_tickets off;" in lines
    assert "log_format main '$remote_addr $request';" in lines
    assert lines[-3:] == ["}", "", "worker_processes 2;"]
    assert lines.index("charset utf-8;") > lines.index('# virtualHosts."example.org"')

    main = server_block(text, "example.org")
    assert main[:4] == [
        "server {",
        "listen 0.0.0.0:80 default_server;",
        "listen [::0]:80 default_server;",
        "server_name example.org www.example.org;",
    ]
    assert "root /srv/www;" in main
    # by priority, then path
    paths = [line.split()[1:-1] for line in main if line.startswith("location ")]
    assert paths == [["/first"], ["/"], ["/api/"], ["/static/"], ["=", "/old"]]
    api = main[main.index("location /api/ {") :]
    assert api[1] == "proxy_pass http://127.0.0.1:8080/;"
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in api
    assert "proxy_set_header Connection $connection_upgrade;" in api
    static = main[main.index("location /static/ {") :]
    assert static[1:5] == ["alias /srv/static/;", "expires 1d;", "add_header X-A b;", "}"]
    assert "return 301 /new;" in main and "return 204;" in main
    assert main[-2:] == ["access_log /var/log/nginx/example.log main;", "}"]

    blog = server_block(text, "blog")
    assert blog[1:4] == [
        "listen 127.0.0.1:8081;",
        "listen [::1]:80;",
        "server_name blog.example.org;",
    ]
    (root,) = [line for line in blog if line.startswith("root ")]
    www = root.removeprefix("root ").removesuffix(";")
    assert Path(www, "index.html").read_text() == "<h1>blog</h1>\n"


def test_nginx_unit_and_account(nginx_system):
    unit = nginx_system.unit("nginx.service").splitlines()
    assert "ExecStart=/usr/sbin/nginx -c /etc/nginx/nginx.conf" in unit
    assert "User=nginx" in unit and "Group=nginx" in unit
    assert "RuntimeDirectory=nginx" in unit and "CacheDirectory=nginx" in unit
    assert "AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_SYS_RESOURCE" in unit
    assert unit.count("ExecReload=/usr/sbin/nginx -t -q -c /etc/nginx/nginx.conf") == 1
    m = nginx_system.manifest
    assert m["units"]["nginx.service"]["wantedBy"] == ["multi-user.target"]
    assert m["users"]["nginx"]["isSystemUser"] and m["users"]["nginx"]["group"] == "nginx"
    assert "nginx" in m["groups"]


def test_other_user_declares_no_account(build):
    system = build("""
        { ... }: { services.nginx = { enable = true; user = "www-data"; group = "www-data"; };
                   users.users.www-data = { isSystemUser = true; group = "www-data"; };
                   users.groups.www-data = { }; }
    """)
    assert "nginx" not in system.manifest["users"] and "nginx" not in system.manifest["groups"]
    assert "User=www-data" in system.unit("nginx.service").splitlines()


def test_disabled_by_default(build):
    system = build("{ ... }: { }")
    assert "nginx.service" not in system.manifest["units"]
    assert "nginx/nginx.conf" not in system.manifest["etc"]


def test_nginx_accepts_the_switched_config(tmp_path, capsys):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("hi\n")
    root = switch(tmp_path, capsys, text=CONFIG)
    config = in_root(root, "/etc/nginx/nginx.conf")
    result = nginx_check(root, config, tmp_path / "prefix")
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    # and the check is real
    bad = tmp_path / "bad.conf"
    bad.write_text(config.read_text().replace("server_tokens off;", "server_tokens maybe;"))
    result = nginx_check(root, bad, tmp_path / "prefix")
    assert result.returncode != 0 and 'invalid value "maybe"' in result.stderr


SSL = """
{{ ... }}: {{
  services.nginx = {{
    enable = true;
    virtualHosts."secure.example.org" = {{
      forceSSL = true;
      sslCertificate = "{cert}";
      sslCertificateKey = "{key}";
      locations."/".root = "/srv/secure";
    }};
    virtualHosts."tls-only.example.org" = {{
      onlySSL = true;
      sslCertificate = "{cert}";
      sslCertificateKey = "{key}";
    }};
  }};
}}
"""


@pytest.fixture
def certificate(tmp_path):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=secure.example.org",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_ssl_virtual_hosts(tmp_path, capsys, certificate):
    cert, key = certificate
    root = switch(tmp_path, capsys, text=SSL.format(cert=cert, key=key))
    config = in_root(root, "/etc/nginx/nginx.conf")
    text = config.read_text()
    lines = text.splitlines()
    first = lines.index('  # virtualHosts."secure.example.org"')
    redirect = server_block("\n".join(lines[first:]), "secure.example.org")
    assert redirect[1:3] == ["listen 0.0.0.0:80;", "listen [::0]:80;"]
    assert "return 301 https://$host$request_uri;" in redirect
    tls = server_block("\n".join(lines[first + 1 :]), "secure.example.org")
    assert tls[1:3] == ["listen 0.0.0.0:443 ssl http2;", "listen [::0]:443 ssl http2;"]
    assert f"ssl_certificate {cert};" in tls and f"ssl_certificate_key {key};" in tls
    only = server_block(text, "tls-only.example.org")
    assert not any(":80" in line for line in only)
    result = nginx_check(root, config, tmp_path / "prefix")
    assert result.returncode == 0, result.stderr


def test_ssl_needs_a_certificate(build):
    err = build(
        "{ ... }: { services.nginx.enable = true; services.nginx.virtualHosts.a.addSSL = true; }",
        fails=True,
    )
    assert (
        'services.nginx.virtualHosts."a" uses TLS (defined in ' in err
        and "set its sslCertificate" in err
    )


def test_root_and_alias_are_exclusive(build):
    err = build(
        """
        { ... }: {
          services.nginx.enable = true;
          services.nginx.virtualHosts.a.locations."/x" = { root = "/srv"; alias = "/srv/x"; };
        }
    """,
        fails=True,
    )
    assert 'locations."/x": only one of root and alias may be set' in err
