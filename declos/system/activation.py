"""Applying a plan to a root: one function per kind of action.

Every apply is idempotent, so re-running a plan after a crash converges.
The transaction around it (journal, undo, recover) is `transaction.py`.

Every file operation on the root goes through one `rootfs.Root`, opened
when the plan starts (`Context.fs`): nothing follows a symlink in the root.

Test fault injection: `journal.checkpoint` runs before each applied action
(named by its kind: `link-etc`, `run-script`, …).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from declos.diagnostics import DeclosError
from declos.store import mounts, sandbox
from declos.system import (
    accounts,
    actions,
    boot,
    etc,
    health,
    journal,
    packages,
    rootfs,
    undo,
    units,
)
from declos.system.plan import CURRENT_SYSTEM, Plan

UNIT_LOG = "unit-actions.log"


class ActivationError(DeclosError):
    code = "activation"


@attrs.define
class Context:
    root: str
    state_dir: str
    live: bool
    say: Callable[[str], None]
    #: journal what cannot be undone by re-activation (`undo.py`): `remember(key, item)`
    remember: Callable[[str, list], None] | None = None
    #: remember created directories (homes, /run, etc subdirectories) too; not while undoing, when
    #: what is created belongs to the old root
    remember_dirs: bool = True
    #: a unit that fails to start is reported, not a failed activation (`--keep-failed`, undo)
    keep_failed: bool = False
    #: activating during boot (declos-activate.service): unit jobs are queued, not awaited
    booting: bool = False
    #: units started, restarted or reloaded on the live system, and those that failed
    touched: list[str] = attrs.field(factory=list, init=False)
    failed: list[tuple[str, str]] = attrs.field(factory=list, init=False)
    #: the open root while `apply_plan` runs
    open_root: rootfs.Root | None = attrs.field(default=None, init=False)

    @property
    def fs(self) -> rootfs.Root:
        if self.open_root is None:
            raise ActivationError(f"the root '{self.root}' is not open: apply_plan opens it")
        return self.open_root


def live_systemd(root: str) -> bool:
    return os.path.realpath(root) == "/" and os.path.isdir("/run/systemd/system")


# --- applying ---------------------------------------------------------------------------


def _systemctl(ctx: Context, a: actions.Action, *args: str) -> None:
    """Run `systemctl ARGS` for a unit action of the live system, or record it
    (`<state>/unit-actions.log`) for a root that is not live.  A start,
    restart or reload that fails is collected, not raised: every unit gets
    its chance, and `_check_units` reports them together."""
    if getattr(a, "would", False) or not ctx.live:
        with open(os.path.join(ctx.state_dir, UNIT_LOG), "a") as f:
            f.write(f"{int(time.time())} {ctx.root} systemctl {' '.join(args)}\n")
        return
    if isinstance(a, actions.StartIfEnabled) and not _enabled(a.unit):
        return
    if ctx.booting and args[0] != "daemon-reload":
        # from a unit ordered before sysinit.target: queue the job, never wait for it
        args = ("--no-block", *args)
    proc = subprocess.run(["systemctl", *args], capture_output=True, text=True)
    if isinstance(a, _STARTS):
        ctx.touched.append(a.unit)
        if proc.returncode != 0:
            ctx.failed.append((a.unit, proc.stderr.strip() or f"exit status {proc.returncode}"))
        return
    if proc.returncode != 0:
        raise ActivationError(
            f"systemctl {' '.join(args)} failed: {proc.stderr.strip() or proc.returncode}"
        )


_STARTS = (actions.StartUnit, actions.RestartUnit, actions.ReloadUnit, actions.StartIfEnabled)


def _enabled(unit: str) -> bool:
    """Does the distribution enable `unit` (now that declos no longer provides or masks it)?"""
    proc = subprocess.run(["systemctl", "is-enabled", unit], capture_output=True, text=True)
    return proc.stdout.strip() == "enabled"


def _check_units(ctx: Context) -> None:
    """After the starts on the live system: every unit started, restarted or
    reloaded must be running.  A failure fails the activation (so the switch
    puts the previous generation back) with the unit's journal tail, unless
    `keep_failed` (then it is only reported)."""
    if not ctx.live or not ctx.touched or ctx.booting:
        return
    failed = dict(ctx.failed)
    for unit, why in units.failed_units([u for u in ctx.touched if u not in failed]):
        failed[unit] = why
    if not failed:
        return
    ctx.failed = sorted(failed.items())
    text = "\n".join(
        f"{u}: {why}\n" + "\n".join(f"  {line}" for line in units.journal_tail(u).splitlines())
        for u, why in ctx.failed
    )
    names = ", ".join(u for u, _ in ctx.failed)
    if ctx.keep_failed:
        ctx.say(f"warning: the following units failed: {names}\n{text}")
        return
    raise ActivationError(f"the following units failed: {names}\n{text}")


def _run_script(ctx: Context, a: actions.RunScript) -> None:
    """Run one script; its output (stdout and stderr) reaches the user line
    by line as it comes, each line prefixed by the script's name.

    On the live root (`/`) it runs on the host, in the host's mount
    namespace (`mounts.host_command`): changing the machine is its purpose.
    On any other root it runs confined to that root (`sandbox.wrap_script`:
    the rest of the host read-only, no network, its own PID namespace);
    where confinement cannot be set up it is not run, and said so:
    "script not run NAME (REASON)"."""
    argv = ["sh", "-e", a.script]
    env = {**os.environ, "DECLOS_ROOT": ctx.root}
    status_r = status_w = None
    if os.path.realpath(ctx.root) == "/":
        argv, fds = mounts.host_command(argv)
    else:
        status_r, status_w = os.pipe()
        store = os.path.join(ctx.state_dir, "store")
        argv = sandbox.wrap_script(
            argv, root=ctx.root, state_dir=ctx.state_dir, store_dir=store, status_fd=status_w
        )
        fds = (status_w,)
        env.pop("TMPDIR", None)  # the host's is read-only to the script
    lines: list[str] = []
    try:
        with subprocess.Popen(
            argv,
            env=env,
            cwd=ctx.root,
            pass_fds=fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ) as proc:
            if status_w is not None:  # the helper holds it until the script starts
                os.close(status_w)
                status_w = None
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode(errors="replace").rstrip("\n")
                lines.append(line)
                ctx.say(f"{a.name}: {line}")
        why = _read_all(status_r) if status_r is not None else ""
    finally:
        for fd in (status_r, status_w):
            if fd is not None:
                os.close(fd)
    if why:
        ctx.say(f"script not run {a.name} ({why})")
        return
    if proc.returncode != 0:
        tail = "\n".join(f"  {line}" for line in lines[-10:])
        raise ActivationError(
            f"activation script '{a.name}' failed with exit status {proc.returncode}"
            + (f"; its last output:\n{tail}" if tail else "")
        )


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace").strip()


def _set_current_system(ctx: Context, a: actions.SetCurrentSystem) -> None:
    if a.target is None:
        if ctx.fs.readlink(CURRENT_SYSTEM) is not None:
            ctx.fs.unlink(CURRENT_SYSTEM)
        return
    ctx.fs.makedirs(os.path.dirname(CURRENT_SYSTEM))
    ctx.fs.symlink(a.target, CURRENT_SYSTEM, tmp=f".tmp-{os.getpid()}")


_A = TypeVar("_A", bound=actions.Action)

#: each action type's handler, looked up by `type(a)` in `_apply`.  A dict's type
#: cannot tie a handler's argument type to its key, so the table is written only
#: through `_on`, which checks that pairing: a handler is only ever given the
#: type it declares.
_APPLY: dict[type[actions.Action], Callable[[Context, Any], None]] = {}


def _on(kind: type[_A], handler: Callable[[Context, _A], None]) -> None:
    _APPLY[kind] = handler


_on(actions.StopUnit, lambda c, a: _systemctl(c, a, "stop", a.unit))
_on(actions.StartUnit, lambda c, a: _systemctl(c, a, "start", a.unit))
_on(actions.RestartUnit, lambda c, a: _systemctl(c, a, "restart", a.unit))
_on(actions.ReloadUnit, lambda c, a: _systemctl(c, a, "reload", a.unit))
_on(actions.DaemonReload, lambda c, a: _systemctl(c, a, "daemon-reload"))
_on(actions.StartIfEnabled, lambda c, a: _systemctl(c, a, "start", a.unit))
_on(actions.WriteAccounts, lambda c, a: accounts.apply_write_accounts(c.fs, a))
_on(actions.CreateHome, lambda c, a: accounts.apply_create_home(c.fs, a))
_on(actions.SetStatic, lambda c, a: etc.apply_set_static(c.fs, a))
_on(actions.BackupEtc, lambda c, a: etc.apply_backup(c.fs, a))
_on(actions.LinkEtc, lambda c, a: etc.apply_link(c.fs, a))
_on(actions.CopyEtc, lambda c, a: etc.apply_copy(c.fs, a))
_on(actions.RemoveEtc, lambda c, a: etc.apply_remove(c.fs, a))
_on(actions.RestoreEtc, lambda c, a: _restore(c, a))
_on(actions.WriteManaged, lambda c, a: etc.apply_managed(c.fs, a))
_on(actions.SetCurrentSystem, _set_current_system)
_on(actions.RunScript, _run_script)
_on(actions.WriteBootUnit, lambda c, a: boot.apply_boot_unit(c.fs, a))
_on(packages.InstallHostPackages, packages.apply_install)  # host packages: install and remove
_on(packages.RemoveHostPackages, packages.apply_remove)


def apply_plan(plan: Plan, ctx: Context) -> None:
    with rootfs.Root.open(ctx.root, create=True) as fs:
        ctx.open_root = fs
        try:
            fs.makedirs("etc")
            for a in plan.actions:
                if not a.info_only:
                    _apply(ctx, a)
            _check_units(ctx)
            health.run_health_checks(ctx, plan.health_checks)  # system.healthChecks: health.py
        finally:
            ctx.open_root = None


def _apply(ctx: Context, a: actions.Action) -> None:
    journal.checkpoint(a.kind)
    if isinstance(a, actions.BackupEtc):
        _backup(ctx, a)
        return
    made = _creates(a)
    if made and ctx.remember and ctx.remember_dirs:
        missing = undo.missing_dirs(ctx.fs, made)
        if missing:
            ctx.remember("dirs", missing)
    _APPLY[type(a)](ctx, a)


def _creates(a: actions.Action) -> str | None:
    """The directory (inside the root) applying `a` may create, with its parents."""
    if isinstance(a, actions.CreateHome):
        return a.path
    if isinstance(a, actions.LinkEtc | actions.CopyEtc) and "/" in a.name:
        return "/etc/" + os.path.dirname(a.name)
    if isinstance(a, actions.SetCurrentSystem) and a.target is not None:
        return os.path.dirname("/" + CURRENT_SYSTEM)
    return None


def _restore(ctx: Context, a: actions.RestoreEtc) -> None:
    if etc.apply_restore(ctx.fs, a):
        ctx.say(f"moved /etc/{a.backup} back to /etc/{a.name}")


def _backup(ctx: Context, a: actions.BackupEtc) -> None:
    if not ctx.fs.lexists(etc.in_etc(a.name)):
        return  # moved before a crash
    backup = etc.backup_name(ctx.fs, a)
    if ctx.remember:
        ctx.remember("backups", [a.name, backup])
    journal.checkpoint("backup-etc-journaled")
    etc.apply_backup(ctx.fs, a, backup)
    ctx.say(f"moved {a.name} aside to {backup}: declos did not manage it")
