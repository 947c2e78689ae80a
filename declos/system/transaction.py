"""The switch as a transaction: switch, rollback, switch-generation, recover.

A switch (`System.switch_to`), a rollback and `switch-generation` are one
transaction each: under the system lock, the journal records from→to before
the root is touched; the plan is applied action by action (`activation.py`;
each apply is idempotent); only then does the profile's `system` link move.
If activation fails, the previous generation is re-activated (a plan from
the failed target back to it, counting the target's files as declos'), the
profile stays where it was, a generation created by the switch is dropped,
and the failure is reported.  A crash leaves the journal: `recover` finishes
a transaction that got as far as "activated" and undoes any other, the same
way a failure is undone (`recovery.py`).  Every state-changing command
recovers first.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from declos.diagnostics import DeclosError
from declos.store import mounts
from declos.store.gc import add_root
from declos.store.store import Store
from declos.system import actions, journal, recovery, rootfs
from declos.system.activation import Context, apply_plan, live_systemd
from declos.system.manifest import Manifest, load_manifest
from declos.system.plan import Plan, compute_plan
from declos.system.profiles import Generation, Profile
from declos.system.units import LiveUnits, query_live_units

ROOT_FILE = "activation-root"


class SwitchFailed(DeclosError):
    code = "switch-failed"


@attrs.frozen
class SwitchOutcome:
    generation: Generation | None  # None: nothing changed (already current)
    plan: Plan | None
    previous: int | None = None
    repaired: bool = False  # the generation was current; what had drifted was put back
    failed_units: tuple[tuple[str, str], ...] = ()  # with --keep-failed: (unit, why)


def drift_actions(plan: Plan) -> list[actions.Action]:
    """The actions of a plan to the current generation that repair drift."""
    return [a for a in plan.actions if not isinstance(a, actions.RunScript)]


class System:
    """The system profile of a state directory and the root it activates."""

    def __init__(
        self, store: Store, root: str | None = None, say: Callable[[str], None] | None = None
    ) -> None:
        self.store = store
        self.state_dir = store.state_dir
        self.profile = Profile(store)
        self.root = os.path.abspath(root) if root else self.remembered_root()
        self.say = say or (lambda _msg: None)
        #: a unit that fails to start does not undo the activation (nixos-rebuild's --keep-failed)
        self.keep_failed = False
        self.failed_units: tuple[tuple[str, str], ...] = ()
        #: activating at boot (`activate_boot`): unit jobs are queued, not awaited
        self.booting = False
        #: called with the plan of a transaction just before it is applied (not of an undo)
        self.on_plan: Callable[[Plan], object] | None = None
        self._manifests: dict[tuple, Manifest] = {}

    def close(self) -> None:
        self.profile.close()

    def manifest(self, toplevel: str | None) -> Manifest:
        """`load_manifest(toplevel)`, read and validated once per command: a
        switch needs the old and new manifests ~8 times (active path, checks,
        plan, activation), each a JSON parse and a full validation (~10 ms for
        a large configuration).  Keyed by manifest.json's inode, size and
        mtime too, so a toplevel rewritten in place (outside a store) is read
        again; errors are not kept."""
        if toplevel is None:
            return load_manifest(None)
        try:
            st = os.stat(os.path.join(toplevel, "manifest.json"))
        except OSError:
            return load_manifest(toplevel)  # its error
        key = (toplevel, st.st_ino, st.st_size, st.st_mtime_ns)
        found = self._manifests.get(key)
        if found is None:
            found = self._manifests[key] = load_manifest(toplevel)
        return found

    def remembered_root(self) -> str:
        """The root the last switch activated (default `<state>/root`)."""
        try:
            with open(os.path.join(self.state_dir, ROOT_FILE)) as f:
                return f.read().strip() or os.path.join(self.state_dir, "root")
        except FileNotFoundError:
            return os.path.join(self.state_dir, "root")

    def activation_context(
        self,
        root: str,
        remember: Callable[[str, list], None] | None = None,
        dirs: bool = True,
        keep_failed: bool | None = None,
    ) -> Context:
        """What activating `root` needs to know and where it says things;
        `remember` records each step (`journaled`) for an undo."""
        keep = self.keep_failed if keep_failed is None else keep_failed
        live = live_systemd(root)
        return Context(
            root, self.state_dir, live, self.say, remember, dirs, keep, live and self.booting
        )

    def journaled(self, record: dict) -> Callable[[str, list], None]:
        """A `remember` that appends to `record` (kept current) and writes the journal."""

        def remember(key: str, item: list) -> None:
            record[key] = [*record.get(key, []), item]
            journal.write_journal(self.state_dir, record)

        return remember

    def active_path(self, root: str | None = None) -> str | None:
        """The toplevel the root was last activated to: `/etc/static`'s
        generation when it is a toplevel of this store (it survives a reboot,
        unlike `/run/current-system`, and `declos test` moves it without moving
        the profile), else the profile's current generation."""
        try:
            with rootfs.opened(root or self.root) as fs:
                static = fs.readlink("etc/static")
        except DeclosError:
            static = None
        if static and static.endswith("/etc"):
            top = static[: -len("/etc")]
            if os.path.dirname(top) == self.store.store_dir:
                with contextlib.suppress(DeclosError):
                    self.manifest(top)
                    return top
        cur = self.profile.current()
        return cur.path if cur else None

    def live_units(self, root: str) -> LiveUnits | None:
        """The units systemd runs, when `root` is the live root (else None)."""
        return query_live_units() if live_systemd(root) else None

    def boot_state_dir(self, root: str) -> str | None:
        """On the live root, the state directory activated at boot (`boot.py`)."""
        return self.state_dir if live_systemd(root) else None

    def plan_to(self, toplevel: str | None, root: str | None = None) -> Plan:
        root = root or self.root
        return compute_plan(
            root,
            self.manifest(self.active_path(root)),
            self.manifest(toplevel),
            store_dir=self.store.store_dir,
            live=self.live_units(root),
            boot_state_dir=self.boot_state_dir(root),
        )

    def activate(
        self,
        root: str,
        old: str | None,
        new: str | None,
        also: Iterable[str | None] = (),
        remember: Callable[[str, list], None] | None = None,
        dirs: bool = True,
    ) -> Plan:
        plan = compute_plan(
            root,
            self.manifest(old),
            self.manifest(new),
            [self.manifest(p) for p in also],
            store_dir=self.store.store_dir,
            live=self.live_units(root),
            boot_state_dir=self.boot_state_dir(root),
        )
        os.makedirs(root, exist_ok=True)
        ctx = self.activation_context(root, remember, dirs)
        if self.on_plan is not None:
            self.on_plan(plan)
        apply_plan(plan, ctx)
        self.failed_units = tuple(ctx.failed)
        return plan

    def describe(self, toplevel: str | None) -> str:
        """`generation N` for a toplevel some generation has, else its path."""
        if toplevel is None:
            return "no generation"
        for g in reversed(self.profile.list()):
            if g.path == toplevel:
                return f"generation {g.number}"
        return toplevel

    def _transaction(
        self, op: str, target: Generation, created: bool, set_profile: bool = True
    ) -> SwitchOutcome:
        """Activate `target` on the root as one transaction; with `set_profile`
        it also becomes the profile's current generation (the boot default)."""
        cur = self.profile.current()
        active = self.active_path()
        record: dict[str, Any] = {  # the journal's, as JSON
            "op": op,
            "from": cur.number if cur else None,
            "fromPath": cur.path if cur else None,
            "activePath": active,
            "to": target.number,
            "toPath": target.path,
            "created": created,
            "setProfile": set_profile,
            "root": self.root,
            "time": int(time.time()),
        }
        self._check_root()
        journal.write_durably(os.path.join(self.state_dir, ROOT_FILE), self.root.encode())
        record = journal.set_step(self.state_dir, record, "begin")
        try:
            plan = self.activate(self.root, active, target.path, remember=self.journaled(record))
        except Exception as e:  # every failure is undone; a crash (or ^C) is recover's job
            msg = recovery.error_text(e)
            first = msg.splitlines()[0] if msg else msg
            self.say(f"activation of generation {target.number} failed ({first}): undoing it")
            where = self.describe(active)
            where = where if active else "the state before any generation"
            try:
                self._undo(record)
            except recovery.UndoFailed as u:
                raise SwitchFailed(
                    f"activating generation {target.number} failed: {msg}\n"
                    f"putting back the previous configuration ({where}) failed too: {u.message}"
                ) from None
            raise SwitchFailed(
                f"activating generation {target.number} failed: {msg}\n"
                f"the previous configuration ({where}) is active again"
            ) from None
        record = journal.set_step(self.state_dir, record, "activated")
        self.finish_activation(record)
        journal.set_step(self.state_dir, record, "profile-switched")
        journal.clear_journal(self.state_dir)
        return SwitchOutcome(target, plan, record["from"], failed_units=self.failed_units)

    def finish_activation(self, record: dict) -> None:
        """After activation: the profile moves (unless `declos test`), and the
        active toplevel is a GC root for as long as it is active."""
        if record.get("setProfile", True):
            self.profile.set_current(record["to"])
        add_root(self.store, record["toPath"], recovery.ACTIVE_ROOT)
        if live_systemd(record["root"]):  # the live store is read-only from now on
            mounts.protect(self.store.store_dir, self.say)

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
            if self.active_path() == toplevel:
                return self._reassert(cur)
            self._check_generation(cur)  # current, but `declos test` activated another
            return self._transaction("switch", cur, created=False)
        self.manifest(toplevel)  # not a toplevel: fail before anything changes
        self._check_plan(toplevel)
        gen = self.profile.add(toplevel, message, config_file, config_hash)
        return self._transaction("switch", gen, created=True)

    def test(
        self,
        toplevel: str,
        message: str | None = None,
        config_file: str | None = None,
        config_hash: str | None = None,
    ) -> SwitchOutcome:
        """Activate `toplevel` without making it the profile's current generation
        (the boot default), as `nixos-rebuild test`.  It is recorded as a
        generation (so that it can be diffed, switched to, and kept from GC)
        unless one already has that path."""
        self.recover()
        if self.active_path() == toplevel:
            gen = next(g for g in reversed(self.profile.list()) if g.path == toplevel)
            return self._reassert(gen, set_profile=False)
        self.manifest(toplevel)
        self._check_plan(toplevel)
        known = [g for g in self.profile.list() if g.path == toplevel]
        if known:
            return self._transaction("test", known[-1], created=False, set_profile=False)
        gen = self.profile.add(toplevel, message, config_file, config_hash)
        return self._transaction("test", gen, created=True, set_profile=False)

    def boot(
        self,
        toplevel: str,
        message: str | None = None,
        config_file: str | None = None,
        config_hash: str | None = None,
    ) -> Generation:
        """Make `toplevel` the profile's current generation (the default at the
        next boot) without activating it, as `nixos-rebuild boot`."""
        self.recover()
        self.manifest(toplevel)
        cur = self.profile.current()
        if cur is not None and cur.path == toplevel:
            return cur
        known = [g for g in self.profile.list() if g.path == toplevel]
        gen = known[-1] if known else self.profile.add(toplevel, message, config_file, config_hash)
        self.profile.set_current(gen.number)
        return gen

    def switch_generation(self, number: int) -> SwitchOutcome:
        self.recover()
        gen = self.profile.get(number)
        cur = self.profile.current()
        if cur is not None and cur.number == number:
            return self._reassert(cur)
        self._check_generation(gen)
        return self._transaction("switch-generation", gen, created=False)

    def rollback(self) -> SwitchOutcome:
        self.recover()
        cur = self.profile.current()
        if cur is None:
            raise SwitchFailed("there is no current generation to roll back from")
        prev = self.profile.previous(cur.number)
        if prev is None:
            raise SwitchFailed(f"generation {cur.number} is the oldest: nothing to roll back to")
        self._check_generation(prev)
        return self._transaction("rollback", prev, created=False)

    def activate_boot(self) -> SwitchOutcome | None:
        """At boot (declos-activate.service): finish or undo an interrupted
        transaction, then activate the profile's current generation — the
        boot default — from whatever the root holds, scripts included."""
        if live_systemd(self.root):  # first of all, the store is read-only again
            mounts.protect(self.store.store_dir, self.say)
        self.booting = True
        self.recover()
        cur = self.profile.current()
        if cur is None:
            return None
        self._check_generation(cur)
        return self._transaction("boot", cur, created=False)

    def _check_root(self) -> None:
        """The root is a directory (made if missing): fail before the journal otherwise."""
        why = None
        if os.path.lexists(self.root) and not os.path.isdir(self.root):
            why = "it is not a directory"
        else:
            try:
                os.makedirs(self.root, exist_ok=True)
            except OSError as e:
                why = f"{e.strerror} ({e.filename})"
        if why:
            raise SwitchFailed(f"cannot use '{self.root}' as the root: {why}; nothing was changed")

    def _reassert(self, cur: Generation, set_profile: bool = True) -> SwitchOutcome:
        """Switching to the current generation: repair what drifted from it.

        The plan from the generation to itself is empty but for activation
        scripts unless the root has drifted (a managed file edited, replaced
        or removed by hand, a managed account edited, `/etc/static` or
        `current-system` moved).  Then the whole plan runs as a transaction
        ("repair"), scripts included, as any activation does."""
        plan = self._check_generation(cur)  # the plan to itself, made once
        if not drift_actions(plan):
            return SwitchOutcome(None, None, cur.number)
        outcome = self._transaction("repair", cur, created=False, set_profile=set_profile)
        return attrs.evolve(outcome, repaired=True)

    def _check_generation(self, gen: Generation) -> Plan:
        """Fail before anything changes when `gen` cannot be activated; its
        plan from the active generation otherwise."""
        try:
            self.manifest(gen.path)
        except DeclosError as e:
            gone = not os.path.lexists(gen.path)
            why = "its store path is gone" if gone else e.message
            raise SwitchFailed(
                f"generation {gen.number} cannot be activated: {why} ({gen.path}); "
                f"nothing was changed (`declos generations delete {gen.number}` forgets it)"
            ) from None
        return self._check_plan(gen.path)

    def _check_plan(self, toplevel: str) -> Plan:
        """Planning reads the root and changes nothing: a plan that cannot be
        made (an unsafe root, a bad `hashedPasswordFile`) fails here, before
        the journal, rather than in an undo that would fail the same way."""
        try:
            return self.plan_to(toplevel)
        except DeclosError as e:
            raise SwitchFailed(f"{e.message}; nothing was changed") from None

    def _undo(self, record: dict) -> None:
        recovery.undo(self, record)

    def recover(self) -> str | None:
        """Finish or undo an interrupted transaction; say which (None: nothing to do)."""
        return recovery.recover(self)
