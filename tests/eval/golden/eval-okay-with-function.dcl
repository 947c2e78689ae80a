with { f = x: x + 1; }; map f [ 1 2 ]
