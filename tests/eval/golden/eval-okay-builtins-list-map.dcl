with builtins; [ (map (x: x * x) [ 1 2 3 ]) (map toString [ ]) ]
