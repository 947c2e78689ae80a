"""services.nginx cannot be made to write a directive it does not declare:
nginx ends a directive at `;` and opens a block at a brace, so a value such as
`root = "/srv; autoindex on"` would add a directive that `nginx -t` accepts.
Every value written into nginx.conf as arguments refuses them, naming the
option and the file."""

from __future__ import annotations

import pytest

VHOST = 'services.nginx.virtualHosts."a.example"'
CASES = [
    ("root", f'{VHOST}.root = "/srv; autoindex on";'),
    ("serverAliases", f'{VHOST}.serverAliases = [ "b.example; include /etc/shadow" ];'),
    (
        "location proxyPass",
        f'{VHOST}.locations."/".proxyPass = "http://x; }} server {{ listen 81";',
    ),
    ("location index", f'{VHOST}.locations."/".index = "index.html\\nautoindex on";'),
    ("listen addr", f'{VHOST}.listen = [ {{ addr = "127.0.0.1 #"; port = 80; }} ];'),
    ("clientMaxBodySize", 'services.nginx.clientMaxBodySize = "1m\\";";'),
]


@pytest.mark.parametrize(("what", "line"), CASES, ids=[c[0] for c in CASES])
def test_a_value_that_would_add_a_directive_is_refused(build, what, line):
    err = build(f"{{ services.nginx.enable = true; {line} }}", fails=True)
    assert "is not of type" in err
    assert "nginx arguments (no ;" in err or "absolute path for nginx (no ;" in err
    assert "config.dcl" in err


def test_plain_values_still_build(build):
    system = build(
        "{ services.nginx.enable = true; services.nginx.validateConfigFile = false; "
        f'{VHOST}.root = "/srv/www"; '
        f'{VHOST}.locations."/".tryFiles = "$uri $uri/ =404"; }}'
    )
    conf = system.etc("nginx/nginx.conf").read_text()
    assert "root /srv/www;" in conf and "try_files $uri $uri/ =404;" in conf
