"""Deep recursion and long folds evaluate, or fail with a clean error; never a crash."""

import subprocess
import sys


def run_eval(*args):
    return subprocess.run(
        [sys.executable, "-m", "declos", "eval", *args], capture_output=True, text=True, timeout=600
    )


def test_hundred_thousand_deep_non_tail_recursion():
    r = run_eval("-E", "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 100000")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "100000\n"


def test_million_element_foldl():
    r = run_eval("-E", "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 1000000)")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "499999500000\n"


def test_unbounded_recursion_is_a_clean_error():
    r = run_eval("-E", "let f = n: 1 + f (n + 1); in f 0")
    assert r.returncode == 1
    assert r.stderr.startswith("error: stack overflow")
    assert "Traceback" not in r.stderr


def test_infinite_recursion_names_the_binding():
    r = run_eval("-E", "let x = x; in x")
    assert r.returncode == 1
    assert "infinite recursion encountered" in r.stderr
    assert "1:9" in r.stderr
