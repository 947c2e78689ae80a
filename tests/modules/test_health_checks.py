"""system.healthChecks: files under /etc/declos/health-checks/{required,
wanted}.d that run the check under `timeout`; the runner after activation
(declos/system/health.py) on a live context: a passing check is said, a
failing required one fails the activation with its output (or, with
keep_failed, is reported and listed), a failing wanted one is a warning, a
check past its timeout fails; on a root that is not the live system they
are said not to run."""

from __future__ import annotations

import subprocess

import pytest

from declos.system.activation import Context
from declos.system.health import HealthCheckFailed, health_checks, run_health_checks
from declos.system.manifest import load_manifest
from tests.modules.switching import switch_text

CHECKS = r"""
{
  system.healthChecks.ok = "echo all good";
  system.healthChecks.broken = ''
    echo looking
    echo "nothing listens" >&2
    exit 3
  '';
  system.healthChecks.optional = { script = "exit 1"; required = false; };
  system.healthChecks.slow = { script = "sleep 30"; timeout = 1; required = false; };
}
"""


@pytest.fixture
def toplevel(build):
    return build(CHECKS).toplevel


@pytest.fixture
def checks(toplevel):
    return health_checks(load_manifest(str(toplevel)))


def live_context(tmp_path, keep_failed: bool = False) -> tuple[Context, list[str]]:
    said: list[str] = []
    ctx = Context(str(tmp_path), str(tmp_path), True, said.append, keep_failed=keep_failed)
    return ctx, said


def test_files_and_order(toplevel, checks):
    assert [(n, r) for n, r, _ in checks] == [
        ("broken", True),
        ("ok", True),
        ("optional", False),
        ("slow", False),
    ]
    wrapper = (toplevel / "etc/declos/health-checks/wanted.d/slow").read_text()
    assert "exec timeout --kill-after=5 1 /bin/sh -e " in wrapper
    # an administrator can run one by hand
    out = subprocess.run(
        [str(toplevel / "etc/declos/health-checks/required.d/ok")], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout == "all good\n"


def test_failing_required_check_fails_the_activation(checks, tmp_path):
    ctx, said = live_context(tmp_path)
    with pytest.raises(HealthCheckFailed) as e:
        run_health_checks(ctx, checks)
    msg = e.value.message
    assert msg.startswith("health check failed: broken (exit status 3)")
    assert "  looking\n  nothing listens" in msg
    assert "health check ok: passed" in said
    assert "health check broken: nothing listens" in said  # passed on as it came
    assert any(
        x.startswith("warning: health check optional (not required) failed (exit status 1)")
        for x in said
    )
    assert any(
        x.startswith("warning: health check slow (not required) failed (timed out)") for x in said
    )


def test_keep_failed_reports_and_lists(checks, tmp_path):
    ctx, said = live_context(tmp_path, keep_failed=True)
    run_health_checks(ctx, checks)
    assert ctx.failed == [("health check broken", "exit status 3")]
    assert any(x.startswith("warning: health checks failed: broken (exit status 3)") for x in said)


def test_not_on_a_root_that_is_not_live(checks, tmp_path):
    said: list[str] = []
    run_health_checks(Context(str(tmp_path), str(tmp_path), False, said.append), checks)
    assert said == [f"health checks not run: {tmp_path} is not the live system"]


def test_switch_of_a_scratch_root_says_they_did_not_run(tmp_path):
    s = switch_text(tmp_path, '{ system.healthChecks.web = "exit 1"; }')
    assert s.code == 0, s.err
    assert f"health checks not run: {tmp_path / 'root'} is not the live system" in s.out + s.err


def test_bad_name_is_located(build):
    err = build('{\n  system.healthChecks."../x" = "true";\n}\n', fails=True)
    assert 'The health check name "../x" (defined in' in err and "config.dcl:2" in err
