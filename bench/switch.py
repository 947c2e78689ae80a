"""Switch speed: a configuration with 500 etc files and 50 units.

Runs `declos switch` as a user would (a process each, start-up included) in a
fresh state directory and root:

    cold       the first switch: evaluate, build everything, activate
    noop       the same switch again: the evaluation cache answers, nothing
               is parsed or evaluated, no generation is made
    noop-eval  the same with --no-eval-cache: evaluate, find every path built
    one-file   one etc file changed: evaluate, build, activate generation 2
    rollback   back to generation 1

Figures are seconds and ratios against a baseline measured in the same run
(`declos --version`: the interpreter's start-up and the CLI's imports), so
that they compare across machines.  The issue asks for a no-op switch "well
under a second".

    python bench/switch.py [--files 500] [--units 50] [--repeat 3]

With `--large N`, instead: the switch after a one-line change (one user's
description) of bench/stack.py's generated configuration with N users, on a
scratch root, split into phases (issue 12 asks for <= 1 s at N = 100):

    start-up    from the process' launch to the evaluation (interpreter,
                imports, argument parsing, opening the store, the eval cache)
    evaluation  evaluating the toplevel and collecting its derivations
    build       writing the .drv files and building what changed
    activation  System.switch_to: plan, generation, the root brought to it
    other       the rest (the eval cache recorded, output, exit)

Each run is a `declos switch` process as users run it (a non-editable
install of the checkout, bench/install.py; `--checkout`: this environment's
declos), wrapped by this file (`--driver`) to time its phases; wall and CPU
seconds, medians (CPU varies less on a shared machine; the CPU of builders
run as processes is in "other").

    python bench/switch.py --large 100 [--repeat 3] [--checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ("start-up", "evaluation", "build", "activation", "other")

CONFIG = """
{{ lib, pkgs, ... }}:
let
  files = builtins.genList (i: {{
    name = "bench/file-${{toString i}}.conf";
    value.text = "setting ${{toString i}} = ${{if i == 0 then "{first}" else "x"}}\\n";
  }}) {files};
  units = builtins.genList (i: {{
    name = "bench-${{toString i}}";
    value = {{ description = "bench unit ${{toString i}}"; script = "sleep ${{toString i}}";
              wantedBy = [ "multi-user.target" ]; }};
  }}) {units};
