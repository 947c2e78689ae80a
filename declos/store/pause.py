"""Test-only pauses: hold a process at a named point while a test acts.

With `DECLOS_TEST_PAUSE_AT=<point>` and `DECLOS_TEST_PAUSE_DIR=<dir>` in the
environment, `pause(point)` creates `<dir>/<point>.paused` and waits until
`<dir>/<point>.resume` exists (at most `TIMEOUT` seconds), so that a test can
run, say, `declos gc` at the worst moment of a switch and then let it go on.
Without them it does nothing.  The crash counterpart is
`declos.system.journal.checkpoint`.

Points: `graph` (evaluation done, `.drv` files written and the build graph
made: what is already valid will not be built again) and `built` (the
toplevel is built, `declos switch` has not yet taken the system lock).
"""

from __future__ import annotations

import os
import time

AT_ENV = "DECLOS_TEST_PAUSE_AT"
DIR_ENV = "DECLOS_TEST_PAUSE_DIR"
TIMEOUT = 60.0


def pause(point: str) -> None:
    if os.environ.get(AT_ENV) != point or not os.environ.get(DIR_ENV):
        return
    base = os.path.join(os.environ[DIR_ENV], point)
    with open(base + ".paused", "w") as f:
        f.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + TIMEOUT
    while not os.path.exists(base + ".resume") and time.monotonic() < deadline:
        time.sleep(0.02)
