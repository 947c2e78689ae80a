with builtins; foldl' (acc: x: acc + x) 0 (genList (i: i) 100000)
