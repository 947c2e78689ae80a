with builtins; foldl' (acc: x: [ x ] ++ acc) [ ] [ 1 2 3 ]
