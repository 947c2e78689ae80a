"""How an evaluation runs in this process: on a thread with a large stack,
with the cyclic GC off, and (for the `declos` command) without teardown.

Kept apart from `evaluator.py`: none of it is about evaluating DCL, all of it
about the Python process an evaluation runs in (DESIGN.md: "Deep recursion",
"No cyclic GC while evaluating", "No teardown").
"""

from __future__ import annotations

import contextlib
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


def _in_one_frame_chunk(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)`, its Python frames kept in one large block of memory.

    CPython 3.11 keeps a thread's Python frames in 16 KiB chunks that it maps
    when the frames grow past one and unmaps as soon as they return below
    it; an evaluation's recursion goes back and forth over those boundaries
    all the time (54 000 mmap/munmap pairs, 55 000 page faults and ~0.3 s of
    system time for a large configuration).  A frame is placed in a chunk
    of its own when it does not fit the current one, and that chunk is the
    next power of two above the frame; so this function's frame is made
    (by its code's declared stack size) a little more than 32 MiB: its
    chunk is 64 MiB, of which the frame only touches its first slots, and
    the frames of the whole evaluation fit in the other half (~4 million
    slots) and are never unmapped until it returns.  Untouched pages cost
    no memory."""
    return fn(*args)


with contextlib.suppress(ValueError, TypeError):  # another interpreter: no chunk
    _in_one_frame_chunk.__code__ = _in_one_frame_chunk.__code__.replace(
        co_stacksize=4 * 1024 * 1024 + 64
    )


_M_TOP_PAD = -2  # glibc's mallopt parameter
_heap_kept: list[bool] = []


def _keep_freed_heap() -> None:
    """Ask glibc's malloc to keep 64 MiB of freed memory at the top of a heap
    rather than return it to the system (M_TOP_PAD; the default keeps 128 KiB).

    An evaluation that makes and drops large sets one after the other (the
    key tables of `a // b` over a growing set are malloc'ed) otherwise gave
    the memory back at every drop and faulted it in again at the next make:
    bench/eval.py's attrsets program (20 000 `//`) took 199 000 page faults
    and 11% more time, or 7 500 faults, depending only on where earlier
    allocations happened to leave the top of the heap (any change of the
    generated code could flip it).  Untouched pages cost nothing; the peak
    is what it was.  Not glibc (no `mallopt`): left as it is."""
    if _heap_kept:
        return
    _heap_kept.append(True)
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(_M_TOP_PAD, 64 << 20)
    except (ImportError, OSError, AttributeError):
        pass


def run_deep(fn: Callable[..., Any], *args: Any, stack_mb: int = 2048) -> Any:
    """Run `fn` on a thread with a large stack so deep DCL recursion cannot crash.

    Python's recursion limit is raised to match; a real overflow becomes a
    `StackOverflow` error, and infinite recursion markers become located errors.
    """
    result: dict = {}

    def target():
        try:
            result["value"] = _in_one_frame_chunk(fn, *args)
        except RecursionError:
            result["error"] = StackOverflow(OVERFLOW)
        except DeclosError as e:
            result["error"] = e
        except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
            result["error"] = e

    _keep_freed_heap()
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
