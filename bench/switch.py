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
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--units", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the repeatable steps (best)")
    args = ap.parse_args()
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
