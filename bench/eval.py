"""Evaluation speed of declos against Nix, measured in the same run.

Each program is evaluated by `declos eval --strict` and, when installed, by
`nix-instantiate --eval --strict`, alternating, several rounds; the figure
reported is the ratio of medians (declos / Nix) and their geometric mean.
Both run as fresh processes, so start-up is included for both.

    python bench/eval.py [--rounds N] [--only NAME]
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PROGRAMS = {
    "recursion": """
      let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 25
    """,
    "attrsets": """
      let
        names = builtins.genList (i: "n${toString i}") 20000;
        sets = map (n: { ${n} = n; common = n; nested.${n} = 1; }) names;
        merged = builtins.foldl' (a: b: a // b) { } sets;
      in builtins.length (builtins.attrNames merged)
    """,
    "lists": """
      let
        xs = builtins.genList (i: i * 7 - 3) 1000000;
        ys = builtins.filter (x: builtins.bitAnd x 1 == 0) (map (x: x * x) xs);
        sorted = builtins.sort (a: b: a < b) (builtins.genList (i: (i * 7919) - (i / 3) * 7919) 30000);
      in [ (builtins.length ys) (builtins.foldl' (a: b: a + b) 0 ys) (builtins.head sorted) ]
    """,
    "strings": """
      let
        parts = builtins.genList (i: "item-${toString i}") 50000;
        joined = builtins.concatStringsSep "," parts;
        replaced = builtins.replaceStrings [ "item" ] [ "x" ] joined;
      in builtins.stringLength replaced + builtins.stringLength (builtins.substring 10 100 joined)
    """,
    "fixpoint": """
      let
        fix = f: let x = f x; in x;
        extend = base: ext: self: let super = base self; in super // ext self super;
        layers = builtins.genList (i: self: super: {
          "v${toString i}" = (super."v${toString (if i == 0 then 0 else i - 1)}" or 0) + 1;
          total = (super.total or 0) + i;
        }) 1000;
        final = fix (builtins.foldl' extend (self: { v0 = 0; }) layers);
      in final.total + final.v999
    """,
    "tojson": """
      let
        mk = i: { name = "n${toString i}"; value = { a = i; b = [ i (i + 1) "s" ]; c = i * 2 > 10; }; };
      in builtins.stringLength (builtins.toJSON (builtins.listToAttrs (builtins.genList mk 30000)))
    """,
    "laziness": """
      let
        big = builtins.genList (i: throw "never forced ${toString i}") 1000000;
        lazyset = builtins.listToAttrs (builtins.genList (i: { name = toString i; value = throw "no"; }) 100000);
      in builtins.length big + builtins.length (builtins.attrNames lazyset)
    """,
}


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{r.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only")
    args = ap.parse_args()
    nix = shutil.which("nix-instantiate")
    rows = []
    for name, program in PROGRAMS.items():
        if args.only and name != args.only:
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".nix", delete=False) as f:
            f.write(program)
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(run([sys.executable, "-m", "declos", "eval", "--strict", f.name]))
            if nix:
                theirs.append(run([nix, "--eval", "--strict", f.name]))
        o = statistics.median(ours)
        t = statistics.median(theirs) if theirs else None
        rows.append((name, o, t))
    print(f"{'program':<12} {'declos s':>9} {'nix s':>9} {'ratio':>7}")
    ratios = []
    for name, o, t in rows:
        if t:
            ratios.append(o / t)
            print(f"{name:<12} {o:>9.3f} {t:>9.3f} {o / t:>7.1f}")
        else:
            print(f"{name:<12} {o:>9.3f} {'-':>9} {'-':>7}")
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"{'geomean':<12} {'':>9} {'':>9} {geo:>7.1f}")


if __name__ == "__main__":
    main()
