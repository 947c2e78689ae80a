"""Applying a plan to a root, and the switch as a transaction.

A switch (`System.switch_to`), a rollback and `switch-generation` are one
transaction each: under the system lock, the journal records from→to before
the root is touched; the plan is applied action by action (each apply is
idempotent); only then does the profile's `system` link move.  If
activation fails, the previous generation is re-activated (a plan from the
failed target back to it, counting the target's files as declos'), the
profile stays where it was, a generation created by the switch is dropped,
and the failure is reported.  A crash leaves the journal: `recover` finishes
a transaction that got as far as "activated" and undoes any other, the same
way a failure is undone.  Every state-changing command recovers first.

Test fault injection: `journal.checkpoint` runs before each applied action
(named by its kind: `link-etc`, `run-script`, …) and at each journal step
(`begin`, `activated`, `profile-switched`).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable

import attrs

from declos.diagnostics import DeclosError
from declos.store.store import Store
from declos.system import accounts, actions, etc, journal, undo
from declos.system.manifest import load_manifest
from declos.system.plan import CURRENT_SYSTEM, Plan, compute_plan
from declos.system.profiles import Generation, Profile, replace_symlink

ROOT_FILE = "activation-root"
UNIT_LOG = "unit-actions.log"
FINISHED_STEPS = ("activated", "profile-switched")


class ActivationError(DeclosError):
    code = "activation"


class SwitchFailed(DeclosError):
    code = "switch-failed"


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


def live_systemd(root: str) -> bool:
    return os.path.realpath(root) == "/" and os.path.isdir("/run/systemd/system")


# --- applying ---------------------------------------------------------------------------


def _systemctl(ctx: Context, *args: str) -> None:
    if ctx.live:
        proc = subprocess.run(["systemctl", *args], capture_output=True, text=True)
        if proc.returncode != 0:
            raise ActivationError(
                f"systemctl {' '.join(args)} failed: {proc.stderr.strip() or proc.returncode}"
            )
        return
    with open(os.path.join(ctx.state_dir, UNIT_LOG), "a") as f:
        f.write(f"{int(time.time())} {ctx.root} systemctl {' '.join(args)}\n")


def _run_script(ctx: Context, a: actions.RunScript) -> None:
    """Run one script; its output (stdout and stderr) reaches the user line
    by line as it comes, each line prefixed by the script's name."""
    env = {**os.environ, "DECLOS_ROOT": ctx.root}
    lines: list[str] = []
    with subprocess.Popen(
        ["sh", "-e", a.script],
        env=env,
        cwd=ctx.root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    ) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            lines.append(line)
            ctx.say(f"{a.name}: {line}")
    if proc.returncode != 0:
        tail = "\n".join(f"  {line}" for line in lines[-10:])
        raise ActivationError(
            f"activation script '{a.name}' failed with exit status {proc.returncode}"
            + (f"; its last output:\n{tail}" if tail else "")
        )


def _set_current_system(ctx: Context, a: actions.SetCurrentSystem) -> None:
    path = os.path.join(ctx.root, CURRENT_SYSTEM)
    if a.target is None:
        if os.path.islink(path):
            os.unlink(path)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    replace_symlink(a.target, path)


_APPLY: dict[type, Callable[[Context, actions.Action], None]] = {
    actions.StopUnit: lambda c, a: _systemctl(c, "stop", a.unit),
    actions.StartUnit: lambda c, a: _systemctl(c, "start", a.unit),
    actions.RestartUnit: lambda c, a: _systemctl(c, "restart", a.unit),
    actions.ReloadUnit: lambda c, a: _systemctl(c, "reload", a.unit),
    actions.DaemonReload: lambda c, a: _systemctl(c, "daemon-reload"),
    actions.WriteAccounts: lambda c, a: accounts.apply_write_accounts(c.root, a),
    actions.CreateHome: lambda c, a: accounts.apply_create_home(c.root, a),
    actions.SetStatic: lambda c, a: etc.apply_set_static(c.root, a),
    actions.BackupEtc: lambda c, a: etc.apply_backup(c.root, a),
    actions.LinkEtc: lambda c, a: etc.apply_link(c.root, a),
    actions.CopyEtc: lambda c, a: etc.apply_copy(c.root, a),
    actions.RemoveEtc: lambda c, a: etc.apply_remove(c.root, a),
    actions.WriteManaged: lambda c, a: etc.apply_managed(c.root, a),
    actions.SetCurrentSystem: _set_current_system,
    actions.RunScript: _run_script,
}


