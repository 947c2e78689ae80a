"""Where whole-system evaluation spends its time: cProfile of one evaluation.

Evaluates `config.system.build.toplevel.drvPath` of a configuration (an
example, or bench/stack.py's generated large one) in this process, under
cProfile on the evaluation thread, and prints the top functions by own time
and by cumulative time.

    python bench/hotspots.py [CONFIG | -n USERS] [--top 25] [--sort tottime]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stack import MODULES, TOPLEVEL, generate_large  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", nargs="?", help="a configuration file (default: the large one)")
    ap.add_argument("-n", "--users", type=int, default=100)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("-I", dest="include", action="append", default=[])
    ap.add_argument("--no-profile", action="store_true", help="time only")
    ap.add_argument("--repeat", type=int, default=1, help="evaluations (fresh evaluators)")
    args = ap.parse_args()

    from declos.diagnostics import Source
    from declos.eval.deep import run_deep
    from declos.eval.values import force
    from declos.store.builtins import EvalStore, evaluator_with_store

    # A fixed directory: the configuration's path is part of its drvPath,
    # which can then be compared between runs.
    work = os.path.join(tempfile.gettempdir(), f"declos-hotspots-{args.users}")
    os.makedirs(work, exist_ok=True)
    config = os.path.abspath(args.config) if args.config else generate_large(work, args.users)
    text = TOPLEVEL.format(config=config, modules=MODULES)
    prof = cProfile.Profile()

    def evaluate():
        if not args.no_profile:
            prof.enable()
        try:
            return force(ev.eval_source(Source(None, text, work, "«bench»")))
        finally:
            prof.disable()

    for _ in range(args.repeat):
        ev = evaluator_with_store(EvalStore.read_only(), args.include)
        start, cpu = time.perf_counter(), time.process_time()
        value = run_deep(evaluate)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{getattr(value, 's', value)}  ({wall:.3f} s, {cpu:.3f} s CPU)")
    if not args.no_profile:
        for key in ("tottime", "cumulative"):
            pstats.Stats(prof).sort_stats(key).print_stats(args.top)


if __name__ == "__main__":
    main()
