"""A sampling profiler at the level of DCL functions: which lambdas of the
lib, the module system and the module library the time goes to.

A thread samples the evaluation thread's Python stack every millisecond and
maps the frames of generated code to the DCL lambda or thunk they run (the
generated functions are named after their DCL line), and frames of the
builtins' Python functions to the builtin.  Reported per lambda (file:line): the
share of samples it is innermost in (self) and on the stack at all
(inclusive), and likewise per builtin.

    python bench/dclprof.py [CONFIG | -n USERS] [--top 40] [--repeat N] [--warm]

`--repeat N` samples N evaluations (fresh evaluators, as one process would
run them one after the other: a small configuration evaluates in ~0.1 s,
too few samples for one); `--warm` leaves the first one out of the samples
(its code loading and first-call costs).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stack import MODULES, ROOT, TOPLEVEL, generate_large  # noqa: E402


def lambda_of(frame):
    """The DCL function (file:line of a generated lambda `L…` or thunk `T…`)
    or the builtin a Python frame runs, as a label, or None."""
    code = frame.f_code
    name = code.co_name
    if code.co_filename.startswith("<dcl "):
        path = code.co_filename[5:-1]
        path = os.path.relpath(path, ROOT) if path.startswith(ROOT) else path
        line = name.rpartition("_l")[2] if "_l" in name else "?"
        kind = {"L": "lambda", "T": "thunk", "D": "default", "H": "part"}.get(name[0], "file")
        return f"{path}:{line} {kind}"
    if "/declos/eval/builtins/" in code.co_filename or "/declos/store/" in code.co_filename:
        return f"builtin {name}"
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", nargs="?")
    ap.add_argument("-n", "--users", type=int, default=100)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--interval", type=float, default=0.001)
    ap.add_argument("--repeat", type=int, default=1, help="evaluations sampled")
    ap.add_argument("--warm", action="store_true", help="one more evaluation first, unsampled")
    args = ap.parse_args()

    from declos.diagnostics import Source
    from declos.eval.deep import run_deep
    from declos.eval.values import force
    from declos.store.builtins import EvalStore, evaluator_with_store

    work = tempfile.mkdtemp(prefix="declos-dclprof-")
    config = os.path.abspath(args.config) if args.config else generate_large(work, args.users)
    text = TOPLEVEL.format(config=config, modules=MODULES)
    own: collections.Counter = collections.Counter()
    incl: collections.Counter = collections.Counter()
    samples = [0]
    done = threading.Event()
    target = {}

    def sampler():
        while not done.is_set():
            time.sleep(args.interval)
            tid = target.get("id") if target.get("sampled") else None
            frame = sys._current_frames().get(tid) if tid else None
            if frame is None:
                continue
            samples[0] += 1
            seen = set()
            innermost = None
            while frame is not None:
                label = lambda_of(frame)
                if label is not None:
                    if innermost is None:
                        innermost = label
                    seen.add(label)
                frame = frame.f_back
            own[innermost or "(outside DCL)"] += 1
            for label in seen:
                incl[label] += 1

    def evaluate():
        target["id"] = threading.get_ident()
        ev = evaluator_with_store(EvalStore.read_only(), [])
        return force(ev.eval_source(Source(None, text, work, "«bench»")))

    t = threading.Thread(target=sampler, daemon=True)
    t.start()
    if args.warm:
        run_deep(evaluate)
    target["sampled"] = True
    start = time.perf_counter()
    for _ in range(args.repeat):
        run_deep(evaluate)
    done.set()
    print(f"{time.perf_counter() - start:.2f} s, {samples[0]} samples")
    n = max(samples[0], 1)
    print("\nself %   label")
    for label, c in own.most_common(args.top):
        print(f"{100 * c / n:6.1f}  {label}")
    print("\nincl %   label")
    for label, c in incl.most_common(args.top):
        print(f"{100 * c / n:6.1f}  {label}")


if __name__ == "__main__":
    main()
