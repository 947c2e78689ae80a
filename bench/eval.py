"""Evaluation speed of declos against Nix, measured in the same run.

Each program is evaluated by `declos eval --strict` and, when installed, by
`nix-instantiate --eval --strict`, alternating, several rounds; the figure
reported is the ratio of median CPU times (declos / Nix; wall times too)
and their geometric mean, with each one's peak memory (max RSS).  Both run as fresh processes, so
start-up is included for both; declos's parse cache is warm (a first run
fills it), as it is for any file evaluated before.  declos runs as users
run it, the `declos` script of a non-editable install of the checkout made
for the run (bench/install.py; `--checkout`: `python -m declos` of the
current environment).

    python bench/eval.py [--rounds N] [--only NAME] [--checkout]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile

from install import declos_command
from stack import print_table, run

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
    "modules": """
      let
        mkIf = cond: content: { _type = "if"; inherit cond content; };
        mkDefault = content: { _type = "override"; prio = 1000; inherit content; };
        discharge = d: if d._type or "" == "if" then (if d.cond then discharge d.content else [ ])
          else [ d ];
        prioOf = d: if d._type or "" == "override" then d.prio else 100;
        strip = d: if d._type or "" == "override" then d.content else d;
        merge = defs:
          let
            all = builtins.concatMap discharge defs;
            best = builtins.foldl' (p: d: if prioOf d < p then prioOf d else p) 9999 all;
            top = map strip (builtins.filter (d: prioOf d == best) all);
          in if top == [ ] then null
             else if builtins.isList (builtins.head top) then builtins.concatLists top
             else builtins.head top;
        evalModules = modules:
          let
            config = builtins.zipAttrsWith (name: merge)
              (map (m: m config) modules);
          in config;
        module = i: config: {
          "opt${toString i}" = mkDefault i;
          "list${toString (i / 10)}" = [ i ];
          "dep${toString i}" = mkIf (config."opt${toString i}" > 5) (i * 2);
        };
        config = evalModules (builtins.genList module 3000);
      in builtins.length (builtins.attrNames config)
        + builtins.foldl' (a: n: a + (if builtins.isInt config.${n} then config.${n} else 0)) 0
          (builtins.attrNames config)
    """,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only")
    ap.add_argument("--checkout", action="store_true", help="python -m declos, not installed")
    args = ap.parse_args()
    nix = shutil.which("nix-instantiate")
    work = tempfile.mkdtemp(prefix="declos-bench-")
    declos, _ = declos_command(work, args.checkout)
    env = dict(os.environ, DECLOS_CACHE_DIR=os.path.join(work, "cache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up as users have it
    rows = []
    for name, program in PROGRAMS.items():
        if args.only and name != args.only:
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".nix", delete=False) as f:
            f.write(program)
        ours_cmd = [*declos, "eval", "--strict", f.name]
        run(ours_cmd, env)  # warm the parse cache, as any second run would be
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(run(ours_cmd, env))
            if nix:
                theirs.append(run([nix, "--eval", "--strict", f.name], env))
        rows.append((name, ours, theirs))
        os.unlink(f.name)
    print_table(rows, "program")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
