"""Generated files checked at build time by the host's programs (visudo -c,
sshd -t, nginx -t, nft -c, systemd-analyze verify): a configuration they
reject fails `declos switch` with the checker's message and the file:line
of the definition that wrote the bad line, and nothing is activated; the
same configuration with the check turned off switches; a check whose
program is missing, or stops at something only the target has, is
reported as not run and does not stop the switch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import attrs
import pytest

SBIN_CHECKERS = ("visudo", "sshd", "nginx", "nft")


@attrs.frozen
class Run:
    code: int
    out: str
    err: str
    dir: Path

    @property
    def state(self) -> Path:
        return self.dir / "state"

    @property
    def root(self) -> Path:
        return self.dir / "root"

    def generations(self) -> list:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "declos",
                "generations",
                "--json",
                "--state-dir",
                str(self.state),
            ],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def checks(self) -> dict[str, str]:
        top = self.root / "run/current-system/checks"
        return {p.name: p.read_text().strip() for p in sorted(top.iterdir())}


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, NO_COLOR="1", DECLOS_CACHE_DIR=str(tmp / "cache"))
    env.pop("DECLOS_PATH", None)
    return env


def switch(tmp: Path, text: str, *, prefix: tuple[str, ...] = (), name: str = "config.dcl") -> Run:
    """`declos switch` of `text` (written to tmp/NAME) into tmp/root, as a
    separate process (run under `prefix`, e.g. another user or namespace)."""
    conf = tmp / name
    conf.write_text(textwrap.dedent(text))
    argv = [sys.executable, "-m", "declos", "switch", str(conf)]
    argv += ["--state-dir", str(tmp / "state"), "--root", str(tmp / "root")]
    proc = subprocess.run([*prefix, *argv], capture_output=True, text=True, env=_env(tmp))
    assert "Traceback" not in proc.stderr, proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr, tmp)


def _needs(*programs: str) -> None:
    for p in programs:
        if shutil.which(p, path="/usr/sbin:/usr/bin:/sbin:/bin") is None:
            pytest.skip(f"{p} is not installed")


def refused(run: Run, *expected: str) -> None:
    """The switch failed with every `expected` text, and changed nothing."""
    assert run.code == 1, run.out + run.err
    for text in expected:
        assert text in run.err, run.err
    assert run.generations() == []
    assert not run.root.exists() or not any(run.root.iterdir())


# Each case: the programs it needs, a configuration whose generated file the
# checker rejects (one line written by the user's definition on line 3 of
# config.dcl), what the checker says, and the option turning the check off.
CASES = {
    "sudo": (
        ("visudo",),
        """\
        {
          security.sudo.extraRules = [ { groups = [ "wheel" ]; commands = [ "ALL" ]; } ];
          security.sudo.extraConfig = "Defaults env_reset\\nalice ALL=(ALL ALL\\n";
        }
        """,
        ("security.sudo.extraConfig", "syntax error", "/etc/sudoers.d/declos:4"),
        "security.sudo.checkConfig = false;",
    ),
    "sshd-extraConfig": (
        ("sshd", "ssh-keygen"),
        """\
        {
          services.openssh.enable = true;
          services.openssh.extraConfig = "Match User backup\\n  PasswordAuthentication maybe\\n";
        }
        """,
        ("services.openssh.extraConfig", 'unsupported option "maybe"', "/etc/ssh/sshd_config line"),
        "services.openssh.checkConfig = false;",
    ),
    "sshd-setting": (
        ("sshd", "ssh-keygen"),
        """\
        {
          services.openssh.enable = true;
          services.openssh.settings.PermitTunel = "yes";
        }
        """,
        ("services.openssh.settings.PermitTunel", "Bad configuration option: PermitTunel"),
        "services.openssh.checkConfig = false;",
    ),
    "nginx-location": (
        ("nginx",),
        """\
        {
          services.nginx.enable = true;
          services.nginx.virtualHosts."example.org".locations."/".extraConfig = "proxy_passs http://127.0.0.1:8080;";
        }
        """,
        (
            'services.nginx.virtualHosts."example.org".locations."/".extraConfig',
            'unknown directive "proxy_passs"',
            "/etc/nginx/nginx.conf:",
        ),
        "services.nginx.validateConfigFile = false;",
    ),
    "nginx-proxyPass": (
        ("nginx",),
        """\
        {
          services.nginx.enable = true;
          services.nginx.virtualHosts.app.locations."/api/".proxyPass = "127.0.0.1:8080";
        }
        """,
        ('services.nginx.virtualHosts.app.locations."/api/".proxyPass', "invalid URL prefix"),
        "services.nginx.validateConfigFile = false;",
    ),
    "firewall": (
        ("nft",),
        """\
        {
          networking.firewall.enable = true;
          networking.firewall.extraInputRules = "tcp dport 8080 acept";
        }
        """,
        ("networking.firewall.extraInputRules", "syntax error", "/etc/declos/firewall.nft:"),
        "networking.nftables.checkRuleset = false;",
    ),
    "unit": (
        ("systemd-analyze",),
        """\
        {
          systemd.services.backup.script = "true";
          systemd.services.backup.serviceConfig.Restart = "sometimes";
        }
        """,
        (
            "systemd.services.backup.serviceConfig.Restart",
            "Failed to parse service restart specifier",
            "/etc/systemd/system/backup.service:",
        ),
        "systemd.checkUnits = false;",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rejected_file_stops_the_switch(tmp_path, case):
    programs, text, expected, _ = CASES[case]
    _needs(*programs)
    run = switch(tmp_path, text)
    refused(run, *expected, f"{tmp_path / 'config.dcl'}:3", "turns this check off")


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_turned_off_switches(tmp_path, case):
    programs, text, _, off = CASES[case]
    _needs(*programs)
    text = textwrap.dedent(text).rstrip()
    assert text.endswith("}")
    run = switch(tmp_path, f"{text[:-1]}  {off}\n}}\n")
    assert run.code == 0, run.err
    assert [g["number"] for g in run.generations()] == [1]
    checks = run.checks()
    assert OFF[off] not in checks
    assert set(checks.values()) <= {"passed"}, checks


OFF = {
    "security.sudo.checkConfig = false;": "sudoers",
    "services.openssh.checkConfig = false;": "sshd_config",
    "services.nginx.validateConfigFile = false;": "nginx.conf",
    "networking.nftables.checkRuleset = false;": "firewall",
    "systemd.checkUnits = false;": "units",
}


ALL = """\
{
  security.sudo.extraRules = [ { groups = [ "wheel" ]; commands = [ "ALL" ]; } ];
  services.openssh.enable = true;
  services.nginx.enable = true;
  services.nginx.virtualHosts."example.org".locations."/".return = "200 'ok'";
  networking.firewall.enable = true;
  systemd.services.backup.script = "true";
}
"""

# A shell prefix hiding the checkers: in a private mount namespace, /usr/sbin
# and /usr/bin are replaced by directories of links to everything else they
# hold (the checkers' absence is real to `pathExists` and to exec).
_HIDE = r"""
set -e
farm=$1; shift
hide() {
  dir=$1; shift
  orig=$farm/orig$(echo "$dir" | tr / _); links=$farm/links$(echo "$dir" | tr / _)
  mkdir -p "$orig" "$links"
  mount --bind "$dir" "$orig"
  for f in "$orig"/*; do
    n=${f##*/}
    case " $* " in *" $n "*) ;; *) ln -s "$orig/$n" "$links/$n" ;; esac
  done
  mount --bind "$links" "$dir"
}
hide /usr/sbin visudo sshd nginx nft
hide /usr/bin systemd-analyze
exec "$@"
"""


@pytest.fixture
def without_checkers():
    """The prefix running a command on a host without the checkers."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("hiding programs needs a private mount namespace (root)")
    farm = tempfile.mkdtemp(prefix="declos-no-checkers-")
    os.chmod(farm, 0o755)  # the build user follows the links
    yield ("unshare", "--mount", "--propagation", "private", "sh", "-c", _HIDE, "hide", farm)
    shutil.rmtree(farm, ignore_errors=True)


