builtins.foldl' (a: b: a + b) 0 (builtins.genList (i: 1) 1000000)
