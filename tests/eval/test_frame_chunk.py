"""An evaluation's Python frames stay in one block of memory (deep.py).

CPython 3.11 maps a 16 KiB chunk for a thread's frames whenever they grow
past the current one and unmaps it when they return below it; recursion
going back and forth over such a boundary made a large configuration's
evaluation spend ~0.3 s in mmap, munmap and page faults.  `run_deep` runs
evaluations in a frame whose chunk leaves room for all the others.
"""

from __future__ import annotations

import resource
import sys
import threading

import pytest

from declos.eval.deep import run_deep


def _recurse(n: int) -> int:
    return 0 if n == 0 else _recurse(n - 1) + 1


def _back_and_forth() -> int:
    # 2 000 descents of 300 frames: each crosses several chunk boundaries
    # and comes back.
    return sum(_recurse(300) for _ in range(2000))


def _page_faults(run) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    assert run() == 600_000
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _on_a_thread() -> int:
    result = []
    thread = threading.Thread(target=lambda: result.append(_back_and_forth()))
    thread.start()
    thread.join()
    return result[0]


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the chunk sizes of CPython 3.11")
def test_recursion_back_and_forth_maps_no_new_memory():
    # The same work on a plain thread faults in thousands of pages (the
    # frame chunks mapped anew each time), which shows the test can fail.
    assert _page_faults(_on_a_thread) > 5000
    assert _page_faults(lambda: run_deep(_back_and_forth)) < 1000


def test_deep_recursion_past_the_chunk_still_evaluates():
    # 500 000 frames (~6 million slots) do not fit the large chunk's free
    # half (~4 million): the frames past it go to ordinary chunks, as before.
    assert run_deep(_recurse, 500_000) == 500_000
