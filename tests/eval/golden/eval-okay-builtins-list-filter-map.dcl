with builtins; [ (filter (x: x > 2) [ 1 2 3 4 ]) (filter (x: true) [ ]) (map (x: x * x) [ 1 2 3 ]) (map toString [ ]) ]