def test_missing_checkers_are_not_run(tmp_path, without_checkers):
    run = switch(tmp_path, ALL, prefix=without_checkers)
    assert run.code == 0, run.err
    assert [g["number"] for g in run.generations()] == [1]
    for name, program in [
        ("sudoers", "visudo"),
        ("sshd_config", "/usr/sbin/sshd"),
        ("nginx.conf", "/usr/sbin/nginx"),
        ("firewall", "nft"),
        ("units", "systemd-analyze"),
    ]:
        line = next(
            x for x in run.err.splitlines() if x.startswith(f"warning: check {name} not run")
        )
        assert program in line and ("not installed" in line or "does not exist" in line), line
        assert run.checks()[name].startswith("not run: ")
    # The same configuration, checked: every check passes.
    again = switch(tmp_path, ALL)
    assert again.code == 0, again.err
    assert "not run" not in again.err
    assert set(again.checks().values()) == {"passed"}


def test_checker_given_by_option_missing(tmp_path):
    run = switch(
        tmp_path,
        """\
        {
          services.nginx.enable = true;
          services.nginx.executable = "/opt/nginx/sbin/nginx";
        }
        """,
    )
    assert run.code == 0, run.err
    assert (
        "warning: check nginx.conf not run: nginx -t: /opt/nginx/sbin/nginx does not exist"
        in run.err
    )


