"""Parser benchmark: lines per second on a large generated DCL file, fresh and cached.

    python bench/parse.py [--lines 50000] [--repeat 3] [--profile]

The file repeats a block that uses every construct of the language (numbers,
strings with escapes and interpolation, indented strings, paths, search
paths, URIs, lists, attribute sets of every shape, let, functions of every
shape, with, assert, if, select with `or`, has-attr, every operator,
comments), each copy with its own names.  "fresh" is `parse_file` without
the cache; "cached" is `parse_file` with a warm cache in a temporary
directory (it still reads, decodes and hashes the file).  The best of
`--repeat` runs is reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

BLOCK = r"""  m{i} = let
    # Numbers, strings, paths and URIs.
    n{i} = [ {i} 1.5 .5 2.5e3 (-{i}) ];
    s{i} = "plain \"quoted\" \n\t tab \${{not}} ${{toString {i}}} and ${{"nested ${{x}}"}}";
    ind{i} = ''
      indented ${{x}} text
        deeper ''$ ''' ''\n
      end
    '';
    p{i} = [ ./a/b{i}.nix ../up ~/home /abs/path{i} ./dir/${{x}}/f <nixpkgs/lib> https://e.org/{i}?q=1 ];
    /* A block comment. */
    inherit (builtins) map filter;
  in rec {{
    a{i}.b.c = {i};
    "quoted-{i}" = ''{i}'';
    ${{"dyn" + x}} = null;
    inherit x;
    f{i} = x: y: x + y * 2 - 1 / 3;
    g{i} = {{ a, b ? {i}, ... }}@args: a ++ [ b ];
    h{i} = args@{{ c }}: with args; c;
    k{i} = v: assert v != null; if v > 0 && !(v < -1) || v == 2 -> true then v else -v;
    sel{i} = a{i}.b.c or (x.y or 0);
    has{i} = a{i} ? b.c;
    ops{i} = {{ }} // {{ u = 1; }} // {{ w = [ ] ++ [ 1 ]; }};
    call{i} = map (z: z * {i}) (filter (z: z >= 1) [ 1 2 3 ]);
    cmp{i} = [ (1 < 2) (2 <= 3) (3 > 2) (4 >= 4) (true != false) ];
    legacy{i} = let {{ body = {i}; }};
    pipe{i} = [ 1 ] |> map (z: z) |> filter (z: true);
  }};
"""


def generate(min_lines: int) -> str:
    block_lines = BLOCK.count("\n")
    blocks = -(-min_lines // block_lines)
    body = "".join(BLOCK.format(i=i) for i in range(blocks))
    return "x: {\n" + body + "}\n"


def best_time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=50_000, help="minimum lines to generate")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    ap.add_argument("--profile", action="store_true", help="profile one fresh parse (cProfile)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="declos-bench-") as tmp:
        os.environ["DECLOS_CACHE_DIR"] = os.path.join(tmp, "cache")
        from declos.lang.loader import parse_file

        path = os.path.join(tmp, "big.dcl")
        text = generate(args.lines)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        lines = text.count("\n")

        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(parse_file, path, use_cache=False)
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)

        fresh = best_time(lambda: parse_file(path, use_cache=False), args.repeat)
        parse_file(path)  # warm the cache
        cached = best_time(lambda: parse_file(path), args.repeat)

    rows = [
        ("file", f"{lines} lines, {len(text) / 1e6:.1f} MB"),
        ("fresh", f"{fresh:.3f} s  {lines / fresh:>12,.0f} lines/s"),
        ("cached", f"{cached:.3f} s  {lines / cached:>12,.0f} lines/s"),
        ("ratio", f"cached is {fresh / cached:.1f}x faster"),
    ]
    for name, value in rows:
        print(f"{name:<8}{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
