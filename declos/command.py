"""The `declos` executable's entry point (`[project.scripts]`, `python -m declos`).

Importing the command line (`declos.cli` and, through `declos.diagnostics`,
attrs) makes ~100 000 objects that live as long as the process: with the
cyclic GC on, its young collections scan them again and again while they
are made (3 ms of the ~25 ms import).  So the import runs with the GC off,
and what it made is then frozen (`gc.freeze`: moved out of every
generation, never scanned again) before the GC is turned back on for the
command.  Kept out of `declos.cli` itself, which tests and scripts import
as a library: only the process's own entry point changes its GC.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    try:
        from declos.cli import main as command_line
    finally:
        gc.freeze()
        gc.enable()
    return command_line()