in {{
  networking.hostName = "bench";
  system.stateVersion = "24.11";
  environment.etc = builtins.listToAttrs files;
  systemd.services = builtins.listToAttrs units;
  users.users.alice = {{ isNormalUser = true; }};
}}
"""


def declos(*args: str, env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "declos", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"declos {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def driver(out: str, argv: list[str]) -> None:
    """Run `declos ARGV` in this process, writing its phases' times to OUT
    (JSON).  The launch time comes from the parent (DECLOS_BENCH_LAUNCHED)."""
    launched = float(os.environ["DECLOS_BENCH_LAUNCHED"])
    marks: dict[str, float] = {}

    def save() -> None:  # as marks are made: the command leaves with os._exit
        with open(out, "w") as f:
            json.dump({"launched": launched, **marks}, f)

    def timed(fn, before: str, after: str):
        def wrapper(*a, **kw):
            marks.setdefault(before, (time.time(), time.process_time()))
            try:
                return fn(*a, **kw)
            finally:
                marks[after] = (time.time(), time.process_time())
                save()

        return wrapper

    import declos.toplevel as toplevel
    from declos.system.transaction import System

    realise = toplevel.realise

    def realise_timed(*a, evaluate, **kw):
        return realise(*a, evaluate=timed(evaluate, "eval-start", "eval-end"), **kw)

    toplevel.realise = timed(realise_timed, "realise-start", "realise-end")
    System.switch_to = timed(System.switch_to, "activate-start", "activate-end")
    from declos.cli import main as declos_main

    sys.argv = ["declos", *argv]
    sys.exit(declos_main())  # as the command runs: no teardown (os._exit)


def large_one_line(users: int, repeat: int, checkout: bool) -> None:
    """The switch after a one-line change of the large configuration, by phase."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from install import installed_declos
    from stack import generate_large

    with tempfile.TemporaryDirectory(prefix="declos-bench-switch-large-") as tmp:
        env = {
            **os.environ,
            "DECLOS_STATE_DIR": os.path.join(tmp, "state"),
            "DECLOS_CACHE_DIR": os.path.join(tmp, "cache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up as users have it
        if checkout:  # quick iteration: this environment's declos (editable: its finder too)
            python = sys.executable
            env["PYTHONPATH"] = REPO + os.pathsep + os.environ.get("PYTHONPATH", "")
        else:  # as users run it: a non-editable install (bench/install.py)
            print("installing the checkout (non-editable) for the run ...", file=sys.stderr)
            script, _ = installed_declos(os.path.join(tmp, "install"))
            python = os.path.join(os.path.dirname(script), "python")
            env.pop("PYTHONPATH", None)
        cfg = generate_large(tmp, users)
        with open(cfg) as f:
            text = f.read()
        line = 'description = "User number 0";'

        def switch(rev: int) -> dict:
            """Wall and CPU seconds by phase (CPU: this process' threads; the
            total includes child processes)."""
            with open(cfg, "w") as f:
                f.write(text.replace(line, f'description = "User number 0 (revision {rev})";'))
            marks = os.path.join(tmp, "marks.json")
            started = time.perf_counter()
            env["DECLOS_BENCH_LAUNCHED"] = repr(time.time())
            with open(os.devnull, "w") as devnull:
                proc = subprocess.Popen(
                    [python, os.path.abspath(__file__), "--driver", marks, "switch", cfg],
                    env=env,
                    stdout=devnull,
                    stderr=subprocess.PIPE,
                )
                _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"declos switch failed:\n{proc.stderr.read().decode()}")
            proc.stderr.close()
            with open(marks) as f:
                m = json.load(f)
            phases = {}
            for i in (0, 1):  # wall, CPU
                evaluation = m["eval-end"][i] - m["eval-start"][i]
                p = {
                    "start-up": m["eval-start"][i] - (m["launched"] if i == 0 else 0.0),
                    "evaluation": evaluation,
                    "build": m["realise-end"][i] - m["realise-start"][i] - evaluation,
                    "activation": m["activate-end"][i] - m["activate-start"][i],
                }
                total = wall if i == 0 else usage.ru_utime + usage.ru_stime
                p["other"] = total - sum(p.values())
                p["total"] = total
                for k, v in p.items():
                    phases[k, i] = v
            return phases

        cold = switch(0)
        runs = [switch(i + 1) for i in range(repeat)]
    print(
        f"switch after a one-line change of the large configuration (-n {users}), "
        f"median of {repeat}; cold switch {cold['total', 0]:.3f} s"
    )
    print("| phase        | wall s |  CPU s |")
    print("|--------------|--------|--------|")
    for name in (*PHASES, "total"):
        wall = statistics.median(r[name, 0] for r in runs)
        cpu = statistics.median(r[name, 1] for r in runs)
        print(f"| {name:<12} | {wall:6.3f} | {cpu:6.3f} |")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--driver":
        driver(sys.argv[2], sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the repeatable steps (best)")
    ap.add_argument(
        "--large", type=int, metavar="N", help="the large configuration's one-line change"
    )
    ap.add_argument(
        "--checkout",
        action="store_true",
        help="with --large: run this environment's declos, not a non-editable install",
    )
    args = ap.parse_args()
    if args.large is not None:
        large_one_line(args.large, args.repeat, args.checkout)
        return
    with tempfile.TemporaryDirectory(prefix="declos-bench-switch-") as tmp:
        env = {
            **os.environ,
            "DECLOS_STATE_DIR": os.path.join(tmp, "state"),
            "PYTHONPATH": REPO + os.pathsep + os.environ.get("PYTHONPATH", ""),
        }
        cfg = os.path.join(tmp, "config.dcl")

        def write(first: str) -> None:
            with open(cfg, "w") as f:
                f.write(CONFIG.format(files=args.files, units=args.units, first=first))

        def best(*a: str) -> float:
            return min(declos(*a, env=env) for _ in range(args.repeat))

        baseline = best("--version")
        write("a")
        rows = [("cold", declos("switch", cfg, env=env))]
        rows.append(("noop", best("switch", cfg)))
        rows.append(("noop-eval", best("switch", cfg, "--no-eval-cache")))
        times = []
        for i in range(args.repeat):
            write(f"b{i}")
            times.append(declos("switch", cfg, env=env))
        rows.append(("one-file", min(times)))
        times = []
        for _ in range(args.repeat):
            times.append(declos("rollback", env=env))
            declos("switch-generation", str(args.repeat + 1), env=env)
        rows.append(("rollback", min(times)))
    print(f"{args.files} etc files, {args.units} units; best of {args.repeat} where repeatable")
    print(f"{'baseline (declos --version)':28s} {baseline:7.3f}s   1.0x")
    for name, t in rows:
        print(f"{name:28s} {t:7.3f}s {t / baseline:6.1f}x")


if __name__ == "__main__":
    main()
