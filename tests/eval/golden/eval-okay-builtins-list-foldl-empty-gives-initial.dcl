with builtins; foldl' (a: b: a - b) 100 [ ]
