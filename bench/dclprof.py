"""A sampling profiler at the level of DCL functions: which lambdas of the
lib, the module system and the module library the time goes to.

A thread samples the evaluation thread's Python stack every millisecond and
maps frames of the evaluator's call paths to the DCL lambda being run
(the `LambdaCode` in their locals).  Reported per lambda (file:line): the
share of samples it is innermost in (self) and on the stack at all
(inclusive), and likewise per builtin.

    python bench/dclprof.py [CONFIG | -n USERS] [--top 40]
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

from stack import MODULES, TOPLEVEL, generate_large  # noqa: E402


def lambda_of(frame):
    """The DCL lambda or builtin a Python frame runs, as a label, or None."""
    loc = frame.f_locals
    code = loc.get("code")
    if code is not None and hasattr(code, "span") and hasattr(code, "formals"):
        return _label(code)
    fn = loc.get("f") or loc.get("fn")
    c = getattr(fn, "code", None)
    if c is not None and hasattr(c, "formals") and frame.f_code.co_name in ("call1", "call"):
        return _label(c)
    prim = loc.get("prim")
    if prim is not None and hasattr(prim, "arity") and frame.f_code.co_name == "_run_primop":
        return f"builtin {prim.name}"
    return None


def _label(code) -> str:
    span = code.span
    if span is None:
        return code.name or "?"
    line, _ = span.line_col
    path = span.source.path or span.source.name
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.relpath(path, root) if path.startswith(root) else path
    return f"{path}:{line} {code.name or ''}".strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", nargs="?")
    ap.add_argument("-n", "--users", type=int, default=100)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--interval", type=float, default=0.001)
    args = ap.parse_args()

    from declos.diagnostics import Source
    from declos.eval.evaluator import run_deep
    from declos.eval.values import force
    from declos.store.builtins import EvalStore, evaluator_with_store

    work = tempfile.mkdtemp(prefix="declos-dclprof-")
    config = os.path.abspath(args.config) if args.config else generate_large(work, args.users)
    text = TOPLEVEL.format(config=config, modules=MODULES)
    ev = evaluator_with_store(EvalStore.read_only(), [])
    own: collections.Counter = collections.Counter()
    incl: collections.Counter = collections.Counter()
    samples = [0]
    done = threading.Event()
    target = {}

    def sampler():
        while not done.is_set():
            time.sleep(args.interval)
            tid = target.get("id")
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
        return force(ev.eval_source(Source(None, text, work, "«bench»")))

    t = threading.Thread(target=sampler, daemon=True)
    t.start()
    start = time.perf_counter()
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
