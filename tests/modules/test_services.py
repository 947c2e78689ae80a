"""services.cron.systemCronJobs (/etc/cron.d/declos) and
systemd.tmpfiles.rules (/etc/tmpfiles.d/declos.conf, applied into a root
by systemd-tmpfiles where it exists)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def test_cron(build):
    system = build(
        """
        {
          services.cron.mailto = "root@example.com";
          services.cron.systemCronJobs = [
            "*/5 * * * * root date >> /tmp/cron.log"
            "@daily nobody true"
          ];
        }
        """
    )
    assert system.etc("cron.d/declos").read_text().splitlines()[1:] == [
        "SHELL=/bin/sh",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "MAILTO=root@example.com",
        "*/5 * * * * root date >> /tmp/cron.log",
        "@daily nobody true",
    ]
    assert system.manifest["etc"]["cron.d/declos"]["mode"] == "0644"
    assert "cron.d/declos" not in build("{ }").manifest["etc"]


def test_cron_job_without_user_is_an_assertion(build):
    err = build('{ services.cron.systemCronJobs = [ "* * * * *" ]; }', fails=True)
    assert "Failed assertions" in err and "is not a crontab line" in err


def test_tmpfiles(build, tmp_path):
    system = build(
        """
        { systemd.tmpfiles.rules = [ "d /var/lib/app 0750 root root -" "f /var/lib/app/hello 0644 root root - hi" ]; }
        """
    )
    conf = system.etc("tmpfiles.d/declos.conf")
    assert conf.read_text().splitlines()[1:] == [
        "d /var/lib/app 0750 root root -",
        "f /var/lib/app/hello 0644 root root - hi",
    ]
    names = {s["name"] for s in system.manifest["activationScripts"]}
    assert "tmpfiles" in names
    if shutil.which("systemd-tmpfiles") is None:
        pytest.skip("no systemd-tmpfiles")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    proc = subprocess.run(
        ["systemd-tmpfiles", "--create", f"--root={root}", str(conf)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (root / "var/lib/app/hello").read_text() == "hi"
    assert oct(os.stat(root / "var/lib/app").st_mode & 0o777) == "0o750"


def test_tmpfiles_rule_is_checked(build):
    err = build('{ systemd.tmpfiles.rules = [ "d var/lib/app" ]; }', fails=True)
    assert "is not a tmpfiles.d rule" in err
