"""Undoing and recovering a transaction (`transaction.System`).

An undo re-activates what was active before the transaction (a plan from
the failed target back to it, counting the target's files as declos'),
then puts back what no manifest describes (`undo.py`: backups, created
directories).  If that fails, the journal stays (step `undo-failed`, with
the error) so that `recover` tries again, and `UndoFailed` says what is not
restored — never that the previous configuration is back.  `recover`
finishes a transaction that got as far as "activated" and undoes any other.
A generation whose store path is gone is treated as an empty manifest where
that is safe (its files are known from `.declos-managed`), never as a
reason to wedge.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from declos.diagnostics import DeclosError
from declos.store.gc import add_root
from declos.system import actions, etc, journal
from declos.system import undo as leftovers
from declos.system.activation import apply_plan
from declos.system.manifest import EMPTY, Manifest
from declos.system.plan import compute_plan

if TYPE_CHECKING:
    from declos.system.transaction import System  # which imports this module

FINISHED_STEPS = ("activated", "profile-switched")
ACTIVE_ROOT = "active-system"  # gcroots/<this>: the toplevel active on the root


class UndoFailed(DeclosError):
    code = "undo-failed"


class RecoverFailed(DeclosError):
    code = "recover-failed"


def back_to(record: dict) -> str | None:
    """What an undo re-activates: the toplevel active before the transaction
    (journals written before `activePath` existed: the profile's)."""
    return record["activePath"] if "activePath" in record else record["fromPath"]


def error_text(e: BaseException) -> str:
    """A failure's message: a DeclosError's own, else the exception's text
    (with its type when the text alone says too little)."""
    if isinstance(e, DeclosError):
        return e.message
    if isinstance(e, OSError):
        return str(e)
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def recover(system: System) -> str | None:
    """Finish or undo an interrupted transaction; say which (None: nothing to do)."""
    record = journal.read_journal(system.state_dir)
    if record is None:
        return None
    step = record.get("step")
    if step in FINISHED_STEPS:
        system.finish_activation(record)
        journal.clear_journal(system.state_dir)
        what = f"finished the interrupted {record['op']} to generation {record['to']}"
    else:
        try:
            undo(system, record)
        except UndoFailed as u:
            raise RecoverFailed(
                f"undoing the interrupted {record['op']} to generation {record['to']}"
                f" failed: {u.message}"
            ) from None
        back = system.describe(back_to(record))
        what = f"undid the interrupted {record['op']} to generation {record['to']} (back to {back})"
    system.say(what)
    return what


def undo(system: System, record: dict) -> None:
    """Put the root back on what was active before the transaction.

    If that fails, the journal stays (step `undo-failed`, with the error),
    so that `recover` tries again, and `UndoFailed` says what is not
    restored.  A generation whose store path is gone is treated as an
    empty manifest where that is safe (its files are known from
    `.declos-managed`), never as a reason to wedge."""
    record = journal.set_step(system.state_dir, record, "undoing")
    root = record["root"]
    to_manifest = _manifest_if_valid(system, record["toPath"])
    try:
        from_manifest = system.manifest(back_to(record))
        plan = compute_plan(
            root,
            to_manifest,
            from_manifest,
            [to_manifest],
            store_dir=system.store.store_dir,
            live=system.live_units(root),
            boot_state_dir=system.boot_state_dir(root),
        )
        os.makedirs(root, exist_ok=True)
        # the old generation's units that fail are its own: reported, not a failed undo
        apply_plan(
            plan, system.activation_context(root, system.journaled(record), False, keep_failed=True)
        )
        manifests = [from_manifest, to_manifest]
        leftovers.remove_temporaries(root, {n for m in manifests for n in m.etc_entries()})
        ours = etc.ours_checker(root, manifests, system.store.store_dir)
        leftovers.restore(root, record, ours, system.say)
    except Exception as e:
        msg = error_text(e)
        journal.set_step(system.state_dir, {**record, "undoError": msg}, "undo-failed")
        raise UndoFailed(
            f"{msg}\n{_not_restored(system, record, to_manifest)}"
            f"the journal is kept: fix the cause, then run `declos recover`"
        ) from None
    if record["from"] is not None and os.path.islink(system.profile.link(record["from"])):
        system.profile.set_current(record["from"])
    elif record["from"] is None:
        system.profile.clear_current()
    back = back_to(record)
    if back is not None:
        add_root(system.store, back, ACTIVE_ROOT)
    if record.get("created"):
        system.profile.remove(record["to"])
    journal.clear_journal(system.state_dir)


def _manifest_if_valid(system: System, toplevel: str | None) -> Manifest:
    try:
        return system.manifest(toplevel)
    except DeclosError as e:
        system.say(f"{e.message}; its files count as declos' only where .declos-managed says so")
        return EMPTY


def _not_restored(system: System, record: dict, to_manifest: Manifest) -> str:
    """What the root still lacks of the `from` generation, one line each."""
    where = system.describe(back_to(record))
    try:
        plan = compute_plan(
            record["root"],
            to_manifest,
            system.manifest(back_to(record)),
            [to_manifest],
            store_dir=system.store.store_dir,
            live=system.live_units(record["root"]),
        )
    except Exception as e:
        return f"the root is not back on {where} (and cannot be planned: {error_text(e)})\n"
    left = [a.describe() for a in plan.actions if not isinstance(a, actions.RunScript)]
    if not left:
        return f"the files and accounts of {where} are back, but its activation did not finish\n"
    shown = "".join(f"  {line}\n" for line in left[:20])
    more = f"  … and {len(left) - 20} more\n" if len(left) > 20 else ""
    return f"not restored (the root is not back on {where}):\n{shown}{more}"
