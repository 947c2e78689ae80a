"""Store speed: N small outputs built cold, the no-op rebuild, hashing.

Evaluates a DCL program making N text files (`writeText`) and N/10 link
farms over them (`linkFarm`, ten files each), with the store glue, in a
fresh state directory, then builds it (cold), then evaluates and builds
it again with nothing changed (no builder runs).  Both timings include
evaluation and writing/reading `.drv` files; the no-op one must be a small
fraction of the cold one.  Also: NAR hashing of the built store against
plain hashlib over the same file bytes.

    python bench/store.py [-n 2000] [-j JOBS] [--cli]

With `--cli` the two builds run as `declos build` processes (start-up
included) instead of in this process.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROGRAM = """
let
  pkgs = import <declos/pkgs>;
  n = {n};
  texts = builtins.genList (i: pkgs.writeText "t${{toString i}}" "text number ${{toString i}}\\n") n;
  farm = k: pkgs.linkFarm "farm${{toString k}}"
    (builtins.genList (j: {{ name = "f${{toString j}}"; path = builtins.elemAt texts (k * 10 + j); }}) 10);
in texts ++ builtins.genList farm (n / 10)
"""


def build_in_process(state: str, file: str, jobs: int | None) -> tuple[float, int, int]:
    from declos.store.realise import BuildRequest, realise
    from declos.store.store import Store

    started = time.perf_counter()
    with Store(state) as store:
        outcome = realise(
            BuildRequest(file=file, attr_paths=("",), out_link=None, jobs=jobs), store
        )
    elapsed = time.perf_counter() - started
    outcome.result.raise_for_failure()
    return elapsed, len(outcome.result.built), len(outcome.out_paths)


def build_cli(state: str, file: str, jobs: int | None) -> tuple[float, int, int]:
    argv = [sys.executable, "-m", "declos", "build", file, "-A", "", "--no-out-link"]
    argv += ["--state-dir", state] + (["-j", str(jobs)] if jobs else [])
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, -1, len(proc.stdout.split())


def hashing(store_dir: str) -> tuple[float, float, int]:
    """Seconds for NAR-hashing every store entry, and for hashlib over
    the same files' bytes; and the byte count."""
    from declos.store.hashing import nar_hash

    entries = [os.path.join(store_dir, e) for e in sorted(os.listdir(store_dir))]
    files = []
    for e in entries:
        for root, _dirs, names in os.walk(e):
            files += [
                os.path.join(root, x) for x in names if not os.path.islink(os.path.join(root, x))
            ]
        if os.path.isfile(e):
            files.append(e)
    started = time.perf_counter()
    total = 0
    for e in entries:
        total += nar_hash(e)[1]
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for f in files:
        with open(f, "rb") as fh:
            hashlib.sha256(fh.read()).digest()
    plain = time.perf_counter() - started
    return ours, plain, total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=2000, help="text outputs (plus n/10 link farms)")
    ap.add_argument("-j", "--jobs", type=int, default=None)
    ap.add_argument("--cli", action="store_true", help="run declos build processes")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="declos-bench-store-")
    try:
        file = os.path.join(tmp, "bench.dcl")
        with open(file, "w") as f:
            f.write(PROGRAM.format(n=args.n))
        state = os.path.join(tmp, "state")
        run = build_cli if args.cli else build_in_process
        cold, built, outs = run(state, file, args.jobs)
        noop, rebuilt, outs2 = run(state, file, args.jobs)
        assert outs == outs2 == args.n + args.n // 10, (outs, outs2)
        assert rebuilt in (0, -1), rebuilt
        ours, plain, size = hashing(os.path.join(state, "store"))
        mode = "declos build processes" if args.cli else "in process"
        print(f"store bench ({mode}): {args.n} texts + {args.n // 10} link farms")
        print(f"  cold build      {cold:8.2f} s  ({built if built >= 0 else outs} built)")
        print(f"  no-op rebuild   {noop:8.2f} s  (no builder ran)")
        print(f"  ratio           {noop / cold:8.3f}  (no-op / cold)")
        print(f"  per output cold {cold / outs * 1000:8.2f} ms")
        print(f"  NAR hashing     {ours:8.3f} s over {size} NAR bytes")
        print(f"  plain hashlib   {plain:8.3f} s over the same files ({ours / plain:.1f}x)")
    finally:
        from declos.store.fs import remove_tree

        remove_tree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