def test_what_only_the_target_has_is_not_run(tmp_path):
    """nginx -t stops at a certificate or an upstream name the building host
    does not have: not the configuration's fault, so the switch goes on."""
    _needs("nginx")
    for host in (
        {"locations": '"/".proxyPass = "http://backend.invalid:8080";'},
        {"cert": True},
    ):
        conf = (
            'onlySSL = true; sslCertificate = "/var/lib/acme/a/cert.pem";'
            ' sslCertificateKey = "/var/lib/acme/a/key.pem";'
            if "cert" in host
            else f"locations.{host['locations']}"
        )
        run = switch(
            tmp_path,
            f"""\
            {{
              services.nginx.enable = true;
              services.nginx.virtualHosts.a = {{ {conf} }};
            }}
            """,
        )
        assert run.code == 0, run.err
        (line,) = [x for x in run.err.splitlines() if "check nginx.conf not run" in x]
        assert "nginx -t stopped at what depends on the build host" in line
        assert "backend.invalid" in line or "/var/lib/acme/a/cert.pem" in line, line


def test_no_header_claims_a_check(tmp_path):
    _needs("visudo")
    run = switch(tmp_path, ALL)
    assert run.code == 0, run.err
    header = (run.root / "etc/sudoers.d/declos").read_text().splitlines()[0]
    assert "check" not in header.lower()
    assert run.checks()["sudoers"] == "passed"


def test_declos_build_reports_checks(build):
    """`declos build CONFIG` fails on a rejected file as switch does, and
    warns about a check not run."""
    _needs("visudo")
    err = build(
        '{ security.sudo.extraConfig = "Defaults:alice timestamp_timeout=thirty"; }', fails=True
    )
    assert "security.sudo.extraConfig (defined in" in err and "config.dcl:1)" in err
    system = build(
        '{ services.nginx.enable = true; services.nginx.executable = "/opt/nginx/sbin/nginx"; }'
    )
    assert "warning: check nginx.conf not run: nginx -t: /opt/nginx/sbin/nginx does not exist" in (
        system.stderr
    )
    assert (system.toplevel / "checks/nginx.conf").read_text().startswith("not run: ")
