"""Module-system cost per module at 250, 1 000 and 4 000 modules.

Each generated module declares a few options (one a submodule attrset),
defines its own and its neighbour's options with mkIf and priorities, and
reads `config`.  The whole configuration is forced (`--strict` of config)
in a fresh process; time and peak memory (max RSS) are reported, with the
cost per module, which must not grow with size.

    python bench/modules.py [--sizes 250,1000,4000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

MODULE = """{{ config, lib, ... }}:
let inherit (lib) mkOption mkIf mkDefault mkForce types; in
{{
  options.m{i} = {{
    enable = mkOption {{ type = types.bool; default = false; }};
    port = mkOption {{ type = types.port; default = {port}; }};
    tags = mkOption {{ type = types.listOf types.str; default = [ ]; }};
    hosts = mkOption {{
      default = {{ }};
      type = types.attrsOf (types.submodule ({{ name, ... }}: {{
        options.root = mkOption {{ type = types.str; default = "/srv/${{name}}"; }};
        options.index = mkOption {{ type = types.str; default = "index.html"; }};
      }}));
    }};
  }};
  config = {{
    m{i}.enable = mkDefault true;
    m{i}.tags = [ "t{i}" ];
    m{i}.hosts."h{i}" = {{ index = "i{i}.html"; }};
    m{prev}.tags = mkIf config.m{i}.enable [ "from{i}" ];
    m{prev}.port = mkForce {port};
  }};
}}
"""


def generate(directory: str, n: int) -> str:
    paths = []
    for i in range(n):
        path = os.path.join(directory, f"m{i}.dcl")
        with open(path, "w") as f:
            f.write(MODULE.format(i=i, prev=(i - 1) % n, port=1000 + i % 60000))
        paths.append(path)
    top = os.path.join(directory, "top.dcl")
    with open(top, "w") as f:
        f.write(
            "let lib = import <declos/lib>; in builtins.length (builtins.attrNames "
            "(builtins.deepSeq (lib.evalModules { modules = [ "
            + " ".join(paths)
            + " ]; }).config (lib.evalModules { modules = [ "
            + " ".join(paths)
            + " ]; }).config))\n"
        )
    return top


def measure(top: str) -> tuple[float, float]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = subprocess.run(
        [sys.executable, "-m", "declos", "eval", top], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return elapsed, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="250,1000,4000")
    args = ap.parse_args()
    print(f"{'modules':>8} {'seconds':>9} {'peak MiB':>9} {'ms/module':>10}")
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as d:
            seconds, peak = measure(generate(d, n))
        print(f"{n:>8} {seconds:>9.2f} {peak:>9.0f} {seconds / n * 1000:>10.2f}")


if __name__ == "__main__":
    main()
