"""Health checks after an activation: greenboot's required and wanted checks.

`system.healthChecks` (modules/system/health-checks.dcl) become etc
entries `declos/health-checks/required.d/NAME` and `wanted.d/NAME`, each a
script that runs the check under `timeout`.  After the plan has been
applied and the started units checked (`activation.apply_plan`), every
check of the new generation runs on the live host, as root, in name order,
its output passed on line by line.  A failing required check raises
`HealthCheckFailed`, so the transaction puts the previous generation back;
with `keep_failed` (`--keep-failed`, and while undoing) it is reported and
listed in `ctx.failed` instead.  A failing wanted check is a warning.
Checks do not run on a root that is not the live system (said once), nor
during the boot-time activation, which runs before the services are up.
The checks are read from the new generation's manifest when the plan is
made (`compute_plan` keeps them in `Plan.health_checks`): `load_manifest`
validated the etc names and sources, and activation does not read the
manifest again.

Example:
    run_health_checks(ctx, health_checks(load_manifest("/var/lib/declos/store/…-declos-system")))
    # health check web: curl: (7) Failed to connect to 127.0.0.1 port 80
    # HealthCheckFailed: health check failed: web (exit status 7)
"""

from __future__ import annotations

from typing import Protocol

from declos.diagnostics import DeclosError
from declos.system import managers
from declos.system.manifest import Manifest

PREFIX = "declos/health-checks/"
KINDS = {"required.d": True, "wanted.d": False}
TAIL = 10


class HealthCheckFailed(DeclosError):
    code = "health-check"


class _Context(Protocol):
    root: str
    live: bool
    booting: bool
    keep_failed: bool
    failed: list[tuple[str, str]]

    def say(self, text: str) -> None: ...


def health_checks(m: Manifest) -> tuple[tuple[str, bool, str], ...]:
    """(name, required, script) of every check of a generation, by name."""
    out = []
    for name, e in m.etc.items():
        kind, _, check = name.removeprefix(PREFIX).partition("/")
        if name.startswith(PREFIX) and kind in KINDS and check and "/" not in check:
            out.append((check, KINDS[kind], e.source))
    return tuple(sorted(out))


def run_health_checks(ctx: _Context, checks: tuple[tuple[str, bool, str], ...]) -> None:
    if not checks or ctx.booting:
        return
    if not ctx.live:
        ctx.say(f"health checks not run: {ctx.root} is not the live system")
        return
    failed = []
    for name, required, script in checks:
        status, lines = _run(ctx, name, script)
        if status == 0:
            ctx.say(f"health check {name}: passed")
            continue
        why = f"exit status {status}" if status > 0 else f"killed by signal {-status}"
        if status == 124:
            why = "timed out"
        tail = "\n".join(f"  {line}" for line in lines[-TAIL:])
        if required:
            failed.append((name, why, tail))
        else:
            ctx.say(
                f"warning: health check {name} (not required) failed ({why})"
                + (f":\n{tail}" if tail else "")
            )
    if not failed:
        return
    names = ", ".join(f"{n} ({why})" for n, why, _ in failed)
    text = "\n".join(
        f"{n}: {why}" + (f"; its last output:\n{tail}" if tail else "") for n, why, tail in failed
    )
    if ctx.keep_failed:
        ctx.say(f"warning: health checks failed: {names}\n{text}")
        ctx.failed += [(f"health check {n}", why) for n, why, _ in failed]
        return
    raise HealthCheckFailed(f"health check{'s' if len(failed) > 1 else ''} failed: {names}\n{text}")


def _run(ctx: _Context, name: str, script: str) -> tuple[int, list[str]]:
    """Run one check on the host (in its mount namespace, with the clean
    environment package managers get), passing its output on; the check's
    script runs it under `timeout`."""
    status, output = managers.run(["/bin/sh", script], ctx.say, f"health check {name}: ")
    return status, output.splitlines()
