"""How an evaluation runs in this process: on a thread with a large stack,
with the cyclic GC off, and (for the `declos` command) without teardown.

Kept apart from `evaluator.py`: none of it is about evaluating DCL, all of it
about the Python process an evaluation runs in (DESIGN.md: "Deep recursion",
"No cyclic GC while evaluating", "No teardown").
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from typing import Any

from declos.diagnostics import DeclosError
from declos.eval.errors import OVERFLOW, StackOverflow

# The last evaluator made, kept alive when `keep_last_evaluator()` was
# called (by the `declos` command, which then exits without freeing it).
_LAST: list = []
_keep_last = False


def keep_last_evaluator() -> None:
    """Keep the most recent `Evaluator` (and all it computed) alive: the
    command line exits without tearing its objects down one by one."""
    global _keep_last
    _keep_last = True


def remember(evaluator: object) -> None:
    """Called by each new `Evaluator`: the last one is kept alive when asked."""
    if _keep_last:
        _LAST[:] = [evaluator]


def run_deep(fn: Callable[..., Any], *args: Any, stack_mb: int = 2048) -> Any:
    """Run `fn` on a thread with a large stack so deep DCL recursion cannot crash.

    Python's recursion limit is raised to match; a real overflow becomes a
    `StackOverflow` error, and infinite recursion markers become located errors.
    """
    result: dict = {}

    def target():
        try:
            result["value"] = fn(*args)
        except RecursionError:
            result["error"] = StackOverflow(OVERFLOW)
        except DeclosError as e:
            result["error"] = e
        except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
            result["error"] = e

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    # Evaluation allocates millions of small objects that live until it ends:
    # the cyclic GC would rescan them over and over (15% of a whole-system
    # evaluation, for a few MB of cyclic garbage), so it is off meanwhile.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    sys.setrecursionlimit(max(old_limit, 1_000_000))
    threading.stack_size(stack_mb * 1024 * 1024)
    try:
        thread = threading.Thread(target=target, name="declos-eval")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
        if _keep_last:
            # The command line's objects live until it exits: the first
            # collection after the evaluation would rescan all of them
            # (0.6 s after a large configuration).
            gc.freeze()
        if gc_was_enabled:
            gc.enable()
    if "error" in result:
        raise result["error"]
    return result.get("value")