def apply_plan(plan: Plan, ctx: Context) -> None:
    os.makedirs(os.path.join(ctx.root, "etc"), exist_ok=True)
    for a in plan.actions:
        if a.info_only:
            continue
        journal.checkpoint(a.kind)
        if isinstance(a, actions.BackupEtc):
            _backup(ctx, a)
            continue
        made = _creates(a)
        if made and ctx.remember and ctx.remember_dirs:
            missing = undo.missing_dirs(ctx.root, made)
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


def _backup(ctx: Context, a: actions.BackupEtc) -> None:
    if not os.path.lexists(os.path.join(etc.etc_dir(ctx.root), a.name)):
        return  # moved before a crash
    backup = etc.backup_name(ctx.root, a)
    if ctx.remember:
        ctx.remember("backups", [a.name, backup])
    journal.checkpoint("backup-etc-journaled")
    etc.apply_backup(ctx.root, a, backup)
    ctx.say(f"moved {a.name} aside to {backup}: declos did not manage it")


# --- the transaction ------------------------------------------------------------------


@attrs.frozen
class SwitchOutcome:
    generation: Generation | None  # None: nothing changed (already current)
    plan: Plan | None
    previous: int | None = None


class System:
    """The system profile of a state directory and the root it activates."""

    def __init__(self, store: Store, root: str | None = None, say=None):
        self.store = store
        self.state_dir = store.state_dir
        self.profile = Profile(store)
        self.root = os.path.abspath(root) if root else self.remembered_root()
        self.say = say or (lambda _msg: None)

    def close(self) -> None:
        self.profile.close()

    def remembered_root(self) -> str:
        """The root the last switch activated (default `<state>/root`)."""
        try:
            with open(os.path.join(self.state_dir, ROOT_FILE)) as f:
                return f.read().strip() or os.path.join(self.state_dir, "root")
        except FileNotFoundError:
            return os.path.join(self.state_dir, "root")

    def _ctx(self, root: str, remember=None, dirs: bool = True) -> Context:
        return Context(root, self.state_dir, live_systemd(root), self.say, remember, dirs)

    def _journaled(self, record: dict) -> Callable[[str, list], None]:
        """A `remember` that appends to `record` (kept current) and writes the journal."""

        def remember(key: str, item: list) -> None:
            record[key] = [*record.get(key, []), item]
            journal.write_journal(self.state_dir, record)

        return remember

    def plan_to(self, toplevel: str | None, root: str | None = None) -> Plan:
        cur = self.profile.current()
        return compute_plan(
            root or self.root,
            load_manifest(cur.path if cur else None),
            load_manifest(toplevel),
            store_dir=self.store.store_dir,
        )

    def activate(
        self, root: str, old: str | None, new: str | None, also=(), remember=None, dirs=True
    ) -> Plan:
        plan = compute_plan(
            root,
            load_manifest(old),
            load_manifest(new),
            [load_manifest(p) for p in also],
            store_dir=self.store.store_dir,
        )
        os.makedirs(root, exist_ok=True)
        apply_plan(plan, self._ctx(root, remember, dirs))
        return plan

    def _transaction(self, op: str, target: Generation, created: bool) -> SwitchOutcome:
        cur = self.profile.current()
        record = {
            "op": op,
            "from": cur.number if cur else None,
            "fromPath": cur.path if cur else None,
            "to": target.number,
            "toPath": target.path,
            "created": created,
            "root": self.root,
            "time": int(time.time()),
        }
        journal.write_durably(os.path.join(self.state_dir, ROOT_FILE), self.root.encode())
        record = journal.set_step(self.state_dir, record, "begin")
        try:
            plan = self.activate(
                self.root, record["fromPath"], target.path, remember=self._journaled(record)
            )
        except (DeclosError, OSError) as e:
            msg = e.message if isinstance(e, DeclosError) else str(e)
            self.say(f"activation of generation {target.number} failed: {msg}")
            self._undo(record)
            where = f"generation {cur.number}" if cur else "the state before any generation"
            raise SwitchFailed(
                f"activating generation {target.number} failed: {msg}\n"
                f"the previous configuration ({where}) is active again"
            ) from None
        record = journal.set_step(self.state_dir, record, "activated")
        self.profile.set_current(target.number)
        journal.set_step(self.state_dir, record, "profile-switched")
        journal.clear_journal(self.state_dir)
        return SwitchOutcome(target, plan, record["from"])

    def switch_to(
        self,
        toplevel: str,
        message: str | None = None,
        config_file: str | None = None,
        config_hash: str | None = None,
    ) -> SwitchOutcome:
        """Register `toplevel` as generation N+1 and activate it (no-op if current)."""
        self.recover()
        cur = self.profile.current()
        if cur is not None and cur.path == toplevel:
            return SwitchOutcome(None, None, cur.number)
        load_manifest(toplevel)  # not a toplevel: fail before anything changes
        gen = self.profile.add(toplevel, message, config_file, config_hash)
        return self._transaction("switch", gen, created=True)

    def switch_generation(self, number: int) -> SwitchOutcome:
        self.recover()
        gen = self.profile.get(number)
        cur = self.profile.current()
        if cur is not None and cur.number == number:
            return SwitchOutcome(None, None, number)
        return self._transaction("switch-generation", gen, created=False)

    def rollback(self) -> SwitchOutcome:
        self.recover()
        cur = self.profile.current()
        if cur is None:
            raise SwitchFailed("there is no current generation to roll back from")
        prev = self.profile.previous(cur.number)
        if prev is None:
            raise SwitchFailed(f"generation {cur.number} is the oldest: nothing to roll back to")
        return self._transaction("rollback", prev, created=False)

    def _undo(self, record: dict) -> None:
        record = journal.set_step(self.state_dir, record, "undoing")
        root = record["root"]
        try:
            self.activate(
                root,
                record["toPath"],
                record["fromPath"],
                also=[record["toPath"]],
                remember=self._journaled(record),
                dirs=False,
            )
        except (DeclosError, OSError) as e:
            msg = e.message if isinstance(e, DeclosError) else str(e)
            self.say(f"re-activating the previous generation failed too: {msg}")
        manifests = [load_manifest(p) for p in (record["fromPath"], record["toPath"])]
        undo.remove_temporaries(root, {n for m in manifests for n in m.etc_entries()})
        ours = etc.ours_checker(root, manifests, self.store.store_dir)
        undo.restore(root, record, ours, self.say)
        if record["from"] is not None and os.path.islink(self.profile.link(record["from"])):
            self.profile.set_current(record["from"])
        elif record["from"] is None:
            self.profile.clear_current()
        if record.get("created"):
            self.profile.remove(record["to"])
        journal.clear_journal(self.state_dir)

    def recover(self) -> str | None:
        """Finish or undo an interrupted transaction; say which (None: nothing to do)."""
        record = journal.read_journal(self.state_dir)
        if record is None:
            return None
        step = record.get("step")
        if step in FINISHED_STEPS:
            self.profile.set_current(record["to"])
            journal.clear_journal(self.state_dir)
            what = f"finished the interrupted {record['op']} to generation {record['to']}"
        else:
            self._undo(record)
            back = f"generation {record['from']}" if record["from"] is not None else "no generation"
            what = (
                f"undid the interrupted {record['op']} to generation {record['to']}"
                f" (back to {back})"
            )
        self.say(what)
        return what
